/**
 * Developer harness: `npx tsx bench/mem.ts N [initial|echo]` — the ledgerbridge worker's peak RSS
 * and time for the initial sync (and its echo run, which must write nothing) against emulator
 * processes, without the settling wait or the naive replay of `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerInput, WorkerOutput } from './lib/engine-worker.ts';
import { startEmulatorProcess } from './lib/emulator-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const size = Number(process.argv[2] ?? 10_000);
const stopAfter = (process.argv[3] ?? 'echo') as 'initial' | 'echo';
const dir = mkdtempSync(join(tmpdir(), `ledgerbridge-mem-${size}-`));
const [sf, qb] = await Promise.all([
  startEmulatorProcess('salesforce', { records: size, seed: 7 }),
  startEmulatorProcess('qbo', { records: size, seed: 7 }),
]);
try {
  const input: WorkerInput = {
    size,
    sfUrl: sf.url,
    qbUrl: qb.url,
    dataDir: join(dir, 'data'),
    logDir: dir,
    out: join(dir, 'worker.json'),
    intervalMs: 10 * 60_000,
    settleWaitMs: 61_000,
    stopAfter,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'lib', 'engine-worker.ts'), JSON.stringify(input)],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LEDGERBRIDGE_SECRET_KEY: '' } },
  );
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0 || !existsSync(input.out)) throw new Error(`the worker failed (${code})`);
  const out = JSON.parse(readFileSync(input.out, 'utf8')) as WorkerOutput;
  for (const p of out.phases)
    console.log(
      `${p.phase}: ${(p.durationMs / 1000).toFixed(1)} s, read ${p.read.sf}+${p.read.qb}, writes ${p.minimum.sfWrites}+${p.minimum.qbWrites}, status ${p.status}, peak ${out.phasePeakRssMb?.[p.phase] ?? '?'} MB, after ${p.rssAfterMb} MB`,
    );
  console.log(`size ${size}: baseline ${out.baselineRssMb} MB, peak RSS ${out.peakRssMb} MB`);
} finally {
  await Promise.all([sf.close(), qb.close()]);
  rmSync(dir, { recursive: true, force: true });
}
