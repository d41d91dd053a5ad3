import { toJson } from '../json.ts';
import type { EntityName } from '../schema.ts';
import { formatDateTime } from '../time.ts';

export type Entity = Record<string, unknown>;

/**
 * One stored entity: the JSON object QuickBooks returns, plus what the emulator keeps beside it.
 * MetaData is not stored in `e`: it is written from `created`/`updated` when the entity is
 * serialized (one object and two strings fewer per record, which matters at 100,000s of them).
 */
export interface StoredRecord {
  id: string;
  /** The entity as returned, without MetaData (decimals as canonical strings). */
  e: Entity;
  /**
   * MetaData.CreateTime and LastUpdatedTime in whole epoch seconds (QuickBooks' precision): small
   * integers are stored in the record itself, where a millisecond double would be boxed.
   */
  created: number;
  updated: number;
  /** `Active: false` (a deactivated name), kept beside the entity for fast query filtering. */
  inactive: boolean;
  /** A voided transaction (amounts zeroed, no longer updatable). */
  voided?: boolean;
  /** Cached serialization of `e`; dropped whenever `e` changes. */
  json?: string;
}

/** How many derived lists a table keeps. */
const MAX_VIEWS = 24;
/** Changed ids remembered for keeping sorted views in step. */
const MAX_LOG = 200_000;

export type SortValue = string | number | boolean;

/** The MetaData object of a record, as QuickBooks writes it. */
export function metaData(rec: StoredRecord): { CreateTime: string; LastUpdatedTime: string } {
  const created = formatDateTime(rec.created * 1000);
  return {
    CreateTime: created,
    LastUpdatedTime: rec.updated === rec.created ? created : formatDateTime(rec.updated * 1000),
  };
}

/** The entity with its MetaData, as a plain object (for inspection). */
export function withMetaData(rec: StoredRecord): Entity {
  const { domain, sparse, Id, SyncToken, ...rest } = rec.e;
  return { domain, sparse, Id, SyncToken, MetaData: metaData(rec), ...rest };
}

/** The serialized entity (MetaData after SyncToken, as QuickBooks orders it), computed once per version. */
export function recordJson(rec: StoredRecord): string {
  if (rec.json === undefined) {
    const text = toJson(rec.e);
    const meta = `"MetaData":${JSON.stringify(metaData(rec))}`;
    const at = text.indexOf('"SyncToken":"');
    const end = at < 0 ? -1 : text.indexOf('"', at + 13);
    rec.json =
      end < 0
        ? `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${meta}}`
        : `${text.slice(0, end + 1)},${meta}${text.slice(end + 1)}`;
  }
  return rec.json;
}

interface SortedView {
  /** The change number the list reflects. */
  at: number;
  desc: boolean;
  list: StoredRecord[];
}

type KeyOf = (rec: StoredRecord) => SortValue | undefined;

/** Changes beyond which a sorted view is rebuilt rather than patched record by record. */
const MAX_PATCH = 1000;

function compareEntry(
  desc: boolean,
  ka: SortValue | undefined,
  ida: number,
  kb: SortValue | undefined,
  idb: number,
): number {
  if (ka !== kb) {
    // Records without the property come first, or last in a descending order.
    if (ka === undefined) return desc ? 1 : -1;
    if (kb === undefined) return desc ? -1 : 1;
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    if (c !== 0) return desc ? -c : c;
  }
  return ida - idb;
}

/**
 * Text keys sorted natively (no comparator calls): each becomes `key NUL position`, position
 * fixed-width, so equal keys keep their input (Id) order and a key sorts before its extensions.
 * Null when a key is not a string or contains NUL.
 */
function sortTextKeys(keyed: Array<{ k: SortValue; r: StoredRecord }>, desc: boolean): StoredRecord[] | null {
  const width = String(keyed.length).length;
  const last = keyed.length - 1;
  const composite: string[] = new Array<string>(keyed.length);
  for (let i = 0; i < keyed.length; i++) {
    const k = keyed[i]!.k;
    if (typeof k !== 'string' || k.includes('\0')) return null;
    // Descending: ascending on (key, reversed position), then the whole list reversed.
    composite[i] = `${k}\0${String(desc ? last - i : i).padStart(width, '0')}`;
  }
  composite.sort();
  if (desc) composite.reverse();
  const out: StoredRecord[] = new Array<StoredRecord>(keyed.length);
  for (let i = 0; i < composite.length; i++) {
    const c = composite[i]!;
    const pos = Number(c.slice(c.length - width));
    out[i] = keyed[desc ? last - pos : pos]!.r;
  }
  return out;
}

function buildView(records: StoredRecord[], keyOf: KeyOf, desc: boolean, at: number): SortedView {
  // Records come in Id order and the sort is stable: equal keys stay in Id order.
  const none: StoredRecord[] = [];
  const keyed: Array<{ k: SortValue; r: StoredRecord }> = [];
  for (const r of records) {
    const k = keyOf(r);
    if (k === undefined) none.push(r);
    else keyed.push({ k, r });
  }
  const text = sortTextKeys(keyed, desc);
  if (text) {
    const list = desc ? text : none;
    if (desc) for (const r of none) list.push(r);
    else for (const r of text) list.push(r);
    return { at, desc, list };
  }
  keyed.sort(
    desc ? (a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : 0) : (a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0),
  );
  const list = desc ? [] : none;
  for (const e of keyed) list.push(e.r);
  if (desc) for (const r of none) list.push(r);
  return { at, desc, list };
}

/**
 * Moves the records changed since the view was built to their places: all of them are taken out
 * first, so every record left is where its current key puts it and a binary search can place the
 * changed ones again.
 */
function patchView(v: SortedView, ids: Set<string>, byId: Map<string, StoredRecord>, keyOf: KeyOf): void {
  const back: StoredRecord[] = [];
  for (const id of ids) {
    const rec = byId.get(id);
    const at = rec ? v.list.indexOf(rec) : v.list.findIndex((r) => r.id === id);
    if (at >= 0) v.list.splice(at, 1);
    if (rec) back.push(rec);
  }
  for (const rec of back) {
    const k = keyOf(rec);
    const id = Number(rec.id);
    let lo = 0;
    let hi = v.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = v.list[mid]!;
      if (compareEntry(v.desc, keyOf(r), Number(r.id), k, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    v.list.splice(lo, 0, rec);
  }
}

/**
 * All records of one entity type in one company. Two orders are kept for free: creation order
 * (which is Id order, since Ids are a per-type sequence) and last-update order (writes move a
 * record to the end; the clock never runs backwards, so this is LastUpdatedTime order). Other
 * orders are computed on demand and cached until the next write.
 */
export class EntityTable {
  private byId = new Map<string, StoredRecord>();
  private byUpdate = new Map<string, StoredRecord>();
  private views = new Map<string, { stamp: string; list: StoredRecord[] }>();
  private scans = new Map<
    string,
    { stamp: string; list: StoredRecord[]; rest: Iterator<StoredRecord> | null }
  >();
  /** Property → changes made to it outside client writes (recomputed balances, renamed parents). */
  private fieldVersions = new Map<string, number>();
  /** Deleted transactions: id → deletion time, reported by CDC. */
  readonly tombstones = new Map<string, number>();
  /** Next Id to hand out. */
  seq = 1;
  /** Bumped on every insert, client write and removal; cached views compare against it. */
  version = 0;
  /** Sorted views kept in step with writes (see sortedView). */
  private sorted = new Map<string, SortedView>();
  /** Ids of records changed in any way, in order; `logBase` is the change number of log[0]. */
  private log: string[] = [];
  private logBase = 0;
  /** Change number before which sorted views must be rebuilt (a bulk load). */
  private resetAt = 0;

  private logChange(id: string): void {
    this.log.push(id);
    if (this.log.length > MAX_LOG) {
      const drop = this.log.length >> 1;
      this.log = this.log.slice(drop);
      this.logBase += drop;
    }
  }

  private get changeCount(): number {
    return this.logBase + this.log.length;
  }

  constructor(readonly name: EntityName) {}

  get size(): number {
    return this.byId.size;
  }

  /** The record with this id, if any. */
  get(id: string): StoredRecord | undefined {
    return this.byId.get(id);
  }

  /** Reserves the next Id. */
  nextId(): string {
    return String(this.seq++);
  }

  /** Adds a new record (its Id must be new). */
  insert(rec: StoredRecord): void {
    this.byId.set(rec.id, rec);
    this.byUpdate.set(rec.id, rec);
    this.logChange(rec.id);
    const n = Number(rec.id);
    if (Number.isInteger(n) && n >= this.seq) this.seq = n + 1;
    this.version++;
  }

  /**
   * Loads many records at once (seeding, a state file): Id order and last-update order are
   * rebuilt from the records themselves, whatever order they come in.
   */
  bulkLoad(records: StoredRecord[]): void {
    const inOrder = records.every((r, i) => i === 0 || Number(records[i - 1]!.id) < Number(r.id));
    const byId = inOrder ? records : [...records].sort((a, b) => Number(a.id) - Number(b.id));
    const byUpdate = [...records].sort((a, b) => a.updated - b.updated);
    for (const rec of byId) this.byId.set(rec.id, rec);
    for (const rec of byUpdate) this.byUpdate.set(rec.id, rec);
    const last = byId[byId.length - 1];
    if (last && Number(last.id) >= this.seq) this.seq = Number(last.id) + 1;
    this.version++;
    this.resetAt = this.changeCount + 1;
    this.logChange('');
  }

  /** Records a write to an existing record: it becomes the most recently updated. */
  touch(rec: StoredRecord): void {
    rec.json = undefined;
    this.byUpdate.delete(rec.id);
    this.byUpdate.set(rec.id, rec);
    this.logChange(rec.id);
    this.version++;
  }

  /**
   * Records a change that is not a write by a client (a recomputed balance): no reordering, and
   * only views that depend on the changed properties go stale.
   */
  changed(rec: StoredRecord, keys: readonly string[]): void {
    rec.json = undefined;
    this.logChange(rec.id);
    for (const k of keys) this.fieldVersions.set(k, (this.fieldVersions.get(k) ?? 0) + 1);
  }

  /** Removes a record, leaving a tombstone for CDC. */
  remove(id: string, deletedMs: number): void {
    this.byId.delete(id);
    this.byUpdate.delete(id);
    this.logChange(id);
    this.tombstones.set(id, deletedMs);
    this.version++;
  }

  /** Records in creation (Id) order. */
  inIdOrder(): IterableIterator<StoredRecord> {
    return this.byId.values();
  }

  /** Records in last-update order, oldest first. */
  inUpdateOrder(): IterableIterator<StoredRecord> {
    return this.byUpdate.values();
  }

  /**
   * The records of `source` that pass `test`, found lazily and kept: a caller needing the first
   * `need` matches scans only as far as that, and the next caller (the next page) continues where
   * the last one stopped. Discarded, like views, when what it depends on changes.
   */
  scan(
    key: string,
    dependsOn: readonly string[],
    source: () => Iterable<StoredRecord>,
    test: (rec: StoredRecord) => boolean,
    need: number,
  ): StoredRecord[] {
    const stamp = this.stamp(dependsOn);
    let entry = this.scans.get(key);
    this.scans.delete(key);
    if (!entry || entry.stamp !== stamp) entry = { stamp, list: [], rest: source()[Symbol.iterator]() };
    this.scans.set(key, entry);
    if (this.scans.size > MAX_VIEWS) this.scans.delete(this.scans.keys().next().value!);
    const { list } = entry;
    while (entry.rest && list.length < need) {
      const next = entry.rest.next();
      if (next.done) entry.rest = null;
      else if (test(next.value)) list.push(next.value);
    }
    return list;
  }

  private stamp(dependsOn: readonly string[]): string {
    return `${this.version}|${dependsOn.map((k) => this.fieldVersions.get(k) ?? 0).join(',')}`;
  }

  /**
   * Every record ordered by one key (`keyOf`; undefined sorts first; ties in Id order), `desc`
   * reversing the key order only. Built once with a single-key sort, then kept in step with
   * writes: the records changed since are moved to their new places (a rebuild only when more
   * than MAX_PATCH records changed), so a write does not cost the next query a full sort.
   */
  sortedView(key: string, keyOf: KeyOf, desc: boolean): StoredRecord[] {
    const now = this.changeCount;
    let v = this.sorted.get(key);
    this.sorted.delete(key);
    if (v && v.at !== now) {
      const since = v.at - this.logBase;
      if (v.at < this.resetAt || since < 0 || now - v.at > MAX_PATCH) v = undefined;
      else {
        patchView(v, new Set(this.log.slice(since)), this.byId, keyOf);
        v.at = now;
      }
    }
    if (!v) v = buildView([...this.byId.values()], keyOf, desc, now);
    this.sorted.set(key, v);
    if (this.sorted.size > MAX_VIEWS) this.sorted.delete(this.sorted.keys().next().value!);
    return v.list;
  }

  /**
   * A cached derived list (an order, a query's matches), rebuilt when records were added, written
   * or removed, or when a property it depends on changed, since it was built. The most recently
   * used views are kept.
   */
  view(key: string, dependsOn: readonly string[], build: () => StoredRecord[]): StoredRecord[] {
    const stamp = this.stamp(dependsOn);
    const cached = this.views.get(key);
    this.views.delete(key);
    if (cached && cached.stamp === stamp) {
      this.views.set(key, cached);
      return cached.list;
    }
    const list = build();
    this.views.set(key, { stamp, list });
    if (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
    return list;
  }
}
