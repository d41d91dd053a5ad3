import { businessValidation, QboFault, unsupportedOperation, unsupportedProperty } from '../errors.ts';
import type { RequestIdCache } from '../idempotency.ts';
import { executeQuery, queryResponseJson } from '../query/execute.ts';
import { parseQuery } from '../query/parse.ts';
import { entityByName } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { runWrite, type WriteOperation } from './operations.ts';
import { requestIdTooLong, MAX_REQUEST_ID } from './request-id.ts';

/** The most items one batch request may carry. */
export const MAX_BATCH_ITEMS = 30;

const ITEM_KEYS = new Set(['bId', 'operation', 'optionsData', 'Query', 'ReportQuery', 'CDCQuery']);
const OPERATIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'void']);

type Obj = Record<string, unknown>;

function itemResult(co: Company, item: Obj, include: ReadonlySet<string>): string {
  if (typeof item.Query === 'string') {
    return `"QueryResponse":${queryResponseJson(executeQuery(co, parseQuery(item.Query)))}`;
  }
  if (item.ReportQuery !== undefined || item.CDCQuery !== undefined) {
    throw unsupportedOperation('Operation ReportQuery/CDCQuery in batch is not supported by this emulator.');
  }
  const keys = Object.keys(item).filter((k) => !ITEM_KEYS.has(k));
  if (keys.length !== 1) {
    throw unsupportedProperty(
      keys.length === 0
        ? 'BatchItemRequest must carry one entity, a Query or a CDCQuery'
        : `Unrecognized field "${keys[1]}" (class com.intuit.schema.finance.v3.BatchItemRequest), not marked as ignorable`,
    );
  }
  const key = keys[0]!;
  const def = entityByName(key);
  if (!def || def.name !== key) {
    throw unsupportedProperty(
      `Unrecognized field "${key}" (class com.intuit.schema.finance.v3.BatchItemRequest), not marked as ignorable`,
    );
  }
  const operation = typeof item.operation === 'string' ? item.operation : 'create';
  if (!OPERATIONS.has(operation)) {
    throw unsupportedOperation(`Operation ${operation} is not supported in a batch.`);
  }
  const out = runWrite(co, def, operation as WriteOperation, item[key], include);
  return `"${out.name}":${out.json}`;
}

/**
 * `POST /batch`: up to 30 items, run one after another; each answers with its entity, its
 * query result, or its own Fault, and the request as a whole answers 200. With a `requestid`,
 * each item is idempotent under requestid + bId (QuickBooks' per-item request id, which is why
 * the batch id is limited to 36 characters and a bId to 10): a replay returns the item's first
 * answer without running it again.
 */
export function runBatch(
  co: Company,
  body: unknown,
  requestId: string | undefined,
  cache: RequestIdCache,
  include: ReadonlySet<string>,
): string {
  const items = (body as Obj | null)?.BatchItemRequest;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(items)) {
    throw unsupportedProperty(
      'Can not deserialize instance of com.intuit.schema.finance.v3.IntuitBatchRequest',
    );
  }
  if (items.length > MAX_BATCH_ITEMS) {
    throw businessValidation(
      `The number of BatchItemRequest elements (${items.length}) exceeds the maximum of ${MAX_BATCH_ITEMS} per batch request.`,
    );
  }
  const responses: string[] = [];
  for (const [index, raw] of items.entries()) {
    const item: Obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Obj) : {};
    const bId =
      typeof item.bId === 'string' ? item.bId : item.bId === undefined ? undefined : String(item.bId);
    const bIdJson = bId === undefined ? '' : `,"bId":${JSON.stringify(bId)}`;
    const itemRequestId = requestId !== undefined ? requestId + (bId ?? '') : undefined;
    if (itemRequestId !== undefined && itemRequestId.length > MAX_REQUEST_ID) {
      responses.push(`{"Fault":${JSON.stringify(requestIdTooLong(itemRequestId).toFault())}${bIdJson}}`);
      continue;
    }
    // An item without a bId (the schema allows it) is remembered by its place in the batch, so two
    // such items never share one remembered answer.
    const itemId =
      bId === undefined && itemRequestId !== undefined ? `${itemRequestId}\u0000${index}` : itemRequestId;
    const cached = itemId !== undefined ? cache.get(`batch:${itemId}`) : undefined;
    if (cached) {
      responses.push(cached.body);
      continue;
    }
    let text: string;
    try {
      text = `{${itemResult(co, item, include)}${bIdJson}}`;
    } catch (e) {
      if (!(e instanceof QboFault)) throw e;
      text = `{"Fault":${JSON.stringify(e.toFault())}${bIdJson}}`;
    }
    if (itemId !== undefined) cache.set(`batch:${itemId}`, { status: 200, body: text });
    responses.push(text);
  }
  return `"BatchItemResponse":[${responses.join(',')}]`;
}
