import { dec } from '../money/decimal.ts';
import type { FieldInfo } from './catalog.ts';
import { DateValue, parseDate, type ExprValue } from './expressions/index.ts';
import type { QbFieldRef, SfFieldRef } from './resolve.ts';

/**
 * Records as the connectors hand them over, and reading typed values out of them.
 * SfRecord: the main record as Salesforce REST JSON (fields by API name), each related record
 * under its flow name (`record.contact = { Id, FirstName, ... } | null`).
 * QbRecord: the QuickBooks entity JSON, nested objects included (BillAddr, ParentRef).
 */

export type SfRecord = Record<string, unknown>;
export type QbRecord = Record<string, unknown>;

/**
 * A value to write: text, a boolean, null (clear the field), an exact decimal, or a reference id
 * (QuickBooks `{ value: id }` refs). Dates are text: YYYY-MM-DD, datetimes ISO 8601 in UTC.
 */
export type MappedValue = string | boolean | null | { decimal: string } | { ref: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The related record of that name, or null when the main record has none. */
export function relatedRecord(record: SfRecord, name: string): Obj | null {
  const r = record[name];
  return isObj(r) ? r : null;
}

/** The raw JSON value of a Salesforce field (undefined when the record does not carry it). */
export function readSf(record: SfRecord, ref: SfFieldRef): unknown {
  if (ref.related === null) return record[ref.info.name];
  const rel = relatedRecord(record, ref.related);
  return rel ? rel[ref.info.name] : null;
}

// Paths are few (a catalog's worth) and read for every record: split each once.
const PATHS = new Map<string, string[]>();

/** The raw JSON value at a QuickBooks path; a reference ({ value, name }) reads as its id. */
export function readQb(record: QbRecord, path: string): unknown {
  let parts = PATHS.get(path);
  if (!parts) PATHS.set(path, (parts = path.split('.')));
  let cur: unknown = record;
  for (const part of parts) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  if (isObj(cur) && 'value' in cur) return cur.value;
  return cur;
}

/** A QuickBooks field's value through its resolved reference. */
export function readQbRef(record: QbRecord, ref: QbFieldRef): unknown {
  return readQb(record, ref.path);
}

/** A raw JSON (or mapped) value as an expression value of the field's type. */
export function toExprValue(raw: unknown, info: FieldInfo): ExprValue {
  if (raw === null || raw === undefined) return null;
  if (isObj(raw)) {
    if (typeof raw.decimal === 'string') raw = raw.decimal;
    else if (typeof raw.ref === 'string') raw = raw.ref;
    else if ('value' in raw) raw = raw.value;
    else return null;
  }
  switch (info.type) {
    case 'currency':
    case 'decimal':
    case 'integer':
      if (typeof raw === 'number' || typeof raw === 'string') {
        try {
          return dec(raw);
        } catch {
          return typeof raw === 'string' ? raw : null;
        }
      }
      return typeof raw === 'boolean' ? raw : null;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return typeof raw === 'string' ? raw : null;
    case 'date':
    case 'datetime': {
      if (typeof raw !== 'string') return null;
      const d = parseDate(raw);
      if (!d) return raw;
      // A date field written as a datetime is still a date.
      return info.type === 'date' && d.instant !== null
        ? DateValue.ofDate(...(d.date.split('-').map(Number) as [number, number, number]))
        : d;
    }
    default:
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      return null;
  }
}
