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
  }

  /** Records a write to an existing record: it becomes the most recently updated. */
  touch(rec: StoredRecord): void {
    rec.json = undefined;
    this.byUpdate.delete(rec.id);
    this.byUpdate.set(rec.id, rec);
    this.version++;
  }

  /**
   * Records a change that is not a write by a client (a recomputed balance): no reordering, and
   * only views that depend on the changed properties go stale.
   */
  changed(rec: StoredRecord, keys: readonly string[]): void {
    rec.json = undefined;
    for (const k of keys) this.fieldVersions.set(k, (this.fieldVersions.get(k) ?? 0) + 1);
  }

  /** Removes a record, leaving a tombstone for CDC. */
  remove(id: string, deletedMs: number): void {
    this.byId.delete(id);
    this.byUpdate.delete(id);
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
