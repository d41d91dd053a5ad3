import { queryValidationError } from '../errors.ts';
import { parseDecimal } from '../money.ts';
import { ENTITIES, entityByName, unhostedName, type EntityDef } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { recordJson, type StoredRecord } from '../store/table.ts';
import { isDate, parseDateTime } from '../time.ts';
import { defaultOrderField, queryField, type FieldValue, type QueryField } from './fields.ts';
import type { Condition, Literal, ParsedQuery } from './parse.ts';

/** Results per page when a query does not say (MAXRESULTS), and the most it may ask for. */
export const DEFAULT_MAX_RESULTS = 100;
export const MAX_RESULTS_CAP = 1000;

export type QueryResult =
  | { kind: 'count'; total: number }
  | { kind: 'page'; entity: string; startPosition: number; records: StoredRecord[] };

type Comparable = string | number | boolean;
type Predicate = (rec: StoredRecord) => boolean;

function invalidValue(field: QueryField, lit: Literal): never {
  throw queryValidationError(`Invalid value ${JSON.stringify(String(lit.value))} for property ${field.name}`);
}

/** The literal converted to the property's comparable form. */
function literalValue(field: QueryField, lit: Literal): Comparable {
  const raw = String(lit.value);
  switch (field.kind) {
    case 'id':
      if (!/^\d+$/.test(raw.trim())) invalidValue(field, lit);
      return Number(raw);
    case 'string':
      return raw.toLowerCase();
    case 'ref':
      return raw;
    case 'bool':
      if (lit.kind === 'bool') return lit.value;
      if (raw.toLowerCase() === 'true') return true;
      if (raw.toLowerCase() === 'false') return false;
      return invalidValue(field, lit);
    case 'number': {
      const d = parseDecimal(raw);
      if (!d) invalidValue(field, lit);
      return d.toNumber();
    }
    case 'date': {
      const t = raw.trim();
      if (isDate(t)) return t;
      if (!Number.isNaN(parseDateTime(t))) return t.slice(0, 10);
      return invalidValue(field, lit);
    }
    case 'datetime': {
      const ms = parseDateTime(raw);
      if (Number.isNaN(ms)) invalidValue(field, lit);
      return Math.floor(ms / 1000) * 1000;
    }
  }
}

/** The record's value in comparable form (strings compare case-insensitively). */
function recordValue(field: QueryField, rec: StoredRecord): Comparable | undefined {
  const v: FieldValue = field.get(rec);
  if (v === undefined) return undefined;
  if (field.kind === 'id') return Number(v);
  if (field.kind === 'string') return String(v).toLowerCase();
  return v;
}

function compare(a: Comparable, b: Comparable): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegExp(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function fieldOf(def: EntityDef, name: string): QueryField {
  const field = queryField(def.name, name);
  if (!field) throw queryValidationError(`Property ${name} not found for Entity ${def.name}`);
  return field;
}

function compile(def: EntityDef, cond: Condition): { field: QueryField; test: Predicate } {
  const field = fieldOf(def, cond.field);
  return { field, test: predicate(field, cond) };
}

function predicate(field: QueryField, cond: Condition): Predicate {
  if (cond.op === 'IN') {
    const values = new Set(cond.values.map((v) => literalValue(field, v)));
    return (r) => {
      const v = recordValue(field, r);
      return v !== undefined && values.has(v);
    };
  }
  if (cond.op === 'LIKE') {
    if (field.kind !== 'string') {
      throw queryValidationError(`LIKE is supported only on String properties, not on ${field.name}`);
    }
    const re = likeRegExp(String(cond.value.value));
    return (r) => {
      const v = recordValue(field, r);
      return typeof v === 'string' && re.test(v);
    };
  }
  const target = literalValue(field, cond.value);
  const get = (r: StoredRecord): Comparable | undefined => recordValue(field, r);
  // one closure per operator, so the per-record work is a read and a comparison
  switch (cond.op) {
    case '=':
      return (r) => get(r) === target;
    case '!=':
      return (r) => {
        const v = get(r);
        return v !== undefined && v !== target;
      };
    case '<':
      return (r) => {
        const v = get(r);
        return v !== undefined && v < target;
      };
    case '>':
      return (r) => {
        const v = get(r);
        return v !== undefined && v > target;
      };
    case '<=':
      return (r) => {
        const v = get(r);
        return v !== undefined && v <= target;
      };
    case '>=':
      return (r) => {
        const v = get(r);
        return v !== undefined && v >= target;
      };
  }
}

function sortedBy(list: StoredRecord[], fields: OrderSpec): StoredRecord[] {
  const keys = list.map((rec, i) => ({ rec, i, k: fields.map((f) => recordValue(f.field, rec)) }));
  keys.sort((a, b) => {
    for (let n = 0; n < fields.length; n++) {
      const x = a.k[n];
      const y = b.k[n];
      let c = x === undefined ? (y === undefined ? 0 : -1) : y === undefined ? 1 : compare(x, y);
      if (fields[n]!.desc) c = -c;
      if (c !== 0) return c;
    }
    return a.i - b.i;
  });
  return keys.map((k) => k.rec);
}

type OrderSpec = Array<{ field: QueryField; desc: boolean }>;

function keysOf(fields: QueryField[]): string[] {
  return fields.map((f) => f.key).filter((k): k is string => k !== undefined);
}

/** The records of a table in the order a query asks for (cached until what it depends on changes). */
function ordered(co: Company, def: EntityDef, spec: OrderSpec): Iterable<StoredRecord> {
  const table = co.table(def.name);
  if (spec.length === 0) {
    const field = defaultOrderField(def.name);
    if (!field) return table.inIdOrder();
    return table.sortedView(`order:${field.name}:a`, (r) => recordValue(field, r), false);
  }
  if (spec.length === 1) {
    const { field, desc } = spec[0]!;
    if (field.name === 'MetaData.LastUpdatedTime') {
      return desc
        ? table.view('order:updated-desc', [], () => [...table.inUpdateOrder()].reverse())
        : table.inUpdateOrder();
    }
    if (field.name === 'Id') {
      return desc
        ? table.view('order:id-desc', [], () => [...table.inIdOrder()].reverse())
        : table.inIdOrder();
    }
    return table.sortedView(`order:${field.name}:${desc ? 'd' : 'a'}`, (r) => recordValue(field, r), desc);
  }
  const key = spec.map((s) => `${s.field.name}:${s.desc ? 'd' : 'a'}`).join(',');
  return table.view(`order:${key}`, keysOf(spec.map((s) => s.field)), () =>
    sortedBy([...table.inIdOrder()], spec),
  );
}

/**
 * Builds the default-order views of a freshly seeded or loaded company (writes keep them in step
 * afterwards), so the first plain query of a large company does not pay for a full sort.
 */
export function warmQueryViews(co: Company): void {
  for (const def of Object.values(ENTITIES)) if (defaultOrderField(def.name)) ordered(co, def, []);
}

function defaultSpec(def: EntityDef): OrderSpec {
  const field = defaultOrderField(def.name);
  return field ? [{ field, desc: false }] : [];
}

/**
 * The ids an `Id = n` or `Id IN (...)` condition allows, when the id index can answer the query
 * (not when it orders by MetaData.LastUpdatedTime, whose ties follow write order).
 */
function idSeek(def: EntityDef, where: Condition[], spec: OrderSpec): string[] | null {
  if (spec.some((s) => s.field.name === 'MetaData.LastUpdatedTime')) return null;
  for (const c of where) {
    if (c.field.toLowerCase() !== 'id' || (c.op !== '=' && c.op !== 'IN')) continue;
    const field = fieldOf(def, c.field);
    const literals = c.op === 'IN' ? c.values : [c.value];
    return literals.map((l) => String(literalValue(field, l)));
  }
  return null;
}

/**
 * Runs a parsed query. Name-list entities leave inactive records out unless the query filters
 * on Active. STARTPOSITION is 1-based; MAXRESULTS defaults to 100 and is capped at 1000. The
 * matches of a query are found lazily and kept until the table changes, so paging through a large
 * result costs one scan in all, not one per page.
 */
export function executeQuery(co: Company, q: ParsedQuery): QueryResult {
  const def = entityByName(q.entity);
  if (!def) {
    const other = unhostedName(q.entity);
    if (other === undefined)
      throw queryValidationError(`Entity ${q.entity} is not supported or does not exist`);
    return q.count
      ? { kind: 'count', total: 0 }
      : { kind: 'page', entity: other, startPosition: 1, records: [] };
  }
  const conditions = q.where.map((c) => compile(def, c));
  const predicates = conditions.map((c) => c.test);
  const deps = keysOf(conditions.map((c) => c.field));
  const filtersActive = q.where.some((c) => c.field.toLowerCase() === 'active');
  if (def.kind === 'name' && !filtersActive) {
    predicates.unshift((r) => !r.inactive);
    deps.push('Active');
  }
  const spec: OrderSpec = q.orderBy.map((o) => ({ field: fieldOf(def, o.field), desc: o.desc }));
  if (!q.count && q.maxResults !== undefined && q.maxResults < 1) {
    throw queryValidationError(`MAXRESULTS must be a positive number, got ${q.maxResults}`);
  }
  const table = co.table(def.name);
  const key = `query:${JSON.stringify([q.where, q.orderBy, def.kind === 'name' && !filtersActive])}`;
  const start = Math.max(1, q.startPosition ?? 1);
  const max = Math.min(MAX_RESULTS_CAP, q.maxResults ?? DEFAULT_MAX_RESULTS);
  const test = (r: StoredRecord) => {
    for (const p of predicates) if (!p(r)) return false;
    return true;
  };
  const answer = (list: StoredRecord[]): QueryResult =>
    q.count
      ? { kind: 'count', total: list.length }
      : {
          kind: 'page',
          entity: def.name,
          startPosition: start,
          records: list.slice(start - 1, start - 1 + max),
        };
  const seek = idSeek(def, q.where, spec);
  if (seek) {
    // `Id = n` / `Id IN (...)`: the candidates come from the id index, then the usual filter and order.
    const found = new Set<StoredRecord>();
    for (const id of seek) {
      const rec = table.get(id);
      if (rec && test(rec)) found.add(rec);
    }
    const inIdOrder = [...found].sort((a, b) => Number(a.id) - Number(b.id));
    const order = spec.length ? spec : defaultSpec(def);
    return answer(order.length ? sortedBy(inIdOrder, order) : inIdOrder);
  }
  const matches = table.scan(
    key,
    [...deps, ...keysOf(spec.map((s) => s.field))],
    () => ordered(co, def, spec),
    test,
    q.count ? Infinity : start - 1 + max,
  );
  return answer(matches);
}

/** The `QueryResponse` object of a result, serialized. */
export function queryResponseJson(result: QueryResult): string {
  if (result.kind === 'count') return `{"totalCount":${result.total}}`;
  if (result.records.length === 0) return '{}';
  const rows = result.records.map(recordJson).join(',');
  return `{"${result.entity}":[${rows}],"startPosition":${result.startPosition},"maxResults":${result.records.length}}`;
}
