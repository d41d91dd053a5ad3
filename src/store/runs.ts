import { sql, type Kysely } from 'kysely';
import type { RunMode, RunRow, RunStatus, Schema } from './schema.ts';

/** Opens a run record. */
export async function startRun(
  db: Kysely<Schema>,
  input: { flows: string[]; mode: RunMode; trigger: string },
): Promise<RunRow> {
  return db
    .insertInto('runs')
    .values({ flows: input.flows, mode: input.mode, trigger: input.trigger, status: 'running' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Closes a run with its outcome, figures and API calls. */
export async function finishRun(
  db: Kysely<Schema>,
  id: number,
  input: {
    status: Exclude<RunStatus, 'running'>;
    stats: Record<string, unknown>;
    apiCalls: Record<string, unknown>;
    message?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: input.status,
      stats: JSON.stringify(input.stats),
      api_calls: JSON.stringify(input.apiCalls),
      message: input.message ?? null,
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Marks a run alive (so a crashed run can be told from a running one). */
export async function heartbeat(
  db: Kysely<Schema>,
  id: number,
  stats?: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('runs')
    .set(stats ? { heartbeat_at: new Date(), stats: JSON.stringify(stats) } : { heartbeat_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Runs left 'running' by a process that died (no heartbeat for `staleSeconds`) become 'resumable'. */
export async function closeAbandonedRuns(db: Kysely<Schema>, staleSeconds = 120): Promise<number> {
  const r = await db
    .updateTable('runs')
    .set({
      status: 'resumable',
      finished_at: new Date(),
      message: 'the process running it stopped; the next run resumes its work',
    })
    .where('status', '=', 'running')
    .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Recent runs, newest first. */
export async function listRuns(
  db: Kysely<Schema>,
  opts: { limit?: number; flow?: string } = {},
): Promise<RunRow[]> {
  let q = db.selectFrom('runs').selectAll();
  if (opts.flow) q = q.where(sql<boolean>`${opts.flow} = any(flows)`);
  return q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 20)
    .execute();
}

/** One run by id. */
export async function getRun(db: Kysely<Schema>, id: number): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
}
