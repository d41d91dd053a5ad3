import type { EntityName } from '../schema.ts';
import { refValue } from '../store/company.ts';
import type { StoredRecord } from '../store/table.ts';

/** How a queryable property compares. */
export type QueryKind = 'id' | 'string' | 'bool' | 'number' | 'date' | 'datetime' | 'ref';

export type FieldValue = string | number | boolean | undefined;

/** A property a query may filter and sort on, with how to read it from a record. */
export interface QueryField {
  name: string;
  kind: QueryKind;
  /** The top-level entity property it reads (none for Id and MetaData times). */
  key?: string;
  get(rec: StoredRecord): FieldValue;
}

function text(name: string, key = name): QueryField {
  return {
    name,
    kind: 'string',
    key,
    get: (r) => {
      const v = r.e[key];
      return typeof v === 'string' ? v : undefined;
    },
  };
}

function nested(name: string, key: string, sub: string): QueryField {
  return {
    name,
    kind: 'string',
    key,
    get: (r) => {
      const v = (r.e[key] as Record<string, unknown> | undefined)?.[sub];
      return typeof v === 'string' ? v : undefined;
    },
  };
}

function bool(name: string): QueryField {
  return {
    name,
    kind: 'bool',
    key: name,
    get: (r) => (typeof r.e[name] === 'boolean' ? (r.e[name] as boolean) : undefined),
  };
}

function num(name: string): QueryField {
  return {
    name,
    kind: 'number',
    key: name,
    get: (r) => {
      const v = r.e[name];
      return typeof v === 'string' || typeof v === 'number' ? Number(v) : undefined;
    },
  };
}

function date(name: string): QueryField {
  return {
    name,
    kind: 'date',
    key: name,
    get: (r) => (typeof r.e[name] === 'string' ? (r.e[name] as string) : undefined),
  };
}

function ref(name: string): QueryField {
  return { name, kind: 'ref', key: name, get: (r) => refValue(r.e[name]) };
}

const COMMON: QueryField[] = [
  { name: 'Id', kind: 'id', get: (r) => r.id },
  { name: 'MetaData.CreateTime', kind: 'datetime', get: (r) => r.created * 1000 },
  { name: 'MetaData.LastUpdatedTime', kind: 'datetime', get: (r) => r.updated * 1000 },
];

const SALES: QueryField[] = [
  text('DocNumber'),
  date('TxnDate'),
  date('DueDate'),
  ref('CustomerRef'),
  num('TotalAmt'),
  num('Balance'),
  text('PrintStatus'),
  text('EmailStatus'),
  ref('SalesTermRef'),
];

const FIELDS: Record<EntityName, QueryField[]> = {
  Customer: [
    text('DisplayName'),
    text('GivenName'),
    text('MiddleName'),
    text('FamilyName'),
    text('Title'),
    text('Suffix'),
    text('CompanyName'),
    text('PrintOnCheckName'),
    text('FullyQualifiedName'),
    nested('PrimaryEmailAddr', 'PrimaryEmailAddr', 'Address'),
    nested('PrimaryPhone', 'PrimaryPhone', 'FreeFormNumber'),
    bool('Active'),
    bool('Job'),
    bool('Taxable'),
    bool('BillWithParent'),
    num('Balance'),
    num('BalanceWithJobs'),
    num('Level'),
    ref('ParentRef'),
  ],
  Item: [
    text('Name'),
    text('Sku'),
    text('Description'),
    text('FullyQualifiedName'),
    text('Type'),
    bool('Active'),
    bool('Taxable'),
    bool('TrackQtyOnHand'),
    bool('SubItem'),
    num('UnitPrice'),
    num('PurchaseCost'),
    num('QtyOnHand'),
    ref('ParentRef'),
  ],
  Account: [
    text('Name'),
    text('FullyQualifiedName'),
    text('AccountType'),
    text('AccountSubType'),
    text('Classification'),
    text('AcctNum'),
    bool('Active'),
    bool('SubAccount'),
    num('CurrentBalance'),
    num('CurrentBalanceWithSubAccounts'),
    ref('ParentRef'),
  ],
  Term: [text('Name'), text('Type'), bool('Active'), num('DueDays')],
  TaxCode: [text('Name'), bool('Active'), bool('Taxable'), bool('TaxGroup')],
  CompanyInfo: [text('CompanyName'), text('LegalName')],
  Preferences: [],
  Invoice: SALES,
  SalesReceipt: SALES,
  CreditMemo: [...SALES, num('RemainingCredit')],
  Payment: [
    text('DocNumber'),
    date('TxnDate'),
    ref('CustomerRef'),
    num('TotalAmt'),
    num('UnappliedAmt'),
    text('PaymentRefNum'),
  ],
};

const BY_ENTITY = new Map<EntityName, Map<string, QueryField>>(
  (Object.keys(FIELDS) as EntityName[]).map((e) => [
    e,
    new Map([...COMMON, ...FIELDS[e]].map((f) => [f.name.toLowerCase(), f])),
  ]),
);

/** The queryable property of an entity by name (case-insensitive), if there is one. */
export function queryField(entity: EntityName, name: string): QueryField | undefined {
  return BY_ENTITY.get(entity)?.get(name.toLowerCase());
}

/** Name-list and settings entities: the property their default query order follows. */
export function defaultOrderField(entity: EntityName): QueryField | undefined {
  switch (entity) {
    case 'Customer':
    case 'Item':
    case 'Account':
      return queryField(entity, 'FullyQualifiedName');
    case 'Term':
    case 'TaxCode':
      return queryField(entity, 'Name');
    default:
      return undefined;
  }
}
