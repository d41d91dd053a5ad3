/**
 * The field catalog (S4): what fields each side offers, with the types, lengths, picklists and
 * writability that mappings are validated against before anything runs. Salesforce catalogs come
 * from the live describe (catalogFromSalesforceDescribe); QuickBooks Online has no describe API,
 * so its catalogs are static (catalogs/).
 */

export type FieldType =
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'currency'
  | 'decimal'
  | 'integer'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'id'
  | 'object';

export interface FieldInfo {
  /** API name; for QuickBooks nested values a dotted path (BillAddr.Line1). */
  name: string;
  type: FieldType;
  /** Maximum length in characters, for text types. */
  length?: number;
  /** Digits after the decimal point, for numbers. */
  scale?: number;
  /** Total digits, for numbers. */
  precision?: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** Active picklist values. */
  picklist?: string[];
  /** Only the picklist's values are accepted. */
  restricted?: boolean;
  /** A multi-select picklist: values are separated by ';'. */
  multiple?: boolean;
  referenceTo?: string[];
  externalId?: boolean;
  unique?: boolean;
  /** The system fills the field in on create when no value is given (checkboxes, owner, ...). */
  defaultedOnCreate?: boolean;
  label?: string;
}

export interface ObjectCatalog {
  system: 'salesforce' | 'qbo';
  object: string;
  fields: Map<string, FieldInfo>;
  label?: string;
  /** The field that names a record (Account.Name). */
  nameField?: string;
  /** Whether records can be deleted (QuickBooks name-list entities cannot: they are deactivated). */
  deletable?: boolean;
  /** The boolean that marks a record active, when the object has one. */
  activeField?: string;
  /** Groups of fields of which a create must supply at least one (QuickBooks name elements). */
  requiredOneOf?: string[][];
}

/** Thrown for a describe result that is not one. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** The field by exact name, or by case-insensitive name when the system ignores case (Salesforce). */
export function findField(catalog: ObjectCatalog, name: string): FieldInfo | undefined {
  const exact = catalog.fields.get(name);
  if (exact || catalog.system !== 'salesforce') return exact;
  const lower = name.toLowerCase();
  for (const f of catalog.fields.values()) if (f.name.toLowerCase() === lower) return f;
  return undefined;
}

/** Whether a field can be written at all (on create or on update). */
export function writable(f: FieldInfo): boolean {
  return f.createable || f.updateable;
}

/** Whether creating a record needs a value for this field (not nillable, no system default). */
export function requiredOnCreate(f: FieldInfo): boolean {
  return f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean';
}

/** Human name of a system for messages. */
export function systemName(catalog: ObjectCatalog): string {
  return catalog.system === 'salesforce' ? 'Salesforce' : 'QuickBooks';
}

const SF_TYPES: Record<string, FieldType> = {
  id: 'id',
  string: 'string',
  textarea: 'textarea',
  email: 'email',
  phone: 'phone',
  url: 'url',
  picklist: 'picklist',
  multipicklist: 'picklist',
  combobox: 'picklist',
  boolean: 'boolean',
  currency: 'currency',
  double: 'decimal',
  percent: 'decimal',
  int: 'integer',
  long: 'integer',
  date: 'date',
  datetime: 'datetime',
  time: 'string',
  reference: 'reference',
  encryptedstring: 'string',
  base64: 'string',
  anytype: 'string',
  address: 'object',
  location: 'object',
  complexvalue: 'object',
};

interface DescribeField {
  name?: unknown;
  type?: unknown;
  length?: unknown;
  scale?: unknown;
  precision?: unknown;
  digits?: unknown;
  createable?: unknown;
  updateable?: unknown;
  nillable?: unknown;
  calculated?: unknown;
  picklistValues?: unknown;
  restrictedPicklist?: unknown;
  referenceTo?: unknown;
  externalId?: unknown;
  unique?: unknown;
  defaultedOnCreate?: unknown;
  nameField?: unknown;
  label?: unknown;
}

/** Builds a catalog from a Salesforce `GET /sobjects/{Object}/describe` result. */
export function catalogFromSalesforceDescribe(describeJson: unknown): ObjectCatalog {
  if (!describeJson || typeof describeJson !== 'object')
    throw new CatalogError('describe result is not an object');
  const d = describeJson as { name?: unknown; label?: unknown; fields?: unknown; deletable?: unknown };
  if (typeof d.name !== 'string' || !Array.isArray(d.fields))
    throw new CatalogError(
      'describe result has no object name or no fields (expected GET /sobjects/{Object}/describe)',
    );
  const fields = new Map<string, FieldInfo>();
  let nameField: string | undefined;
  for (const raw of d.fields as DescribeField[]) {
    if (!raw || typeof raw.name !== 'string' || typeof raw.type !== 'string') continue;
    const sfType = raw.type.toLowerCase();
    const type = SF_TYPES[sfType] ?? 'string';
    const calculated = raw.calculated === true;
    const info: FieldInfo = {
      name: raw.name,
      type,
      createable: raw.createable === true && !calculated,
      updateable: raw.updateable === true && !calculated,
      nillable: raw.nillable !== false,
    };
    if (typeof raw.label === 'string') info.label = raw.label;
    const text = ['string', 'textarea', 'email', 'phone', 'url', 'picklist'].includes(type);
    if (text && typeof raw.length === 'number' && raw.length > 0) info.length = raw.length;
    if (type === 'currency' || type === 'decimal') {
      if (typeof raw.scale === 'number') info.scale = raw.scale;
      if (typeof raw.precision === 'number' && raw.precision > 0) info.precision = raw.precision;
    }
    if (type === 'integer') {
      info.scale = 0;
      if (typeof raw.digits === 'number' && raw.digits > 0) info.precision = raw.digits;
    }
    if (type === 'picklist' && Array.isArray(raw.picklistValues)) {
      info.picklist = (raw.picklistValues as Array<{ value?: unknown; active?: unknown }>)
        .filter((p) => p && typeof p.value === 'string' && p.active !== false)
        .map((p) => p.value as string);
      info.restricted = raw.restrictedPicklist === true;
      if (sfType === 'multipicklist') info.multiple = true;
    }
    if (type === 'reference' && Array.isArray(raw.referenceTo))
      info.referenceTo = (raw.referenceTo as unknown[]).filter((r): r is string => typeof r === 'string');
    if (raw.externalId === true) info.externalId = true;
    if (raw.unique === true) info.unique = true;
    if (raw.defaultedOnCreate === true) info.defaultedOnCreate = true;
    if (raw.nameField === true && !nameField) nameField = raw.name;
    fields.set(raw.name, info);
  }
  const catalog: ObjectCatalog = { system: 'salesforce', object: d.name, fields };
  if (typeof d.label === 'string') catalog.label = d.label;
  if (nameField) catalog.nameField = nameField;
  if (typeof d.deletable === 'boolean') catalog.deletable = d.deletable;
  return catalog;
}
