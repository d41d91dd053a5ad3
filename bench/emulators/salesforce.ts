import http from 'node:http';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';

/**
 * Benchmarks of the Salesforce emulator, in-process, over loopback HTTP: seeding 100,000
 * companies, reads by id with 10 concurrent keep-alive clients, 1,000-row query pages from the
 * 100,000-company org (first page and a later one through nextRecordsUrl), and a 200-record
 * sObject Collections create. Prints nothing; returns the figures.
 */

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Runs every measurement and returns the figures. */
export async function benchSalesforceEmulator(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const t0 = performance.now();
  const emu = await startSalesforceEmulator({ records: 100_000, dailyApiLimit: 10_000_000 });
  const startMs = performance.now() - t0;
  try {
    let stored = 0;
    for (const t of emu.org.tables.values()) stored += t.rows.size;
    figures.push({
      name: 'seed 100,000 companies (start incl. seeding)',
      value: round(startMs / 1000, 2),
      unit: 's',
      target: '< 10 s',
    });
    figures.push({ name: 'records stored by the seed', value: stored, unit: 'records' });

    const headers = { authorization: `Bearer ${emu.info.accessToken}` };
    const base = `${emu.url}/services/data/v62.0`;
    const accountIds = [...emu.org.tables.get('Account')!.rows.keys()];

    // Reads by id: 10 concurrent clients on keep-alive sockets (node:http: fetch's own overhead
    // would dominate what is measured).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const get = (url: string) =>
      new Promise<void>((resolve, reject) => {
        const req = http.get(url, { agent, headers }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`read answered ${res.statusCode}`));
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
      });
    const total = 6000;
    let next = 0;
    const worker = async () => {
      while (next < total)
        await get(`${base}/sobjects/Account/${accountIds[(next++ * 7919) % accountIds.length]!}`);
    };
    await Promise.all(Array.from({ length: 10 }, worker)); // warm-up pass
    next = 0;
    const tr = performance.now();
    await Promise.all(Array.from({ length: 10 }, worker));
    figures.push({
      name: 'reads by id over HTTP (10 concurrent keep-alive)',
      value: Math.round(total / ((performance.now() - tr) / 1000)),
      unit: 'req/s',
      target: '>= 2000 req/s',
    });
    agent.destroy();

    // 1,000-row query pages from the 100,000-company org.
    const since = new Date(emu.kit.clock.now() - 800 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const soql = `SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > ${since} ORDER BY SystemModstamp, Id`;
    const page = async (url: string) => {
      const t = performance.now();
      const r = await fetch(url, { headers: { ...headers, 'sforce-query-options': 'batchSize=1000' } });
      const body = (await r.json()) as { records: unknown[]; nextRecordsUrl?: string };
      if (r.status !== 200 || body.records.length !== 1000)
        throw new Error(`query page answered ${r.status}`);
      return { ms: performance.now() - t, next: body.nextRecordsUrl! };
    };
    const queryUrl = `${base}/query?q=${encodeURIComponent(soql)}`;
    const cold = await page(queryUrl);
    figures.push({
      name: '1,000-row query page, first run (builds the ordered view)',
      value: round(cold.ms),
      unit: 'ms',
    });
    const firsts: number[] = [];
    const laters: number[] = [];
    for (let i = 0; i < 7; i++) {
      const first = await page(queryUrl);
      firsts.push(first.ms);
      let url = first.next;
      for (let p = 0; p < 10; p++) url = (await page(`${emu.url}${url}`)).next;
      laters.push((await page(`${emu.url}${url}`)).ms);
    }
    figures.push({
      name: '1,000-row query page (first page, median)',
      value: round(median(firsts)),
      unit: 'ms',
      target: '< 50 ms',
    });
    figures.push({
      name: '1,000-row query page via nextRecordsUrl (12th page, median)',
      value: round(median(laters)),
      unit: 'ms',
      target: '< 50 ms',
    });

    // A query page right after a write (the view is kept in order, not rebuilt).
    const afterWrite: number[] = [];
    for (let i = 0; i < 5; i++) {
      await fetch(`${base}/sobjects/Account/${accountIds[i]}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ Phone: `555-${i}` }),
      });
      afterWrite.push((await page(queryUrl)).ms);
    }
    figures.push({
      name: '1,000-row query page right after an update (median)',
      value: round(median(afterWrite)),
      unit: 'ms',
      target: '< 50 ms',
    });

    // sObject Collections: create 200 records in one call.
    const creates: number[] = [];
    for (let i = 0; i < 5; i++) {
      const records = Array.from({ length: 200 }, (_, k) => ({
        attributes: { type: 'Account' },
        Name: `Bench ${i}-${k}`,
        QBO_Id__c: `B-${i}-${k}`,
        BillingCity: 'Oslo',
      }));
      const t = performance.now();
      const r = await fetch(`${base}/composite/sobjects`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ allOrNone: true, records }),
      });
      const body = (await r.json()) as Array<{ success: boolean }>;
      creates.push(performance.now() - t);
      if (!body.every((x) => x.success)) throw new Error('composite create failed');
    }
    figures.push({
      name: 'composite create of 200 records (median)',
      value: round(median(creates)),
      unit: 'ms',
    });
    if (emu.internalErrors.length) throw emu.internalErrors[0]!;
  } finally {
    await emu.close();
  }
  return figures;
}
