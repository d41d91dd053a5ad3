/**
 * What the emulator knows about each entity: its URL segment, whether it is a name-list entity
 * (deactivated, never deleted), a transaction (deleted, voided), or read-only settings; which
 * properties a query may filter and sort on; the default query order; and the string lengths the
 * real service enforces (error 2050).
 */

export const ENTITY_NAMES = [
  'Customer',
  'Item',
  'Account',
  'Term',
  'TaxCode',
  'CompanyInfo',
  'Preferences',
  'Invoice',
  'SalesReceipt',
  'CreditMemo',
  'Payment',
] as const;

export type EntityName = (typeof ENTITY_NAMES)[number];
export type EntityKind = 'name' | 'txn' | 'settings';

export interface EntityDef {
  name: EntityName;
  /** URL segment (`/customer`), lower-case as the real API. */
  path: string;
  kind: EntityKind;
  /** Lower-case plural used in "Object Not Found" details. */
  plural: string;
  /** Whether CDC reports the entity. */
  cdc: boolean;
  /** Whether create/update is allowed through the API. */
  writable: boolean;
  /** Maximum string lengths by dotted path (Line.* applies to each line). */
  lengths: Record<string, number>;
}

const PHONE_LIMITS = (prefix: string): Record<string, number> => ({ [`${prefix}.FreeFormNumber`]: 30 });
const ADDR_LIMITS = (prefix: string): Record<string, number> => ({
  [`${prefix}.Line1`]: 500,
  [`${prefix}.Line2`]: 500,
  [`${prefix}.Line3`]: 500,
  [`${prefix}.Line4`]: 500,
  [`${prefix}.Line5`]: 500,
  [`${prefix}.City`]: 255,
  [`${prefix}.Country`]: 255,
  [`${prefix}.CountrySubDivisionCode`]: 255,
  [`${prefix}.PostalCode`]: 30,
});
const TXN_LIMITS: Record<string, number> = {
  DocNumber: 21,
  PrivateNote: 4000,
  'CustomerMemo.value': 1000,
  'Line.Description': 4000,
  'BillEmail.Address': 200,
  PaymentRefNum: 21,
  ...ADDR_LIMITS('BillAddr'),
  ...ADDR_LIMITS('ShipAddr'),
};

export const ENTITIES: Record<EntityName, EntityDef> = {
  Customer: {
    name: 'Customer',
    path: 'customer',
    kind: 'name',
    plural: 'customers',
    cdc: true,
    writable: true,
    lengths: {
      DisplayName: 500,
      Title: 16,
      GivenName: 100,
      MiddleName: 100,
      FamilyName: 100,
      Suffix: 16,
      CompanyName: 100,
      PrintOnCheckName: 110,
      Notes: 2000,
      ResaleNum: 16,
      'PrimaryEmailAddr.Address': 100,
      'WebAddr.URI': 1000,
      ...PHONE_LIMITS('PrimaryPhone'),
      ...PHONE_LIMITS('AlternatePhone'),
      ...PHONE_LIMITS('Mobile'),
      ...PHONE_LIMITS('Fax'),
      ...ADDR_LIMITS('BillAddr'),
      ...ADDR_LIMITS('ShipAddr'),
    },
  },
  Item: {
    name: 'Item',
    path: 'item',
    kind: 'name',
    plural: 'items',
    cdc: true,
    writable: true,
    lengths: { Name: 100, Sku: 100, Description: 4000, PurchaseDesc: 1000 },
  },
  Account: {
    name: 'Account',
    path: 'account',
    kind: 'name',
    plural: 'accounts',
    cdc: true,
    writable: true,
    lengths: { Name: 100, Description: 100, AcctNum: 20 },
  },
  Term: {
    name: 'Term',
    path: 'term',
    kind: 'name',
    plural: 'terms',
    cdc: true,
    writable: true,
    lengths: { Name: 31 },
  },
  TaxCode: {
    name: 'TaxCode',
    path: 'taxcode',
    kind: 'settings',
    plural: 'tax codes',
    cdc: false,
    writable: false,
    lengths: {},
  },
  CompanyInfo: {
    name: 'CompanyInfo',
    path: 'companyinfo',
    kind: 'settings',
    plural: 'company info',
    cdc: true,
    writable: true,
    lengths: {
      CompanyName: 1024,
      LegalName: 1024,
      ...ADDR_LIMITS('CompanyAddr'),
      ...ADDR_LIMITS('LegalAddr'),
    },
  },
  Preferences: {
    name: 'Preferences',
    path: 'preferences',
    kind: 'settings',
    plural: 'preferences',
    cdc: true,
    writable: false,
    lengths: {},
  },
  Invoice: {
    name: 'Invoice',
    path: 'invoice',
    kind: 'txn',
    plural: 'invoices',
    cdc: true,
    writable: true,
    lengths: TXN_LIMITS,
  },
  SalesReceipt: {
    name: 'SalesReceipt',
    path: 'salesreceipt',
    kind: 'txn',
    plural: 'sales receipts',
    cdc: true,
    writable: true,
    lengths: TXN_LIMITS,
  },
  CreditMemo: {
    name: 'CreditMemo',
    path: 'creditmemo',
    kind: 'txn',
    plural: 'credit memos',
    cdc: true,
    writable: true,
    lengths: TXN_LIMITS,
  },
  Payment: {
    name: 'Payment',
    path: 'payment',
    kind: 'txn',
    plural: 'payments',
    cdc: true,
    writable: true,
    lengths: { PrivateNote: 4000, PaymentRefNum: 21, DocNumber: 21 },
  },
};

const BY_PATH = new Map(Object.values(ENTITIES).map((d) => [d.path, d]));
const BY_LOWER_NAME = new Map(Object.values(ENTITIES).map((d) => [d.name.toLowerCase(), d]));

/** The entity for a URL segment (`customer`); URIs are case sensitive, as on the real API. */
export function entityByPath(segment: string): EntityDef | undefined {
  return BY_PATH.get(segment);
}

/** The entity for a name as queries, CDC and batch spell it (case-insensitive). */
export function entityByName(name: string): EntityDef | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

const UNHOSTED = [
  'Attachable',
  'Bill',
  'BillPayment',
  'Budget',
  'Class',
  'CompanyCurrency',
  'Deposit',
  'Department',
  'Employee',
  'Estimate',
  'ExchangeRate',
  'JournalCode',
  'JournalEntry',
  'PaymentMethod',
  'Purchase',
  'PurchaseOrder',
  'RecurringTransaction',
  'RefundReceipt',
  'TaxAgency',
  'TaxRate',
  'TimeActivity',
  'Transfer',
  'Vendor',
  'VendorCredit',
];
const UNHOSTED_BY_LOWER = new Map(UNHOSTED.map((n) => [n.toLowerCase(), n]));

/**
 * The canonical name of a real QuickBooks Online entity the emulator does not host: a query for
 * one answers like a company that has none of them (an empty result) instead of failing.
 */
export function unhostedName(name: string): string | undefined {
  return UNHOSTED_BY_LOWER.get(name.toLowerCase());
}
