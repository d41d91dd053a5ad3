import { sql, type Kysely } from 'kysely';

/**
 * Records a run has read and not yet written, kept here instead of in memory: a 100,000-pair run
 * read ~180,000 records, ~400 MB as JavaScript objects. Unlogged: a crash loses nothing the next run
 * needs (it reads again from the cursors, which move only when a run completes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table staged_records (
      run_id bigint not null,
      flow text not null,
      side text not null check (side in ('sf', 'qb')),
      id text not null,
      -- the record as JSON text: decimals are already exact strings, and text is never re-parsed as floats
      body text not null,
      primary key (run_id, flow, side, id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table staged_records`.execute(db);
}
