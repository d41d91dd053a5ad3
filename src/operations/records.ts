import { runSync, type SyncReport } from '../engine/sync.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { getErrors, listErrors } from '../store/error-queue.ts';
import { listOutcomes, outcomeCounts } from '../store/outcomes.ts';
import { getRun } from '../store/runs.ts';
import type { ErrorRow, RunRow } from '../store/schema.ts';
import { listUnmatched, setUnmatchedStatus } from '../store/unmatched.ts';
import { OperationError } from './errors.ts';

/**
 * The hand-made decisions on records (link a pair, create or ignore the unmatched, retry or look
 * at errors and runs), shared by the CLI and the HTTP API so both behave the same.
 */

/** The flow an operation applies to: the one named, else the only one there is. */
export function chooseFlow(rt: Runtime, flow: string | undefined, hint = '--flow'): string {
  const names = rt.engine.flowNames();
  if (flow) {
    if (!names.includes(flow))
      throw new OperationError('not-found', `no flow named "${flow}" (flows: ${names.join(', ')})`);
    return flow;
  }
  if (names.length === 1) return names[0]!;
  throw new OperationError('invalid', `name the flow with ${hint} (flows: ${names.join(', ')})`);
}

/** Links a Salesforce record and a QuickBooks record by hand, then syncs them. */
export async function linkPair(
  rt: Runtime,
  p: { flow?: string; sf: string; qb: string; trigger: string; flowHint?: string },
): Promise<SyncReport> {
  return runSync(rt.engine, {
    flows: [chooseFlow(rt, p.flow, p.flowHint)],
    trigger: p.trigger,
    records: { pairs: [{ sf: p.sf, qb: p.qb }] },
  });
}

/** Creates unmatched records (entry ids) on the other side, even with create-missing off. */
export async function createUnmatched(rt: Runtime, ids: string[], trigger: string): Promise<SyncReport> {
  const rows = (await listUnmatched(rt.store.db, { status: 'all', limit: 100000 })).filter((r) =>
    ids.includes(String(r.id)),
  );
  if (rows.length !== ids.length)
    throw new OperationError(
      'not-found',
      `no unmatched entry ${ids.filter((id) => !rows.some((r) => String(r.id) === id)).join(', ')}`,
    );
  const flows = [...new Set(rows.map((r) => r.flow))];
  if (flows.length > 1) throw new OperationError('invalid', 'create entries of one flow at a time');
  return runSync(rt.engine, {
    flows,
    trigger,
    records: {
      sf: rows.filter((r) => r.side === 'sf').map((r) => r.record_id),
      qb: rows.filter((r) => r.side === 'qb').map((r) => r.record_id),
      create: true,
    },
  });
}

/** Stops listing unmatched entries (in order; stops at the first id that does not exist). */
export async function ignoreUnmatched(rt: Runtime, ids: string[]): Promise<void> {
  for (const id of ids)
    if (!(await setUnmatchedStatus(rt.store.db, Number(id), 'ignored')))
      throw new OperationError('not-found', `no unmatched entry ${id}`);
}

/** Syncs the records of errors again now (one run per flow); `keep` settles conflicts held for review. */
export async function retryErrors(
  rt: Runtime,
  p: { ids?: string[]; all?: boolean; keep?: 'salesforce' | 'quickbooks'; trigger: string },
): Promise<SyncReport[]> {
  const ids = p.ids ?? [];
  const rows: ErrorRow[] = p.all
    ? await listErrors(rt.store.db, { status: 'open', limit: 100000 })
    : await getErrors(rt.store.db, ids.map(Number));
  if (!p.all && rows.length !== ids.length)
    throw new OperationError(
      'not-found',
      `no error ${ids.filter((id) => !rows.some((r) => String(r.id) === id)).join(', ')}`,
    );
  const out: SyncReport[] = [];
  for (const flow of [...new Set(rows.map((r) => r.flow))]) {
    const mine = rows.filter((r) => r.flow === flow);
    out.push(
      await runSync(rt.engine, {
        flows: [flow],
        trigger: p.trigger,
        records: {
          sf: mine.map((r) => r.sf_id).filter((x): x is string => !!x),
          qb: mine.map((r) => r.qb_id).filter((x): x is string => !!x),
          keep: p.keep,
        },
      }),
    );
  }
  return out;
}

/** One run with the count and the outcome of every record. */
export interface RunDetail {
  run: RunRow;
  counts: Record<string, number>;
  outcomes: Array<Record<string, unknown>>;
}

/** One run, with its outcomes (optionally only those of one action). */
export async function showRun(
  rt: Runtime,
  id: string,
  opts: { action?: string; limit?: number } = {},
): Promise<RunDetail> {
  const run = await getRun(rt.store.db, Number(id));
  if (!run) throw new OperationError('not-found', `no run ${id}`);
  return {
    run,
    counts: await outcomeCounts(rt.store.db, run.id),
    outcomes: await listOutcomes(rt.store.db, {
      runId: run.id,
      action: opts.action,
      limit: opts.limit ?? 5000,
    }),
  };
}
