/** The shapes of the emulator's metadata: objects and fields, as describe reports them. */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'phone'
  | 'url'
  | 'email'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'currency'
  | 'double'
  | 'int'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'address'
  | 'location';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  digits: number;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  idLookup: boolean;
  nameField: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  calculated: boolean;
  custom: boolean;
  filterable: boolean;
  sortable: boolean;
  groupable: boolean;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** Name of the child relationship this lookup creates on its parent object (null: none). */
  childRelationshipName: string | null;
  /** Describe's cascadeDelete on the parent's child relationship. */
  cascadeDelete: boolean;
  /** Deleting the parent deletes this record too (Account→Contact does, though describe says no). */
  deleteWithParent: boolean;
  /** For address components: the compound field (BillingStreet → BillingAddress). */
  compoundFieldName: string | null;
  /** For compound address fields: the prefix of their components (Billing → BillingStreet...). */
  compoundPrefix: string | null;
  defaultValue: string | boolean | null;
  /** Must be given on create (not nillable, createable, no default). */
  required: boolean;
  inlineHelpText: string | null;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
  restrictedDelete: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
  /** Fields by lower-case name (SOQL and JSON field names are case-insensitive). */
  byLower: Map<string, FieldDef>;
  /** Reference fields by lower-case relationship name. */
  byRelationship: Map<string, FieldDef>;
  childRelationships: ChildRelationship[];
  nameField: string | null;
}
