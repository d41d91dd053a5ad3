import { sql, type Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { ErrorKind, ErrorRow, Schema } from './schema.ts';

/** A record that could not be synced, with what is needed to understand and retry it. */
export interface QueuedErrorInput {
  flow: string;
  direction: 'sf->qb' | 'qb->sf' | 'link';
  kind: ErrorKind;
  sfId: string | null;
  qbId: string | null;
  code?: string | null;
  message: string;
  sourcePayload?: unknown;
  targetPayload?: unknown;
  details?: unknown;
  runId?: number | null;
}

function recordKey(e: { sfId: string | null; qbId: string | null }): string {
  return `${e.sfId ?? ''}|${e.qbId ?? ''}`;
}

// When one record has several problems in one direction, the entry's kind is the one that most
// needs a person: a conflict or a bad value is not cured by waiting, a missing prerequisite may be.
const KIND_RANK: Record<ErrorKind, number> = {
  conflict: 6,
  validation: 5,
  auth: 4,
  limit: 3,
  prerequisite: 2,
  transient: 1,
};

function unique(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

/**
 * One entry per (flow, direction, record): a record can only have one open entry per direction, so
 * several problems found for it at once become one entry — messages joined, every problem's code,
 * kind, message and details kept in `details`, the kind that most needs a person.
 */
export function mergeErrors(errors: readonly QueuedErrorInput[]): QueuedErrorInput[] {
  const groups = new Map<string, QueuedErrorInput[]>();
  for (const e of errors) {
    const key = `${e.flow}\u0000${e.direction}\u0000${recordKey(e)}`;
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  const out: QueuedErrorInput[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0]!);
      continue;
    }
    const kind = group.reduce((k, e) => (KIND_RANK[e.kind] > KIND_RANK[k] ? e.kind : k), group[0]!.kind);
    const codes = unique(group.map((e) => e.code));
    out.push({
      flow: group[0]!.flow,
      direction: group[0]!.direction,
      kind,
      sfId: group.find((e) => e.sfId)?.sfId ?? null,
      qbId: group.find((e) => e.qbId)?.qbId ?? null,
      code: codes.length > 0 ? codes.join(', ') : null,
      message: unique(group.map((e) => e.message)).join('; '),
      sourcePayload: group.find((e) => e.sourcePayload !== undefined)?.sourcePayload,
      targetPayload: group.find((e) => e.targetPayload !== undefined)?.targetPayload,
      details: {
        problems: group.map((e) => ({
          kind: e.kind,
          code: e.code ?? null,
          message: e.message,
          ...(e.details !== undefined ? { details: e.details } : {}),
        })),
      },
      runId: group.find((e) => e.runId != null)?.runId ?? null,
    });
  }
  return out;
}

/**
 * Queues failures; a record already in the queue gets its entry updated (attempts + 1), not a second one.
 * Transient and prerequisite failures are retried automatically with backoff: 1 min, 5, 25 … capped at 6 h.
 */
export async function queueErrors(db: Kysely<Schema>, errors: readonly QueuedErrorInput[]): Promise<void> {
  // One INSERT … ON CONFLICT DO UPDATE cannot touch the same row twice: one entry per record.
  for (const part of chunks(mergeErrors(errors), 300)) {
    if (part.length === 0) continue;
    await db
      .insertInto('errors')
      .values(
        part.map((e) => ({
          flow: e.flow,
          direction: e.direction,
          kind: e.kind,
          record_key: recordKey(e),
          sf_id: e.sfId,
          qb_id: e.qbId,
          code: e.code ?? null,
          message: e.message,
          source_payload: e.sourcePayload === undefined ? null : JSON.stringify(e.sourcePayload),
          target_payload: e.targetPayload === undefined ? null : JSON.stringify(e.targetPayload),
          details: e.details === undefined ? null : JSON.stringify(e.details),
          run_id: e.runId ?? null,
          next_attempt_at:
            e.kind === 'transient' || e.kind === 'prerequisite'
              ? sql<Date>`now() + interval '60 seconds'`
              : null,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['flow', 'direction', 'record_key'])
          .where('status', '=', 'open')
          .doUpdateSet({
            kind: sql`excluded.kind`,
            code: sql`excluded.code`,
            message: sql`excluded.message`,
            source_payload: sql`excluded.source_payload`,
            target_payload: sql`excluded.target_payload`,
            details: sql`excluded.details`,
            run_id: sql`excluded.run_id`,
            attempts: sql`errors.attempts + 1`,
            last_seen: sql`now()`,
            next_attempt_at: sql`case when excluded.kind in ('transient', 'prerequisite')
              then now() + make_interval(secs => least(21600, 60 * power(5, errors.attempts)))
              else null end`,
          }),
      )
      .execute();
  }
}

/** Closes the open entries of records that have now synced. */
export async function resolveErrors(
  db: Kysely<Schema>,
  flow: string,
  records: ReadonlyArray<{ sfId: string | null; qbId: string | null }>,
): Promise<void> {
  const ids = records.flatMap((r) => [r.sfId, r.qbId]).filter((x): x is string => !!x);
  for (const part of chunks([...new Set(ids)], 500)) {
    if (part.length === 0) continue;
    await db
      .updateTable('errors')
      .set({ status: 'resolved', last_seen: new Date() })
      .where('flow', '=', flow)
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('sf_id', 'in', part), eb('qb_id', 'in', part)]))
      .execute();
  }
}

/** Open (or all) errors, newest first. */
export async function listErrors(
  db: Kysely<Schema>,
  opts: {
    flow?: string;
    status?: 'open' | 'resolved' | 'dismissed' | 'all';
    kind?: ErrorKind;
    limit?: number;
  } = {},
): Promise<ErrorRow[]> {
  let q = db.selectFrom('errors').selectAll();
  if (opts.flow) q = q.where('flow', '=', opts.flow);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  const status = opts.status ?? 'open';
  if (status !== 'all') q = q.where('status', '=', status);
  return q
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100)
    .execute();
}

/** Errors by id. */
export async function getErrors(db: Kysely<Schema>, ids: readonly number[]): Promise<ErrorRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('errors')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Open errors due for an automatic retry. */
export async function dueErrors(db: Kysely<Schema>, flow: string, limit = 1000): Promise<ErrorRow[]> {
  return db
    .selectFrom('errors')
    .selectAll()
    .where('flow', '=', flow)
    .where('status', '=', 'open')
    .where('next_attempt_at', '<=', new Date())
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/** Dismisses errors by hand: they stay listed as dismissed and are never retried. */
export async function dismissErrors(db: Kysely<Schema>, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('errors')
    .set({ status: 'dismissed', next_attempt_at: null, last_seen: new Date() })
    .where('id', 'in', [...ids])
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Counts of open errors by kind. */
export async function errorCounts(db: Kysely<Schema>, flow?: string): Promise<Record<string, number>> {
  let q = db
    .selectFrom('errors')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'open');
  if (flow) q = q.where('flow', '=', flow);
  const rows = await q.groupBy('kind').execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}
