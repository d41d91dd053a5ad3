import type { FieldDef, FieldType, ObjectDef, PicklistValue } from './types.ts';

/** Options a field definition may override; everything else follows the type's defaults. */
export type FieldOpts = Partial<Omit<FieldDef, 'name' | 'type' | 'picklistValues'>> & {
  picklist?: Array<string | { value: string; label?: string; default?: boolean; active?: boolean }>;
};

const TEXT_TYPES = new Set<FieldType>([
  'string',
  'textarea',
  'phone',
  'url',
  'email',
  'picklist',
  'combobox',
]);

/** A field definition with the defaults describe shows for its type. */
export function field(name: string, type: FieldType, opts: FieldOpts = {}): FieldDef {
  const { picklist, ...rest } = opts;
  const custom = name.endsWith('__c');
  const readOnly = type === 'id' || type === 'address' || type === 'location';
  const picklistValues: PicklistValue[] = (picklist ?? []).map((p) =>
    typeof p === 'string'
      ? { value: p, label: p, active: true, defaultValue: false }
      : {
          value: p.value,
          label: p.label ?? p.value,
          active: p.active ?? true,
          defaultValue: p.default ?? false,
        },
  );
  const numeric = type === 'currency' || type === 'double' || type === 'percent';
  const def: FieldDef = {
    name,
    label: rest.label ?? defaultLabel(name),
    type,
    length: TEXT_TYPES.has(type)
      ? 255
      : type === 'multipicklist'
        ? 4099
        : type === 'id' || type === 'reference'
          ? 18
          : 0,
    precision: type === 'currency' ? 18 : numeric ? 18 : 0,
    scale: type === 'currency' ? 2 : 0,
    digits: type === 'int' ? 9 : 0,
    externalId: false,
    unique: false,
    caseSensitive: false,
    idLookup: type === 'id',
    nameField: false,
    nillable: !readOnly && type !== 'boolean',
    createable: !readOnly,
    updateable: !readOnly,
    defaultedOnCreate: type === 'id' || type === 'boolean',
    calculated: false,
    custom,
    filterable: type !== 'address' && type !== 'location' && type !== 'textarea',
    sortable: type !== 'address' && type !== 'location' && type !== 'textarea' && type !== 'multipicklist',
    groupable:
      !numeric && type !== 'address' && type !== 'location' && type !== 'textarea' && type !== 'datetime',
    picklistValues,
    restrictedPicklist: false,
    referenceTo: [],
    relationshipName: null,
    childRelationshipName: null,
    cascadeDelete: false,
    deleteWithParent: false,
    compoundFieldName: null,
    compoundPrefix: null,
    defaultValue: type === 'boolean' ? false : null,
    required: false,
    inlineHelpText: null,
    ...rest,
  };
  if (picklistValues.some((p) => p.defaultValue)) def.defaultedOnCreate = true;
  if (def.defaultValue !== null && def.type !== 'boolean') def.defaultedOnCreate = true;
  if (def.type === 'textarea' && def.length > 255) def.sortable = false;
  def.required = def.createable && !def.nillable && !def.defaultedOnCreate;
  return def;
}

/** A label from an API name: QBO_Id__c → "QBO Id", BillingStreet → "Billing Street". */
export function defaultLabel(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A lookup field: relationship name drops the Id suffix (AccountId → Account, Foo__c → Foo__r). */
export function reference(name: string, to: string[], opts: FieldOpts = {}): FieldDef {
  const relationshipName = name.endsWith('__c')
    ? name.replace(/__c$/, '__r')
    : name.endsWith('Id')
      ? name.slice(0, -2)
      : name;
  return field(name, 'reference', { referenceTo: to, relationshipName, ...opts });
}

/** The fields of a compound address: Street, City, State, PostalCode, Country, Latitude, Longitude, GeocodeAccuracy + the compound. */
export function address(prefix: string, labelPrefix: string): FieldDef[] {
  const compound = `${prefix}Address`;
  const part = (suffix: string, type: FieldType, label: string, o: FieldOpts = {}) =>
    field(`${prefix}${suffix}`, type, {
      label: `${labelPrefix} ${label}`.trim(),
      compoundFieldName: compound,
      ...o,
    });
  return [
    part('Street', 'textarea', 'Street', { sortable: true, filterable: true, groupable: true }),
    part('City', 'string', 'City', { length: 40 }),
    part('State', 'string', 'State/Province', { length: 80 }),
    part('PostalCode', 'string', 'Zip/Postal Code', { length: 20 }),
    part('Country', 'string', 'Country', { length: 80 }),
    part('Latitude', 'double', 'Latitude', { precision: 18, scale: 15 }),
    part('Longitude', 'double', 'Longitude', { precision: 18, scale: 15 }),
    part('GeocodeAccuracy', 'picklist', 'Geocode Accuracy', {
      length: 40,
      restrictedPicklist: true,
      picklist: [
        'Address',
        'NearAddress',
        'Block',
        'Street',
        'ExtendedZip',
        'Zip',
        'Neighborhood',
        'City',
        'County',
        'State',
        'Unknown',
      ],
    }),
    field(compound, 'address', { label: `${labelPrefix} Address`.trim(), compoundPrefix: prefix }),
  ];
}

/** The audit fields every object carries, plus Id and IsDeleted. */
export function systemFields(owned: boolean): { head: FieldDef[]; audit: FieldDef[] } {
  const ro = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
  const user = ['User'];
  const head = [
    field('Id', 'id', { label: `Record ID`, nillable: false, createable: false, updateable: false }),
    field('IsDeleted', 'boolean', { label: 'Deleted', ...ro }),
  ];
  const audit = [
    ...(owned
      ? [reference('OwnerId', user, { label: 'Owner ID', nillable: false, defaultedOnCreate: true })]
      : []),
    field('CreatedDate', 'datetime', { label: 'Created Date', ...ro }),
    reference('CreatedById', user, { label: 'Created By ID', ...ro }),
    field('LastModifiedDate', 'datetime', { label: 'Last Modified Date', ...ro }),
    reference('LastModifiedById', user, { label: 'Last Modified By ID', ...ro }),
    field('SystemModstamp', 'datetime', { label: 'System Modstamp', ...ro }),
  ];
  return { head, audit };
}

/** An object definition with its lookup maps filled in (child relationships are linked later). */
export function object(
  name: string,
  opts: {
    label: string;
    labelPlural: string;
    keyPrefix: string;
    custom?: boolean;
    createable?: boolean;
    updateable?: boolean;
    deletable?: boolean;
  },
  fields: FieldDef[],
): ObjectDef {
  const def: ObjectDef = {
    name,
    label: opts.label,
    labelPlural: opts.labelPlural,
    keyPrefix: opts.keyPrefix,
    custom: opts.custom ?? name.endsWith('__c'),
    createable: opts.createable ?? true,
    updateable: opts.updateable ?? true,
    deletable: opts.deletable ?? true,
    fields,
    byLower: new Map(),
    byRelationship: new Map(),
    childRelationships: [],
    nameField: fields.find((f) => f.nameField)?.name ?? null,
  };
  indexFields(def);
  return def;
}

/** Rebuilds an object's lookup maps after its field list changed. */
export function indexFields(def: ObjectDef): void {
  def.byLower = new Map(def.fields.map((f) => [f.name.toLowerCase(), f]));
  def.byRelationship = new Map(
    def.fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f]),
  );
  def.nameField = def.fields.find((f) => f.nameField)?.name ?? null;
}
