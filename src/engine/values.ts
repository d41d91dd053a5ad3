import type { MappedValue, QbRecord } from './model.ts';
import { setPath, topLevel } from './paths.ts';

/** A mapped value as QuickBooks JSON: decimals as exact numbers, references as {value}. */
export function toQbJson(v: MappedValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if ('decimal' in v) return Number(v.decimal);
  return { value: v.ref };
}

/** A mapped value as Salesforce JSON: decimals as exact numbers, references as the record id. */
export function toSfJson(v: MappedValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if ('decimal' in v) return Number(v.decimal);
  return v.ref;
}

/** The body of a QuickBooks create: every non-empty value at its path. */
export function qbCreateBody(values: Record<string, MappedValue>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(values)) {
    if (v === null || v === '') continue;
    setPath(body, path, toQbJson(v));
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
    setPath(body, path, v === null ? '' : toQbJson(v));
  }
  return { ...body, ...extra };
}

/** Salesforce fields of a write, converted. */
export function sfFields(values: Record<string, MappedValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toSfJson(v)]));
}
