import { ConnectorError } from '../errors.ts';
import { stripAttributes } from './json.ts';
import type { RestClient } from './rest.ts';
import {
  chunkedIdQueries,
  encodeSoql,
  fieldList,
  objectName,
  parseInstant,
  recordId,
  selectClause,
  soqlDateTime,
} from './soql.ts';
import type { ChangedParentsSpec, ReadChangesSpec, RelatedSpec, RetrieveSpec, SfRecord } from './types.ts';

/**
 * Reading: SOQL pages (query / queryAll), incremental change windows ordered by
 * (SystemModstamp, Id), look-ups by id in as few calls as the limits allow, and the delete log.
 */

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

interface ChildResult {
  totalSize?: number;
  done?: boolean;
  nextRecordsUrl?: string;
  records?: Array<Record<string, unknown>>;
}

const MAX_BATCH = 2000;
const MIN_BATCH = 200;
const DEFAULT_OVERLAP_SECONDS = 60;
/** Salesforce refuses URI + headers over 16,384 bytes; keep the query URL well under. */
const URL_BUDGET = 15_000;
/** sObject Collections retrieve takes up to 2,000 ids per call. */
const COLLECTION_RETRIEVE_MAX = 2000;
/** Restarts of a change read after its query cursor expired, without progress in between. */
const MAX_CURSOR_RESTARTS = 3;

function isChildResult(v: unknown): v is ChildResult {
  return !!v && typeof v === 'object' && Array.isArray((v as ChildResult).records) && 'done' in (v as object);
}

/**
 * A query answer checked for its shape: a page without a `records` list is not "no rows" (a
 * first sync would see an empty org and create every account again).
 */
function checkPage(page: unknown, what: string): QueryPage {
  const p = page as Partial<QueryPage> | null;
  const missing =
    !p || typeof p !== 'object' || Array.isArray(p)
      ? `an answer that is not a query result (${p === null ? 'null' : Array.isArray(p) ? 'a list' : typeof p})`
      : !Array.isArray(p.records)
        ? p.records === undefined
          ? 'a query result without "records"'
          : '"records" that is not a list'
        : !p.records.every((r) => !!r && typeof r === 'object' && !Array.isArray(r))
          ? '"records" holding something other than records'
          : typeof p.done !== 'boolean'
            ? 'a query result without "done"'
            : p.done === false && typeof p.nextRecordsUrl !== 'string'
              ? 'a page not done but without "nextRecordsUrl"'
              : null;
  if (missing) {
    throw new ConnectorError('salesforce', `${what}: Salesforce answered ${missing}`, {
      code: 'BAD_RESPONSE',
      transient: false,
    });
  }
  return p as QueryPage;
}

/** Runs SOQL and yields its pages; child subquery results that were cut short are completed. */
export async function* queryPages<T extends SfRecord>(
  rest: RestClient,
  soql: string,
  opts: { all?: boolean; batchSize?: number } = {},
): AsyncGenerator<T[]> {
  const batch = Math.max(MIN_BATCH, Math.min(MAX_BATCH, Math.floor(opts.batchSize ?? MAX_BATCH)));
  const headers = { 'Sforce-Query-Options': `batchSize=${batch}` };
  const resource = opts.all ? 'queryAll' : 'query';
  let page = checkPage(
    await rest.call<unknown>(
      resource,
      { method: 'GET', path: `/${resource}?q=${encodeSoql(soql)}`, headers },
      { idempotent: true },
    ),
    `GET ${resource}`,
  );
  for (;;) {
    const records = stripAttributes(page.records);
    await completeChildren(rest, records, headers);
    yield records as T[];
    if (page.done || !page.nextRecordsUrl) return;
    const next: string = page.nextRecordsUrl;
    page = checkPage(
      await rest.call<unknown>(
        `${resource} more`,
        { method: 'GET', path: next, headers },
        { idempotent: true },
      ),
      `GET ${resource} more`,
    );
  }
}

async function completeChildren(
  rest: RestClient,
  records: Array<Record<string, unknown>>,
  headers: Record<string, string>,
): Promise<void> {
  for (const rec of records) {
    for (const key of Object.keys(rec)) {
      const child = rec[key];
      if (!isChildResult(child) || child.done !== false || !child.nextRecordsUrl) continue;
      let next: string | undefined = child.nextRecordsUrl;
      const all = [...(child.records ?? [])];
      while (next) {
        const more = checkPage(
          await rest.call<unknown>(
            'query more (child records)',
            { method: 'GET', path: next, headers },
            { idempotent: true },
          ),
          'GET query more (child records)',
        );
        all.push(...stripAttributes(more.records));
        next = more.done ? undefined : more.nextRecordsUrl;
      }
      rec[key] = { totalSize: all.length, done: true, records: all };
    }
  }
}

/** Replaces each related subquery result with the chosen child record (or null). */
function attachRelated(rec: Record<string, unknown>, related: RelatedSpec[] | undefined): void {
  if (!related?.length) return;
  const keys = Object.keys(rec);
  for (const r of related) {
    const key = keys.find((k) => k.toLowerCase() === r.relationship.toLowerCase());
    const value = key ? rec[key] : null;
    const first = isChildResult(value) ? (value.records?.[0] ?? null) : null;
    if (key && key !== r.name) delete rec[key];
    rec[r.name] = first;
  }
}

function isInvalidLocator(e: unknown): boolean {
  return e instanceof ConnectorError && e.code === 'INVALID_QUERY_LOCATOR';
}

/** Records changed since a point, ordered by (SystemModstamp, Id), each yielded once. */
export async function* readChanges(rest: RestClient, spec: ReadChangesSpec): AsyncGenerator<SfRecord[]> {
  const object = objectName(spec.object);
  const includeDeleted = spec.includeDeleted ?? false;
  const fields = fieldList(['Id', 'SystemModstamp', ...(includeDeleted ? ['IsDeleted'] : [])], spec.fields);
  const select = selectClause(fields, spec.related, includeDeleted);
  const overlap = spec.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  if (!(overlap >= 0)) throw new RangeError('overlapSeconds must be ≥ 0');
  const lower = spec.since === null ? null : new Date(parseInstant(spec.since).getTime() - overlap * 1000);

  const build = (after: { ts: string; id: string } | null): string => {
    const conds: string[] = [];
    if (lower) conds.push(`SystemModstamp >= ${soqlDateTime(lower)}`);
    if (after) {
      const ts = soqlDateTime(parseInstant(after.ts));
      conds.push(`(SystemModstamp > ${ts} OR (SystemModstamp = ${ts} AND Id > '${recordId(after.id)}'))`);
    }
    if (spec.where?.trim()) conds.push(`(${spec.where.trim()})`);
    const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
    return `SELECT ${select} FROM ${object}${where} ORDER BY SystemModstamp ASC, Id ASC`;
  };

  // Records sharing the last SystemModstamp yielded so far: a repeat of one of them is dropped.
  let lastTs: string | null = null;
  const idsAtLastTs = new Set<string>();
  let after: { ts: string; id: string } | null = null;
  let restarts = 0;
  for (;;) {
    try {
      for await (const page of queryPages<SfRecord>(rest, build(after), { all: includeDeleted })) {
        const out: SfRecord[] = [];
        for (const rec of page) {
          attachRelated(rec, spec.related);
          const ts = rec.SystemModstamp ?? '';
          if (ts !== lastTs) {
            lastTs = ts;
            idsAtLastTs.clear();
          } else if (idsAtLastTs.has(rec.Id)) {
            rest.logger?.debug(
              { id: rec.Id },
              'salesforce returned a record twice in one change read; dropped',
            );
            continue;
          }
          idsAtLastTs.add(rec.Id);
          out.push(rec);
        }
        const last: SfRecord | undefined = page[page.length - 1];
        if (last?.SystemModstamp) after = { ts: last.SystemModstamp, id: last.Id };
        if (out.length) {
          restarts = 0;
          yield out;
        }
      }
      return;
    } catch (e) {
      // The query cursor expired (15 min idle, or too many open): go on from the last record read.
      if (!isInvalidLocator(e) || ++restarts > MAX_CURSOR_RESTARTS) throw e;
      rest.logger?.warn(
        { object, after },
        'salesforce query cursor expired; resuming after the last record read',
      );
    }
  }
}

/** Ids of parents whose child records changed or were deleted at or after `since - overlap`. */
export async function changedParents(rest: RestClient, spec: ChangedParentsSpec): Promise<string[]> {
  const object = objectName(spec.object);
  const [parentField] = fieldList([], [spec.parentField]);
  const overlap = spec.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  const lower = new Date(parseInstant(spec.since).getTime() - overlap * 1000);
  const soql = `SELECT ${parentField} FROM ${object} WHERE SystemModstamp >= ${soqlDateTime(lower)} AND ${parentField} != null`;
  const seen = new Set<string>();
  for await (const page of queryPages<SfRecord>(rest, soql, { all: true })) {
    for (const rec of page) {
      const v = rec[parentField!];
      if (typeof v === 'string' && v) seen.add(v);
    }
  }
  return [...seen];
}

/** Live records by id, in input order; chooses sObject Collections or chunked SOQL, whichever needs fewer calls. */
export async function retrieve(rest: RestClient, spec: RetrieveSpec): Promise<SfRecord[]> {
  const object = objectName(spec.object);
  const ids = [...new Set(spec.ids.map(recordId))];
  if (ids.length === 0) return [];
  const fields = fieldList(['Id'], spec.fields);
  const found = new Map<string, SfRecord>();
  const plainFields = !spec.related?.length && fields.every((f) => !f.includes('.'));
  if (plainFields && ids.length > soqlChunkCapacity(rest, object, fields)) {
    for (let i = 0; i < ids.length; i += COLLECTION_RETRIEVE_MAX) {
      const chunk = ids.slice(i, i + COLLECTION_RETRIEVE_MAX);
      const rows = await rest.call<Array<Record<string, unknown> | null>>(
        'composite/sobjects retrieve',
        { method: 'POST', path: `/composite/sobjects/${object}`, body: { ids: chunk, fields } },
        { idempotent: true },
      );
      for (const row of stripAttributes(rows ?? []))
        if (row && typeof row.Id === 'string') found.set(key15(row.Id), row as SfRecord);
    }
  } else {
    const select = selectClause(fields, spec.related, false);
    const build = (inList: string) => `SELECT ${select} FROM ${object} WHERE Id IN (${inList})`;
    for (const soql of chunkedIdQueries(build, ids, queryBudget(rest))) {
      for await (const page of queryPages<SfRecord>(rest, soql)) {
        for (const rec of page) {
          attachRelated(rec, spec.related);
          found.set(key15(rec.Id), rec);
        }
      }
    }
  }
  const out: SfRecord[] = [];
  for (const id of ids) {
    const rec = found.get(key15(id));
    if (rec) out.push(rec);
  }
  return out;
}

function key15(id: string): string {
  return id.slice(0, 15);
}

function queryBudget(rest: RestClient): number {
  return URL_BUDGET - `${rest.instanceUrl}${rest.dataPath}/query?q=`.length;
}

/** How many ids one SOQL look-up can carry for these fields. */
function soqlChunkCapacity(rest: RestClient, object: string, fields: string[]): number {
  const base = encodeSoql(`SELECT ${fields.join(', ')} FROM ${object} WHERE Id IN ()`).length;
  const perId = encodeSoql(`'001000000000000AAA',`).length;
  return Math.max(0, Math.floor((queryBudget(rest) - base) / perId));
}

function replicationDate(d: Date): string {
  if (!Number.isFinite(d.getTime())) throw new RangeError('invalid date');
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** The delete log of an object between two instants (Salesforce keeps about 15 days). */
export async function deletedIds(
  rest: RestClient,
  object: string,
  start: Date,
  end: Date,
): Promise<Array<{ id: string; deletedDate: string }>> {
  const name = objectName(object);
  const path = `/sobjects/${name}/deleted/?start=${encodeURIComponent(replicationDate(start))}&end=${encodeURIComponent(replicationDate(end))}`;
  const res = await rest.call<{ deletedRecords?: Array<{ id: string; deletedDate: string }> }>(
    'sobjects deleted',
    { method: 'GET', path },
    { idempotent: true },
  );
  if (!res || typeof res !== 'object' || !Array.isArray(res.deletedRecords)) {
    throw new ConnectorError(
      'salesforce',
      'GET sobjects deleted: Salesforce answered without a "deletedRecords" list',
      {
        code: 'BAD_RESPONSE',
        transient: false,
      },
    );
  }
  return res.deletedRecords.map((r) => ({ id: r.id, deletedDate: r.deletedDate }));
}
