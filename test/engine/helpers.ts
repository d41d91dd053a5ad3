import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { company, type SeedCompany } from '../../emulators/seed/universe.ts';
import type { EmulatorKit } from '../../emulators/kit/server.ts';
import type { RunningQboEmulator } from '../../emulators/qbo/index.ts';
import type { RunningSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { LedgerbridgeConfig } from '../../src/config/index.ts';
import { runSync, type SyncReport } from '../../src/engine/sync.ts';
import { openRuntime } from '../../src/runtime/runtime.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.ts';
import type { StoreLocation } from '../../src/store/database.ts';
import { listErrors } from '../../src/store/error-queue.ts';
import { listLinks } from '../../src/store/links.ts';
import type { ErrorRow, LinkRow } from '../../src/store/schema.ts';
import { freshPostgresDatabase, type StoreKind } from '../helpers/stores.ts';

/** A fixed key, so a store sealed in one process opens in another (CLI children, restarts). */
export const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** The environment every engine test runs the runtime (and CLI children) with. */
export function engineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LEDGERBRIDGE_SECRET_KEY: SECRET_KEY,
    LEDGERBRIDGE_LOG: 'silent',
    LEDGERBRIDGE_CONFIG: '',
    ...extra,
  };
}

/** An empty place for a store of the given kind: a PGlite data folder or a fresh PostgreSQL database. */
export async function storeLocation(
  kind: StoreKind,
): Promise<{ location: StoreLocation; dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'lb-engine-'));
    return { location: { dataDir: dir }, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  const db = await freshPostgresDatabase();
  return { location: { databaseUrl: db.url }, dispose: () => db.drop() };
}

/** A sandbox (both emulators + a runtime) on a store of the given kind, and how to throw it all away. */
export interface EngineSandbox extends Sandbox {
  kind: StoreKind;
  location: StoreLocation;
  /** Closes the runtime and opens a new one on the same store: what a restarted process sees. */
  reopen(config?: LedgerbridgeConfig): Promise<void>;
  dispose(): Promise<void>;
}

export async function engineSandbox(
  kind: StoreKind,
  opts: SandboxOptions & { records: number },
): Promise<EngineSandbox> {
  const where = await storeLocation(kind);
  let sb: Sandbox;
  try {
    sb = await startSandbox({ env: engineEnv(), ...opts, location: where.location });
  } catch (e) {
    await where.dispose();
    throw e;
  }
  const self: EngineSandbox = {
    kind,
    location: where.location,
    salesforce: sb.salesforce,
    qbo: sb.qbo,
    runtime: sb.runtime,
    sync: (req = {}) => runSync(self.runtime.engine, { trigger: 'sandbox', ...req }),
    async reopen(config = opts.config) {
      await self.runtime.close();
      self.runtime = await openRuntime({
        location: where.location,
        config,
        configFile: config ? undefined : (opts.configFile ?? null),
        tuning: opts.tuning,
        env: opts.env ?? engineEnv(),
      });
    },
    async close() {
      try {
        await self.runtime.close();
      } finally {
        await sb.qbo.close();
        await sb.salesforce.close();
      }
    },
    async dispose() {
      try {
        await self.close();
      } finally {
        await where.dispose();
      }
    },
  };
  return self;
}

// ---------------------------------------------------------------------------------------------
// What the emulators hold, read in-process.

export interface QbCustomer {
  Id: string;
  SyncToken: string;
  DisplayName: string;
  Active?: boolean;
  Notes?: string;
  CompanyName?: string;
  ParentRef?: { value: string };
  PrimaryPhone?: { FreeFormNumber?: string };
  PrimaryEmailAddr?: { Address?: string };
  [k: string]: unknown;
}

export interface SfAccount {
  Id: string;
  Name: string;
  IsDeleted: boolean;
  QBO_Id__c: string | null;
  ParentId: string | null;
  Phone: string | null;
  Description: string | null;
  [k: string]: unknown;
}

/** Every QuickBooks customer (active or not), in id order. */
export function qbCustomers(qbo: RunningQboEmulator): QbCustomer[] {
  return [...qbo.company().table('Customer').inIdOrder()].map((r) => r.e as QbCustomer);
}

/** Every live Salesforce account. */
export function sfAccounts(sf: RunningSalesforceEmulator): SfAccount[] {
  return [...sf.org.table('Account').rows.values()]
    .map((r) => r as unknown as SfAccount)
    .filter((r) => !r.IsDeleted);
}

/** Every live Salesforce contact. */
export function sfContacts(sf: RunningSalesforceEmulator): Array<Record<string, unknown>> {
  return [...sf.org.table('Contact').rows.values()].filter((r) => !r.IsDeleted);
}

/** Values that occur more than once (case-insensitive). */
export function duplicates(values: Iterable<string | null | undefined>): string[] {
  const seen = new Map<string, number>();
  for (const v of values) {
    if (v === null || v === undefined || v === '') continue;
    const k = v.toLowerCase();
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** Plays a person editing a QuickBooks customer in QuickBooks (SyncToken + 1, LastUpdatedTime now). */
export function qbEdit(qbo: RunningQboEmulator, id: string, patch: Record<string, unknown>): void {
  const co = qbo.company();
  const rec = co.table('Customer').get(id);
  if (!rec) throw new Error(`no QuickBooks customer ${id}`);
  const { Id: _id, SyncToken: _t, domain: _d, sparse: _s, ...fields } = rec.e;
  co.commitUpdate('Customer', rec, { ...fields, ...patch });
}

/** Plays a person editing a Salesforce account in Salesforce. */
export function sfEdit(sf: RunningSalesforceEmulator, id: string, patch: Record<string, unknown>): void {
  sf.org.update('Account', id, patch);
}

/** Moves both emulators' clocks forward (timestamps are whole seconds). */
export function advance(
  sb: { salesforce: { kit: EmulatorKit }; qbo: { kit: EmulatorKit } },
  ms: number,
): void {
  sb.salesforce.kit.clock.advance(ms);
  sb.qbo.kit.clock.advance(ms);
}

// ---------------------------------------------------------------------------------------------
// API calls, as the emulators counted them.

const READ_PATH = /\/(query|queryAll|cdc)(\/|$)|\/describe$|\/(updated|deleted)\/?$/;
const AUTH_PATH = /oauth2|\/tokens|\/Soap\//;

/** Whether an endpoint key of an emulator's call counter ("METHOD /route") changes data. */
export function isWrite(endpoint: string): boolean {
  const [method, path = ''] = endpoint.split(' ');
  if (method === 'GET' || method === 'HEAD') return false;
  if (AUTH_PATH.test(path)) return false;
  if (READ_PATH.test(path)) return false;
  return true;
}

/** Write calls counted by an emulator since `before` (a snapshot of its counter). */
export function writesSince(
  kit: EmulatorKit,
  before: Record<string, number> = {},
): { total: number; byEndpoint: Record<string, number> } {
  const now = kit.calls.snapshot().byEndpoint;
  const byEndpoint: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(now)) {
    const n = v - (before[k] ?? 0);
    if (n > 0 && isWrite(k)) {
      byEndpoint[k] = n;
      total += n;
    }
  }
  return { total, byEndpoint };
}

/** The call counts of both emulators now (to diff against later). */
export function callMark(sb: { salesforce: { kit: EmulatorKit }; qbo: { kit: EmulatorKit } }): {
  sf: Record<string, number>;
  qb: Record<string, number>;
} {
  return {
    sf: { ...sb.salesforce.kit.calls.snapshot().byEndpoint },
    qb: { ...sb.qbo.kit.calls.snapshot().byEndpoint },
  };
}

/** Write calls both emulators received since a mark. */
export function writesAfter(
  sb: { salesforce: { kit: EmulatorKit }; qbo: { kit: EmulatorKit } },
  mark: { sf: Record<string, number>; qb: Record<string, number> },
): { sf: number; qb: number; detail: { sf: Record<string, number>; qb: Record<string, number> } } {
  const sf = writesSince(sb.salesforce.kit, mark.sf);
  const qb = writesSince(sb.qbo.kit, mark.qb);
  return { sf: sf.total, qb: qb.total, detail: { sf: sf.byEndpoint, qb: qb.byEndpoint } };
}

/** Counts of a report that are writes to either system ("sf->qb updated", "qb->sf created" …). */
export function writeCounts(report: SyncReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of report.flows)
    for (const [k, n] of Object.entries(f.counts))
      if (/ (created|updated|deactivated|deleted)$/.test(k)) out[k] = (out[k] ?? 0) + n;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ground truth from the seed universe.

export interface Truth {
  companies: SeedCompany[];
  /** QuickBooks id of each company QuickBooks has (by key), as seeded. */
  qbIdByKey: Map<string, string>;
  /** Salesforce account id of each company Salesforce has (by key), as seeded. */
  sfIdByKey: Map<string, string>;
  /** Pairs a rule can match: exact, normalized or email, on both sides. */
  matchable: SeedCompany[];
}

/**
 * Reads, before any sync, which seeded record is which company. Names are unique per side in the
 * seed universe, so each company is found by its spelling on that side.
 */
export function seedTruth(sb: Sandbox, seed: number, records: number): Truth {
  const companies = Array.from({ length: records }, (_, i) => company(seed, i));
  const qbByName = new Map(qbCustomers(sb.qbo).map((c) => [c.DisplayName.toLowerCase(), c.Id]));
  const sfByName = new Map(sfAccounts(sb.salesforce).map((a) => [a.Name.toLowerCase(), a.Id]));
  const qbIdByKey = new Map<string, string>();
  const sfIdByKey = new Map<string, string>();
  for (const c of companies) {
    if (c.presence !== 'sf') {
      const id = qbByName.get(c.qboName.toLowerCase());
      if (!id) throw new Error(`seed: QuickBooks has no customer "${c.qboName}"`);
      qbIdByKey.set(c.key, id);
    }
    if (c.presence !== 'qbo') {
      const id = sfByName.get(c.sfName.toLowerCase());
      if (!id) throw new Error(`seed: Salesforce has no account "${c.sfName}"`);
      sfIdByKey.set(c.key, id);
    }
  }
  return {
    companies,
    qbIdByKey,
    sfIdByKey,
    matchable: companies.filter((c) => c.presence === 'both' && c.match !== 'none'),
  };
}

/** Every link of a flow. */
export async function allLinks(sb: Sandbox, flow = 'customers'): Promise<LinkRow[]> {
  return listLinks(sb.runtime.store.db, { flow, limit: 1_000_000 });
}

/** Open entries of the error queue. */
export async function openErrors(sb: Sandbox): Promise<ErrorRow[]> {
  return listErrors(sb.runtime.store.db, { status: 'open', limit: 100_000 });
}

/**
 * The final state both systems and the store hold, in terms that do not depend on the order
 * records were created in: what a run with faults must end at, compared with a run without.
 */
export async function finalState(sb: Sandbox): Promise<{
  qbCustomers: string[];
  sfAccounts: string[];
  sfContacts: string[];
  links: string[];
}> {
  const qb = qbCustomers(sb.qbo);
  const sf = sfAccounts(sb.salesforce);
  const sfName = new Map(sf.map((a) => [a.Id, a.Name]));
  const qbName = new Map(qb.map((c) => [c.Id, c.DisplayName]));
  return {
    qbCustomers: qb.map((c) => `${c.DisplayName}|${c.Active === false ? 'inactive' : 'active'}`).sort(),
    sfAccounts: sf.map((a) => `${a.Name}|${a.QBO_Id__c ?? ''}`).sort(),
    sfContacts: sfContacts(sb.salesforce)
      .map((c) => `${sfName.get(String(c.AccountId))}|${c.FirstName} ${c.LastName}|${c.Email}`)
      .sort(),
    links: (await allLinks(sb)).map((l) => `${qbName.get(l.qb_id)}↔${sfName.get(l.sf_id)}`).sort(),
  };
}
