import { sql, type Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { Schema } from './schema.ts';

/** One record as the directory keeps it. */
export interface DirectoryEntry {
  id: string;
  label: string;
  nameKey: string | null;
  emailKey: string | null;
  fuzzyKey: string | null;
  extKey: string | null;
  version: string | null;
  active: boolean;
}

/** Records what a read saw of each record (insert or refresh). */
export async function upsertDirectory(
  db: Kysely<Schema>,
  flow: string,
  side: 'sf' | 'qb',
  entries: readonly DirectoryEntry[],
): Promise<void> {
  for (const part of chunks(entries, 500)) {
    if (part.length === 0) continue;
    await db
      .insertInto('directory')
      .values(
        part.map((e) => ({
          flow,
          side,
          id: e.id,
          label: e.label,
          name_key: e.nameKey,
          email_key: e.emailKey,
          fuzzy_key: e.fuzzyKey,
          ext_key: e.extKey,
          version: e.version,
          active: e.active,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['flow', 'side', 'id'])
          .doUpdateSet({
            label: sql`excluded.label`,
            name_key: sql`excluded.name_key`,
            email_key: sql`excluded.email_key`,
            fuzzy_key: sql`excluded.fuzzy_key`,
            ext_key: sql`excluded.ext_key`,
            version: sql`excluded.version`,
            active: sql`excluded.active`,
            updated_at: sql`now()`,
          })
          .where(
            // A record read again unchanged (an overlap window, an echo) writes no new row version.
            sql<boolean>`(directory.label, directory.name_key, directory.email_key, directory.fuzzy_key, directory.ext_key, directory.version, directory.active)
            is distinct from (excluded.label, excluded.name_key, excluded.email_key, excluded.fuzzy_key, excluded.ext_key, excluded.version, excluded.active)`,
          ),
      )
      .execute();
  }
}

/** Labels of records on one side, by id (for listings and candidate descriptions). */
export async function directoryLabels(
  db: Kysely<Schema>,
  flow: string,
  side: 'sf' | 'qb',
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids)], 1000)) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom('directory')
      .select(['id', 'label'])
      .where('flow', '=', flow)
      .where('side', '=', side)
      .where('id', 'in', part)
      .execute();
    for (const r of rows) out.set(r.id, r.label);
  }
  return out;
}
