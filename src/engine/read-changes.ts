import type { FlowModel, QbRecord } from './model.ts';
import type { SfPort, QbPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import type { ReadSet } from './read-set.ts';
import { epochOf, later, soqlDateTime } from './timestamps.ts';
import type { CursorPosition } from '../store/cursors.ts';

/** Everything one run read from both sides, and how far each stream got. */
export interface ChangeSet {
  /** The records read (staged in the store). */
  records: ReadSet;
  /** The newest modification time seen per stream ("sf:Account", "sf:Contact", "qb:Customer"). */
  highWater: Map<string, string>;
  initial: boolean;
  /** Local clock (ms) when reading began and ended: cursors use the elapsed time to settle. */
  readStartedAt?: number;
  readEndedAt?: number;
}

/**
 * The overlap a stream's read needs. A cursor is "settled" once a read that covered its overlap
 * window began at least the overlap after the read that found its high-water mark: every record
 * stamped at or before the mark had committed by then and was seen, so later reads need no
 * overlap below the mark. Without this, every run re-read the last minute of the latest burst of
 * changes — after a 100,000-record initial sync, tens of thousands of records on each run.
 */
export function overlapFor(position: CursorPosition | undefined, overlapSeconds: number): number {
  return position?.settled === true ? 0 : overlapSeconds;
}

/**
 * Where a stream's read starts. Settled, it starts strictly after the mark: both services stamp
 * whole seconds, so "one second later, inclusive" is "after" — else the records of the mark's own
 * second (a whole composite call's worth) were read again on every run.
 */
export function readFrom(
  position: CursorPosition | undefined,
  overlapSeconds: number,
): { since: string | null; overlapSeconds: number } {
  if (!position) return { since: null, overlapSeconds };
  if (position.settled !== true) return { since: position.since, overlapSeconds };
  const ms = epochOf(position.since);
  if (ms > 0 && ms % 1000 === 0) return { since: new Date(ms + 1000).toISOString(), overlapSeconds: 0 };
  return { since: position.since, overlapSeconds: 0 };
}

/**
 * The cursor a stream moves to after a run: a newer high-water mark resets the settling clock; the
 * same mark settles once the read began at least `overlapSeconds` after the read that found it.
 * Null: leave the cursor as it is.
 */
export function nextCursor(
  previous: CursorPosition | undefined,
  highWater: string | undefined,
  read: { startedAt: number; endedAt: number },
  overlapSeconds: number,
): CursorPosition | null {
  const at = (t: string) => Date.parse(t.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (!previous) return highWater ? { since: highWater, readAt: read.endedAt } : null;
  if (highWater && at(highWater) > at(previous.since)) return { since: highWater, readAt: read.endedAt };
  if (previous.settled === true) return null;
  if (typeof previous.readAt !== 'number') return { ...previous, readAt: read.endedAt };
  if (read.startedAt - previous.readAt >= overlapSeconds * 1000) return { ...previous, settled: true };
  return null;
}

/** What the engine itself reads on every QuickBooks record, whatever the flow maps. */
const QB_SYSTEM_FIELDS = ['Id', 'SyncToken', 'MetaData', 'Active', 'status', 'domain'];

/**
 * A function that keeps of a QuickBooks record only its top-level fields the flow reads (see
 * FlowModel.qb.fields) and the engine's own. A kept field is kept whole: a sparse update sends a
 * nested object (BillAddr) whole, with the sub-fields nothing maps. An entity read whole holds
 * ~40 fields; without pruning a 100,000-record run held all of them until it ended.
 */
export function qbPruner(model: FlowModel): (r: QbRecord) => QbRecord {
  if (!model.qb.fields) return (r) => r;
  const keep = new Set([...QB_SYSTEM_FIELDS, ...model.qb.fields].map((k) => k.toLowerCase()));
  return (r) => {
    let all = true;
    for (const k in r)
      if (!keep.has(k.toLowerCase())) {
        all = false;
        break;
      }
    if (all) return r;
    const out: Record<string, unknown> = {};
    for (const k in r) if (keep.has(k.toLowerCase())) out[k] = r[k];
    return out as QbRecord;
  };
}

/** Stream names of a flow's cursors. */
export function streams(model: FlowModel): { sfMain: string; sfRelated: string[]; qb: string } {
  return {
    sfMain: `sf:${model.sf.object}`,
    sfRelated: model.sf.related.map((r) => `sf:${r.object}`),
    qb: `qb:${model.qb.entity}`,
  };
}

/**
 * Reads what changed on both sides since the cursors (everything on a first run). Salesforce:
 * SystemModstamp with an overlap window, deletions through queryAll, and the parents of changed
 * related records (an edited Contact does not touch its Account's SystemModstamp). QuickBooks: CDC
 * inside its 30-day window, else paged queries (the connector decides).
 */
export async function readChanges(
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  cursors: Map<string, CursorPosition>,
  records: ReadSet,
  opts: { overlapSeconds: number; onProgress?: ProgressListener },
): Promise<ChangeSet> {
  const names = streams(model);
  const sfSince = cursors.get(names.sfMain)?.since ?? null;
  const qbSince = cursors.get(names.qb)?.since ?? null;
  const set: ChangeSet = {
    records,
    highWater: new Map(),
    initial: !sfSince && !qbSince,
  };
  const progress = opts.onProgress ?? (() => {});
  set.readStartedAt = Date.now();

  const readSf = async () => {
    let hw: string | undefined;
    for await (const page of sf.readChanges({
      object: model.sf.object,
      fields: model.sf.fields,
      related: model.sf.related,
      ...readFrom(cursors.get(names.sfMain), opts.overlapSeconds),
      includeDeleted: sfSince !== null,
    })) {
      for (const r of page) hw = later(hw, r.SystemModstamp);
      await records.add('sf', page);
      progress({ type: 'read', flow: model.name, side: 'sf', records: records.size('sf') });
    }
    if (hw) set.highWater.set(names.sfMain, hw);
    if (!sfSince) return;
    // Related records changed on their own: bring their parents along.
    for (const rel of model.sf.related) {
      const stream = `sf:${rel.object}`;
      const start = readFrom(cursors.get(stream) ?? cursors.get(names.sfMain), opts.overlapSeconds);
      const from = soqlDateTime(epochOf(start.since) - start.overlapSeconds * 1000);
      const parents = new Set<string>();
      let relHw: string | undefined;
      const soql = `SELECT ${rel.parentField}, SystemModstamp FROM ${rel.object} WHERE SystemModstamp >= ${from} ORDER BY SystemModstamp`;
      for await (const page of sf.query(soql, { all: true })) {
        for (const r of page) {
          const parent = r[rel.parentField];
          if (typeof parent === 'string' && !records.has('sf', parent)) parents.add(parent);
          relHw = later(relHw, r.SystemModstamp);
        }
      }
      if (relHw) set.highWater.set(stream, relHw);
      if (parents.size > 0) {
        const found = await sf.retrieve({
          object: model.sf.object,
          ids: [...parents],
          fields: model.sf.fields,
          related: model.sf.related,
        });
        await records.add('sf', found);
        progress({ type: 'read', flow: model.name, side: 'sf', records: records.size('sf') });
      }
    }
  };

  const prune = qbPruner(model);
  const readQb = async () => {
    let hw: string | undefined;
    for await (const page of qb.readChanges({
      entity: model.qb.entity,
      ...readFrom(cursors.get(names.qb), opts.overlapSeconds),
    })) {
      for (const r of page) hw = later(hw, r.MetaData?.LastUpdatedTime);
      await records.add('qb', page.map(prune));
      progress({ type: 'read', flow: model.name, side: 'qb', records: records.size('qb') });
    }
    if (hw) set.highWater.set(names.qb, hw);
  };

  await Promise.all([readSf(), readQb()]);
  set.readEndedAt = Date.now();
  return set;
}
