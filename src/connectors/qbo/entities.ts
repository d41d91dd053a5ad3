import { QboUsageError } from './errors.ts';

/**
 * What the connector must know about QuickBooks entity kinds: name-list entities are never
 * deleted, only made inactive, and queries leave inactive ones out unless asked; a few entities
 * are not reported by CDC.
 */

/** Name-list entities (they carry `Active`). */
export const NAME_LISTS: ReadonlySet<string> = new Set([
  'Account',
  'Class',
  'Customer',
  'Department',
  'Employee',
  'Item',
  'PaymentMethod',
  'Term',
  'Vendor',
]);

/** Entities the CDC endpoint does not support (Intuit's list). */
export const NOT_IN_CDC: ReadonlySet<string> = new Set([
  'JournalCode',
  'TaxAgency',
  'TimeActivity',
  'TaxCode',
  'TaxRate',
]);

/** Whether an entity is a name list (inactive records hidden from plain queries). */
export function isNameList(entity: string): boolean {
  return NAME_LISTS.has(entity);
}

/** The URL segment of an entity (`/customer`, `/creditmemo`): lower case, as the API requires. */
export function entityPath(entity: string): string {
  return entity.toLowerCase();
}

/** A string literal for the query language: single quotes, backslash escapes. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Checks an entity name before it is put into a URL or a query. */
export function checkEntityName(entity: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(entity))
    throw new QboUsageError(`"${entity}" is not a QuickBooks entity name`);
  return entity;
}
