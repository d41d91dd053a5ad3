import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Tables whose size swings with a sync (the planner must know, or it picks nested loops). */
export type AnalyzedTable = 'directory' | 'links' | 'outcomes' | 'unmatched';

/** Rows written before statistics are worth refreshing. */
export const ANALYZE_THRESHOLD = 1000;

/**
 * Refreshes the planner's statistics of tables a sync just filled. PGlite runs no autovacuum, so a
 * directory that grew from 0 to 100,000 rows in one run still looks empty to the planner, which then
 * joins it by nested loops: the matching queries went from seconds to minutes. ANALYZE samples at
 * most 30,000 rows, so it costs tens of milliseconds whatever the size.
 */
export async function analyzeTables(db: Kysely<Schema>, tables: readonly AnalyzedTable[]): Promise<void> {
  for (const t of tables) await sql`analyze ${sql.table(t)}`.execute(db);
}
