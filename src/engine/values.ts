import { canonical } from '../money/decimal.ts';
import { JSON_NUMBER, rawJSON } from '../money/exact-json.ts';
import type { MappedValue, QbRecord } from './model.ts';
import { setPath, topLevel } from './paths.ts';

/**
 * A decimal as a JSON number token whose text is exactly the decimal (`JSON.rawJSON`): any
 * JSON.stringify — the connectors', the journal's — writes its digits as they are, never through a
 * binary float (1234567890123456.78 stays 1234567890123456.78).
 */
export function exactNumber(decimal: string): unknown {
  const text = decimal.trim();
  // "12.", ".5", "+3": the same value written as a valid JSON number (dec() rejects junk).
  return rawJSON(JSON_NUMBER.test(text) ? text : canonical(text));
}

/**
 * A mapped value as a QuickBooks record holds it once written (as the connector reads it):
 * decimals as their exact text, references as {value}. For projections; bodies use qbWireValue.
 */
export function toQbJson(v: MappedValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if ('decimal' in v) return v.decimal;
  return { value: v.ref };
}

/**
 * A mapped value as a Salesforce record holds it once written (as the connector reads it):
 * decimals as their exact text, references as the record id. For projections; bodies use sfWireValue.
 */
export function toSfJson(v: MappedValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if ('decimal' in v) return v.decimal;
  return v.ref;
}

/** A mapped value in a QuickBooks request body: decimals as exact JSON numbers, references as {value}. */
export function qbWireValue(v: MappedValue): unknown {
  if (v !== null && typeof v === 'object' && 'decimal' in v) return exactNumber(v.decimal);
  return toQbJson(v);
}

/** A mapped value in a Salesforce request body: decimals as exact JSON numbers, references as the id. */
export function sfWireValue(v: MappedValue): unknown {
  if (v !== null && typeof v === 'object' && 'decimal' in v) return exactNumber(v.decimal);
  return toSfJson(v);
}

/** The body of a QuickBooks create: every non-empty value at its path. */
export function qbCreateBody(values: Record<string, MappedValue>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(values)) {
    if (v === null || v === '') continue;
    setPath(body, path, qbWireValue(v));
  }
  return body;
}

/**
 * The body of a sparse QuickBooks update. A nested object (BillAddr …) is sent whole — QuickBooks
 * replaces sub-objects on update — so the current record's other sub-fields (Line2, Id …) are kept.
 * An emptied text value is sent as "" (a null is ignored by a sparse update).
 */
export function qbSparseBody(
  current: QbRecord,
  syncToken: string,
  values: Record<string, MappedValue>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = { Id: current.Id, SyncToken: syncToken, sparse: true };
  for (const [path, v] of Object.entries(values)) {
    const top = topLevel(path);
    if (top !== path && !(top in body)) {
      const existing = current[top];
      body[top] = existing && typeof existing === 'object' ? structuredClone(existing) : {};
    }
    if (v === null && top !== path && /Ref$/.test(top)) continue;
    setPath(body, path, v === null ? '' : qbWireValue(v));
  }
  return { ...body, ...extra };
}

/** Salesforce fields of a write, converted. */
export function sfFields(values: Record<string, MappedValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sfWireValue(v)]));
}
