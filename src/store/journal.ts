import type { Kysely } from 'kysely';
import { parseWithSource, rawJSON, type SourceReviver } from '../money/exact-json.ts';
import type { Schema } from './schema.ts';

/** A write batch about to be sent: its idempotency key, the exact request, and what each item is for. */
export interface JournalEntry<Req = unknown, Items = unknown> {
  key: string;
  flow: string;
  target: 'sf' | 'qb';
  request: Req;
  items: Items;
  runId: number | null;
}

// A number whose shortest float text differs from its source (2634.80, 1234567890123456.78, 1e5)
// comes back as a raw JSON token with exactly that source, so stringifying it again gives it back.
const exactNumbers: SourceReviver = (_key, value, context) => {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  return String(value) === context.source ? value : rawJSON(context.source);
};

/**
 * A request as the journal keeps it: its exact JSON text, stored as a jsonb string. A jsonb object
 * would come back through JSON.parse, and an amount through a binary float, so a replayed batch
 * would no longer be the request that was sent.
 */
function requestText(request: unknown): string {
  return JSON.stringify(JSON.stringify(request));
}

/** A journalled request as it was sent: numbers keep their exact text (older rows: as stored). */
export function requestOf(stored: unknown): unknown {
  if (typeof stored !== 'string') return stored;
  return parseWithSource(stored, exactNumbers);
}

/** Records a batch as pending; committed before the request leaves, so a crash can replay it. */
export async function journalPending(db: Kysely<Schema>, entry: JournalEntry): Promise<void> {
  await db
    .insertInto('write_journal')
    .values({
      key: entry.key,
      flow: entry.flow,
      target: entry.target,
      request: requestText(entry.request),
      items: JSON.stringify(entry.items),
      run_id: entry.runId,
    })
    .execute();
}

/** Marks a batch as applied (its results are in the links/outcomes committed in the same transaction). */
export async function journalApplied(db: Kysely<Schema>, key: string): Promise<void> {
  await db
    .updateTable('write_journal')
    .set({ status: 'applied', applied_at: new Date() })
    .where('key', '=', key)
    .execute();
}

/** Gives up on a pending batch (its replay was refused); its records are reprocessed normally. */
export async function journalAbandoned(db: Kysely<Schema>, key: string): Promise<void> {
  await db
    .updateTable('write_journal')
    .set({ status: 'abandoned', applied_at: new Date() })
    .where('key', '=', key)
    .execute();
}

/** Batches still pending for a flow, oldest first: sent (maybe) but never applied. */
export async function pendingJournal<Req = unknown, Items = unknown>(
  db: Kysely<Schema>,
  flow: string,
): Promise<Array<JournalEntry<Req, Items>>> {
  const rows = await db
    .selectFrom('write_journal')
    .selectAll()
    .where('flow', '=', flow)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    key: r.key,
    flow: r.flow,
    target: r.target,
    request: requestOf(r.request) as Req,
    items: r.items as Items,
    runId: r.run_id,
  }));
}

/** Drops applied entries older than `days` (the journal is for crash recovery, not history). */
export async function pruneJournal(db: Kysely<Schema>, days = 7): Promise<void> {
  await db
    .deleteFrom('write_journal')
    .where('status', '!=', 'pending')
    .where('created_at', '<', new Date(Date.now() - days * 86400_000))
    .execute();
}
