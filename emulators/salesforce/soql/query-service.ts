import type { Clock } from '../../kit/clock.ts';
import { SfError } from '../errors.ts';
import type { SalesforceOrg } from '../org/org.ts';
import type { Rec } from '../org/table.ts';
import { compile, type Plan } from './compile.ts';
import { aggregateRows, project, selectRows } from './execute.ts';
import { parseSoql } from './parser.ts';

/**
 * The query and queryAll resources: runs a statement, keeps the result rows of a large query
 * under a locator (a snapshot, like a real query cursor) and serves them page by page.
 */

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
}

interface Cursor {
  id: string;
  userId: string;
  rows: Rec[];
  plan: Plan;
  scanAll: boolean;
  batchSize: number;
  lastUsed: number;
}

/** Cursors idle this long are gone, as on the platform. */
export const CURSOR_IDLE_MS = 15 * 60 * 1000;
/** Open cursors per user; opening one more releases the oldest. */
export const MAX_CURSORS_PER_USER = 10;
export const DEFAULT_BATCH = 2000;

function invalidLocator(): SfError {
  return new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
}

export class QueryService {
  private cursors = new Map<string, Cursor>();

  constructor(
    private readonly org: SalesforceOrg,
    private readonly clock: Clock,
  ) {}

  /** GET /query (scanAll false) or /queryAll (true). */
  run(
    soql: string,
    opts: { scanAll: boolean; batchSize?: number; version: string; userId: string },
  ): QueryPage {
    const now = this.clock.now();
    const plan = compile({ org: this.org, soql, now, scanAll: opts.scanAll }, parseSoql(soql));
    const env = { org: this.org, scanAll: opts.scanAll, version: opts.version };
    if (plan.kind === 'count') {
      const rows = selectRows(env, plan);
      return { totalSize: rows.length, done: true, records: [] };
    }
    if (plan.kind === 'aggregate') {
      const records = aggregateRows(env, plan);
      return { totalSize: records.length, done: true, records };
    }
    const rows = selectRows(env, plan);
    const batch = clampBatch(opts.batchSize);
    if (rows.length <= batch)
      return { totalSize: rows.length, done: true, records: rows.map((r) => project(env, plan, r)) };
    const cursor = this.open({
      rows,
      plan,
      scanAll: opts.scanAll,
      batchSize: batch,
      userId: opts.userId,
      now,
    });
    return this.page(cursor, 0, opts.version);
  }

  /** GET /query/{locator}-{offset}: the next page of an open cursor. */
  more(locatorText: string, opts: { version: string; userId: string; batchSize?: number }): QueryPage {
    const m = /^(01g[0-9A-Za-z]{15})-(\d+)$/.exec(locatorText);
    if (!m) throw invalidLocator();
    const cursor = this.cursors.get(m[1]!);
    const now = this.clock.now();
    if (!cursor || cursor.userId !== opts.userId || now - cursor.lastUsed > CURSOR_IDLE_MS) {
      if (cursor) this.cursors.delete(cursor.id);
      throw invalidLocator();
    }
    const offset = Number(m[2]);
    if (offset > cursor.rows.length) throw invalidLocator();
    cursor.lastUsed = now;
    if (opts.batchSize !== undefined) cursor.batchSize = clampBatch(opts.batchSize);
    return this.page(cursor, offset, opts.version);
  }

  private open(c: Omit<Cursor, 'id' | 'lastUsed'> & { now: number }): Cursor {
    const mine = [...this.cursors.values()].filter((x) => x.userId === c.userId);
    if (mine.length >= MAX_CURSORS_PER_USER) {
      mine.sort((a, b) => a.lastUsed - b.lastUsed);
      for (const old of mine.slice(0, mine.length - MAX_CURSORS_PER_USER + 1)) this.cursors.delete(old.id);
    }
    const id = this.org.ids.next('01g');
    const cursor: Cursor = {
      id,
      userId: c.userId,
      rows: c.rows,
      plan: c.plan,
      scanAll: c.scanAll,
      batchSize: c.batchSize,
      lastUsed: c.now,
    };
    this.cursors.set(id, cursor);
    return cursor;
  }

  private page(cursor: Cursor, offset: number, version: string): QueryPage {
    const env = { org: this.org, scanAll: cursor.scanAll, version };
    const end = Math.min(offset + cursor.batchSize, cursor.rows.length);
    const records: unknown[] = [];
    for (let i = offset; i < end; i++) records.push(project(env, cursor.plan, cursor.rows[i]!));
    const done = end >= cursor.rows.length;
    if (done) return { totalSize: cursor.rows.length, done, records };
    return {
      totalSize: cursor.rows.length,
      done,
      nextRecordsUrl: `/services/data/v${version}/query/${cursor.id}-${end}`,
      records,
    };
  }

  /** How many cursors are open (for inspection). */
  get openCursors(): number {
    return this.cursors.size;
  }
}

function clampBatch(n: number | undefined): number {
  if (n === undefined || !Number.isFinite(n)) return DEFAULT_BATCH;
  return Math.max(200, Math.min(2000, Math.floor(n)));
}
