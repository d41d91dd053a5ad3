import type { Store } from '../store/database.ts';
import { upsertDirectory } from '../store/directory.ts';
import { dropStaged, stageRecords, stagedBodies } from '../store/staged-records.ts';
import { directoryEntry } from './apply.ts';
import type { FlowModel, QbRecord, SfRecord } from './model.ts';
import { trimHeap } from './memory.ts';
import { getPath } from './paths.ts';

type Side = 'sf' | 'qb';
type RecordOf<S extends Side> = S extends 'sf' ? SfRecord : QbRecord;

// What the engine must know of a record before it loads it again, as bits.
const GONE = 1;
const DEPENDENT = 2;

/**
 * The records a run read, staged in the store rather than held: in memory only their ids and two
 * facts (deleted or inactive; points at a parent), and each chunk of work loads its own records
 * back. A 100,000-pair run read ~180,000 records; held as objects they were ~400 MB of its peak.
 */
export class ReadSet {
  private readonly facts = { sf: new Map<string, number>(), qb: new Map<string, number>() };

  constructor(
    private readonly store: Store,
    private readonly model: FlowModel,
    private readonly runId: number,
  ) {}

  /** Takes records read (a page): stages them, refreshes the directory from them, keeps their facts. */
  async add(side: Side, records: ReadonlyArray<SfRecord | QbRecord>): Promise<void> {
    if (records.length === 0) return;
    // A record twice in one page (an overlap window) is kept once, as read last.
    const unique = [...new Map(records.map((r) => [r.Id, r])).values()];
    const { db } = this.store;
    const flow = this.model.name;
    await stageRecords(
      db,
      this.runId,
      flow,
      side,
      unique.map((r) => ({ id: r.Id, body: JSON.stringify(r) })),
    );
    // The directory is the engine's memory of both sides' keys: refreshed from every read.
    await upsertDirectory(
      db,
      flow,
      side,
      unique.map((r) => directoryEntry(this.model, side, r)),
    );
    for (const r of unique) this.facts[side].set(r.Id, this.factsOf(side, r));
    trimHeap();
  }

  /** Whether this run read the record. */
  has(side: Side, id: string): boolean {
    return this.facts[side].has(id);
  }

  /** How many records this run read on a side. */
  size(side: Side): number {
    return this.facts[side].size;
  }

  /** The ids read on a side, in the order first read. */
  ids(side: Side): string[] {
    return [...this.facts[side].keys()];
  }

  /** Whether the record read is deleted (Salesforce) or inactive/deleted (QuickBooks). */
  gone(side: Side, id: string): boolean {
    return ((this.facts[side].get(id) ?? 0) & GONE) !== 0;
  }

  /** Whether the record read points at a parent (a lookup the flow resolves through links). */
  dependent(side: Side, id: string): boolean {
    return ((this.facts[side].get(id) ?? 0) & DEPENDENT) !== 0;
  }

  /** The records read, by id, loaded back from the store. */
  async load<S extends Side>(side: S, ids: readonly string[]): Promise<Map<string, RecordOf<S>>> {
    const bodies = await stagedBodies(this.store.db, this.runId, this.model.name, side, ids);
    const out = new Map<string, RecordOf<S>>();
    // JSON text round-trips exactly: the connectors already turned every decimal into a string.
    for (const [id, body] of bodies) out.set(id, JSON.parse(body) as RecordOf<S>);
    return out;
  }

  /** Lets go of everything staged (the flow's run is over, whatever its outcome). */
  async drop(): Promise<void> {
    this.facts.sf.clear();
    this.facts.qb.clear();
    await dropStaged(this.store.db, this.runId, this.model.name);
  }

  private factsOf(side: Side, r: SfRecord | QbRecord): number {
    const gone =
      side === 'sf'
        ? (r as SfRecord).IsDeleted === true
        : (r as QbRecord).Active === false || (r as QbRecord).status === 'Deleted';
    const paths = side === 'sf' ? this.model.lookups.toQb : this.model.lookups.toSf;
    const dependent = paths.some((p) => !!getPath(r, p));
    return (gone ? GONE : 0) | (dependent ? DEPENDENT : 0);
  }
}
