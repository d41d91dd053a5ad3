import { z } from 'zod';
import type { AuthSnapshot } from './auth/sessions.ts';
import type { SalesforceOrg } from './org/org.ts';
import type { Value } from './org/table.ts';

/** The state file: every record, id counters, delete log, sessions and grants, API usage. */

export const STATE_FORMAT = 'ledgerbridge-salesforce-emulator';

export interface SalesforceState {
  format: typeof STATE_FORMAT;
  version: 1;
  seed: number | string;
  records: number;
  orgId: string;
  instance: string;
  integrationUserId: string;
  credentials: {
    clientId: string;
    clientSecret: string;
    username: string;
    password: string;
    securityToken: string;
    accessToken: string;
    refreshToken: string;
  };
  idCounters: Record<string, number>;
  objects: Record<string, Array<Record<string, Value>>>;
  deleteLog: Record<string, Array<{ id: string; at: number }>>;
  auth: AuthSnapshot;
  usage: Array<[number, number]>;
  clockOffsetMs: number;
}

const stateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(1),
  seed: z.union([z.number(), z.string()]),
  records: z.number(),
  orgId: z.string().length(18),
  instance: z.string().length(2),
  integrationUserId: z.string().length(18),
  credentials: z.object({
    clientId: z.string(),
    clientSecret: z.string(),
    username: z.string(),
    password: z.string(),
    securityToken: z.string(),
    accessToken: z.string(),
    refreshToken: z.string(),
  }),
  idCounters: z.record(z.string(), z.number()),
  objects: z.record(
    z.string(),
    z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  ),
  deleteLog: z.record(z.string(), z.array(z.object({ id: z.string(), at: z.number() }))),
  auth: z.object({
    sessions: z.array(z.any()),
    refresh: z.array(z.any()),
    apps: z.array(z.any()),
    credentials: z.array(z.any()),
  }),
  usage: z.array(z.tuple([z.number(), z.number()])),
  clockOffsetMs: z.number(),
});

/** Validates a parsed state file (the message says what is wrong). */
export function checkState(raw: unknown): SalesforceState {
  const r = stateSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  return r.data as SalesforceState;
}

/** Every record of the org as stored (own values only; defaults are implied). */
export function snapshotObjects(org: SalesforceOrg): SalesforceState['objects'] {
  const out: SalesforceState['objects'] = {};
  for (const [name, table] of org.tables)
    out[name] = [...table.rows.values()].map((r) => {
      // Only values that differ from the defaults: state files stay small.
      const own: Record<string, Value> = {};
      for (const k of table.fieldNames) {
        const v = r[k];
        if (v !== null && v !== undefined && v !== false) own[k] = v;
      }
      return own;
    });
  return out;
}

/** Loads records saved by snapshotObjects; fields the schema no longer has are dropped. */
export function restoreObjects(org: SalesforceOrg, objects: SalesforceState['objects']): void {
  for (const [name, rows] of Object.entries(objects)) {
    const table = org.tables.get(name);
    if (!table) continue;
    for (const row of rows) {
      const clean: Record<string, Value> = {};
      for (const [k, v] of Object.entries(row)) if (table.def.byLower.has(k.toLowerCase())) clean[k] = v;
      if (typeof clean.Id !== 'string') continue;
      org.put(table, undefined, table.make(clean));
    }
  }
}
