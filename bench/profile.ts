// Developer harness: `npx tsx bench/profile.ts N [runs]` — in-process sandbox, prints per-run time and calls.
import { startSandbox } from '../src/sandbox/sandbox.ts';

const n = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 3);
const unthrottled = { perMinute: 100_000, concurrent: 10, batchPerMinute: 100_000 };
const t0 = performance.now();
const box = await startSandbox({
  seed: 7,
  records: n,
  qboOptions: { limits: unthrottled },
  salesforceOptions: { dailyApiLimit: 100_000_000 },
  tuning: { qbo: { limits: unthrottled } },
});
console.log(`start ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (let i = 1; i <= runs; i++) {
  const t = performance.now();
  const r = await box.sync();
  const f = r.flows[0]!;
  console.log(
    `run ${i}: ${((performance.now() - t) / 1000).toFixed(2)} s status=${r.status} read=${JSON.stringify(f.read)} sf=${JSON.stringify(r.apiCalls.salesforce)} qb=${JSON.stringify(r.apiCalls.quickbooks)}`,
  );
  console.log(`   counts ${JSON.stringify(f.counts)} rss=${(process.memoryUsage().rss / 1e6).toFixed(0)}MB`);
}
await box.close();
