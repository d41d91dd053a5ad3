import type { FlowModel, QbRecord, SfRecord } from './model.ts';
import type { SfPort, QbPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import { epochOf, later, soqlDateTime } from './timestamps.ts';
import type { CursorPosition } from '../store/cursors.ts';

/** Everything one run read from both sides, and how far each stream got. */
export interface ChangeSet {
  sf: Map<string, SfRecord>;
  qb: Map<string, QbRecord>;
  /** The newest modification time seen per stream ("sf:Account", "sf:Contact", "qb:Customer"). */
  highWater: Map<string, string>;
  initial: boolean;
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
  opts: { overlapSeconds: number; onProgress?: ProgressListener },
): Promise<ChangeSet> {
  const names = streams(model);
  const sfSince = cursors.get(names.sfMain)?.since ?? null;
  const qbSince = cursors.get(names.qb)?.since ?? null;
  const set: ChangeSet = {
    sf: new Map(),
    qb: new Map(),
    highWater: new Map(),
    initial: !sfSince && !qbSince,
  };
  const progress = opts.onProgress ?? (() => {});

  const readSf = async () => {
    let hw: string | undefined;
    for await (const page of sf.readChanges({
      object: model.sf.object,
      fields: model.sf.fields,
      related: model.sf.related,
      since: sfSince,
      includeDeleted: sfSince !== null,
      overlapSeconds: opts.overlapSeconds,
    })) {
      for (const r of page) {
        set.sf.set(r.Id, r);
        hw = later(hw, r.SystemModstamp);
      }
      progress({ type: 'read', flow: model.name, side: 'sf', records: set.sf.size });
    }
    if (hw) set.highWater.set(names.sfMain, hw);
    if (!sfSince) return;
    // Related records changed on their own: bring their parents along.
    for (const rel of model.sf.related) {
      const stream = `sf:${rel.object}`;
      const since = cursors.get(stream)?.since ?? sfSince;
      const from = soqlDateTime(epochOf(since) - opts.overlapSeconds * 1000);
      const parents = new Set<string>();
      let relHw: string | undefined;
      const soql = `SELECT ${rel.parentField}, SystemModstamp FROM ${rel.object} WHERE SystemModstamp >= ${from} ORDER BY SystemModstamp`;
      for await (const page of sf.query(soql, { all: true })) {
        for (const r of page) {
          const parent = r[rel.parentField];
          if (typeof parent === 'string' && !set.sf.has(parent)) parents.add(parent);
          relHw = later(relHw, r.SystemModstamp);
        }
      }
      if (relHw) set.highWater.set(stream, relHw);
      if (parents.size > 0) {
        const records = await sf.retrieve({
          object: model.sf.object,
          ids: [...parents],
          fields: model.sf.fields,
          related: model.sf.related,
        });
        for (const r of records) set.sf.set(r.Id, r);
        progress({ type: 'read', flow: model.name, side: 'sf', records: set.sf.size });
      }
    }
  };

  const readQb = async () => {
    let hw: string | undefined;
    for await (const page of qb.readChanges({
      entity: model.qb.entity,
      since: qbSince,
      overlapSeconds: opts.overlapSeconds,
    })) {
      for (const r of page) {
        set.qb.set(r.Id, r);
        hw = later(hw, r.MetaData?.LastUpdatedTime);
      }
      progress({ type: 'read', flow: model.name, side: 'qb', records: set.qb.size });
    }
    if (hw) set.highWater.set(names.qb, hw);
  };

  await Promise.all([readSf(), readQb()]);
  return set;
}
