import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProgressListener } from '../engine/progress.ts';
import type { SyncReport } from '../engine/sync.ts';
import { startSandbox, type Sandbox } from '../sandbox/sandbox.ts';
import { startServer } from '../server/index.ts';
import { errorCounts } from '../store/error-queue.ts';
import { countLinks, listLinks } from '../store/links.ts';
import { unmatchedCounts } from '../store/unmatched.ts';
import { checkEdits, makeEdits, type DemoEdit } from './edits.ts';
import { QboRest, SalesforceRest } from './emulator-rest.ts';

/** Thrown when the demo cannot start as asked (e.g. a data folder that already holds a store). */
export class DemoOptionError extends Error {
  override name = 'DemoOptionError';
}

export interface DemoOptions {
  /** Companies in the seed universe (default 300). */
  records?: number;
  seed?: number;
  /** Port of the ledgerbridge server (default 0: any free port). */
  port?: number;
  /** PGlite data folder; must be empty or absent (default: a fresh temporary folder, removed on close). */
  dataDir?: string;
  onProgress?: ProgressListener;
  /** Narration, one line at a time. */
  say?: (line: string) => void;
}

/** What one of the demo's syncs did. */
export interface DemoRun {
  name: string;
  runId: number;
  status: string;
  durationMs: number;
  read: { salesforce: number; quickbooks: number };
  writes: { salesforce: number; quickbooks: number };
  counts: Record<string, number>;
  apiCalls: { salesforce: number; quickbooks: number };
}

/** The demo's summary (what `--once --json` prints). */
export interface DemoSummary {
  ok: boolean;
  salesforce: { url: string; info: string };
  quickbooks: { url: string; info: string };
  server: { url: string; adminToken: string };
  store: string;
  runs: DemoRun[];
  edits: DemoEdit[];
  totals: { links: number; unmatched: Record<string, number>; errors: Record<string, number> };
}

/** A running demo: the summary, and how to stop serving. */
export interface RunningDemo {
  summary: DemoSummary;
  sandbox: Sandbox;
  close(): Promise<void>;
}

const WRITE = /^(sf->qb|qb->sf) (created|updated|deactivated|deleted)$/;

function demoRun(name: string, r: SyncReport): DemoRun {
  const counts: Record<string, number> = {};
  const writes = { salesforce: 0, quickbooks: 0 };
  const read = { salesforce: 0, quickbooks: 0 };
  for (const f of r.flows) {
    read.salesforce += f.read.sf;
    read.quickbooks += f.read.qb;
    for (const [k, n] of Object.entries(f.counts)) {
      counts[k] = (counts[k] ?? 0) + n;
      const m = WRITE.exec(k);
      if (m) writes[m[1] === 'sf->qb' ? 'quickbooks' : 'salesforce'] += n;
    }
  }
  return {
    name,
    runId: r.runId,
    status: r.status,
    durationMs: r.durationMs,
    read,
    writes,
    counts,
    apiCalls: { salesforce: r.apiCalls.salesforce.total, quickbooks: r.apiCalls.quickbooks.total },
  };
}

async function dataFolder(dir: string | undefined): Promise<{ dir: string; temporary: boolean }> {
  if (!dir) return { dir: await mkdtemp(join(tmpdir(), 'ledgerbridge-demo-')), temporary: true };
  const abs = resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0)
    throw new DemoOptionError(
      `the demo starts fresh emulators, so it needs an empty data folder; ${abs} is not empty`,
    );
  return { dir: abs, temporary: false };
}

/**
 * The main job on the embedded defaults: both emulators with overlapping seed data, the server on
 * a PGlite store, the initial sync, edits on each side carried across, and an idle run that
 * shows nothing echoes back.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const say = opts.say ?? (() => {});
  const folder = await dataFolder(opts.dataDir);
  let sandbox: Sandbox | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const close = async () => {
    try {
      await server?.close();
      await sandbox?.close();
    } finally {
      if (folder.temporary) await rm(folder.dir, { recursive: true, force: true });
    }
  };
  try {
    sandbox = await startSandbox({
      seed: opts.seed ?? 1,
      records: opts.records ?? 300,
      location: { dataDir: folder.dir },
      env: { ...process.env, LEDGERBRIDGE_KEY_FILE: join(folder.dir, 'secret.key') },
    });
    server = await startServer({ runtime: sandbox.runtime, port: opts.port ?? 0 });
    say(
      `Salesforce emulator   ${sandbox.salesforce.url}  (connection details: ${sandbox.salesforce.url}/__emulator/info)`,
    );
    say(`QuickBooks emulator   ${sandbox.qbo.url}  (connection details: ${sandbox.qbo.url}/__emulator/info)`);
    say(`ledgerbridge server   ${server.url}  (admin token: ${server.adminToken})`);
    say(`store                 PGlite in ${folder.dir}`);
    say('');

    const runs: DemoRun[] = [];
    say('1. Initial sync: match accounts to customers, link them, carry the differences across.');
    runs.push(demoRun('initial sync', await sandbox.sync({ trigger: 'demo', onProgress: opts.onProgress })));

    say('2. Edits on each side, the way people make them (through each system’s own API):');
    const db = sandbox.runtime.store.db;
    const pairs = (await listLinks(db, { flow: 'customers', limit: 200 })).filter((l) => l.sf_id && l.qb_id);
    const sf = new SalesforceRest(sandbox.salesforce);
    const qb = new QboRest(sandbox.qbo);
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const edits = await makeEdits(pairs.reverse(), sf, qb, stamp);
    for (const e of edits) say(`   - ${e.side.padEnd(10)} ${e.what}`);

    say('3. Incremental sync: only what changed moves.');
    runs.push(
      demoRun('after the edits', await sandbox.sync({ trigger: 'demo', onProgress: opts.onProgress })),
    );
    await checkEdits(edits, sf, qb);

    say('4. Another sync with nothing new: our own writes must not come back as changes.');
    runs.push(demoRun('idle', await sandbox.sync({ trigger: 'demo' })));

    const summary: DemoSummary = {
      ok:
        runs.every((r) => r.status === 'succeeded') &&
        edits.every((e) => e.crossed) &&
        runs[2]!.writes.salesforce + runs[2]!.writes.quickbooks === 0,
      salesforce: { url: sandbox.salesforce.url, info: `${sandbox.salesforce.url}/__emulator/info` },
      quickbooks: { url: sandbox.qbo.url, info: `${sandbox.qbo.url}/__emulator/info` },
      server: { url: server.url, adminToken: server.adminToken },
      store: folder.dir,
      runs,
      edits,
      totals: {
        links: await countLinks(db, 'customers'),
        unmatched: await unmatchedCounts(db, 'customers'),
        errors: await errorCounts(db, 'customers'),
      },
    };
    return { summary, sandbox, close };
  } catch (e) {
    await close();
    throw e;
  }
}
