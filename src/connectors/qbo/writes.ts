import { checkEntityName, entityPath } from './entities.ts';
import { faultOf, hasCode, QboUsageError } from './errors.ts';
import { stringifyExact } from './json.ts';
import type { Reader } from './reads.ts';
import type { Transport } from './transport.ts';
import type { BatchItem, BatchItemResult, QboFault, QbRecord } from './types.ts';

/** The most items one batch request may carry. */
export const MAX_BATCH_ITEMS = 30;
/** QuickBooks' limits on `requestid`: 50 characters, 36 on a batch (requestid + bId ≤ 50). */
export const MAX_REQUEST_ID = 50;
export const MAX_BATCH_REQUEST_ID = 36;
// Rounds of refetch-and-reapply when a record keeps changing under us.
const REAPPLY_ROUNDS = 3;

type Obj = Record<string, unknown>;

/** Throws QboUsageError unless the requestid fits QuickBooks' limit. */
export function checkRequestId(requestId: string, max: number, what: string): void {
  if (typeof requestId !== 'string' || requestId.length === 0) {
    throw new QboUsageError(
      `${what}: a requestid is required (QuickBooks uses it to answer a retry without writing twice)`,
    );
  }
  if (requestId.length > max) {
    throw new QboUsageError(
      `${what}: requestid "${requestId}" has ${requestId.length} characters; QuickBooks allows at most ${max}`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(requestId)) {
    throw new QboUsageError(`${what}: requestid "${requestId}" must be printable ASCII without spaces`);
  }
}

function checkBatch(items: BatchItem[], requestId: string): void {
  checkRequestId(requestId, MAX_BATCH_REQUEST_ID, 'batch');
  if (items.length === 0) throw new QboUsageError('batch: no items');
  if (items.length > MAX_BATCH_ITEMS) {
    throw new QboUsageError(
      `batch: ${items.length} items; QuickBooks takes at most ${MAX_BATCH_ITEMS} per batch request`,
    );
  }
  const seen = new Set<string>();
  for (const item of items) {
    checkEntityName(item.entity);
    if (!item.bId) throw new QboUsageError('batch: every item needs a bId');
    if (seen.has(item.bId)) throw new QboUsageError(`batch: bId "${item.bId}" appears twice`);
    seen.add(item.bId);
    // QuickBooks makes each item idempotent under requestid + bId, which must fit in 50 characters.
    if (requestId.length + item.bId.length > MAX_REQUEST_ID) {
      throw new QboUsageError(
        `batch: requestid "${requestId}" + bId "${item.bId}" is ${requestId.length + item.bId.length} characters; QuickBooks allows ${MAX_REQUEST_ID}`,
      );
    }
    if (!['create', 'update', 'delete'].includes(item.operation)) {
      throw new QboUsageError(
        `batch: operation "${String(item.operation)}" (bId ${item.bId}) is not create, update or delete`,
      );
    }
  }
}

function noAnswer(bId: string): QboFault {
  return {
    type: 'ledgerbridge',
    errors: [{ code: 'NO_ANSWER', message: `QuickBooks' batch answer has no item ${bId}` }],
  };
}

function notFound(id: string): QboFault {
  return {
    type: 'ValidationFault',
    errors: [
      {
        code: '610',
        message: 'Object Not Found',
        detail: `Object Not Found : no record with Id ${id} to re-apply the change to`,
      },
    ],
  };
}

function entityOf(o: Obj): QbRecord | undefined {
  for (const [k, v] of Object.entries(o)) {
    if (k === 'bId' || k === 'Fault' || k === 'QueryResponse') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as QbRecord;
  }
  return undefined;
}

/** Batch, single writes and stale-token recovery. */
export class Writer {
  constructor(
    private readonly transport: Transport,
    private readonly reader: Reader,
  ) {}

  /** See QboConnector.batch. */
  async batch(items: BatchItem[], requestId: string): Promise<BatchItemResult[]> {
    checkBatch(items, requestId);
    const body = {
      BatchItemRequest: items.map((i) => ({ bId: i.bId, operation: i.operation, [i.entity]: i.body })),
    };
    const answer = await this.transport.send({
      method: 'POST',
      path: '/batch',
      params: { requestid: requestId },
      body: stringifyExact(body),
      endpoint: 'POST batch',
      kind: 'batch',
    });
    const list = Array.isArray(answer.body.BatchItemResponse) ? (answer.body.BatchItemResponse as Obj[]) : [];
    const byBid = new Map<string, Obj>();
    for (const r of list) if (r && typeof r === 'object' && r.bId !== undefined) byBid.set(String(r.bId), r);
    return items.map((item): BatchItemResult => {
      const r = byBid.get(item.bId);
      if (!r) return { bId: item.bId, fault: noAnswer(item.bId) };
      const fault = faultOf(r);
      if (fault) return { bId: item.bId, fault };
      const entity = entityOf(r);
      return entity ? { bId: item.bId, entity } : { bId: item.bId, fault: noAnswer(item.bId) };
    });
  }

  /** See QboConnector.write. */
  async write(
    entity: string,
    operation: 'create' | 'update' | 'delete',
    body: Obj,
    requestId: string,
  ): Promise<QbRecord> {
    checkEntityName(entity);
    checkRequestId(requestId, MAX_REQUEST_ID, `${operation} ${entity}`);
    const params: Record<string, string> = { requestid: requestId };
    if (operation !== 'create') params.operation = operation;
    const answer = await this.transport.send({
      method: 'POST',
      path: `/${entityPath(entity)}`,
      params,
      body: stringifyExact(body),
      endpoint: `POST ${entityPath(entity)}`,
      kind: 'write',
    });
    const rec = answer.body[entity] ?? Object.entries(answer.body).find(([k]) => k !== 'time')?.[1];
    if (!rec || typeof rec !== 'object') {
      throw new QboUsageError(`${operation} ${entity}: QuickBooks answered without the ${entity}`);
    }
    return rec as QbRecord;
  }

  /**
   * Re-applies sparse patches that failed with 5010: reads the current records in one query,
   * sends each patch with the fresh SyncToken in batches (requestids `<prefix>-<round>-<n>`),
   * and repeats for items that went stale again, up to three rounds.
   */
  async reapplyStale(
    entity: string,
    patches: Array<{ bId: string; id: string; patch: Obj }>,
    requestIdPrefix: string,
  ): Promise<BatchItemResult[]> {
    checkEntityName(entity);
    const longestSuffix = `-${REAPPLY_ROUNDS}-${Math.ceil(patches.length / MAX_BATCH_ITEMS)}`.length;
    checkRequestId(
      `${requestIdPrefix}${'x'.repeat(longestSuffix)}`,
      MAX_BATCH_REQUEST_ID,
      'reapplyStale (prefix + round suffix)',
    );
    const results = new Map<string, BatchItemResult>();
    const byBid = new Map(patches.map((p) => [p.bId, p]));
    let pending = patches;
    for (let round = 1; round <= REAPPLY_ROUNDS && pending.length > 0; round++) {
      const current = new Map(
        (
          await this.reader.readMany(
            entity,
            pending.map((p) => p.id),
          )
        ).map((r) => [String(r.Id), r]),
      );
      const items: BatchItem[] = [];
      for (const p of pending) {
        const rec = current.get(String(p.id));
        if (!rec) {
          results.set(p.bId, { bId: p.bId, fault: notFound(p.id) });
          continue;
        }
        items.push({
          bId: p.bId,
          operation: 'update',
          entity,
          body: { ...p.patch, Id: String(rec.Id), SyncToken: rec.SyncToken, sparse: true },
        });
      }
      const stale: typeof pending = [];
      for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS) {
        const chunk = items.slice(i, i + MAX_BATCH_ITEMS);
        const answers = await this.batch(chunk, `${requestIdPrefix}-${round}-${i / MAX_BATCH_ITEMS + 1}`);
        for (const a of answers) {
          results.set(a.bId, a);
          if (round < REAPPLY_ROUNDS && hasCode(a.fault, '5010')) stale.push(byBid.get(a.bId)!);
        }
      }
      pending = stale;
    }
    return patches.map((p) => results.get(p.bId) ?? { bId: p.bId, fault: noAnswer(p.bId) });
  }
}
