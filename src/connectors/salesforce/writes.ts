import { ConnectorError } from '../errors.ts';
import { backoffDelay, type RetryPolicy } from './retry.ts';
import type { RestClient } from './rest.ts';
import { fieldName, objectName, recordId } from './soql.ts';
import type { SaveResult } from './types.ts';

/**
 * Writing through sObject Collections (composite/sobjects): ≤ 200 records per call, allOrNone
 * false, one result per record in input order. Record-level errors are returned, not thrown;
 * records that failed only because a row was locked are sent again on their own (they were not
 * saved, so even a create may repeat them).
 */

/** Records per sObject Collections call. */
export const COLLECTION_MAX = 200;

/** An error thrown part-way through a multi-call write, with the results of the calls that completed. */
export interface PartialWrite {
  /** Results of the records before the failed call, in input order (a prefix of the input). */
  completed: SaveResult[];
}

/** The results of the calls that completed before a write failed, or null. */
export function completedResults(err: unknown): SaveResult[] | null {
  const c = (err as Partial<PartialWrite> | null)?.completed;
  return Array.isArray(c) ? c : null;
}

interface RawSaveResult {
  id?: string | null;
  success?: boolean;
  created?: boolean;
  errors?: Array<{ statusCode?: string; errorCode?: string; message?: string; fields?: string[] }>;
}

function normalize(raw: RawSaveResult | null | undefined): SaveResult {
  const r = raw ?? {};
  const out: SaveResult = {
    id: typeof r.id === 'string' && r.id ? r.id : null,
    success: r.success === true,
    errors: (r.errors ?? []).map((e) => ({
      statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION',
      message: e.message ?? '',
      fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
    })),
  };
  if (typeof r.created === 'boolean') out.created = r.created;
  return out;
}

function localFailure(statusCode: string, message: string, fields: string[]): SaveResult {
  return { id: null, success: false, errors: [{ statusCode, message, fields }] };
}

const isLocked = (r: SaveResult) => !r.success && r.errors.some((e) => e.statusCode === 'UNABLE_TO_LOCK_ROW');

/** One collection call: sends the given records, returns one raw result per record. */
type Sender<T> = (records: T[], attempt: number) => Promise<SaveResult[]>;

export class CollectionWriter {
  constructor(
    private readonly rest: RestClient,
    private readonly policy: RetryPolicy,
  ) {}

  /** Creates records; a call that may have reached Salesforce is never repeated. */
  create(object: string, records: Array<Record<string, unknown>>): Promise<SaveResult[]> {
    const type = objectName(object);
    const body = records.map((r) => {
      const { Id: _id, id: _lowerId, attributes: _a, ...rest } = r;
      return { attributes: { type }, ...rest };
    });
    return this.run('composite/sobjects create', body, false, (chunk) =>
      this.post('POST', '/composite/sobjects', chunk, 'composite/sobjects create'),
    );
  }

  /** Updates records by Id. */
  update(object: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<SaveResult[]> {
    const type = objectName(object);
    const prepared = records.map((r) => {
      const { Id, id: lowerId, attributes: _a, ...rest } = r;
      const id = typeof Id === 'string' ? Id : typeof lowerId === 'string' ? lowerId : '';
      return {
        ok: /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id),
        record: { attributes: { type }, id, ...rest },
      };
    });
    return this.withLocalChecks(
      prepared,
      () => localFailure('MALFORMED_ID', 'the record has no valid Id', ['Id']),
      (sendable) =>
        this.run('composite/sobjects update', sendable, true, (chunk) =>
          this.post('PATCH', '/composite/sobjects', chunk, 'composite/sobjects update'),
        ),
    );
  }

  /** Upserts on an external-id field (API 46+). */
  upsert(
    object: string,
    externalIdField: string,
    records: Array<Record<string, unknown>>,
  ): Promise<SaveResult[]> {
    const type = objectName(object);
    const field = fieldName(externalIdField);
    const prepared = records.map((r) => {
      const { attributes: _a, ...rest } = r;
      const key = rest[field];
      return {
        ok: key !== undefined && key !== null && key !== '',
        record: { attributes: { type }, ...rest },
      };
    });
    return this.withLocalChecks(
      prepared,
      () => localFailure('REQUIRED_FIELD_MISSING', `Required fields are missing: [${field}]`, [field]),
      (sendable) =>
        this.run('composite/sobjects upsert', sendable, true, (chunk) =>
          this.post('PATCH', `/composite/sobjects/${type}/${field}`, chunk, 'composite/sobjects upsert'),
        ),
    );
  }

  /** Deletes records by id; on a repeated call, "already deleted" counts as done. */
  destroy(ids: string[]): Promise<SaveResult[]> {
    const prepared = ids.map((id) => ({ ok: /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id), record: id }));
    return this.withLocalChecks(
      prepared,
      () => localFailure('MALFORMED_ID', 'not a valid record id', []),
      (sendable) =>
        this.run('composite/sobjects delete', sendable, true, async (chunk, attempt) => {
          const path = `/composite/sobjects?ids=${chunk.map(recordId).join(',')}&allOrNone=false`;
          const raw = await this.rest.send<RawSaveResult[]>({ method: 'DELETE', path });
          const results = this.check(raw, chunk.length, 'composite/sobjects delete');
          // A repeat after a lost answer finds the first attempt's deletions already done.
          return attempt > 1
            ? results.map((r, i) =>
                !r.success && r.errors.every((e) => e.statusCode === 'ENTITY_IS_DELETED')
                  ? { id: chunk[i] ?? null, success: true, errors: [] }
                  : r,
              )
            : results;
        }),
    );
  }

  private async post(
    method: 'POST' | 'PATCH',
    path: string,
    records: unknown[],
    what: string,
  ): Promise<SaveResult[]> {
    const raw = await this.rest.send<RawSaveResult[]>({ method, path, body: { allOrNone: false, records } });
    return this.check(raw, records.length, what);
  }

  private check(raw: RawSaveResult[] | null, expected: number, what: string): SaveResult[] {
    if (!Array.isArray(raw) || raw.length !== expected) {
      throw new ConnectorError(
        'salesforce',
        `${what}: expected ${expected} results, got ${Array.isArray(raw) ? raw.length : typeof raw}`,
        { code: 'BAD_RESPONSE', transient: false },
      );
    }
    return raw.map(normalize);
  }

  /** Answers records that fail a local check without sending them, and merges results in input order. */
  private async withLocalChecks<T>(
    prepared: Array<{ ok: boolean; record: T }>,
    failure: () => SaveResult,
    send: (records: T[]) => Promise<SaveResult[]>,
  ): Promise<SaveResult[]> {
    if (prepared.every((p) => p.ok)) return send(prepared.map((p) => p.record));
    const sendable = prepared.filter((p) => p.ok).map((p) => p.record);
    let sent: SaveResult[];
    try {
      sent = await send(sendable);
    } catch (e) {
      const done = completedResults(e);
      if (done) (e as PartialWrite).completed = this.merge(prepared, done, failure, true);
      throw e;
    }
    return this.merge(prepared, sent, failure, false);
  }

  private merge<T>(
    prepared: Array<{ ok: boolean; record: T }>,
    sent: SaveResult[],
    failure: () => SaveResult,
    prefixOnly: boolean,
  ): SaveResult[] {
    const out: SaveResult[] = [];
    let j = 0;
    for (const p of prepared) {
      if (p.ok) {
        if (j >= sent.length) {
          if (prefixOnly) break;
          throw new ConnectorError('salesforce', 'fewer results than records', { code: 'BAD_RESPONSE' });
        }
        out.push(sent[j++]!);
      } else out.push(failure());
    }
    return out;
  }

  /** Sends records in chunks of 200, re-sending locked rows; a failure carries the completed results. */
  private async run<T>(
    what: string,
    records: T[],
    idempotent: boolean,
    sender: Sender<T>,
  ): Promise<SaveResult[]> {
    const results: SaveResult[] = [];
    for (let i = 0; i < records.length; i += COLLECTION_MAX) {
      const chunk = records.slice(i, i + COLLECTION_MAX);
      try {
        results.push(...(await this.chunk(what, chunk, idempotent, sender)));
      } catch (e) {
        if (e && typeof e === 'object')
          (e as PartialWrite).completed = [...results, ...(completedResults(e) ?? [])];
        throw e;
      }
    }
    return results;
  }

  private async chunk<T>(
    what: string,
    chunk: T[],
    idempotent: boolean,
    sender: Sender<T>,
  ): Promise<SaveResult[]> {
    let results: SaveResult[];
    try {
      results = await this.rest.attempts(what, idempotent, (attempt) => sender(chunk, attempt));
    } catch (e) {
      if (e && typeof e === 'object') (e as PartialWrite).completed = [];
      throw e;
    }
    for (let round = 1; round <= this.policy.retries; round++) {
      const locked = results.map((r, i) => (isLocked(r) ? i : -1)).filter((i) => i >= 0);
      if (locked.length === 0) break;
      await this.policy.sleep(backoffDelay(round, this.policy.backoffMs, this.policy.maxBackoffMs));
      this.rest.logger?.warn(
        { what, records: locked.length, round },
        'salesforce rows were locked; sending them again',
      );
      let again: SaveResult[];
      try {
        again = await this.rest.attempts(what, idempotent, (attempt) =>
          sender(
            locked.map((i) => chunk[i]!),
            attempt,
          ),
        );
      } catch (e) {
        // Only the records before the first locked one have a known, final outcome.
        if (e && typeof e === 'object') (e as PartialWrite).completed = results.slice(0, locked[0]);
        throw e;
      }
      locked.forEach((idx, k) => {
        results[idx] = again[k]!;
      });
    }
    return results;
  }
}
