import { z } from 'zod';
import type { TokenSnapshot } from './auth/tokens.ts';
import type { StoredResponse } from './idempotency.ts';
import { ENTITY_NAMES, type EntityName } from './schema.ts';
import type { Company, DefaultAccounts } from './store/company.ts';
import type { Entity, StoredRecord } from './store/table.ts';

/**
 * The --state file: every company with its records (in last-update order, with their times),
 * tombstones, id sequences and remembered request ids, plus OAuth tokens and webhook URLs, so a
 * restarted emulator is the same company.
 */

export const STATE_KIND = 'ledgerbridge-qbo-emulator';
export const STATE_VERSION = 1;

type RecordRow = [Entity, number, number, boolean];

export interface RealmSnapshot {
  realmId: string;
  accounts: DefaultAccounts;
  defaultDueDays: number;
  tables: Record<string, { seq: number; records: RecordRow[]; tombstones: Array<[string, number]> }>;
  requestIds: Array<[string, StoredResponse]>;
}

export interface QboState {
  kind: typeof STATE_KIND;
  version: number;
  savedAt: string;
  clockOffsetMs: number;
  realms: RealmSnapshot[];
  tokens: TokenSnapshot;
  webhookUrls: string[];
}

const stateSchema = z.object({
  kind: z.literal(STATE_KIND),
  version: z.literal(STATE_VERSION),
  savedAt: z.string(),
  clockOffsetMs: z.number(),
  realms: z
    .array(
      z.object({
        realmId: z.string().regex(/^\d+$/),
        accounts: z.record(z.string(), z.string()),
        defaultDueDays: z.number(),
        tables: z.record(
          z.string(),
          z.object({
            seq: z.number(),
            records: z.array(
              z.tuple([z.record(z.string(), z.unknown()), z.number(), z.number(), z.boolean()]),
            ),
            tombstones: z.array(z.tuple([z.string(), z.number()])),
          }),
        ),
        requestIds: z.array(z.tuple([z.string(), z.object({ status: z.number(), body: z.string() })])),
      }),
    )
    .min(1),
  tokens: z.object({
    access: z.array(z.unknown()),
    refresh: z.array(z.unknown()),
    revoked: z.array(z.string()),
  }),
  webhookUrls: z.array(z.string()),
});

/** Checks that parsed JSON is this emulator's state (throws with the first problem). */
export function checkState(raw: unknown): QboState {
  const r = stateSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'state'}: ${issue.message}`);
  }
  return r.data as unknown as QboState;
}

/** One company as stored in the state file. */
export function snapshotRealm(co: Company, requestIds: Array<[string, StoredResponse]>): RealmSnapshot {
  const tables: RealmSnapshot['tables'] = {};
  for (const name of ENTITY_NAMES) {
    const t = co.table(name);
    tables[name] = {
      seq: t.seq,
      records: [...t.inUpdateOrder()].map((r) => [r.e, r.created, r.updated, r.voided === true]),
      tombstones: [...t.tombstones],
    };
  }
  return {
    realmId: co.realmId,
    accounts: co.accounts,
    defaultDueDays: co.defaultDueDays,
    tables,
    requestIds,
  };
}

/** Loads a stored company into an empty Company. */
export function restoreRealm(co: Company, snap: RealmSnapshot): void {
  co.accounts = snap.accounts;
  co.defaultDueDays = snap.defaultDueDays;
  for (const name of ENTITY_NAMES) {
    const t = snap.tables[name];
    if (!t) continue;
    const table = co.table(name as EntityName);
    const records: StoredRecord[] = t.records.map(([e, created, updated, voided]) => ({
      id: String(e.Id),
      e,
      created,
      updated,
      inactive: e.Active === false,
      ...(voided ? { voided: true } : {}),
    }));
    table.bulkLoad(records);
    table.seq = Math.max(table.seq, t.seq);
    for (const [id, at] of t.tombstones) table.tombstones.set(id, at);
  }
  co.rebuildIndexes();
}
