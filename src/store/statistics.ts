import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Tables whose size swings with a sync (the planner must know, or it picks nested loops). */
export type AnalyzedTable = 'directory' | 'links' | 'outcomes' | 'unmatched';

/** Rows written before statistics are worth refreshing. */
export const ANALYZE_THRESHOLD = 1000;

/**
 * What ANALYZE looks at per table: the columns queries join and filter on, and how many rows it
 * samples (300 × the statistics target). ANALYZE holds its sample rows whole in memory; 30,000
 * `links` rows with their JSON states made PGlite touch ~50 MB more of its WebAssembly memory, which
 * stays resident for the life of the process. Ids are unique, so 3,000 rows estimate them as well.
 */
const ANALYZE_SPEC: Record<AnalyzedTable, { columns: readonly string[] | null; target: number }> = {
  directory: {
    columns: ['flow', 'side', 'id', 'name_key', 'email_key', 'fuzzy_key', 'ext_key', 'active'],
    target: 100,
  },
  links: { columns: ['id', 'flow', 'sf_id', 'qb_id'], target: 10 },
  outcomes: { columns: null, target: 100 },
  unmatched: { columns: null, target: 100 },
};

/**
 * Refreshes the planner's statistics of tables a sync just filled. PGlite runs no autovacuum, so a
 * directory that grew from 0 to 100,000 rows in one run still looks empty to the planner, which then
 * joins it by nested loops: the matching queries went from seconds to minutes. ANALYZE samples a
 * bounded number of rows, so it costs tens of milliseconds whatever the size.
 */
export async function analyzeTables(db: Kysely<Schema>, tables: readonly AnalyzedTable[]): Promise<void> {
  for (const t of tables) {
    const { columns, target } = ANALYZE_SPEC[t];
    const list = columns ? sql` (${sql.join(columns.map((c) => sql.ref(c)))})` : sql``;
    await db.transaction().execute(async (trx) => {
      await sql`select set_config('default_statistics_target', ${String(target)}, true)`.execute(trx);
      await sql`analyze ${sql.table(t)}${list}`.execute(trx);
    });
  }
}
