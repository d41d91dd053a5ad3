import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQboEmulator, type RunningQboEmulator } from '../../emulators/qbo/index.ts';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SyncReport } from '../../src/engine/sync.ts';
import { callMark, engineEnv, qbCustomers, sfAccounts, writesAfter } from './helpers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'ledgerbridge.js');
const PINNED = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const NODE = existsSync(PINNED) ? PINNED : process.execPath;

function ledgerbridge(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      cwd: ROOT,
      env: engineEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ledgerbridge sync: bad arguments', () => {
  // Refused before any store is opened: the data folder is never created.
  const nowhere = join(tmpdir(), 'lb-cli-never-created');

  it.each([
    [['sync', '--bogus'], /unknown option '--bogus'/],
    [['sync', '--flow'], /--flow <name\.\.\.>' argument missing/],
    [['sync', 'now'], /too many arguments/],
  ])('%j exits 2 with one clear line', async (args, message) => {
    const r = await ledgerbridge(['--data', nowhere, ...args]);
    expectUsageError(r, message);
    expect(existsSync(nowhere)).toBe(false);
  });
});

function expectUsageError(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

/** The whole path a user takes, in child processes on a temporary data folder (PGlite). */
describe('ledgerbridge connections add --emulator + sync --json, end to end', () => {
  let sf: RunningSalesforceEmulator;
  let qbo: RunningQboEmulator;
  let dir: string;

  beforeAll(async () => {
    sf = await startSalesforceEmulator({ seed: 9, records: 40 });
    qbo = await startQboEmulator({ seed: 9, records: 40 });
    dir = await mkdtemp(join(tmpdir(), 'lb-cli-'));
  });
  afterAll(async () => {
    await sf?.close();
    await qbo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects both emulators, syncs, and a second sync writes nothing', async () => {
    const store = ['--data', dir];
    const addSf = await ledgerbridge([...store, 'connections', 'add', 'salesforce', '--emulator', sf.url]);
    expect(addSf.code, addSf.stderr).toBe(0);
    expect(addSf.stdout).toMatch(/^Connected "salesforce": /);
    const addQb = await ledgerbridge([...store, 'connections', 'add', 'qbo', '--emulator', qbo.url]);
    expect(addQb.code, addQb.stderr).toBe(0);
    expect(addQb.stdout).toMatch(/^Connected "qbo": /);

    const sfBefore = sfAccounts(sf).length;
    const first = await ledgerbridge([...store, 'sync', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as SyncReport;
    expect(report).toMatchObject({ status: 'succeeded', mode: 'initial' });
    const counts = report.flows[0]!.counts;
    expect(counts['link linked']).toBeGreaterThan(0);
    expect(counts['qb->sf created']).toBeGreaterThan(0);
    expect(sfAccounts(sf)).toHaveLength(sfBefore + counts['qb->sf created']!);
    expect(report.apiCalls.quickbooks.total).toBeGreaterThan(0);
    expect(report.apiCalls.salesforce.total).toBeGreaterThan(0);

    const mark = callMark({ salesforce: sf, qbo });
    const second = await ledgerbridge([...store, 'sync', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as SyncReport;
    expect(again).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    expect(
      Object.keys(again.flows[0]!.counts).filter((k) => / (created|updated|deleted|deactivated)$/.test(k)),
    ).toEqual([]);
    expect(writesAfter({ salesforce: sf, qbo }, mark)).toMatchObject({ sf: 0, qb: 0 });
    expect(qbCustomers(qbo).length).toBeGreaterThan(0);
  });
});
