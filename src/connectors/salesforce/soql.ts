import type { RelatedSpec } from './types.ts';

/**
 * SOQL text built from parts the engine passes (object and field names, ids, instants), with
 * every part checked or escaped so that a value can never change the statement's meaning.
 */

/** Thrown for a name, id or instant that cannot be placed in a SOQL statement. */
export class SoqlInputError extends Error {
  override name = 'SoqlInputError';
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
const ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/** An object or relationship name, checked. */
export function objectName(name: string): string {
  if (!NAME.test(name)) throw new SoqlInputError(`"${name}" is not a Salesforce object or relationship name`);
  return name;
}

/** A field name or dotted relationship path, checked. */
export function fieldName(name: string): string {
  if (!FIELD_PATH.test(name)) throw new SoqlInputError(`"${name}" is not a Salesforce field name`);
  return name;
}

/** A record id (15 or 18 characters), checked. */
export function recordId(id: string): string {
  if (!ID.test(id)) throw new SoqlInputError(`"${id}" is not a Salesforce record id`);
  return id;
}

/** A quoted SOQL string literal. */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return `\\${c}`;
    }
  });
  return `'${escaped}'`;
}

/** A SOQL datetime literal (UTC, whole seconds, rounded down) for an instant. */
export function soqlDateTime(instant: Date): string {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new SoqlInputError('invalid date');
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses an ISO instant (Salesforce's `+0000` form included). */
export function parseInstant(text: string): Date {
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const d = new Date(normalized);
  if (!Number.isFinite(d.getTime())) throw new SoqlInputError(`"${text}" is not an ISO date-time`);
  return d;
}

/** Field names without case-insensitive repeats, `first` ones leading. */
export function fieldList(first: string[], fields: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of [...first, ...fields]) {
    const key = fieldName(f).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/** The child subquery that fetches one related record per parent. */
export function relatedSubquery(r: RelatedSpec, opts: { excludeDeleted: boolean }): string {
  objectName(r.relationship);
  fieldName(r.parentField);
  const fields = fieldList(['Id'], r.fields);
  const order = r.pick === 'first-created' ? 'CreatedDate ASC, Id ASC' : 'LastModifiedDate DESC, Id DESC';
  const where = opts.excludeDeleted ? ' WHERE IsDeleted = false' : '';
  return `(SELECT ${fields.join(', ')} FROM ${r.relationship}${where} ORDER BY ${order} LIMIT 1)`;
}

/** The SELECT list: fields, then one subquery per related spec. */
export function selectClause(
  fields: string[],
  related: RelatedSpec[] | undefined,
  excludeDeleted: boolean,
): string {
  const parts = [...fields];
  for (const r of related ?? []) parts.push(relatedSubquery(r, { excludeDeleted }));
  return parts.join(', ');
}

/** A SOQL statement as a URL query value, encoded the way it travels (WHATWG URLs also escape '). */
export function encodeSoql(soql: string): string {
  return encodeURIComponent(soql).replace(/'/g, '%27');
}

/**
 * Splits ids into `Id IN (...)` statements whose URL-encoded query string stays within
 * `budget` bytes (Salesforce refuses URIs plus headers over 16,384 bytes).
 */
export function chunkedIdQueries(build: (inList: string) => string, ids: string[], budget: number): string[] {
  const out: string[] = [];
  const base = encodeSoql(build('')).length;
  const sep = encodeSoql(',').length;
  let current: string[] = [];
  let size = base;
  for (const raw of ids) {
    const literal = `'${recordId(raw)}'`;
    const own = encodeSoql(literal).length;
    if (current.length && size + sep + own > budget) {
      out.push(build(current.join(',')));
      current = [];
      size = base;
    }
    size += own + (current.length ? sep : 0);
    current.push(literal);
  }
  if (current.length) out.push(build(current.join(',')));
  return out;
}
