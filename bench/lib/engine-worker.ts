/**
 * The ledgerbridge side of one benchmark size, in its own process so its peak RSS is ours alone:
 * a runtime on a PGlite data folder (what users get by default), connected to the two emulator
 * processes the orchestrator started. Runs the initial sync, one run that absorbs the echo of the
 * initial run, a run with no change, then 50 edits on each side and an incremental run. Writes its
 * figures as JSON to the file named on the command line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heapTrims } from '../../src/engine/memory.ts';
import { runSync, type SyncReport } from '../../src/engine/sync.ts';
import { connectEmulator } from '../../src/runtime/connect.ts';
import { openRuntime } from '../../src/runtime/runtime.ts';
import { countingEngine, minimumWriteCalls, type WriteTally } from './counting-ports.ts';
import { BENCH_QBO_LIMITS } from './emulator-process.ts';

export interface WorkerInput {
  size: number;
  sfUrl: string;
  qbUrl: string;
  dataDir: string;
  logDir: string;
  out: string;
  /** Simulated time between scheduled runs (emulator clocks are moved forward by it). */
  intervalMs: number;
  /** Real time waited before the settling run (the engine's overlap window, 60 s, plus a second). */
  settleWaitMs: number;
  /** Stop after this phase (bench/mem.ts measures only the initial sync and its echo). */
  stopAfter?: 'initial' | 'echo';
}

export interface PhaseFigures {
  phase: 'initial' | 'echo' | 'settle' | 'no-change' | 'changes';
  status: string;
  durationMs: number;
  read: { sf: number; qb: number };
  counts: Record<string, number>;
  calls: {
    sf: number;
    qb: number;
    total: number;
    sfByEndpoint: Record<string, number>;
    qbByEndpoint: Record<string, number>;
  };
  tally: WriteTally;
  minimum: { sf: number; qb: number; total: number; sfWrites: number; qbWrites: number };
  /** The write log of the phase (NDJSON), for the naive replay. */
  log: string;
  rssAfterMb: number;
}

export interface WorkerOutput {
  size: number;
  phases: PhaseFigures[];
  peakRssMb: number;
  /** RSS with the runtime open on its empty store, before any sync (PGlite, Node, the code). */
  baselineRssMb?: number;
  /** Peak RSS sampled during each phase. */
  phasePeakRssMb?: Record<string, number>;
  edits: { sf: string[]; qb: string[] };
}

class Stop extends Error {}

const input = JSON.parse(process.argv[2]!) as WorkerInput;
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
const sampler = setInterval(sample, 50);
async function advance(ms: number): Promise<void> {
  for (const url of [input.sfUrl, input.qbUrl]) {
    const post = () =>
      fetch(`${url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: ms }),
      });
    // A kept-alive socket the emulator closed while the run was busy fails once; a second try opens
    // a new one (time moving twice as far is harmless here).
    const r = await post().catch(() => post());
    if (!r.ok) throw new Error(`clock: ${r.status}`);
  }
}

const runtime = await openRuntime({
  location: { dataDir: input.dataDir },
  configFile: null,
  tuning: { qbo: { limits: BENCH_QBO_LIMITS } },
});
/** Resident MB of the largest mappings (Linux), as "resident/virtual" MB: where the memory sits. */
function residentByKind(): string {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return '';
  }
  const maps: Array<{ size: number; rss: number; name: string }> = [];
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16);
      maps.push({ size, rss: 0, name: head[3] ?? '' });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length > 0) maps[maps.length - 1]!.rss += Number(rss[1]) * 1024;
  }
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const classes = new Map<string, { n: number; rss: number }>();
  for (const m of maps) {
    const k = m.name.startsWith('/')
      ? 'files'
      : m.name
        ? m.name
        : m.size <= 2 ** 18
          ? 'anon<=256K'
          : m.size <= 2 ** 20
            ? 'anon<=1M'
            : m.size <= 2 ** 26
              ? 'anon<=64M'
              : 'anon>64M';
    const c = classes.get(k) ?? { n: 0, rss: 0 };
    c.n++;
    c.rss += m.rss;
    classes.set(k, c);
  }
  const sizes = new Map<number, number>();
  for (const m of maps)
    if (!m.name && m.size <= 2 ** 20) sizes.set(m.size / 1024, (sizes.get(m.size / 1024) ?? 0) + m.rss);
  const top = [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k}K=${mb(v)}`)
    .join(',');
  return (
    top +
    ' ' +
    [...classes]
      .filter(([, c]) => c.rss > 2 ** 21)
      .map(([k, c]) => `${k}:${mb(c.rss)}(${c.n})`)
      .join(' ')
  );
}

// LEDGERBRIDGE_MEMLOG=1: RSS, V8 heap used and external memory every 2 s (where the memory goes).
if (process.env.LEDGERBRIDGE_MEMLOG) {
  const mb = (n: number) => Math.round(n / 1e6);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(
      `  mem ${residentByKind()} rss=${mb(m.rss)} heapUsed=${mb(m.heapUsed)} heapTotal=${mb(m.heapTotal)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)} pglite=${mb(runtime.store.engineMemory() ?? 0)}\n`,
    );
  }, 2000).unref();
}

const out: WorkerOutput = { size: input.size, phases: [], peakRssMb: 0, edits: { sf: [], qb: [] } };
try {
  await connectEmulator(runtime.connections, 'salesforce', 'salesforce', input.sfUrl);
  await connectEmulator(runtime.connections, 'qbo', 'qbo', input.qbUrl);
  out.baselineRssMb = Math.round(process.memoryUsage.rss() / 1e6);
  const counting = countingEngine(runtime.engine);

  const phase = async (name: PhaseFigures['phase']): Promise<SyncReport> => {
    const log = join(input.logDir, `${name}.ndjson`);
    counting.reset(log);
    writeFileSync(log, '');
    const before = peak;
    peak = 0;
    const t0 = performance.now();
    const r = await runSync(counting.engine, {
      trigger: 'bench',
      // With LEDGERBRIDGE_MEMLOG, the engine's phases are logged beside the memory samples.
      onProgress: process.env.LEDGERBRIDGE_MEMLOG
        ? (e) => {
            if (e.type === 'phase')
              process.stderr.write(
                `  phase ${e.phase} at ${((performance.now() - t0) / 1000).toFixed(1)} s rss=${Math.round(process.memoryUsage.rss() / 1e6)} heapUsed=${Math.round(process.memoryUsage().heapUsed / 1e6)} pglite=${Math.round(runtime.store.engineMemory() / 1e6)}\n`,
              );
          }
        : undefined,
    });
    const durationMs = performance.now() - t0;
    sample();
    (out.phasePeakRssMb ??= {})[name] = Math.round(peak / 1e6);
    peak = Math.max(peak, before);
    const f = r.flows[0];
    const min = minimumWriteCalls(counting.tally);
    const reads = counting.tally.readPages;
    out.phases.push({
      phase: name,
      status: r.status,
      durationMs,
      read: f?.read ?? { sf: 0, qb: 0 },
      counts: f?.counts ?? {},
      calls: {
        sf: r.apiCalls.salesforce.total,
        qb: r.apiCalls.quickbooks.total,
        total: r.apiCalls.salesforce.total + r.apiCalls.quickbooks.total,
        sfByEndpoint: r.apiCalls.salesforce.byEndpoint,
        qbByEndpoint: r.apiCalls.quickbooks.byEndpoint,
      },
      tally: counting.tally,
      minimum: {
        sf: min.sf + reads.sf,
        qb: min.qb + reads.qb,
        total: min.sf + min.qb + reads.sf + reads.qb,
        sfWrites: min.sfWrites,
        qbWrites: min.qbWrites,
      },
      log,
      rssAfterMb: Math.round(process.memoryUsage.rss() / 1e6),
    });
    const trims = heapTrims();
    process.stderr.write(
      `  [${input.size}] ${name}: ${(durationMs / 1000).toFixed(1)} s (${trims.collections} heap collections so far, ${(trims.ms / 1000).toFixed(1)} s), calls sf=${r.apiCalls.salesforce.total} qb=${r.apiCalls.quickbooks.total}, rss ${Math.round(process.memoryUsage.rss() / 1e6)} MB\n`,
    );
    return r;
  };

  await phase('initial');
  if (input.stopAfter === 'initial') throw new Stop();
  await advance(input.intervalMs);
  await phase('echo');
  if (input.stopAfter === 'echo') throw new Stop();
  // A cursor settles once a run begins at least the overlap window (60 s) after the read that set it
  // (measured on our own clock, so the emulators' clocks cannot be used to skip it): wait for real.
  process.stderr.write(
    `  [${input.size}] waiting ${Math.round(input.settleWaitMs / 1000)} s (the overlap window)\n`,
  );
  await new Promise((r) => setTimeout(r, input.settleWaitMs));
  await advance(input.intervalMs);
  await phase('settle');
  await advance(input.intervalMs);
  await phase('no-change');

  // 50 edits on each side, made by people through each system's REST API.
  // Pairs that existed on both sides before the sync (matched, not created by it), so the naive
  // replay on a fresh pair of emulators finds the same records.
  const links = await runtime.store.db
    .selectFrom('links')
    .select(['sf_id', 'qb_id'])
    .where('origin', 'not like', 'created:%')
    .orderBy('id')
    .limit(100)
    .execute();
  if (links.length < 100) throw new Error(`only ${links.length} matched pairs to edit`);
  const sfInfo = (await (await fetch(`${input.sfUrl}/__emulator/info`)).json()) as {
    accessToken: string;
    apiVersion: string;
  };
  const qbInfo = (await (await fetch(`${input.qbUrl}/__emulator/info`)).json()) as {
    accessToken: string;
    realmId: string;
  };
  const stamp = Date.now();
  for (const [i, l] of links.slice(0, 50).entries()) {
    const r = await fetch(`${input.sfUrl}/services/data/v${sfInfo.apiVersion}/sobjects/Account/${l.sf_id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sfInfo.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Description: `Edited in Salesforce for the benchmark (${stamp}-${i})` }),
    });
    if (!r.ok) throw new Error(`Salesforce edit of ${l.sf_id}: ${r.status} ${await r.text()}`);
    out.edits.sf.push(l.sf_id);
  }
  const qbBase = `${input.qbUrl}/v3/company/${qbInfo.realmId}`;
  const qbHeaders = {
    authorization: `Bearer ${qbInfo.accessToken}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  for (const [i, l] of links.slice(50, 100).entries()) {
    const cur = (await (await fetch(`${qbBase}/customer/${l.qb_id}`, { headers: qbHeaders })).json()) as {
      Customer: { SyncToken: string };
    };
    const r = await fetch(`${qbBase}/customer`, {
      method: 'POST',
      headers: qbHeaders,
      body: JSON.stringify({
        Id: l.qb_id,
        SyncToken: cur.Customer.SyncToken,
        sparse: true,
        Notes: `Edited in QuickBooks for the benchmark (${stamp}-${i})`,
      }),
    });
    if (!r.ok) throw new Error(`QuickBooks edit of ${l.qb_id}: ${r.status} ${await r.text()}`);
    out.edits.qb.push(l.qb_id);
  }
  await phase('changes');
} catch (e) {
  if (!(e instanceof Stop)) throw e;
} finally {
  clearInterval(sampler);
  sample();
  await runtime.close();
}
const maxRss = process.resourceUsage().maxRSS * 1024; // kB → bytes
out.peakRssMb = Math.round(Math.max(peak, maxRss) / 1e6);
writeFileSync(input.out, JSON.stringify(out));
