import type { CustomSchema } from './schema/custom-schema.ts';

/**
 * The custom fields the ledgerbridge managed package installs in a customer's org. The emulator
 * applies them before any user-declared schema, so every org it serves looks like one where the
 * package is installed:
 * - QBO_Id__c on Account, Contact, Product2 and Opportunity: the QuickBooks id of the linked
 *   record (Text 64, External ID, unique), the key the engine upserts on;
 * - Account.QB_Balance__c: the customer's open balance in QuickBooks;
 * - Product2.QB_Item_Type__c: the QuickBooks item type (restricted picklist);
 * - Opportunity.Generate__c: what a won opportunity becomes in QuickBooks.
 */
export const PACKAGE_SCHEMA: CustomSchema = {
  fields: {
    Account: {
      QBO_Id__c: qboId(),
      QB_Balance__c: { type: 'currency', label: 'QB Balance', precision: 16, scale: 2 },
    },
    Contact: { QBO_Id__c: qboId() },
    Product2: {
      QBO_Id__c: qboId(),
      QB_Item_Type__c: {
        type: 'picklist',
        label: 'QB Item Type',
        picklist: ['Inventory', 'NonInventory', 'Service'],
        restricted: true,
      },
    },
    Opportunity: {
      Generate__c: { type: 'picklist', label: 'Generate', picklist: ['Invoice', 'Sales Order', 'None'] },
      QBO_Id__c: qboId(),
    },
  },
};

function qboId() {
  return { type: 'string', label: 'QBO Id', length: 64, externalId: true, unique: true } as const;
}
