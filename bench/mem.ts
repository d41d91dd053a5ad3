/**
 * Developer harness: `npx tsx bench/mem.ts N [initial|echo]` — the ledgerbridge worker's peak RSS
 * and time for the initial sync (and its echo run, which must write nothing) against emulator
 * processes, without the settling wait or the naive replay of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatorPair } from './lib/emulator-process.ts';
import { runWorker, workerInput } from './lib/worker-process.ts';

const size = Number(process.argv[2] ?? 10_000);
const stopAfter = (process.argv[3] ?? 'echo') as 'initial' | 'echo';
const dir = mkdtempSync(join(tmpdir(), `ledgerbridge-mem-${size}-`));
const [sf, qb] = await startEmulatorPair(size, 7);
try {
  const input = workerInput(size, { sf: sf.url, qb: qb.url }, dir, { stopAfter });
  const out = await runWorker(input, (line) => process.stderr.write(`${line}\n`));
  for (const p of out.phases)
    console.log(
      `${p.phase}: ${(p.durationMs / 1000).toFixed(1)} s, read ${p.read.sf}+${p.read.qb}, writes ${p.minimum.sfWrites}+${p.minimum.qbWrites}, status ${p.status}, peak ${out.phasePeakRssMb?.[p.phase] ?? '?'} MB, after ${p.rssAfterMb} MB`,
    );
  console.log(`size ${size}: baseline ${out.baselineRssMb} MB, peak RSS ${out.peakRssMb} MB`);
} finally {
  await Promise.all([sf.close(), qb.close()]);
  rmSync(dir, { recursive: true, force: true });
}
