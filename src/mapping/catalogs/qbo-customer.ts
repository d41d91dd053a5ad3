import type { FieldInfo, FieldType, ObjectCatalog } from '../catalog.ts';

/**
 * The QuickBooks Online Customer entity as a field catalog. QuickBooks has no describe API, so
 * this is static: the fields of Intuit's v3 schema (Customer extends NameBase extends
 * IntuitEntity) that QuickBooks Online serves, nested values as dotted paths. Fields the schema
 * marks as QuickBooks Desktop only (ContactName, AcctNum, CreditLimit, SalesRepRef, ...) are left
 * out.
 *
 * Lengths are those the v3 API enforces today (error 2050, as the API reference lists them and as
 * the emulator enforces them). The schema's own annotations are older and lower for some fields
 * (GivenName 25, FamilyName 15, Notes 1024): the service accepts the longer values.
 */

type Opts = Partial<Omit<FieldInfo, 'name' | 'type'>>;

const readOnly: Opts = { createable: false, updateable: false };
const createOnly: Opts = { createable: true, updateable: false };

function f(name: string, type: FieldType, opts: Opts = {}): FieldInfo {
  return { name, type, createable: true, updateable: true, nillable: true, ...opts };
}

function text(name: string, length: number, opts: Opts = {}): FieldInfo {
  return f(name, 'string', { length, ...opts });
}

function ref(name: string, to: string, opts: Opts = {}): FieldInfo {
  return f(name, 'reference', { referenceTo: [to], ...opts });
}

function phone(prefix: string, label: string): FieldInfo[] {
  return [f(prefix, 'object', { label }), f(`${prefix}.FreeFormNumber`, 'phone', { length: 30, label })];
}

function address(prefix: string, label: string): FieldInfo[] {
  return [
    f(prefix, 'object', { label }),
    f(`${prefix}.Id`, 'id', { ...readOnly, label: `${label} id` }),
    ...[1, 2, 3, 4, 5].map((n) => text(`${prefix}.Line${n}`, 500, { label: `${label} line ${n}` })),
    text(`${prefix}.City`, 255, { label: `${label} city` }),
    text(`${prefix}.CountrySubDivisionCode`, 255, { label: `${label} state/province` }),
    text(`${prefix}.PostalCode`, 30, { label: `${label} postal code` }),
    text(`${prefix}.Country`, 255, { label: `${label} country` }),
    f(`${prefix}.Lat`, 'string', { label: `${label} latitude` }),
    f(`${prefix}.Long`, 'string', { label: `${label} longitude` }),
  ];
}

const NAME_ELEMENTS = ['DisplayName', 'Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix'];

/** A fresh catalog of the QuickBooks Online Customer entity. */
export function qboCustomerCatalog(): ObjectCatalog {
  const fields: FieldInfo[] = [
    f('Id', 'id', { ...readOnly, nillable: false }),
    f('SyncToken', 'string', { ...readOnly, nillable: false }),
    f('MetaData', 'object', readOnly),
    f('MetaData.CreateTime', 'datetime', readOnly),
    f('MetaData.LastUpdatedTime', 'datetime', readOnly),
    text('Title', 16, { label: 'Title (Mr., Ms., ...)' }),
    text('GivenName', 100, { label: 'First name' }),
    text('MiddleName', 100, { label: 'Middle name' }),
    text('FamilyName', 100, { label: 'Last name' }),
    text('Suffix', 16),
    f('FullyQualifiedName', 'string', readOnly),
    text('CompanyName', 100),
    // Unique across customers, vendors and employees; derived from the name elements when absent,
    // and it cannot be removed once set.
    text('DisplayName', 500, { nillable: false, unique: true, label: 'Display name' }),
    text('PrintOnCheckName', 110, { label: 'Print on check as' }),
    f('Active', 'boolean', { nillable: false }),
    f('V4IDPseudonym', 'string', readOnly),
    ...phone('PrimaryPhone', 'Phone'),
    ...phone('AlternatePhone', 'Other phone'),
    ...phone('Mobile', 'Mobile'),
    ...phone('Fax', 'Fax'),
    f('PrimaryEmailAddr', 'object', { label: 'Email' }),
    f('PrimaryEmailAddr.Address', 'email', { length: 100, label: 'Email' }),
    f('WebAddr', 'object', { label: 'Website' }),
    f('WebAddr.URI', 'url', { length: 1000, label: 'Website' }),
    ref('DefaultTaxCodeRef', 'TaxCode'),
    f('Taxable', 'boolean'),
    ...address('BillAddr', 'Billing address'),
    ...address('ShipAddr', 'Shipping address'),
    f('Notes', 'textarea', { length: 2000 }),
    f('Job', 'boolean'),
    f('BillWithParent', 'boolean'),
    ref('ParentRef', 'Customer', { label: 'Parent customer' }),
    f('Level', 'integer', readOnly),
    ref('RootCustomerRef', 'Customer', readOnly),
    ref('CustomerTypeRef', 'CustomerType'),
    ref('SalesTermRef', 'Term'),
    ref('PaymentMethodRef', 'PaymentMethod'),
    // On create, Balance is the opening balance; afterwards QuickBooks computes it.
    f('Balance', 'currency', { ...createOnly, scale: 2 }),
    f('OpenBalanceDate', 'date', createOnly),
    f('BalanceWithJobs', 'currency', { ...readOnly, scale: 2 }),
    // The currency is fixed once a customer exists.
    ref('CurrencyRef', 'Currency', createOnly),
    f('PreferredDeliveryMethod', 'picklist', { picklist: ['Print', 'Email', 'None'], restricted: true }),
    text('ResaleNum', 16, { label: 'Resale number' }),
    // No documented limits for these: the service's own checks apply.
    f('PrimaryTaxIdentifier', 'string', { label: 'Tax id' }),
    f('TaxExemptionReasonId', 'string'),
    f('IsProject', 'boolean', readOnly),
    ref('ARAccountRef', 'Account'),
  ];
  return {
    system: 'qbo',
    object: 'Customer',
    label: 'Customer',
    fields: new Map(fields.map((x) => [x.name, x])),
    nameField: 'DisplayName',
    deletable: false,
    activeField: 'Active',
    requiredOneOf: [NAME_ELEMENTS],
  };
}
