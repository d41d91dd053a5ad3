import { sql, type Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { Schema, UnmatchedRow } from './schema.ts';

/** A record no matching rule could pair, with suggested candidates on the other side. */
export interface UnmatchedInput {
  flow: string;
  side: 'sf' | 'qb';
  recordId: string;
  label: string;
  reason: string;
  candidates: Array<{ id: string; label: string; why: string }>;
}

/** Lists records as unmatched (refreshing an existing open entry). */
export async function upsertUnmatched(db: Kysely<Schema>, rows: readonly UnmatchedInput[]): Promise<void> {
  for (const part of chunks(rows, 400)) {
    if (part.length === 0) continue;
    await db
      .insertInto('unmatched')
      .values(
        part.map((r) => ({
          flow: r.flow,
          side: r.side,
          record_id: r.recordId,
          label: r.label,
          reason: r.reason,
          candidates: JSON.stringify(r.candidates),
          status: 'open' as const,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['flow', 'side', 'record_id']).doUpdateSet({
          label: sql`excluded.label`,
          reason: sql`excluded.reason`,
          candidates: sql`excluded.candidates`,
          status: sql`case when unmatched.status = 'ignored' then unmatched.status else 'open' end`,
          last_seen: sql`now()`,
        }),
      )
      .execute();
  }
}

/** Marks records as no longer unmatched (linked or created). */
export async function closeUnmatched(
  db: Kysely<Schema>,
  flow: string,
  side: 'sf' | 'qb',
  ids: readonly string[],
  status: 'linked' | 'created',
): Promise<void> {
  for (const part of chunks([...new Set(ids)], 500)) {
    if (part.length === 0) continue;
    await db
      .updateTable('unmatched')
      .set({ status, last_seen: new Date() })
      .where('flow', '=', flow)
      .where('side', '=', side)
      .where('record_id', 'in', part)
      .where('status', '=', 'open')
      .execute();
  }
}

/** Sets an entry's status by hand (ignore). */
export async function setUnmatchedStatus(
  db: Kysely<Schema>,
  id: number,
  status: 'ignored' | 'open',
): Promise<boolean> {
  const r = await db
    .updateTable('unmatched')
    .set({ status, last_seen: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Open unmatched records. */
export async function listUnmatched(
  db: Kysely<Schema>,
  opts: { flow?: string; side?: 'sf' | 'qb'; status?: string; limit?: number } = {},
): Promise<UnmatchedRow[]> {
  let q = db.selectFrom('unmatched').selectAll();
  if (opts.flow) q = q.where('flow', '=', opts.flow);
  if (opts.side) q = q.where('side', '=', opts.side);
  if ((opts.status ?? 'open') !== 'all') q = q.where('status', '=', (opts.status ?? 'open') as 'open');
  return q
    .orderBy('id')
    .limit(opts.limit ?? 200)
    .execute();
}

/** Open unmatched count per side. */
export async function unmatchedCounts(db: Kysely<Schema>, flow?: string): Promise<Record<string, number>> {
  let q = db
    .selectFrom('unmatched')
    .select(['side', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'open');
  if (flow) q = q.where('flow', '=', flow);
  const rows = await q.groupBy('side').execute();
  return Object.fromEntries(rows.map((r) => [r.side, Number(r.n)]));
}
