import type { FieldDef, ObjectDef } from '../schema/types.ts';

/** A stored field value: text (also decimals, dates, date-times, ids), int, boolean or null. */
export type Value = string | number | boolean | null;

/** A stored record, keyed by canonical field names. Never mutated: a write replaces it. */
export type Rec = Readonly<Record<string, Value>>;

/** Orders two records; a view's comparator must be total (ties broken by Id). */
export type RecordComparator = (a: Rec, b: Rec) => number;

const MAX_VIEWS = 16;

/** The normalised key a unique or external-id value is indexed under. */
export function indexKey(f: FieldDef, v: Value): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') {
    if (f.type === 'double' || f.type === 'currency' || f.type === 'percent') return String(Number(v));
    return f.caseSensitive ? v : v.toLowerCase();
  }
  return String(v);
}

/**
 * The rows of one object with the indexes queries and DML need: unique/external-id keys (live
 * rows only), children by lookup field (built on first use), and sorted views cached per ORDER BY
 * and kept in order as rows change, so a page of a large ordered query needs no sort.
 */
export class Table {
  readonly rows = new Map<string, Rec>();
  private readonly keyIndexes = new Map<string, Map<string, Set<string>>>();
  private readonly keyFields: FieldDef[];
  private readonly childIndexes = new Map<string, Map<string, Set<string>>>();
  private readonly views = new Map<string, { cmp: RecordComparator; rows: Rec[]; withDeleted: boolean }>();
  /** Field names in describe order (compound fields excluded): every record owns all of them. */
  readonly fieldNames: string[];
  private readonly defaults: Value[];
  private readonly Ctor: new (defaults: Value[]) => Record<string, Value>;
  liveCount = 0;

  constructor(readonly def: ObjectDef) {
    this.keyFields = def.fields.filter((f) => f.unique || f.externalId);
    for (const f of this.keyFields) this.keyIndexes.set(f.name, new Map());
    this.fieldNames = def.fields
      .filter((f) => f.type !== 'address' && f.type !== 'location')
      .map((f) => f.name);
    this.defaults = this.fieldNames.map((n) =>
      def.byLower.get(n.toLowerCase())!.type === 'boolean' ? false : null,
    );
    // A constructor that assigns every field in one fixed order gives all records of the table one
    // hidden class with in-object slots: fast reads, and no dictionary-mode objects to slow GC.
    const body = this.fieldNames.map((n, i) => `this[${JSON.stringify(n)}] = d[${i}];`).join('\n');
    this.Ctor = new Function('d', body) as unknown as new (defaults: Value[]) => Record<string, Value>;
  }

  /** A record object: every field null (false for checkboxes), then `values` applied in order. */
  make(...values: Array<Readonly<Record<string, Value>>>): Record<string, Value> {
    const rec = new this.Ctor(this.defaults);
    for (const v of values) for (const k of Object.keys(v)) rec[k] = v[k] as Value;
    return rec;
  }

  /** The record with this (18-character) id, deleted or not. */
  get(id: string): Rec | undefined {
    return this.rows.get(id);
  }

  /**
   * Replaces `old` by `next` (insert: old undefined; physical removal, used only to undo an insert:
   * next undefined) and keeps every index in step.
   */
  write(old: Rec | undefined, next: Rec | undefined): void {
    const id = (next ?? old)!.Id as string;
    if (next) this.rows.set(id, next);
    else this.rows.delete(id);
    if (old && !old.IsDeleted) this.liveCount--;
    if (next && !next.IsDeleted) this.liveCount++;
    for (const f of this.keyFields) {
      const oldKey = old && !old.IsDeleted ? indexKey(f, old[f.name] ?? null) : null;
      const newKey = next && !next.IsDeleted ? indexKey(f, next[f.name] ?? null) : null;
      if (oldKey === newKey) continue;
      const idx = this.keyIndexes.get(f.name)!;
      if (oldKey !== null) {
        const set = idx.get(oldKey);
        set?.delete(id);
        if (set && set.size === 0) idx.delete(oldKey);
      }
      if (newKey !== null) {
        let set = idx.get(newKey);
        if (!set) idx.set(newKey, (set = new Set()));
        set.add(id);
      }
    }
    // Seeding writes 100,000s of records before any child index or view exists: no loops then.
    if (this.childIndexes.size) this.writeChildIndexes(id, old, next);
    if (this.views.size) this.writeViews(old, next);
  }

  private writeChildIndexes(id: string, old: Rec | undefined, next: Rec | undefined): void {
    for (const [fieldName, idx] of this.childIndexes) {
      const a = old ? ((old[fieldName] as string | null) ?? null) : null;
      const b = next ? ((next[fieldName] as string | null) ?? null) : null;
      if (a === b && old && next) continue;
      if (a !== null) idx.get(a)?.delete(id);
      if (b !== null) {
        let set = idx.get(b);
        if (!set) idx.set(b, (set = new Set()));
        set.add(id);
      }
    }
  }

  private writeViews(old: Rec | undefined, next: Rec | undefined): void {
    for (const view of this.views.values()) {
      if (old && (view.withDeleted || !old.IsDeleted)) removeSorted(view.rows, old, view.cmp);
      if (next && (view.withDeleted || !next.IsDeleted)) insertSorted(view.rows, next, view.cmp);
    }
  }

  /** Ids of live records whose unique/external-id field has this value (case rules applied). */
  findByKey(f: FieldDef, value: Value): string[] {
    const idx = this.keyIndexes.get(f.name);
    const key = indexKey(f, value);
    if (key === null) return [];
    if (idx) return [...(idx.get(key) ?? [])];
    const out: string[] = [];
    for (const r of this.rows.values())
      if (!r.IsDeleted && indexKey(f, r[f.name] ?? null) === key) out.push(r.Id as string);
    return out;
  }

  /** Ids of records (deleted included) whose lookup `fieldName` points at parentId. */
  childrenOf(fieldName: string, parentId: string): ReadonlySet<string> {
    let idx = this.childIndexes.get(fieldName);
    if (!idx) {
      idx = new Map();
      for (const r of this.rows.values()) {
        const p = r[fieldName];
        if (typeof p !== 'string') continue;
        let set = idx.get(p);
        if (!set) idx.set(p, (set = new Set()));
        set.add(r.Id as string);
      }
      this.childIndexes.set(fieldName, idx);
    }
    return idx.get(parentId) ?? EMPTY;
  }

  /**
   * The live rows (or all rows, withDeleted) in the order `cmp` gives, cached under `key` and kept
   * current as rows change. `sortKey` (optional) extracts a row's sort key once, so the first
   * build sorts keys rather than re-reading scattered records at every comparison.
   */
  sortedView(
    key: string,
    cmp: RecordComparator,
    withDeleted: boolean,
    sortKey?: {
      extract: (r: Rec) => unknown[];
      compare: (a: unknown[], b: unknown[]) => number;
      single?: SingleKey | null;
    },
  ): readonly Rec[] {
    const fullKey = `${withDeleted ? 'A' : 'L'}:${key}`;
    const hit = this.views.get(fullKey);
    if (hit) {
      this.views.delete(fullKey);
      this.views.set(fullKey, hit);
      return hit.rows;
    }
    const live = [...this.rows.values()].filter((r) => withDeleted || !r.IsDeleted);
    let rows = sortKey?.single ? sortBySingleKey(live, sortKey.single) : null;
    if (!rows && sortKey) {
      const decorated = live.map((r) => ({ k: sortKey.extract(r), r }));
      decorated.sort((a, b) => sortKey.compare(a.k, b.k) || cmp(a.r, b.r));
      rows = decorated.map((d) => d.r);
    } else if (!rows) rows = live.sort(cmp);
    this.views.set(fullKey, { cmp, rows, withDeleted });
    if (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
    return rows;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The one primitive key an order reduces to (ties broken by Id ascending). */
export interface SingleKey {
  get: (r: Rec) => string | number | null;
  type: 'string' | 'number';
  desc: boolean;
  nullsLast: boolean;
}

/** Orders records by Id, ascending (the tie-break of every record order). */
export function idOrder(a: Rec, b: Rec): number {
  const x = a.Id as string;
  const y = b.Id as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Rows in (key, Id) order: a stable sort by the key alone of rows put in Id order first (rows
 * arrive in creation order, which is nearly always Id order, so that pass is a check). Null if a
 * key has another type than expected (the caller then uses the general sort).
 */
function sortBySingleKey(rows: Rec[], single: SingleKey): Rec[] | null {
  for (let i = 1; i < rows.length; i++)
    if ((rows[i - 1]!.Id as string) > (rows[i]!.Id as string)) {
      rows.sort(idOrder);
      break;
    }
  const nulls: Rec[] = [];
  const keyed: Array<{ k: string | number; r: Rec }> = [];
  for (const r of rows) {
    const k = single.get(r);
    if (k === null) nulls.push(r);
    else if (typeof k !== single.type) return null;
    else keyed.push({ k, r });
  }
  keyed.sort(
    single.desc
      ? (a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : 0)
      : (a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0),
  );
  const out: Rec[] = new Array<Rec>(rows.length);
  let i = 0;
  if (!single.nullsLast) for (const r of nulls) out[i++] = r;
  for (const e of keyed) out[i++] = e.r;
  if (single.nullsLast) for (const r of nulls) out[i++] = r;
  return out;
}

function lowerBound(rows: Rec[], rec: Rec, cmp: RecordComparator): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(rows[mid]!, rec) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(rows: Rec[], rec: Rec, cmp: RecordComparator): void {
  const at = lowerBound(rows, rec, cmp);
  if (at === rows.length) rows.push(rec);
  else rows.splice(at, 0, rec);
}

function removeSorted(rows: Rec[], rec: Rec, cmp: RecordComparator): void {
  let at = lowerBound(rows, rec, cmp);
  while (at < rows.length && rows[at] !== rec) {
    if (cmp(rows[at]!, rec) !== 0) break;
    at++;
  }
  if (rows[at] === rec) {
    rows.splice(at, 1);
    return;
  }
  const i = rows.indexOf(rec);
  if (i >= 0) rows.splice(i, 1);
}
