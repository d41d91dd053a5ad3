import { formatDate, formatDateTime, parseDate, parseDateTime } from '../datetime.ts';
import { parseDecimal, toStored } from '../decimal.ts';
import { SfError, jsonParserError } from '../errors.ts';
import { normalizeId } from '../ids.ts';
import { JsonNumber } from '../json.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Value } from './table.ts';

/**
 * Turns the JSON values of a request body into stored values, field by field, with the errors the
 * real deserializer and field validation answer: unknown fields, wrong JSON types, malformed ids,
 * numbers out of range.
 */

/** Resolves `"Account": {"QBO_Id__c": "42"}` (a parent named by external id) to its id. */
export type ParentByExternalId = (field: FieldDef, value: Record<string, unknown>) => string;

/** One field assignment of a request body, after deserialization. */
export interface Assignment {
  field: FieldDef;
  value: Value;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'VALUE_NULL';
  if (v === true) return 'VALUE_TRUE';
  if (v === false) return 'VALUE_FALSE';
  if (v instanceof JsonNumber || typeof v === 'number')
    return /[.eE]/.test(String(v instanceof JsonNumber ? v.text : v))
      ? 'VALUE_NUMBER_FLOAT'
      : 'VALUE_NUMBER_INT';
  if (typeof v === 'string') return 'VALUE_STRING';
  if (Array.isArray(v)) return 'START_ARRAY';
  return 'START_OBJECT';
}

function shown(v: unknown): string {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return '[';
  if (v && typeof v === 'object') return '{';
  return String(v);
}

function cannotDeserialize(javaType: string, v: unknown): SfError {
  return jsonParserError(
    `Cannot deserialize instance of ${javaType} from ${jsonKind(v)} value ${shown(v)} or request may be missing a required field`,
  );
}

const JAVA_TYPES: Partial<Record<string, string>> = {
  boolean: 'boolean',
  currency: 'currency',
  double: 'double',
  percent: 'percent',
  int: 'int',
  date: 'date',
  datetime: 'datetime',
  reference: 'reference',
};

/** The stored value for one JSON value written to field f. */
export function coerceValue(f: FieldDef, v: unknown): Value {
  if (v === null || v === undefined) return f.type === 'boolean' ? false : null;
  switch (f.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      throw cannotDeserialize('boolean', v);
    case 'currency':
    case 'double':
    case 'percent':
    case 'int': {
      let text: string;
      if (v instanceof JsonNumber) text = v.text;
      else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
      else if (typeof v === 'string') {
        if (v.trim() === '') return null;
        text = v.trim();
      } else throw cannotDeserialize(JAVA_TYPES[f.type]!, v);
      const d = parseDecimal(text);
      if (!d) throw cannotDeserialize(JAVA_TYPES[f.type]!, v);
      if (f.type === 'int') {
        if (!d.isInteger()) throw cannotDeserialize('int', v);
        if (d.abs().toFixed(0).length > (f.digits || 9) && f.digits) throw outOfRange(f, text);
        return d.toNumber();
      }
      const stored = toStored(d, f.precision || 18, f.scale);
      if (stored === null) throw outOfRange(f, text);
      return stored;
    }
    case 'date': {
      if (typeof v !== 'string') throw cannotDeserialize('date', v);
      if (v === '') return null;
      const ms = parseDate(v) ?? parseDateTime(v);
      if (ms === null) throw cannotDeserialize('date', v);
      return formatDate(ms);
    }
    case 'datetime': {
      if (typeof v !== 'string') throw cannotDeserialize('datetime', v);
      if (v === '') return null;
      const ms = parseDateTime(v) ?? parseDate(v);
      if (ms === null) throw cannotDeserialize('datetime', v);
      return formatDateTime(ms);
    }
    case 'reference': {
      if (typeof v !== 'string') throw cannotDeserialize('reference', v);
      if (v === '') return null;
      const id = normalizeId(v);
      if (!id)
        throw new SfError(400, 'MALFORMED_ID', `${f.label}: id value of incorrect type: ${v}`, [f.name]);
      return id;
    }
    default: {
      if (typeof v === 'string') return v === '' ? null : v;
      if (v instanceof JsonNumber) return v.text;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw cannotDeserialize('string', v);
    }
  }
}

function outOfRange(f: FieldDef, text: string): SfError {
  return new SfError(
    400,
    'NUMBER_OUTSIDE_VALID_RANGE',
    `${f.label}: value outside of valid range on numeric field: ${text}`,
    [f.name],
  );
}

/**
 * Deserializes a record body into assignments. `attributes` is skipped; a relationship name with
 * a nested object names a parent by external id; any other unknown key is INVALID_FIELD.
 */
export function deserializeRecord(
  def: ObjectDef,
  body: Record<string, unknown>,
  parentByExternalId: ParentByExternalId,
): Assignment[] {
  const out: Assignment[] = [];
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'attributes') continue;
    const lower = key.toLowerCase();
    const f = def.byLower.get(lower);
    if (f) {
      out.push({ field: f, value: coerceValue(f, raw) });
      continue;
    }
    const rel = def.byRelationship.get(lower);
    if (
      rel &&
      raw !== null &&
      typeof raw === 'object' &&
      !Array.isArray(raw) &&
      !(raw instanceof JsonNumber)
    ) {
      out.push({ field: rel, value: parentByExternalId(rel, raw as Record<string, unknown>) });
      continue;
    }
    if (rel)
      throw new SfError(
        400,
        'INVALID_FIELD',
        `The value provided for foreign key reference ${rel.relationshipName} is not a nested SObject`,
      );
    throw new SfError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`);
  }
  return out;
}
