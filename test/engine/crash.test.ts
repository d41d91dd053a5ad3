import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQboEmulator, type RunningQboEmulator } from '../../emulators/qbo/index.ts';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { runSync } from '../../src/engine/sync.ts';
import { connectEmulator } from '../../src/runtime/connect.ts';
import { openRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { StoreLocation } from '../../src/store/database.ts';
import { STORE_KINDS } from '../helpers/stores.ts';
import {
  callMark,
  duplicates,
  engineEnv,
  engineSandbox,
  finalState,
  qbCustomers,
  sfAccounts,
  storeLocation,
  writeCounts,
  writesAfter,
  writesSince,
} from './helpers.ts';

const SEED = 5;
const RECORDS = 150;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'ledgerbridge.js');
const PINNED = join(ROOT, 'node_modules', 'node', 'bin', 'node');
/** Node 22: the pinned runtime, so SIGKILL reaches the process doing the work (no re-exec wrapper). */
const NODE = existsSync(PINNED) ? PINNED : process.execPath;

function storeArgs(location: StoreLocation): string[] {
  return location.databaseUrl ? ['--database-url', location.databaseUrl] : ['--data', location.dataDir!];
}

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `ledgerbridge sync --json` in a child; kills it with SIGKILL when `killWhen` first holds. */
function syncChild(location: StoreLocation, killWhen?: () => boolean): Promise<Child & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...storeArgs(location), 'sync', '--json', '--no-progress'], {
      cwd: ROOT,
      env: engineEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killWhen
      ? setInterval(() => {
          if (!killed && killWhen()) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, 5)
      : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let expected: Awaited<ReturnType<typeof finalState>>;

beforeAll(async () => {
  const ref = await engineSandbox('postgres', { seed: SEED, records: RECORDS });
  try {
    await ref.sync();
    await ref.sync();
    expected = await finalState(ref);
  } finally {
    await ref.dispose();
  }
});

describe.each(STORE_KINDS)('the process killed mid-run and restarted (%s)', (kind) => {
  let sf: RunningSalesforceEmulator;
  let qbo: RunningQboEmulator;
  let where: Awaited<ReturnType<typeof storeLocation>>;

  beforeAll(async () => {
    // Slow writes, so a kill lands while requests are in flight: the emulators still commit them
    // after the client is gone (the answer is lost with the process).
    sf = await startSalesforceEmulator({
      seed: SEED,
      records: RECORDS,
      faults: 'action=delay:300,method=PATCH,path=*/composite/sobjects*',
    });
    qbo = await startQboEmulator({
      seed: SEED,
      records: RECORDS,
      faults: 'action=delay:300,method=POST,path=*/batch',
    });
    where = await storeLocation(kind);
    const rt = await openRuntime({ location: where.location, configFile: null, env: engineEnv() });
    try {
      await connectEmulator(rt.connections, 'salesforce', 'salesforce', sf.url);
      await connectEmulator(rt.connections, 'qbo', 'qbo', qbo.url);
    } finally {
      await rt.close();
    }
  });
  afterAll(async () => {
    await sf?.close();
    await qbo?.close();
    await where?.dispose();
  });

  it('ends with every record once on each side, every link, nothing lost, and then writes nothing', async () => {
    const sfBefore = sfAccounts(sf).length;
    const qbBefore = qbCustomers(qbo).length;

    // 1. Killed while its QuickBooks batches are in flight.
    const first = await syncChild(where.location, () => writesSince(qbo.kit).total >= 1);
    expect(first.killed, first.stderr).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    await sleep(700); // the emulator finishes the orphaned requests
    expect(writesSince(qbo.kit).total).toBeGreaterThan(0);

    // 2. Restarted, and killed again while its Salesforce writes are in flight.
    const sfMark = { ...sf.kit.calls.snapshot().byEndpoint };
    const second = await syncChild(where.location, () => writesSince(sf.kit, sfMark).total >= 1);
    expect(second.killed, second.stderr).toBe(true);
    await sleep(700);
    expect(writesSince(sf.kit, sfMark).total).toBeGreaterThan(0);

    // 3. Restarted once more (in-process, with the same key): it finishes.
    const rt: Runtime = await openRuntime({ location: where.location, configFile: null, env: engineEnv() });
    const stagedRuns = async () =>
      (await rt.store.db.selectFrom('staged_records').select('run_id').distinct().execute()).map(
        (r) => r.run_id,
      );
    try {
      // The killed runs had staged the records they read; nothing else will ever use them. PGlite's
      // crash recovery has emptied the table already (it is unlogged); a PostgreSQL server kept them.
      if (kind === 'postgres') expect((await stagedRuns()).length).toBeGreaterThan(0);
      const report = await runSync(rt.engine, { trigger: 'test' });
      expect(report.status).toBe('succeeded');
      // The batches the killed run had sent were replayed (same request ids), not planned afresh.
      expect(report.flows[0]!.recovered.batches).toBeGreaterThan(0);
      expect(await stagedRuns()).toEqual([]);

      const view = { qbo, salesforce: sf, runtime: rt } as unknown as Sandbox;
      expect(duplicates(qbCustomers(qbo).map((c) => c.DisplayName))).toEqual([]);
      expect(duplicates(sfAccounts(sf).map((a) => a.Name))).toEqual([]);
      expect(duplicates(sfAccounts(sf).map((a) => a.QBO_Id__c))).toEqual([]);
      expect(qbCustomers(qbo)).toHaveLength(qbBefore);
      expect(sfAccounts(sf).length).toBeGreaterThan(sfBefore);
      const got = await finalState(view);
      expect(got.qbCustomers).toEqual(expected.qbCustomers);
      expect(got.sfAccounts).toEqual(expected.sfAccounts);
      expect(got.sfContacts).toEqual(expected.sfContacts);
      expect(got.links).toEqual(expected.links);

      // And a further run writes nothing.
      sf.kit.faults.remove();
      qbo.kit.faults.remove();
      const mark = callMark({ salesforce: sf, qbo });
      const again = await runSync(rt.engine, { trigger: 'test' });
      expect(again.status).toBe('succeeded');
      expect(writeCounts(again)).toEqual({});
      expect(writesAfter({ salesforce: sf, qbo }, mark)).toMatchObject({ sf: 0, qb: 0 });
    } finally {
      await rt.close();
    }
  });
});
