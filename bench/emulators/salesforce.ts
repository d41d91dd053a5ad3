import http from 'node:http';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { figure, median, round, type EmulatorFigure } from './figures.ts';

export type { EmulatorFigure } from './figures.ts';

/**
 * Benchmarks of the Salesforce emulator, in-process, over loopback HTTP: seeding 100,000
 * companies; reads by id with 10 concurrent keep-alive clients; 1,000-row query pages from the
 * 100,000-company org (first page, a later one through nextRecordsUrl, right after a write); the
 * sync engine's change read (2,000-row pages with a child subquery per account); look-ups by
 * `Id IN (...)` and `AccountId IN (...)`; a 200-record sObject Collections create. Prints nothing;
 * returns the figures.
 */

/** Runs every measurement and returns the figures. */
export async function benchSalesforceEmulator(): Promise<EmulatorFigure[]> {
  const figures: EmulatorFigure[] = [];
  const t0 = performance.now();
  const emu = await startSalesforceEmulator({ records: 100_000, dailyApiLimit: 10_000_000 });
  const startMs = performance.now() - t0;
  try {
    let stored = 0;
    for (const t of emu.org.tables.values()) stored += t.rows.size;
    figures.push(
      figure('seed 100,000 companies (start incl. seeding)', round(startMs / 1000, 2), 's', { below: 10 }),
    );
    figures.push(figure('records stored by the seed', stored, 'records'));

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
    figures.push(
      figure(
        'reads by id over HTTP (10 concurrent keep-alive)',
        Math.round(total / ((performance.now() - tr) / 1000)),
        'req/s',
        { atLeast: 2000 },
      ),
    );
    agent.destroy();

    const page = async (url: string, batch: number, expect?: number) => {
      const t = performance.now();
      const r = await fetch(url, { headers: { ...headers, 'sforce-query-options': `batchSize=${batch}` } });
      const body = (await r.json()) as { records: unknown[]; nextRecordsUrl?: string };
      if (r.status !== 200 || (expect !== undefined && body.records.length !== expect))
        throw new Error(`query page answered ${r.status} with ${body.records?.length} rows`);
      return { ms: performance.now() - t, next: body.nextRecordsUrl! };
    };
    const since = new Date(emu.kit.clock.now() - 800 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

    // The sync engine's change read: accounts by (SystemModstamp, Id), each with its first
    // contact, 2,000 per page (this also builds the child index and the ordered view).
    const changeSoql = `SELECT Id, Name, BillingStreet, BillingCity, BillingPostalCode, Phone, SystemModstamp, (SELECT Id, Email, Phone, FirstName, LastName FROM Contacts WHERE IsDeleted = false ORDER BY CreatedDate ASC, Id ASC LIMIT 1) FROM Account WHERE SystemModstamp >= ${since} ORDER BY SystemModstamp ASC, Id ASC`;
    const changeUrl = `${base}/query?q=${encodeURIComponent(changeSoql)}`;
    const coldChange = await page(changeUrl, 2000, 2000);
    figures.push(figure('2,000-row change page with child subquery, first run', round(coldChange.ms), 'ms'));
    const changeFirsts: number[] = [];
    const changeLaters: number[] = [];
    for (let i = 0; i < 5; i++) {
      const first = await page(changeUrl, 2000, 2000);
      changeFirsts.push(first.ms);
      let url = first.next;
      for (let p = 0; p < 3; p++) {
        const later = await page(`${emu.url}${url}`, 2000, 2000);
        changeLaters.push(later.ms);
        url = later.next;
      }
    }
    figures.push(
      figure('2,000-row change page with child subquery (median)', round(median(changeFirsts)), 'ms', {
        below: 100,
      }),
    );
    figures.push(
      figure('2,000-row change page via nextRecordsUrl (median)', round(median(changeLaters)), 'ms', {
        below: 100,
      }),
    );

    // Plain 1,000-row query pages.
    const soql = `SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > ${since} ORDER BY SystemModstamp, Id`;
    const queryUrl = `${base}/query?q=${encodeURIComponent(soql)}`;
    const cold = await page(queryUrl, 1000, 1000);
    figures.push(figure('1,000-row query page, first run', round(cold.ms), 'ms'));
    const firsts: number[] = [];
    const laters: number[] = [];
    for (let i = 0; i < 7; i++) {
      const first = await page(queryUrl, 1000, 1000);
      firsts.push(first.ms);
      let url = first.next;
      for (let p = 0; p < 10; p++) url = (await page(`${emu.url}${url}`, 1000, 1000)).next;
      laters.push((await page(`${emu.url}${url}`, 1000, 1000)).ms);
    }
    figures.push(
      figure('1,000-row query page (first page, median)', round(median(firsts)), 'ms', { below: 50 }),
    );
    figures.push(
      figure('1,000-row query page via nextRecordsUrl (12th page, median)', round(median(laters)), 'ms', {
        below: 50,
      }),
    );

    // A query page right after a write (the view is kept in order, not rebuilt).
    const afterWrite: number[] = [];
    for (let i = 0; i < 5; i++) {
      await fetch(`${base}/sobjects/Account/${accountIds[i]}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ Phone: `555-${i}` }),
      });
      afterWrite.push((await page(queryUrl, 1000, 1000)).ms);
    }
    figures.push(
      figure('1,000-row query page right after an update (median)', round(median(afterWrite)), 'ms', {
        below: 50,
      }),
    );

    // Look-ups by id lists as the engine sends them (URLs under 16 KB: about 550 ids).
    const ids = (n: number, salt: number) =>
      Array.from({ length: n }, (_, i) => `'${accountIds[(i * 7919 + salt) % accountIds.length]!}'`).join(
        ',',
      );
    const byId: number[] = [];
    const byParent: number[] = [];
    for (let i = 0; i < 5; i++) {
      const q1 = `SELECT Id, Name, SystemModstamp, (SELECT Id, Email FROM Contacts ORDER BY CreatedDate ASC, Id ASC LIMIT 1) FROM Account WHERE Id IN (${ids(550, i)})`;
      byId.push((await page(`${base}/query?q=${encodeURIComponent(q1)}`, 2000, 550)).ms);
      const q2 = `SELECT Id, AccountId, Email FROM Contact WHERE AccountId IN (${ids(550, i + 100)})`;
      byParent.push((await page(`${base}/query?q=${encodeURIComponent(q2)}`, 2000)).ms);
    }
    figures.push(
      figure('Account Id IN (550 ids) with child subquery (median)', round(median(byId)), 'ms', {
        below: 50,
      }),
    );
    figures.push(
      figure('Contact AccountId IN (550 ids) (median)', round(median(byParent)), 'ms', { below: 50 }),
    );

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
    figures.push(figure('composite create of 200 records (median)', round(median(creates)), 'ms'));
    if (emu.internalErrors.length) throw emu.internalErrors[0]!;
  } finally {
    await emu.close();
  }
  return figures;
}
