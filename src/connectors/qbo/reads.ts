import type { Logger } from 'pino';
import { ConnectorError } from '../errors.ts';
import { checkEntityName, entityPath, isNameList, NOT_IN_CDC, quote } from './entities.ts';
import { CdcWindowError, hasCode, QboApiError, QboUsageError } from './errors.ts';
import {
  byUpdateThenId,
  CDC_MAX_OBJECTS,
  CDC_WINDOW_MS,
  parseInstant,
  qboDateTime,
  updatedMs,
  type ServerClock,
} from './time.ts';
import type { Transport } from './transport.ts';
import type { CdcResult, QbRecord } from './types.ts';

/** Rows per query page: QuickBooks' MAXRESULTS cap. */
export const PAGE_SIZE = 1000;
/** Ids per `Id IN (…)` query. */
export const IDS_PER_QUERY = 1000;
/** Default overlap subtracted from a change cursor (commit-order slack). */
export const DEFAULT_OVERLAP_SECONDS = 60;
// Stay clear of the CDC window's edge: our idea of QuickBooks' clock may be off by a little.
const WINDOW_SAFETY_MS = 10 * 60_000;
// Statements longer than this go in a POST body instead of the URL.
const MAX_GET_STATEMENT = 1500;
// Rows re-read when walking one instant by position, in case some moved away meanwhile.
const TIE_REWIND = 50;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * An answer that is not the shape QuickBooks documents (a proxy's page, a changed API): never
 * read as "no rows", or a first sync would see an empty company and create every record again.
 */
function badResponse(endpoint: string, what: string): ConnectorError {
  return new ConnectorError('qbo', `${endpoint}: QuickBooks answered 200 ${what}`, {
    code: 'BAD_RESPONSE',
    transient: false,
  });
}

/** The entity's rows in a QueryResponse object (none when its key is absent, as QuickBooks does for no rows). */
function rowsOf(container: Obj, entity: string, endpoint: string): QbRecord[] {
  const lower = entity.toLowerCase();
  const key = entity in container ? entity : Object.keys(container).find((k) => k.toLowerCase() === lower);
  if (key === undefined) return [];
  const rows = container[key];
  if (!Array.isArray(rows) || !rows.every(isObj))
    throw badResponse(endpoint, `with QueryResponse.${key} that is not a list of records`);
  return rows as QbRecord[];
}

function normalize(rec: QbRecord): QbRecord {
  return rec.status === 'Deleted' ? { ...rec, Id: String(rec.Id), status: 'Deleted' } : rec;
}

function sorted(records: QbRecord[]): QbRecord[] {
  return records.map(normalize).sort(byUpdateThenId);
}

// "Operation cdc with changedSince date … which is older than fixed days is not supported." (code 500)
function tooOldForCdc(e: QboApiError): boolean {
  const older = e.fault.errors.some((x) => /older than/i.test(`${x.message} ${x.detail ?? ''}`));
  return older || (e.status === 400 && hasCode(e.fault, '500'));
}

function sinceMs(since: string, overlapSeconds: number | undefined): number {
  const ms = parseInstant(since);
  if (Number.isNaN(ms)) throw new QboUsageError(`"${since}" is not an ISO date-time (readChanges since)`);
  const overlap = overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  if (!Number.isFinite(overlap) || overlap < 0)
    throw new QboUsageError(`overlapSeconds must be ≥ 0, got ${overlap}`);
  return ms - overlap * 1000;
}

/** Queries, look-ups by id, CDC and change reading. */
export class Reader {
  constructor(
    private readonly transport: Transport,
    private readonly clock: ServerClock,
    private readonly logger: Logger,
  ) {}

  /** Runs one query statement; returns its QueryResponse object. */
  async statement(text: string): Promise<Obj> {
    const useGet = encodeURIComponent(text).length <= MAX_GET_STATEMENT;
    const answer = await this.transport.send(
      useGet
        ? { method: 'GET', path: '/query', params: { query: text }, endpoint: 'GET query', kind: 'read' }
        : {
            method: 'POST',
            path: '/query',
            body: text,
            contentType: 'application/text',
            endpoint: 'POST query',
            kind: 'read',
          },
    );
    // No rows is `"QueryResponse":{}`; an answer without the object is not an empty result.
    const qr = answer.body.QueryResponse;
    if (!isObj(qr))
      throw badResponse(
        useGet ? 'GET query' : 'POST query',
        qr === undefined
          ? `without a QueryResponse (to "${text.slice(0, 120)}")`
          : `with a QueryResponse that is not an object (to "${text.slice(0, 120)}")`,
      );
    return qr;
  }

  /** One entity by id; null on 610 (not found or deleted). */
  async read(entity: string, id: string): Promise<QbRecord | null> {
    checkEntityName(entity);
    try {
      const answer = await this.transport.send({
        method: 'GET',
        path: `/${entityPath(entity)}/${encodeURIComponent(id)}`,
        endpoint: `GET ${entityPath(entity)}`,
        kind: 'read',
      });
      const rec = answer.body[entity] ?? Object.entries(answer.body).find(([k]) => k !== 'time')?.[1];
      return rec && typeof rec === 'object' ? (rec as QbRecord) : null;
    } catch (e) {
      if (e instanceof QboApiError && hasCode(e.fault, '610')) return null;
      throw e;
    }
  }

  /** Pages of `SELECT * FROM entity [WHERE …] [ORDERBY …]`, STARTPOSITION/MAXRESULTS paging. */
  async *query(
    entity: string,
    opts: { where?: string; orderBy?: string; pageSize?: number } = {},
  ): AsyncGenerator<QbRecord[]> {
    checkEntityName(entity);
    const size = Math.min(PAGE_SIZE, Math.max(1, Math.floor(opts.pageSize ?? PAGE_SIZE)));
    const where = opts.where?.trim() ? ` WHERE ${opts.where.trim()}` : '';
    const orderBy = opts.orderBy?.trim() ? ` ORDERBY ${opts.orderBy.trim()}` : '';
    for (let start = 1; ;) {
      const qr = await this.statement(
        `SELECT * FROM ${entity}${where}${orderBy} STARTPOSITION ${start} MAXRESULTS ${size}`,
      );
      const rows = rowsOf(qr, entity, 'query');
      if (rows.length > 0) yield rows;
      if (rows.length < size) return;
      start += rows.length;
    }
  }

  /** `SELECT COUNT(*) FROM entity [WHERE …]`. */
  async count(entity: string, where?: string): Promise<number> {
    checkEntityName(entity);
    const qr = await this.statement(
      `SELECT COUNT(*) FROM ${entity}${where?.trim() ? ` WHERE ${where.trim()}` : ''}`,
    );
    const n = typeof qr.totalCount === 'number' ? qr.totalCount : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0)
      throw badResponse('query', `without a totalCount for SELECT COUNT(*) FROM ${entity}`);
    return n;
  }

  /** Records by id, inactive names included, in as few `Id IN (…)` queries as the page cap allows. */
  async readMany(entity: string, ids: string[]): Promise<QbRecord[]> {
    checkEntityName(entity);
    const unique = [...new Set(ids.map(String))];
    const found = new Map<string, QbRecord>();
    for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
      const chunk = unique.slice(i, i + IDS_PER_QUERY);
      const conds = [`Id IN (${chunk.map(quote).join(', ')})`];
      if (isNameList(entity)) conds.push('Active IN (true, false)');
      const qr = await this.statement(
        `SELECT * FROM ${entity} WHERE ${conds.join(' AND ')} MAXRESULTS ${IDS_PER_QUERY}`,
      );
      for (const rec of rowsOf(qr, entity, 'query')) found.set(String(rec.Id), rec);
    }
    return unique.flatMap((id) => {
      const rec = found.get(id);
      return rec ? [rec] : [];
    });
  }

  /** One CDC call for the entities since the instant. Throws CdcWindowError when it is too old. */
  async cdc(entities: string[], changedSince: Date): Promise<CdcResult> {
    if (entities.length === 0) return { records: {}, truncated: [] };
    for (const e of entities) {
      checkEntityName(e);
      if (NOT_IN_CDC.has(e)) throw new QboUsageError(`CDC does not report ${e}: read it by query`);
    }
    let body: Obj;
    try {
      const answer = await this.transport.send({
        method: 'GET',
        path: '/cdc',
        params: { entities: entities.join(','), changedSince: qboDateTime(changedSince.getTime()) },
        endpoint: 'GET cdc',
        kind: 'read',
      });
      body = answer.body;
    } catch (e) {
      // QuickBooks answers a start point beyond its window with "Unsupported Operation" (code 500).
      if (e instanceof QboApiError && tooOldForCdc(e)) {
        throw new CdcWindowError(
          'qbo',
          `CDC cannot look back to ${changedSince.toISOString()}: ${e.message}`,
          {
            code: 'CDC_WINDOW',
            status: 400,
            cause: e,
          },
        );
      }
      throw e;
    }
    const records: Record<string, QbRecord[]> = Object.fromEntries(
      entities.map((e) => [e, [] as QbRecord[]]),
    );
    // `"CDCResponse":[{"QueryResponse":[{…},{}]}]`, one QueryResponse per entity, `{}` when it has no changes.
    const cdc = body.CDCResponse;
    if (!Array.isArray(cdc) && !isObj(cdc))
      throw badResponse(
        'GET cdc',
        cdc === undefined ? 'without a CDCResponse' : 'with a CDCResponse that is not a list',
      );
    const responses: unknown[] = Array.isArray(cdc) ? cdc : [cdc];
    let total = 0;
    for (const resp of responses) {
      const qrs = isObj(resp) ? resp.QueryResponse : undefined;
      const list: unknown[] = Array.isArray(qrs) ? qrs : [qrs];
      if (!list.every(isObj))
        throw badResponse(
          'GET cdc',
          'with a CDCResponse item whose QueryResponse is missing or not an object',
        );
      for (const qr of list as Obj[]) {
        for (const e of entities) {
          const rows = rowsOf(qr, e, 'GET cdc').map(normalize);
          records[e]!.push(...rows);
          total += rows.length;
        }
      }
    }
    // The cap is on the whole response and QuickBooks does not say what it left out: any entity may be short.
    const truncated = total >= CDC_MAX_OBJECTS ? [...entities] : [];
    if (truncated.length) this.logger.debug({ entities, total }, 'CDC answer hit the 1,000-object cap');
    return { records, truncated };
  }

  /** Whether CDC can reach back to this instant (by QuickBooks' clock, with a safety margin). */
  insideCdcWindow(fromMs: number): boolean {
    return this.clock.now() - fromMs < CDC_WINDOW_MS - WINDOW_SAFETY_MS;
  }

  /** See QboConnector.readChanges. */
  async *readChanges(spec: {
    entity: string;
    since: string | null;
    overlapSeconds?: number;
  }): AsyncGenerator<QbRecord[]> {
    const { entity } = spec;
    checkEntityName(entity);
    if (spec.since === null) {
      yield* this.byQuery(entity, null);
      return;
    }
    const from = sinceMs(spec.since, spec.overlapSeconds);
    if (!NOT_IN_CDC.has(entity) && this.insideCdcWindow(from)) {
      const res = await this.cdcOrNull([entity], from);
      if (res) {
        const recs = res.records[entity] ?? [];
        if (res.truncated.length === 0) {
          if (recs.length) yield sorted(recs);
          return;
        }
        yield* this.withDeletions(
          this.byQuery(entity, from),
          recs.filter((r) => r.status === 'Deleted'),
        );
        return;
      }
    }
    yield* this.byQuery(entity, from);
  }

  /** See QboConnector.readChangesMany. */
  async readChangesMany(spec: {
    entities: string[];
    since: string;
    overlapSeconds?: number;
  }): Promise<Record<string, QbRecord[]> | null> {
    const entities = [...new Set(spec.entities)];
    entities.forEach(checkEntityName);
    const from = sinceMs(spec.since, spec.overlapSeconds);
    if (!this.insideCdcWindow(from)) return null;
    const viaCdc = entities.filter((e) => !NOT_IN_CDC.has(e));
    const res = viaCdc.length ? await this.cdcOrNull(viaCdc, from) : { records: {}, truncated: [] };
    if (!res) return null;
    const out: Record<string, QbRecord[]> = {};
    for (const e of entities) {
      if (NOT_IN_CDC.has(e)) {
        out[e] = await collect(this.byQuery(e, from));
      } else if (!res.truncated.includes(e)) {
        out[e] = sorted(res.records[e] ?? []);
      } else if (viaCdc.length > 1) {
        // Alone, the entity's changes may fit under the cap; if not, readChanges falls back to queries.
        out[e] = await collect(
          this.readChanges({ entity: e, since: spec.since, overlapSeconds: spec.overlapSeconds }),
        );
      } else {
        const deleted = (res.records[e] ?? []).filter((r) => r.status === 'Deleted');
        out[e] = await collect(this.withDeletions(this.byQuery(e, from), deleted));
      }
    }
    return out;
  }

  private async cdcOrNull(entities: string[], from: number): Promise<CdcResult | null> {
    try {
      return await this.cdc(entities, new Date(from));
    } catch (e) {
      if (e instanceof CdcWindowError) {
        this.logger.debug(
          { entities, since: new Date(from).toISOString() },
          'CDC window exceeded: reading by query',
        );
        return null;
      }
      throw e;
    }
  }

  /**
   * Every record changed at or after `fromMs` (all when null), by queries on
   * MetaData.LastUpdatedTime. Pages are cut by time, not position (keyset paging): a record
   * updated while we page moves behind the cursor and is read again instead of shifting the
   * others by one and losing a record. Records of the page's last instant are held back and
   * re-read with the next page, so each page is complete in (LastUpdatedTime, Id) order. Only
   * when a whole page shares one instant does it walk that instant by position.
   */
  private async *byQuery(entity: string, fromMs: number | null): AsyncGenerator<QbRecord[]> {
    const names = isNameList(entity);
    let from: string | null = fromMs === null ? null : qboDateTime(fromMs);
    let fromAt = fromMs === null ? -Infinity : Math.floor(fromMs / 1000) * 1000;
    let tieOffset = 0;
    const seenAtFrom = new Set<string>();
    for (;;) {
      const conds: string[] = [];
      if (from !== null) conds.push(`MetaData.LastUpdatedTime >= ${quote(from)}`);
      if (names) conds.push('Active IN (true, false)');
      const start = 1 + Math.max(0, tieOffset - TIE_REWIND);
      const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
      const qr = await this.statement(
        `SELECT * FROM ${entity}${where} ORDERBY MetaData.LastUpdatedTime STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`,
      );
      const rows = rowsOf(qr, entity, 'query');
      const fresh = rows.filter((r) => !(updatedMs(r) <= fromAt && seenAtFrom.has(String(r.Id))));
      if (rows.length < PAGE_SIZE) {
        if (fresh.length) yield sorted(fresh);
        return;
      }
      const last = rows[rows.length - 1]!;
      const lastAt = updatedMs(last);
      if (lastAt > fromAt && typeof last.MetaData?.LastUpdatedTime === 'string') {
        const out = fresh.filter((r) => updatedMs(r) < lastAt);
        if (out.length) yield sorted(out);
        from = last.MetaData.LastUpdatedTime;
        fromAt = lastAt;
        tieOffset = 0;
        seenAtFrom.clear();
      } else {
        if (fresh.length) yield sorted(fresh);
        for (const r of fresh) seenAtFrom.add(String(r.Id));
        tieOffset = start - 1 + rows.length;
      }
    }
  }

  /** Merges CDC's deletion stubs into query pages in time order (queries never show deleted records). */
  private async *withDeletions(
    pages: AsyncIterable<QbRecord[]>,
    deleted: QbRecord[],
  ): AsyncGenerator<QbRecord[]> {
    const pending = sorted(deleted);
    for await (const page of pages) {
      const upTo = updatedMs(page[page.length - 1]!);
      let n = 0;
      while (n < pending.length && updatedMs(pending[n]!) <= upTo) n++;
      yield n ? sorted([...page, ...pending.splice(0, n)]) : page;
    }
    if (pending.length) yield pending;
  }
}

/** All pages of an async iterable, concatenated. */
export async function collect(pages: AsyncIterable<QbRecord[]>): Promise<QbRecord[]> {
  const out: QbRecord[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}
