// `npx tsx bench/check-idempotent.ts [records] [runs]`: the correctness check beside the benchmark.
// Three runs on the sandbox (both emulators in-process, seed 7): the first links and writes; the
// later ones must write nothing. Prints each run's writes; exits 1 if a later run wrote anything.
import { runSync } from '../src/engine/sync.ts';
import { startSandbox } from '../src/sandbox/sandbox.ts';
import { countingEngine } from './lib/counting-ports.ts';
import { BENCH_QBO_LIMITS } from './lib/emulator-process.ts';

const records = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 3);
const box = await startSandbox({
  seed: 7,
  records,
  qboOptions: { limits: { ...BENCH_QBO_LIMITS, concurrent: 1000 } },
  salesforceOptions: { dailyApiLimit: 100_000_000 },
  tuning: { qbo: { limits: BENCH_QBO_LIMITS } },
});
let laterWrites = 0;
try {
  const counting = countingEngine(box.runtime.engine);
  for (let i = 1; i <= runs; i++) {
    counting.reset();
    const t0 = performance.now();
    const r = await runSync(counting.engine, { trigger: 'check' });
    const f = r.flows[0]!;
    const writes = Object.values(counting.tally.writes).reduce((a, b) => a + b, 0);
    if (i > 1) laterWrites += writes;
    console.log(
      `run ${i}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${r.status}, read ${f.read.sf}+${f.read.qb}, calls ${r.apiCalls.salesforce.total}+${r.apiCalls.quickbooks.total}, writes ${writes} ${JSON.stringify(counting.tally.writes)}`,
    );
    const moving = Object.entries(f.counts).filter(([k]) => !k.endsWith(' unchanged'));
    if (i > 1 && moving.length)
      console.log(`   outcomes other than unchanged: ${JSON.stringify(Object.fromEntries(moving))}`);
  }
} finally {
  await box.close();
}
console.log(
  laterWrites === 0
    ? 'ok: runs after the first wrote nothing'
    : `NOT OK: later runs wrote ${laterWrites} records`,
);
process.exitCode = laterWrites === 0 ? 0 : 1;
