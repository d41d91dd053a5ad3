import { dropAbandonedStaging } from '../store/staged-records.ts';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { ApiLimitError } from '../connectors/errors.ts';
import type { Store } from '../store/database.ts';
import { acquireLease, LeaseHeldError, releaseLease, renewLease } from '../store/leases.ts';
import { closeAbandonedRuns, finishRun, heartbeat, startRun } from '../store/runs.ts';
import type { RunMode, RunStatus, Schema } from '../store/schema.ts';
import type { FlowModel } from './model.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import { runFlow, type FlowRunReport, type RecordSelection } from './run-flow.ts';
import { RunStopped } from './write-qbo.ts';

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
  /** How long a flow's lease lasts without renewal (default 300 s; tests shorten it). */
  leaseSeconds?: number;
  /** How often the run's heartbeat and leases are renewed while it runs (default 30 s). */
  heartbeatMs?: number;
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

/** Thrown when a flow is about to be written by a run that no longer holds its lease. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

const LEASE_SECONDS = 300;
const HEARTBEAT_MS = 30_000;
const RANK: Record<string, number> = { succeeded: 0, partial: 1, resumable: 2, failed: 3 };

/** The stop of a run that lost a flow's lease: resumable, nothing more written. */
function leaseLost(lease: string): RunStopped {
  const e = new LeaseLostError(
    `${lease}: this run lost its lease (another run took the flow over); stopped before writing more, the next run resumes`,
  );
  // RunStopped carries the connector error that stopped a run; a lost lease stops it the same way.
  return new RunStopped(e as unknown as ApiLimitError, 'resumable');
}

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
async function takeLease(db: Kysely<Schema>, lease: string, owner: string, seconds: number): Promise<void> {
  try {
    await acquireLease(db, lease, owner, seconds);
  } catch (e) {
    const deadRun = e instanceof LeaseHeldError ? deadLocalOwner(e.owner) : null;
    if (deadRun === null) throw e;
    await db
      .deleteFrom('leases')
      .where('name', '=', lease)
      .where('owner', '=', (e as LeaseHeldError).owner)
      .execute();
    await db
      .updateTable('runs')
      .set({
        status: 'resumable',
        finished_at: new Date(),
        message: 'the process running it stopped; the next run resumes its work',
      })
      .where('id', '=', deadRun)
      .where('status', '=', 'running')
      .execute();
    await acquireLease(db, lease, owner, seconds);
  }
}

/**
 * Runs flows once: one run record, a lease per flow so two workers never sync the same flow at
 * once (all taken before the run is recorded: a sync refused with LeaseHeldError leaves no run), a
 * heartbeat and lease renewal on a timer for the whole run (a run whose process died is later
 * marked resumable; a live one never is), and the API calls each system received. A run that
 * finds it lost a flow's lease stops before its next write, resumable.
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
  const leaseSeconds = req.leaseSeconds ?? LEASE_SECONDS;
  // The run and the leases of all its flows, together (sorted: two runs never wait on each other).
  const { run, owner } = await db.transaction().execute(async (trx) => {
    const run = await startRun(trx, { flows: names, mode, trigger: req.trigger });
    const owner = `${hostname()}:${process.pid}:run-${run.id}`;
    for (const n of [...names].sort()) await takeLease(trx, `flow:${n}`, owner, leaseSeconds);
    return { run, owner };
  });
  const started = Date.now();
  const held = new Set(names.map((n) => `flow:${n}`));
  const lost = new Set<string>();
  /** Renews a lease we hold; false (and remembered) once it is lost. */
  const renew = async (lease: string): Promise<boolean> => {
    if (lost.has(lease)) return false;
    if (await renewLease(db, lease, owner, leaseSeconds)) return true;
    if (held.delete(lease)) lost.add(lease);
    return false;
  };
  let beating: Promise<void> | null = null;
  const beat = async () => {
    await heartbeat(db, run.id);
    for (const lease of [...held]) await renew(lease);
  };
  const timer = setInterval(() => {
    if (beating) return;
    // A failed beat (the store busy or away for a moment) is tried again on the next tick.
    beating = beat()
      .catch(() => {})
      .finally(() => {
        beating = null;
      });
  }, req.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  const reports: FlowRunReport[] = [];
  const sfBefore = new Map<SfPort, Record<string, number>>();
  const qbBefore = new Map<QbPort, Record<string, number>>();
  let status: SyncReport['status'] = 'succeeded';
  let message: string | undefined;
  let runMode: RunMode = mode;
  let result: SyncReport | undefined;

  try {
    // Records staged by runs that are over (a killed process's among them, just closed above).
    await dropAbandonedStaging(db);
    for (const name of names) {
      const model = await ctx.model(name);
      const sf = await ctx.salesforce(model.sf.connection);
      const qb = await ctx.qbo(model.qb.connection);
      if (!sfBefore.has(sf)) sfBefore.set(sf, sf.stats.snapshot());
      if (!qbBefore.has(qb)) qbBefore.set(qb, qb.stats.snapshot());
      const lease = `flow:${name}`;
      const check = async (): Promise<RunStopped | null> => ((await renew(lease)) ? null : leaseLost(lease));
      const lostBefore = await check();
      if (lostBefore) {
        status = 'resumable';
        message = `${name}: ${lostBefore.message}`;
        break;
      }
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
            const stop = await check();
            if (stop) throw stop;
          },
          beforeWrite: check,
        });
        reports.push(report);
        if (report.mode === 'initial' && runMode === 'incremental') runMode = 'initial';
        if ((RANK[report.status] ?? 0) > (RANK[status] ?? 0)) status = report.status;
        if (report.message) message = `${name}: ${report.message}`;
        // A run stopped by a quota or by credentials does not start the next flows.
        if (report.status === 'resumable' || report.status === 'failed') break;
      } finally {
        held.delete(lease);
        await releaseLease(db, lease, owner);
      }
    }
  } catch (e) {
    status = 'failed';
    message = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    clearInterval(timer);
    await beating;
    for (const lease of held) await releaseLease(db, lease, owner);
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
