import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Where incremental reading of one stream (flow × side × object) resumes. */
export interface CursorPosition {
  /** The newest modification time fully processed (ISO). */
  since: string;
  [key: string]: unknown;
}

/** Every cursor of a flow, by "side:stream". */
export async function getCursors(db: Kysely<Schema>, flow: string): Promise<Map<string, CursorPosition>> {
  const rows = await db.selectFrom('cursors').selectAll().where('flow', '=', flow).execute();
  return new Map(rows.map((r) => [`${r.side}:${r.stream}`, r.position as CursorPosition]));
}

/** Moves a cursor (only after the outcomes of what it passes are committed). */
export async function setCursor(
  db: Kysely<Schema>,
  flow: string,
  side: 'sf' | 'qb',
  stream: string,
  position: CursorPosition,
): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ flow, side, stream, position: JSON.stringify(position) })
    .onConflict((oc) =>
      oc
        .columns(['flow', 'side', 'stream'])
        .doUpdateSet({ position: JSON.stringify(position), updated_at: new Date() }),
    )
    .execute();
}

/** Forgets a flow's cursors, so the next run reads everything again (a full resync). */
export async function resetCursors(db: Kysely<Schema>, flow: string): Promise<void> {
  await db.deleteFrom('cursors').where('flow', '=', flow).execute();
}
