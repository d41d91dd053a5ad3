import { trimHeap } from './memory.ts';
import { randomUUID } from 'node:crypto';
import { ApiLimitError, AuthError, ConnectorError } from '../connectors/errors.ts';
import { describeFault, QboApiError, QboUsageError } from '../connectors/qbo/errors.ts';
import type { Store } from '../store/database.ts';
import { journalPending } from '../store/journal.ts';
import type { FlowModel } from './model.ts';
import type { QbBatchItem, QbBatchItemResult, QbPort } from './ports.ts';
import { qbCreateBody, qbSparseBody } from './values.ts';
import { qbFailure, type Work, type WriteFailure } from './work.ts';

/** QuickBooks Online takes at most 30 operations per batch call. */
export const QB_BATCH_SIZE = 30;

/** What the journal keeps per batch item, enough to apply its result after a crash. */
export interface QbJournalItem {
  bId: string;
  op: 'create' | 'update' | 'deactivate';
  sfId: string | null;
  qbId: string | null;
  origin: string | null;
  sfVersion: string | null;
  sfState: Record<string, string> | null;
}

/** The journalled request of one batch. */
export interface QbJournalRequest {
  entity: string;
  items: QbBatchItem[];
}

/** The batch item for a work's QuickBooks write. */
export function qbItemFor(model: FlowModel, w: Work, bId: string): QbBatchItem {
  const { d } = w;
  const write = d.qb!;
  const q = d.unit.q;
  const entity = model.qb.entity;
  if (write.op === 'create') return { bId, operation: 'create', entity, body: qbCreateBody(write.values) };
  const syncToken = q?.SyncToken ?? d.unit.link?.qb_version ?? '0';
  const current = q ?? { Id: w.qbId! };
  if (write.op === 'deactivate')
    return {
      bId,
      operation: 'update',
      entity,
      body: { Id: current.Id, SyncToken: syncToken, sparse: true, Active: false },
    };
  return {
    bId,
    operation: 'update',
    entity,
    body: qbSparseBody(current, syncToken, write.values, write.reactivate ? { Active: true } : {}),
  };
}

function journalItem(model: FlowModel, w: Work, bId: string): QbJournalItem {
  const { d } = w;
  const s = d.unit.s;
  return {
    bId,
    op: d.qb!.op,
    sfId: w.sfId,
    qbId: w.qbId,
    origin: d.newLink?.origin ?? (d.qb!.op === 'create' ? 'created:quickbooks' : null),
    sfVersion: s?.SystemModstamp ?? d.unit.link?.sf_version ?? null,
    sfState: s ? model.sfState(s) : (d.unit.link?.sf_state ?? null),
  };
}

/**
 * Thrown to stop a run cleanly: the daily quota or the credentials ran out mid-run, or a batch
 * left in flight by an earlier run still cannot be replayed (resumable: the next run tries again).
 */
export class RunStopped extends Error {
  override name = 'RunStopped';
  constructor(
    readonly reason: ConnectorError,
    readonly status: 'resumable' | 'failed',
  ) {
    super(reason.message);
  }
}

/**
 * Whether a failed batch call was certainly not applied: QuickBooks refused the request as a whole
 * with a Fault and a 4xx status (400 validation, 404, 405 …; not 401, which a token refresh cures,
 * nor 429, which is throttling), or the connector refused to send it. Anything else — a timeout, a
 * 5xx, a dropped connection — leaves the outcome unknown.
 */
export function refusedBatch(e: unknown): e is QboApiError | QboUsageError {
  if (e instanceof QboUsageError) return true;
  if (!(e instanceof QboApiError)) return false;
  const status = e.status ?? 0;
  return status >= 400 && status < 500 && status !== 401 && status !== 429;
}

/** The write failure each item of a refused batch gets: a validation error naming QuickBooks' reason. */
export function refusalFailure(e: QboApiError | QboUsageError, payload?: unknown): WriteFailure {
  const why = e instanceof QboApiError ? describeFault(e.fault) : e.message;
  const status = e instanceof QboApiError && e.status ? ` (HTTP ${e.status})` : '';
  return {
    code: e.code ?? 'REFUSED',
    message: `QuickBooks refused the whole batch${status}, nothing in it was applied: ${why}`,
    transient: false,
    payload,
  };
}

/** Whether a batch item's fault is the connector's "the answer has no such item" (outcome unknown). */
function unanswered(r: QbBatchItemResult | undefined): boolean {
  return !r || (!r.entity && (!r.fault || r.fault.errors.some((e) => e.code === 'NO_ANSWER')));
}

/**
 * Sends the QuickBooks writes of a chunk: batches of 30, a few in flight, each journalled with its
 * request id (committed) before it leaves; the connector retries a batch with the same id, so a
 * dropped response or a timeout makes QuickBooks replay, never write twice. Results land on the works;
 * the journal keys of answered batches come back, to be marked applied with the chunk's commit.
 */
export async function writeQuickbooks(
  store: Store,
  model: FlowModel,
  qb: QbPort,
  works: Work[],
  opts: { runId: number; concurrency: number; onBatch?: (done: number) => void },
): Promise<{ keys: string[]; stopped: RunStopped | null }> {
  const todo = works.filter((w) => w.d.qb);
  const batches: Work[][] = [];
  for (let i = 0; i < todo.length; i += QB_BATCH_SIZE) batches.push(todo.slice(i, i + QB_BATCH_SIZE));
  const keys: string[] = [];
  let next = 0;
  let stopped: RunStopped | null = null;

  const worker = async () => {
    while (!stopped && next < batches.length) {
      const batch = batches[next++]!;
      const key = randomUUID();
      const items = batch.map((w, i) => qbItemFor(model, w, `b${i}`));
      const meta = batch.map((w, i) => journalItem(model, w, `b${i}`));
      batch.forEach((w, i) => (w.qb = { body: items[i]!.body }));
      await journalPending(store.db, {
        key,
        flow: model.name,
        target: 'qb',
        request: { entity: model.qb.entity, items } satisfies QbJournalRequest,
        items: meta,
        runId: opts.runId,
      });
      let results: QbBatchItemResult[];
      try {
        results = await qb.batch(items, key);
      } catch (e) {
        if (e instanceof ApiLimitError || e instanceof AuthError) {
          stopped = new RunStopped(e, e instanceof ApiLimitError ? 'resumable' : 'failed');
          for (const w of batch)
            w.qb = { ...w.qb, failure: { code: e.name, message: e.message, transient: true } };
          return;
        }
        if (refusedBatch(e)) {
          // Refused as a whole, so certainly not applied: the entry is abandoned with the chunk's
          // commit (never replayed), its records queued with QuickBooks' reason, and the rest goes on.
          batch.forEach((w, i) => {
            const body = items[i]!.body;
            w.qb = { body, failure: refusalFailure(e, body), abandonedKey: key };
          });
          opts.onBatch?.(batch.length);
          continue;
        }
        // The outcome is unknown: the journal entry stays pending and the next run replays it.
        const message = e instanceof Error ? e.message : String(e);
        const code = e instanceof ConnectorError ? (e.code ?? 'TRANSIENT') : 'TRANSIENT';
        for (const w of batch)
          w.qb = {
            ...w.qb,
            failure: { code, message: `QuickBooks batch failed: ${message}`, transient: true },
          };
        opts.onBatch?.(batch.length);
        continue;
      }
      const byBid = new Map(results.map((r) => [r.bId, r]));
      let complete = true;
      batch.forEach((w, i) => {
        const r = byBid.get(`b${i}`);
        const body = items[i]!.body;
        if (r?.entity) w.qb = { entity: r.entity, body };
        else if (unanswered(r)) {
          // QuickBooks may have applied it (a create may exist): the entry stays pending, so the next
          // run replays the batch with the same request id and gets the original answers.
          complete = false;
          w.qb = {
            body,
            failure: {
              code: 'NO_ANSWER',
              message:
                "QuickBooks' batch answer has no result for this item; its outcome is unknown until the batch is replayed",
              transient: true,
              payload: body,
            },
          };
        } else {
          const failure = qbFailure(r!.fault!, body);
          w.qb = { failure, body, stale: failure.code === '5010' };
        }
      });
      if (complete) keys.push(key);
      opts.onBatch?.(batch.length);
      // A chunk's batches answer with whole entities: a large chunk's garbage is collected as it goes.
      trimHeap();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, batches.length)) }, worker));
  return { keys, stopped };
}
