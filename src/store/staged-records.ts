import { sql, type Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { Schema } from './schema.ts';

type Side = 'sf' | 'qb';

/** Keeps records a run read (a record read twice keeps its later version). */
export async function stageRecords(
  db: Kysely<Schema>,
  runId: number,
  flow: string,
  side: Side,
  records: ReadonlyArray<{ id: string; body: string }>,
): Promise<void> {
  // One statement may not touch a row twice: a record given twice keeps its last version.
  const unique = [...new Map(records.map((r) => [r.id, r])).values()];
  // Two array parameters per statement instead of two per row: PGlite parses far fewer parameters.
  for (const part of chunks(unique, 2000)) {
    if (part.length === 0) continue;
    await sql`
      insert into staged_records (run_id, flow, side, id, body)
      select ${runId}::bigint, ${flow}::text, ${side}::text, r.id, r.body
      from unnest(${part.map((r) => r.id)}::text[], ${part.map((r) => r.body)}::text[]) as r(id, body)
      on conflict (run_id, flow, side, id) do update set body = excluded.body`.execute(db);
  }
}

/** The staged bodies of these records, by id (ids never staged are absent). */
export async function stagedBodies(
  db: Kysely<Schema>,
  runId: number,
  flow: string,
  side: Side,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids)], 5000)) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom('staged_records')
      .select(['id', 'body'])
      .where('run_id', '=', runId)
      .where('flow', '=', flow)
      .where('side', '=', side)
      .where(sql<boolean>`id = any(${part}::text[])`)
      .execute();
    for (const r of rows) out.set(r.id, r.body);
  }
  return out;
}

/** Drops what a run staged for a flow (when the flow's run ends, whatever the outcome). */
export async function dropStaged(db: Kysely<Schema>, runId: number, flow: string): Promise<void> {
  await db.deleteFrom('staged_records').where('run_id', '=', runId).where('flow', '=', flow).execute();
}

/** Drops what runs no longer running left behind (a process killed mid-run). */
export async function dropAbandonedStaging(db: Kysely<Schema>): Promise<void> {
  await sql`
    delete from staged_records s
    where not exists (select 1 from runs r where r.id = s.run_id and r.status = 'running')`.execute(db);
}
