import { SfError } from '../errors.ts';
import { keyPrefixOf } from '../ids.ts';
import type { Schema } from '../schema/registry.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Assignment } from './coerce.ts';
import type { Rec, Table, Value } from './table.ts';

/** Field-level validation of a record write, with the real error codes and messages. */

const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** INVALID_FIELD_FOR_INSERT_UPDATE when the body sets fields this operation may not write. */
export function checkWritable(assignments: Assignment[], mode: 'insert' | 'update'): void {
  const bad = assignments
    .filter((a) => (mode === 'insert' ? !a.field.createable : !a.field.updateable))
    .map((a) => a.field.name);
  if (bad.length)
    throw new SfError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${bad.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      bad,
    );
}

/** STRING_TOO_LONG, INVALID_EMAIL_ADDRESS and restricted-picklist errors for the values written. */
export function checkFormats(assignments: Assignment[]): void {
  for (const { field: f, value } of assignments) {
    if (typeof value !== 'string') continue;
    if (f.length && value.length > f.length && f.type !== 'reference' && isText(f))
      throw new SfError(
        400,
        'STRING_TOO_LONG',
        `${f.label}: data value too large: ${value} (max length=${f.length})`,
        [f.name],
      );
    if (f.type === 'email' && !EMAIL_RE.test(value))
      throw new SfError(400, 'INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${value}`, [
        f.name,
      ]);
    if ((f.type === 'picklist' || f.type === 'multipicklist') && f.restrictedPicklist) {
      const allowed = new Set(f.picklistValues.filter((p) => p.active).map((p) => p.value));
      const values = f.type === 'multipicklist' ? value.split(';') : [value];
      for (const v of values)
        if (!allowed.has(v))
          throw new SfError(
            400,
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${f.label}: bad value for restricted picklist field: ${v}`,
            [f.name],
          );
    }
  }
}

function isText(f: FieldDef): boolean {
  return ['string', 'textarea', 'phone', 'url', 'email', 'picklist', 'multipicklist', 'combobox'].includes(
    f.type,
  );
}

/** REQUIRED_FIELD_MISSING naming every required field the record lacks. */
export function checkRequired(def: ObjectDef, rec: Rec): void {
  const missing = def.fields
    .filter(
      (f) =>
        !f.nillable &&
        f.createable &&
        f.type !== 'boolean' &&
        (rec[f.name] === null || rec[f.name] === undefined),
    )
    .map((f) => f.name);
  if (missing.length)
    throw new SfError(
      400,
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
}

/** Lookups must name a live record of an allowed type. */
export function checkReferences(
  schema: Schema,
  tableOf: (objectName: string) => Table | undefined,
  assignments: Assignment[],
): void {
  for (const { field: f, value } of assignments) {
    if (f.type !== 'reference' || typeof value !== 'string') continue;
    const target = schema.byKeyPrefix(keyPrefixOf(value));
    if (!target || !f.referenceTo.includes(target.name))
      throw new SfError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `${f.label}: id value of incorrect type: ${value}`,
        [f.name],
      );
    const rec = tableOf(target.name)?.get(value);
    if (!rec) throw new SfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
    if (rec.IsDeleted) throw new SfError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
  }
}

/** DUPLICATE_VALUE when a unique field's value is already used by another live record. */
export function checkUnique(table: Table, rec: Rec): void {
  for (const f of table.def.fields) {
    if (!f.unique) continue;
    const v: Value = rec[f.name] ?? null;
    if (v === null) continue;
    const other = table.findByKey(f, v).find((id) => id !== rec.Id);
    if (other)
      throw new SfError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${f.name} duplicates value on record with id: ${other}`,
        [f.name],
      );
  }
}
