import type { Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { Schema } from './schema.ts';

/** What happened to one record in one run. */
export interface OutcomeInput {
  flow: string;
  direction: 'sf->qb' | 'qb->sf' | 'link';
  sfId: string | null;
  qbId: string | null;
  action: OutcomeAction;
  reason?: string | null;
  changes?: unknown;
}

/**
 * created / updated: written to the target; linked: paired with an existing record; unchanged: read,
 * nothing to do (including our own echoes); skipped: by rule (delete policy, criteria); held: not sent,
 * with the reason (prerequisite, validation, conflict held for review, unmatched); failed: the service refused it;
 * deactivated / deleted: by delete policy; conflict: both sides changed, resolved by policy.
 */
export type OutcomeAction =
  | 'created'
  | 'updated'
  | 'linked'
  | 'unchanged'
  | 'skipped'
  | 'held'
  | 'failed'
  | 'deactivated'
  | 'deleted'
  | 'conflict'
  | 'unmatched';

/** Stores outcomes of a run. */
export async function insertOutcomes(
  db: Kysely<Schema>,
  runId: number,
  outcomes: readonly OutcomeInput[],
): Promise<void> {
  for (const part of chunks(outcomes, 500)) {
    if (part.length === 0) continue;
    await db
      .insertInto('outcomes')
      .values(
        part.map((o) => ({
          run_id: runId,
          flow: o.flow,
          direction: o.direction,
          sf_id: o.sfId,
          qb_id: o.qbId,
          action: o.action,
          reason: o.reason ?? null,
          changes: o.changes === undefined ? null : JSON.stringify(o.changes),
        })),
      )
      .execute();
  }
}

/** Outcomes of a run (or of one record across runs), for `runs show` and the API. */
export async function listOutcomes(
  db: Kysely<Schema>,
  opts: { runId?: number; flow?: string; recordId?: string; action?: string; limit?: number },
): Promise<Array<Record<string, unknown>>> {
  let q = db.selectFrom('outcomes').selectAll();
  if (opts.runId !== undefined) q = q.where('run_id', '=', opts.runId);
  if (opts.flow) q = q.where('flow', '=', opts.flow);
  if (opts.action) q = q.where('action', '=', opts.action);
  if (opts.recordId) {
    const id = opts.recordId;
    q = q.where((eb) => eb.or([eb('sf_id', '=', id), eb('qb_id', '=', id)]));
  }
  return q
    .orderBy('id')
    .limit(opts.limit ?? 1000)
    .execute();
}

/** Counts of outcomes per action in a run. */
export async function outcomeCounts(db: Kysely<Schema>, runId: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('outcomes')
    .select(['direction', 'action', (eb) => eb.fn.countAll<number>().as('n')])
    .where('run_id', '=', runId)
    .groupBy(['direction', 'action'])
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.direction} ${r.action}`, Number(r.n)]));
}
