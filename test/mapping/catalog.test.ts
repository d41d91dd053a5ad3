import { describe, expect, it } from 'vitest';
import { ENTITIES } from '../../emulators/qbo/schema.ts';
import { parseCustomSchema } from '../../emulators/salesforce/schema/custom-schema.ts';
import { describeFull } from '../../emulators/salesforce/schema/describe.ts';
import { Schema } from '../../emulators/salesforce/schema/registry.ts';
import { PACKAGE_SCHEMA } from '../../emulators/salesforce/package-schema.ts';
import { defaultConfig } from '../../src/config/index.ts';
import {
  CatalogError,
  catalogFromSalesforceDescribe,
  compileFlow,
  findField,
  qboCustomerCatalog,
  requiredOnCreate,
} from '../../src/mapping/index.ts';
import { describeFixture } from './helpers.ts';

describe('catalogFromSalesforceDescribe', () => {
  const account = catalogFromSalesforceDescribe(describeFixture('account'));
  const contact = catalogFromSalesforceDescribe(describeFixture('contact'));

  it('maps describe types, lengths and writability', () => {
    expect(account).toMatchObject({ system: 'salesforce', object: 'Account', nameField: 'Name' });
    expect(account.fields.get('Id')).toMatchObject({ type: 'id', createable: false, updateable: false });
    expect(account.fields.get('Name')).toMatchObject({
      type: 'string',
      length: 255,
      createable: true,
      updateable: true,
      nillable: false,
    });
    expect(account.fields.get('BillingStreet')).toMatchObject({ type: 'textarea', length: 255 });
    expect(account.fields.get('BillingCity')).toMatchObject({ type: 'string', length: 40 });
    expect(account.fields.get('BillingAddress')).toMatchObject({ type: 'object', createable: false });
    expect(account.fields.get('Phone')).toMatchObject({ type: 'phone', length: 40 });
    expect(account.fields.get('Website')).toMatchObject({ type: 'url', length: 255 });
    expect(account.fields.get('AnnualRevenue')).toMatchObject({ type: 'currency', scale: 0, precision: 18 });
    expect(account.fields.get('QB_Balance__c')).toMatchObject({ type: 'currency', scale: 2, precision: 16 });
    expect(account.fields.get('NumberOfEmployees')).toMatchObject({ type: 'integer', scale: 0 });
    expect(account.fields.get('BillingLatitude')).toMatchObject({ type: 'decimal', scale: 15 });
    expect(account.fields.get('CreatedDate')).toMatchObject({
      type: 'datetime',
      createable: false,
      updateable: false,
    });
    expect(account.fields.get('ParentId')).toMatchObject({ type: 'reference', referenceTo: ['Account'] });
    expect(account.fields.get('QBO_Id__c')).toMatchObject({
      type: 'string',
      length: 64,
      externalId: true,
      unique: true,
    });
    expect(account.fields.get('OwnerId')).toMatchObject({ defaultedOnCreate: true });
    const industry = account.fields.get('Industry')!;
    expect(industry.type).toBe('picklist');
    expect(industry.restricted).toBe(false);
    expect(industry.picklist).toContain('Retail');
    expect(account.fields.get('BillingGeocodeAccuracy')).toMatchObject({ restricted: true });
  });

  it('knows which fields a create needs', () => {
    const required = (c: typeof account) =>
      [...c.fields.values()].filter(requiredOnCreate).map((f) => f.name);
    expect(required(account)).toEqual(['Name']);
    expect(required(contact)).toEqual(['LastName']);
    expect(contact.fields.get('Name')).toMatchObject({ createable: false, updateable: false });
    expect(contact.fields.get('Email')).toMatchObject({ type: 'email', length: 80 });
    expect(contact.fields.get('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'] });
  });

  it('finds Salesforce fields case-insensitively, QuickBooks fields exactly', () => {
    expect(findField(account, 'billingstreet')?.name).toBe('BillingStreet');
    const qb = qboCustomerCatalog();
    expect(findField(qb, 'DisplayName')?.name).toBe('DisplayName');
    expect(findField(qb, 'displayname')).toBeUndefined();
  });

  it('handles multi-select picklists, calculated and inactive values', () => {
    const c = catalogFromSalesforceDescribe({
      name: 'Thing__c',
      fields: [
        {
          name: 'Tags__c',
          type: 'multipicklist',
          length: 4099,
          createable: true,
          updateable: true,
          nillable: true,
          restrictedPicklist: true,
          picklistValues: [
            { value: 'A', active: true },
            { value: 'B', active: false },
          ],
        },
        {
          name: 'Total__c',
          type: 'currency',
          calculated: true,
          createable: false,
          updateable: false,
          nillable: true,
          scale: 2,
          precision: 18,
        },
        { name: 'Weird__c', type: 'somethingnew', createable: true, updateable: true, nillable: true },
      ],
    });
    expect(c.fields.get('Tags__c')).toMatchObject({
      type: 'picklist',
      multiple: true,
      restricted: true,
      picklist: ['A'],
    });
    expect(c.fields.get('Total__c')).toMatchObject({ createable: false, updateable: false });
    expect(c.fields.get('Weird__c')?.type).toBe('string');
  });

  it('rejects what is not a describe result', () => {
    expect(() => catalogFromSalesforceDescribe(null)).toThrow(CatalogError);
    expect(() => catalogFromSalesforceDescribe({ sobjects: [] })).toThrow(/no object name or no fields/);
  });

  it('reads the Salesforce emulator’s live describe, and the baseline flow compiles against it', () => {
    const schema = Schema.build([parseCustomSchema(PACKAGE_SCHEMA)]);
    const live = {
      Account: catalogFromSalesforceDescribe(describeFull(schema.get('Account')!, '62.0')),
      Contact: catalogFromSalesforceDescribe(describeFull(schema.get('Contact')!, '62.0')),
    };
    expect(live.Account.fields.get('Name')).toEqual(account.fields.get('Name'));
    expect(live.Contact.fields.get('LastName')).toEqual(contact.fields.get('LastName'));
    const flow = compileFlow(defaultConfig().flows[0]!, { sf: live, qb: qboCustomerCatalog() });
    expect(flow.pairs.length).toBeGreaterThan(20);
  });
});

describe('the QuickBooks Customer catalog', () => {
  const qb = qboCustomerCatalog();

  it('marks what QuickBooks computes as read-only', () => {
    for (const name of [
      'Id',
      'SyncToken',
      'MetaData.CreateTime',
      'MetaData.LastUpdatedTime',
      'FullyQualifiedName',
      'BalanceWithJobs',
      'Level',
      'BillAddr.Id',
    ])
      expect(qb.fields.get(name), name).toMatchObject({ createable: false, updateable: false });
    // The opening balance and the currency are set once, on create.
    expect(qb.fields.get('Balance')).toMatchObject({ type: 'currency', createable: true, updateable: false });
    expect(qb.fields.get('CurrencyRef')).toMatchObject({
      type: 'reference',
      createable: true,
      updateable: false,
    });
  });

  it('has the lengths the QuickBooks emulator enforces (error 2050)', () => {
    const lengths = ENTITIES.Customer.lengths;
    expect(Object.keys(lengths).length).toBeGreaterThan(20);
    for (const [path, max] of Object.entries(lengths)) expect(qb.fields.get(path)?.length, path).toBe(max);
  });

  it('describes nested values as dotted paths and their groups as objects', () => {
    expect(qb.fields.get('BillAddr')?.type).toBe('object');
    expect(qb.fields.get('PrimaryEmailAddr.Address')).toMatchObject({ type: 'email', length: 100 });
    expect(qb.fields.get('ParentRef')).toMatchObject({ type: 'reference', referenceTo: ['Customer'] });
    expect(qb.fields.get('PreferredDeliveryMethod')).toMatchObject({
      restricted: true,
      picklist: ['Print', 'Email', 'None'],
    });
    expect(qb).toMatchObject({ deletable: false, activeField: 'Active', nameField: 'DisplayName' });
  });
});
