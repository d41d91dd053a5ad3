import type { Logger } from 'pino';
import { SelectionError } from '../engine/run-flow.ts';
import { runSync, type EngineContext, type SyncReport } from '../engine/sync.ts';
import { LeaseHeldError } from '../store/leases.ts';

/** What is waiting to be synced for one flow. */
interface Pending {
  /** QuickBooks ids of changed records. */
  qb: Set<string>;
  /** A change record mode cannot take (a delete, a merge): run the flow's incremental sync instead. */
  full: boolean;
}

export interface WebhookSyncOptions {
  /** Quiet time gathered before a run starts (default 500 ms). */
  debounceMs?: number;
  /** A steady stream of notifications still starts a run after this long (default 5 s). */
  maxWaitMs?: number;
  /** Wait before trying again when another run holds the flow (default 1 s). */
  busyRetryMs?: number;
  /** Called with each finished run (tests, the demo). */
  onRun?: (report: SyncReport) => void;
}

/**
 * Turns webhook notifications into syncs: changes are gathered (debounced, coalesced per flow)
 * and run as record-mode syncs of just those QuickBooks records, one at a time, with trigger
 * 'webhook'. Notifications that arrive while a run is going wait for it and go in the next run;
 * a flow another process is syncing is tried again shortly. A change the record mode cannot take
 * (a deleted or merged record) makes that flow run its ordinary incremental sync instead. Nothing
 * is lost if the process stops: record mode never moves cursors, so the next incremental sync
 * reads these changes anyway.
 */
export class WebhookSync {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private firstQueuedAt = 0;
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly busyRetryMs: number;

  constructor(
    private readonly engine: EngineContext,
    private readonly logger: Logger,
    private readonly opts: WebhookSyncOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 5000;
    this.busyRetryMs = opts.busyRetryMs ?? 1000;
  }

  /** Queues changed QuickBooks records of a flow (`full`: run the whole incremental sync). */
  enqueue(flow: string, qbIds: readonly string[], full = false): void {
    if (this.closed) return;
    this.merge(flow, qbIds, full);
    this.schedule(this.debounceMs);
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.timer || this.draining || this.pending.size > 0) {
      if (this.closed) return;
      if (this.draining) await this.draining;
      else await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops taking notifications and waits for the run in progress (queued ones are left to the next incremental sync). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.draining;
  }

  private merge(flow: string, qbIds: readonly string[], full: boolean): void {
    let p = this.pending.get(flow);
    if (!p) {
      p = { qb: new Set(), full: false };
      this.pending.set(flow, p);
    }
    for (const id of qbIds) p.qb.add(id);
    if (full) p.full = true;
  }

  private schedule(delayMs: number): void {
    const now = Date.now();
    if (!this.timer) this.firstQueuedAt = now;
    else {
      // trailing debounce, but never beyond maxWait after the first queued change
      if (now - this.firstQueuedAt >= this.maxWaitMs) return;
      clearTimeout(this.timer);
    }
    const wait = Math.min(delayMs, Math.max(0, this.firstQueuedAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.closed || this.draining) return; // a running drain picks the queue up when it is done
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    const busy = new Map<string, Pending>();
    while (this.pending.size > 0 && !this.closed) {
      const batch = [...this.pending];
      this.pending.clear();
      for (const [flow, p] of batch) {
        if (this.closed) return;
        const again = await this.runFlow(flow, p).catch((e: unknown) => {
          this.logger.warn({ flow, err: e }, 'webhook sync could not start');
          return null;
        });
        if (again) {
          const b = busy.get(flow);
          if (b) {
            for (const id of again.qb) b.qb.add(id);
            b.full ||= again.full;
          } else busy.set(flow, again);
        }
      }
    }
    if (busy.size > 0 && !this.closed) {
      for (const [flow, p] of busy) this.merge(flow, [...p.qb], p.full);
      this.schedule(this.busyRetryMs);
    }
  }

  /** Runs one flow's queued changes; returns them when the flow was busy (to try again). */
  private async runFlow(flow: string, p: Pending): Promise<Pending | null> {
    const ids = [...p.qb];
    const full = p.full || ids.length === 0;
    try {
      const report = await runSync(this.engine, {
        flows: [flow],
        trigger: 'webhook',
        ...(full ? {} : { records: { qb: ids } }),
      });
      this.logger.info(
        { flow, run: report.runId, status: report.status, records: full ? 'incremental' : ids.length },
        'webhook sync finished',
      );
      this.opts.onRun?.(report);
    } catch (e) {
      // Another run holds the flow (a refused sync records no run): wait for it and try again.
      if (e instanceof LeaseHeldError) {
        this.logger.info({ flow, holder: e.owner }, 'flow busy; webhook changes wait for the next try');
        return p;
      }
      if (e instanceof SelectionError && !full) {
        // a record cannot be taken alone: let the incremental sync sort it out
        this.logger.info(
          { flow, reason: e.message },
          'webhook records not syncable alone; running incremental',
        );
        return this.runFlow(flow, { qb: new Set(), full: true });
      }
      this.logger.warn(
        { flow, err: e },
        'webhook sync failed; the next incremental sync picks the changes up',
      );
    }
    return null;
  }
}
