import { hostname } from 'node:os';
import type { Store } from '../store/database.ts';
import { acquireLease, LeaseHeldError, releaseLease, renewLease } from '../store/leases.ts';
import { closeAbandonedRuns, finishRun, heartbeat, startRun } from '../store/runs.ts';
import type { RunMode, RunStatus } from '../store/schema.ts';
import type { FlowModel } from './model.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import { runFlow, type FlowRunReport, type RecordSelection } from './run-flow.ts';

/** What the engine needs to run flows: the store, the flows, and connectors by connection id. */
export interface EngineContext {
  store: Store;
  /** Flow names in run order (dependency order: customers before invoices …). */
  flowNames(): string[];
  model(flow: string): Promise<FlowModel>;
  salesforce(connectionId: string): Promise<SfPort>;
  qbo(connectionId: string): Promise<QbPort>;
}

/** A request to sync. */
export interface SyncRequest {
  /** Flows to run (default: all, in order). */
  flows?: string[];
  dryRun?: boolean;
  /** Who asked: cli, api, schedule, webhook, demo … */
  trigger: string;
  /** Only these records (W4 / errors retry / linking by hand). */
  records?: RecordSelection;
  onProgress?: ProgressListener;
  qbConcurrency?: number;
  chunkSize?: number;
  overlapSeconds?: number;
}

/** What a sync did, for the CLI, the API and the demo. */
export interface SyncReport {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  mode: RunMode;
  startedAt: string;
  durationMs: number;
  flows: FlowRunReport[];
  apiCalls: {
    salesforce: { total: number; byEndpoint: Record<string, number> };
    quickbooks: { total: number; byEndpoint: Record<string, number> };
  };
  message?: string;
}

/** Thrown when a sync names a flow the configuration does not have. */
export class UnknownFlowError extends Error {
  override name = 'UnknownFlowError';
}

const LEASE_SECONDS = 300;
const RANK: Record<string, number> = { succeeded: 0, partial: 1, resumable: 2, failed: 3 };

function delta(
  after: Record<string, number>,
  before: Record<string, number>,
): { total: number; byEndpoint: Record<string, number> } {
  const byEndpoint: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(after)) {
    const n = v - (before[k] ?? 0);
    if (n > 0) {
      byEndpoint[k] = n;
      total += n;
    }
  }
  return { total, byEndpoint };
}

/** The run that holds a lease, when it is a process on this machine that no longer exists. */
function deadLocalOwner(owner: string): number | null {
  const m = /^(.*):(\d+):run-(\d+)$/.exec(owner);
  if (!m || m[1] !== hostname()) return null;
  const pid = Number(m[2]);
  if (pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? Number(m[3]) : null;
  }
}

/**
 * Takes a flow's lease. A lease left by a process of this machine that was killed (or crashed) is
 * void at once — a restart must not wait for it to expire — and that run is marked resumable.
 */
async function takeLease(store: Store, lease: string, owner: string): Promise<void> {
  try {
    await acquireLease(store.db, lease, owner, LEASE_SECONDS);
  } catch (e) {
    const deadRun = e instanceof LeaseHeldError ? deadLocalOwner(e.owner) : null;
    if (deadRun === null) throw e;
    await store.db
      .deleteFrom('leases')
      .where('name', '=', lease)
      .where('owner', '=', (e as LeaseHeldError).owner)
      .execute();
    await store.db
      .updateTable('runs')
      .set({
        status: 'resumable',
        finished_at: new Date(),
        message: 'the process running it stopped; the next run resumes its work',
      })
      .where('id', '=', deadRun)
      .where('status', '=', 'running')
      .execute();
    await acquireLease(store.db, lease, owner, LEASE_SECONDS);
  }
}

/**
 * Runs flows once: one run record, a lease per flow so two workers never sync the same flow at
 * once, a heartbeat between chunks (a run whose process died is later marked resumable), and the
 * API calls each system received.
 */
export async function runSync(ctx: EngineContext, req: SyncRequest): Promise<SyncReport> {
  const all = ctx.flowNames();
  const names = req.flows?.length ? req.flows : all;
  for (const n of names)
    if (!all.includes(n))
      throw new UnknownFlowError(`no flow named "${n}" (flows: ${all.join(', ') || 'none'})`);
  const db = ctx.store.db;
  await closeAbandonedRuns(db);
  const mode: RunMode = req.dryRun ? 'dry-run' : req.records ? 'record' : 'incremental';
  const run = await startRun(db, { flows: names, mode, trigger: req.trigger });
  const started = Date.now();
  const owner = `${hostname()}:${process.pid}:run-${run.id}`;
  const reports: FlowRunReport[] = [];
  const sfBefore = new Map<SfPort, Record<string, number>>();
  const qbBefore = new Map<QbPort, Record<string, number>>();
  let status: SyncReport['status'] = 'succeeded';
  let message: string | undefined;
  let runMode: RunMode = mode;
  let result: SyncReport | undefined;

  try {
    for (const name of names) {
      const model = await ctx.model(name);
      const sf = await ctx.salesforce(model.sf.connection);
      const qb = await ctx.qbo(model.qb.connection);
      if (!sfBefore.has(sf)) sfBefore.set(sf, sf.stats.snapshot());
      if (!qbBefore.has(qb)) qbBefore.set(qb, qb.stats.snapshot());
      const lease = `flow:${name}`;
      await takeLease(ctx.store, lease, owner);
      try {
        const report = await runFlow(ctx.store, model, sf, qb, {
          runId: run.id,
          dryRun: req.dryRun,
          records: req.records,
          onProgress: req.onProgress,
          qbConcurrency: req.qbConcurrency,
          chunkSize: req.chunkSize,
          overlapSeconds: req.overlapSeconds,
          onChunk: async () => {
            await heartbeat(db, run.id);
            await renewLease(db, lease, owner, LEASE_SECONDS);
          },
        });
        reports.push(report);
        if (report.mode === 'initial' && runMode === 'incremental') runMode = 'initial';
        if ((RANK[report.status] ?? 0) > (RANK[status] ?? 0)) status = report.status;
        if (report.message) message = `${name}: ${report.message}`;
        // A run stopped by a quota or by credentials does not start the next flows.
        if (report.status === 'resumable' || report.status === 'failed') break;
      } finally {
        await releaseLease(db, lease, owner);
      }
    }
  } catch (e) {
    status = 'failed';
    message = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    const apiCalls = {
      salesforce: { total: 0, byEndpoint: {} as Record<string, number> },
      quickbooks: { total: 0, byEndpoint: {} as Record<string, number> },
    };
    for (const [sf, before] of sfBefore) {
      const d = delta(sf.stats.snapshot(), before);
      apiCalls.salesforce.total += d.total;
      Object.assign(apiCalls.salesforce.byEndpoint, d.byEndpoint);
    }
    for (const [qb, before] of qbBefore) {
      const d = delta(qb.stats.snapshot(), before);
      apiCalls.quickbooks.total += d.total;
      Object.assign(apiCalls.quickbooks.byEndpoint, d.byEndpoint);
    }
    const stats = {
      mode: runMode,
      flows: Object.fromEntries(
        reports.map((r) => [
          r.flow,
          { mode: r.mode, status: r.status, read: r.read, counts: r.counts, recovered: r.recovered },
        ]),
      ),
      durationMs: Date.now() - started,
    };
    await finishRun(db, run.id, { status, stats, apiCalls, message: message ?? null });
    result = {
      runId: run.id,
      status,
      mode: runMode,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      flows: reports,
      apiCalls,
      message,
    };
  }
  return result!;
}
