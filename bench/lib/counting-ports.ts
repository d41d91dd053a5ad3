import { appendFileSync } from 'node:fs';
import type { EngineContext } from '../../src/engine/sync.ts';
import type { QbBatchItem, QbPort, SfPort } from '../../src/engine/ports.ts';

/**
 * Wraps the engine's connector ports to count what a run wrote, record by record, and the pages
 * its change reads took: the "minimum" a figure is compared with is computed from these. When a
 * log file is given, every record write is appended to it (NDJSON) so the naive replay can send
 * the same writes one call each; nothing is kept in memory.
 */
export interface WriteTally {
  /** Record writes by group: "sf upsert Account", "sf update Contact", "qb create Customer" … */
  writes: Record<string, number>;
  /** Pages read by change reads and SOQL queries (each page is one call). */
  readPages: { sf: number; qb: number };
}

export function emptyTally(): WriteTally {
  return { writes: {}, readPages: { sf: 0, qb: 0 } };
}

/** A logged record write. */
export type LoggedWrite =
  | {
      sys: 'sf';
      op: 'upsert';
      object: string;
      ext: string;
      record: Record<string, unknown>;
      id: string | null;
    }
  | { sys: 'sf'; op: 'update'; object: string; record: Record<string, unknown> }
  | { sys: 'sf'; op: 'destroy'; id: string }
  | { sys: 'qb'; item: QbBatchItem };

export interface Counting {
  engine: EngineContext;
  tally: WriteTally;
  /** Starts a new tally (and log file, or none). */
  reset(logFile?: string | null): void;
}

export function countingEngine(engine: EngineContext): Counting {
  let tally = emptyTally();
  let log: string | null = null;
  const add = (key: string, n: number) => (tally.writes[key] = (tally.writes[key] ?? 0) + n);
  const write = (rows: LoggedWrite[]) => {
    if (log && rows.length) appendFileSync(log, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  };
  async function* pages<T>(side: 'sf' | 'qb', it: AsyncIterable<T[]>): AsyncGenerator<T[]> {
    for await (const page of it) {
      tally.readPages[side]++;
      yield page;
    }
  }
  const sfCache = new Map<SfPort, SfPort>();
  const qbCache = new Map<QbPort, QbPort>();
  const wrapSf = (p: SfPort): SfPort => {
    let w = sfCache.get(p);
    if (w) return w;
    w = {
      get stats() {
        return p.stats;
      },
      readChanges: (spec) => pages('sf', p.readChanges(spec)),
      query: (soql, opts) => pages('sf', p.query(soql, opts)),
      retrieve: (spec) => p.retrieve(spec),
      async upsert(object, ext, records) {
        add(`sf upsert ${object}`, records.length);
        const r = await p.upsert(object, ext, records);
        write(
          records.map((record, i) => ({
            sys: 'sf',
            op: 'upsert',
            object,
            ext,
            record,
            id: r[i]?.id ?? null,
          })),
        );
        return r;
      },
      async update(object, records) {
        add(`sf update ${object}`, records.length);
        write(records.map((record) => ({ sys: 'sf', op: 'update', object, record })));
        return p.update(object, records);
      },
      async destroy(ids) {
        add('sf delete', ids.length);
        write(ids.map((id) => ({ sys: 'sf', op: 'destroy', id })));
        return p.destroy(ids);
      },
    };
    sfCache.set(p, w);
    return w;
  };
  const wrapQb = (p: QbPort): QbPort => {
    let w = qbCache.get(p);
    if (w) return w;
    w = {
      get stats() {
        return p.stats;
      },
      get realmId() {
        return p.realmId;
      },
      readChanges: (spec) => pages('qb', p.readChanges(spec)),
      readMany: (entity, ids) => p.readMany(entity, ids),
      async batch(items, requestId) {
        for (const it of items)
          add(
            `qb ${it.operation === 'update' && it.body.Active === false ? 'deactivate' : it.operation} ${it.entity}`,
            1,
          );
        write(items.map((item) => ({ sys: 'qb', item })));
        return p.batch(items, requestId);
      },
    };
    qbCache.set(p, w);
    return w;
  };
  const counting: Counting = {
    tally,
    engine: {
      ...engine,
      store: engine.store,
      flowNames: () => engine.flowNames(),
      model: (flow) => engine.model(flow),
      salesforce: async (id) => wrapSf(await engine.salesforce(id)),
      qbo: async (id) => wrapQb(await engine.qbo(id)),
    },
    reset(file = null) {
      tally = emptyTally();
      counting.tally = tally;
      log = file;
    },
  };
  return counting;
}

/** The fewest calls these writes need: ⌈n/200⌉ per Salesforce object and operation, ⌈n/30⌉ on QuickBooks. */
export function minimumWriteCalls(t: WriteTally): {
  sf: number;
  qb: number;
  sfWrites: number;
  qbWrites: number;
} {
  let sf = 0;
  let qb = 0;
  let sfWrites = 0;
  let qbWrites = 0;
  for (const [k, n] of Object.entries(t.writes)) {
    if (k.startsWith('sf ')) {
      sf += Math.ceil(n / 200);
      sfWrites += n;
    } else qbWrites += n;
  }
  qb = Math.ceil(qbWrites / 30);
  return { sf, qb, sfWrites, qbWrites };
}
