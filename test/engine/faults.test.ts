import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../src/engine/sync.ts';
import type { ConnectorTuning } from '../../src/runtime/runtime.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { listUnmatched } from '../../src/store/unmatched.ts';
import { STORE_KINDS, type StoreKind } from '../helpers/stores.ts';
import {
  allLinks,
  callMark,
  duplicates,
  engineSandbox,
  finalState,
  openErrors,
  qbCustomers,
  sfAccounts,
  writeCounts,
  writesAfter,
  type EngineSandbox,
} from './helpers.ts';

const SEED = 4;
const RECORDS = 150;

// Quick backoff: the faults below are many, and the test is about outcomes, not waiting.
const TUNING = {
  qbo: { retries: 6, backoffBaseMs: 20, backoffMaxMs: 200 },
  salesforce: { retries: 6, backoffMs: 20 },
} as ConnectorTuning;

/** Everything a run must end at, whatever faults it met on the way. */
interface Expected {
  state: Awaited<ReturnType<typeof finalState>>;
  errors: string[];
  unmatched: string[];
}

async function observed(sb: Sandbox): Promise<Expected> {
  return {
    state: await finalState(sb),
    errors: (await openErrors(sb)).map((e) => `${e.kind}|${e.direction}|${e.qb_id ?? e.sf_id}`).sort(),
    unmatched: (await listUnmatched(sb.runtime.store.db, { status: 'open', limit: 10_000 }))
      .map((u) => `${u.side}|${u.record_id}`)
      .sort(),
  };
}

/**
 * Runs until the systems are in step: sync, then retry what the error queue holds as transient
 * (as `ledgerbridge errors retry` does), until a run has nothing left to write.
 */
async function settle(sb: Sandbox): Promise<SyncReport[]> {
  const reports: SyncReport[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await sb.sync();
    reports.push(r);
    const transient = (await openErrors(sb)).filter((e) => e.kind === 'transient' || e.kind === 'auth');
    if (transient.length > 0) {
      reports.push(
        await sb.sync({
          records: {
            sf: transient.map((e) => e.sf_id).filter((x): x is string => !!x),
            qb: transient.map((e) => e.qb_id).filter((x): x is string => !!x),
          },
        }),
      );
      continue;
    }
    if (Object.keys(writeCounts(r)).length === 0 && r.status === 'succeeded') break;
  }
  return reports;
}

let expected: Expected;

beforeAll(async () => {
  // The reference: the same seed synced with no fault at all (on PostgreSQL: quickest to set up).
  const ref = await engineSandbox('postgres', { seed: SEED, records: RECORDS });
  try {
    await ref.sync();
    await settle(ref);
    expected = await observed(ref);
  } finally {
    await ref.dispose();
  }
  expect(expected.state.links.length).toBeGreaterThan(50);
});

/** Asserts the sandbox ended where the fault-free reference did, with nothing twice and nothing lost. */
async function expectFinalState(sb: EngineSandbox): Promise<void> {
  const got = await observed(sb);
  expect(duplicates(qbCustomers(sb.qbo).map((c) => c.DisplayName))).toEqual([]);
  expect(duplicates(sfAccounts(sb.salesforce).map((a) => a.Name))).toEqual([]);
  expect(duplicates(sfAccounts(sb.salesforce).map((a) => a.QBO_Id__c))).toEqual([]);
  const links = await allLinks(sb);
  expect(new Set(links.map((l) => l.sf_id)).size).toBe(links.length);
  expect(new Set(links.map((l) => l.qb_id)).size).toBe(links.length);
  expect(got.state.qbCustomers).toEqual(expected.state.qbCustomers);
  expect(got.state.sfAccounts).toEqual(expected.state.sfAccounts);
  expect(got.state.sfContacts).toEqual(expected.state.sfContacts);
  expect(got.state.links).toEqual(expected.state.links);
  expect(got.errors).toEqual(expected.errors);
  expect(got.unmatched).toEqual(expected.unmatched);
  // And a further run writes nothing.
  const mark = callMark(sb);
  const again = await sb.sync();
  expect(writeCounts(again)).toEqual({});
  expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
}

function fired(sb: EngineSandbox): { sf: number; qb: number } {
  const sum = (l: Array<{ fired: number }>) => l.reduce((n, r) => n + r.fired, 0);
  return { sf: sum(sb.salesforce.kit.faults.list()), qb: sum(sb.qbo.kit.faults.list()) };
}

describe.each(STORE_KINDS)('sync under faults (%s)', (kind: StoreKind) => {
  let sb: EngineSandbox | undefined;
  afterEach(async () => {
    await sb?.dispose();
    sb = undefined;
  });

  const start = (faults: { sf?: string; qb?: string }) =>
    engineSandbox(kind, {
      seed: SEED,
      records: RECORDS,
      tuning: TUNING,
      salesforceOptions: faults.sf ? { faults: faults.sf } : {},
      qboOptions: faults.qb ? { faults: faults.qb } : {},
    });

  it('20% of writes committed with their response dropped, 429 throttling and 500/503 errors, on both systems', async () => {
    sb = await start({
      qb: 'action=drop-response,method=POST,path=*/batch,rate=0.2;action=throttle,every=3;action=500,method=POST,every=4',
      sf:
        'action=drop-response,method=PATCH,path=*/composite/sobjects*,rate=0.2;action=drop-response,method=POST,path=*/composite/sobjects*,rate=0.2;' +
        'action=503,every=3;action=500,method=PATCH,every=2',
    });
    await settle(sb);
    const rules = (l: Array<{ action: { kind: string }; fired: number }>, kind: string) =>
      l.filter((r) => r.action.kind === kind).reduce((n, r) => n + r.fired, 0);
    const qbRules = sb.qbo.kit.faults.list();
    const sfRules = sb.salesforce.kit.faults.list();
    expect(rules(qbRules, 'drop-response')).toBeGreaterThan(0);
    expect(rules(sfRules, 'drop-response')).toBeGreaterThan(0);
    expect(rules(qbRules, 'throttle')).toBeGreaterThan(0);
    expect(rules(qbRules, 'status')).toBeGreaterThan(0);
    expect(rules(sfRules, 'status')).toBeGreaterThan(1);
    sb.qbo.kit.faults.remove();
    sb.salesforce.kit.faults.remove();
    await expectFinalState(sb);
  });

  it('access tokens expiring mid-run on each system; QuickBooks refresh tokens rotated: the newest is kept, a rotated-out one is never needed', async () => {
    // QuickBooks: expired on the first read, then again under concurrent batches (several 401s at
    // once); Salesforce: its session expires between calls.
    sb = await start({
      qb: 'action=expire-token,method=GET,path=/v3/*,times=1;action=expire-token,method=POST,path=*/batch,after=2,times=1',
      sf: 'action=expire-token,path=/services/data/*,after=3,times=1',
    });
    const first = await sb.sync();
    expect(first.message ?? '').toBe('');
    expect(first.status).toBe('succeeded');
    expect(fired(sb)).toEqual({ sf: 1, qb: 2 });
    // One refresh per expiry: concurrent 401s share one rotation, no refresh token is spent twice.
    const tokenCalls = Object.entries(sb.qbo.kit.calls.snapshot().byEndpoint)
      .filter(([k]) => k.includes('/tokens/bearer'))
      .reduce((n, [, v]) => n + v, 0);
    expect(tokenCalls).toBe(2);
    // A day later every rotated-out refresh token is dead (Intuit's grace is over) and so is the
    // access token: a new process must refresh with the token the store kept.
    sb.qbo.kit.clock.advance(25 * 3_600_000);
    await sb.reopen();
    const mark = callMark(sb);
    const again = await sb.sync();
    expect(again.message ?? '').toBe('');
    expect(again.status).toBe('succeeded');
    expect(again.apiCalls.quickbooks.total).toBeGreaterThan(0);
    expect(writeCounts(again)).toEqual({});
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
    await settle(sb);
    await expectFinalState(sb);
  });
});
