import { Agent, request } from 'node:http';
import { startQboEmulator, type RunningQboEmulator } from '../../emulators/qbo/index.ts';
import { figure, median, round, type EmulatorFigure } from './figures.ts';

export type { EmulatorFigure } from './figures.ts';

const RECORDS = 100_000;
/** Limits high enough that the figures measure the emulator, not its throttle. */
const UNTHROTTLED = { perMinute: 100_000_000, concurrent: 1000, batchPerMinute: 100_000_000 };

interface Got {
  status: number;
  body: string;
}

/** A keep-alive HTTP client (node:http, lighter than fetch, so the figure measures the server). */
function client(emu: RunningQboEmulator, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(emu.url);
  const auth = `Bearer ${emu.info.accessToken}`;
  const send = (method: string, path: string, body?: string): Promise<Got> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: auth, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const req = request({ host: url.hostname, port: url.port, path, method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

async function readsPerSecond(emu: RunningQboEmulator, ids: string[]): Promise<number> {
  const http = client(emu, 10);
  const base = `/v3/company/${emu.info.realmId}/customer/`;
  const total = 8000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const id = ids[next++ % ids.length]!;
      const res = await http.send('GET', base + id);
      if (res.status !== 200) throw new Error(`read ${id} answered ${res.status}`);
    }
  };
  try {
    // warm up: connections, code paths, and each record's serialized form
    for (const id of ids) await http.send('GET', base + id);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, worker));
    return (total / (performance.now() - t0)) * 1000;
  } finally {
    http.close();
  }
}

async function queryMs(http: ReturnType<typeof client>, realmId: string, query: string): Promise<number> {
  const path = `/v3/company/${realmId}/query?query=${encodeURIComponent(query)}`;
  const t0 = performance.now();
  const res = await http.send('GET', path);
  const ms = performance.now() - t0;
  const rows = (JSON.parse(res.body) as { QueryResponse?: { Customer?: unknown[] } }).QueryResponse?.Customer;
  if (rows?.length !== 1000) throw new Error(`query returned ${rows?.length} rows`);
  return ms;
}

async function batchMs(http: ReturnType<typeof client>, realmId: string, round: number): Promise<number> {
  const items = Array.from({ length: 30 }, (_, i) => ({
    bId: `b${i}`,
    operation: 'create',
    Customer: {
      DisplayName: `Bench Batch ${round}-${i}`,
      PrimaryEmailAddr: { Address: `bench${round}.${i}@example.com` },
    },
  }));
  const t0 = performance.now();
  const res = await http.send(
    'POST',
    `/v3/company/${realmId}/batch`,
    JSON.stringify({ BatchItemRequest: items }),
  );
  const ms = performance.now() - t0;
  const body = JSON.parse(res.body) as { BatchItemResponse: Array<{ Customer?: unknown }> };
  if (body.BatchItemResponse.filter((i) => i.Customer).length !== 30)
    throw new Error('batch did not create 30 customers');
  return ms;
}

/**
 * Measures the QuickBooks Online emulator in-process: seeding 100,000 companies, reads by id over
 * HTTP with 10 concurrent keep-alive clients, 1,000-row query pages from the 100,000-record store
 * (the engine's change read by MetaData.LastUpdatedTime, the default order at STARTPOSITION 50001,
 * `Id IN` with 1,000 ids, each also right after a write), and a batch of 30 creates.
 */
export async function benchQboEmulator(): Promise<EmulatorFigure[]> {
  const t0 = performance.now();
  const emu = await startQboEmulator({ records: RECORDS, limits: UNTHROTTLED });
  const seedMs = performance.now() - t0;
  try {
    const results: EmulatorFigure[] = [
      figure('qbo: seed 100,000 records (start-up)', round(seedMs / 1000, 2), 's', { below: 10 }),
    ];
    const customers = [...emu.company().table('Customer').inIdOrder()].map((r) => r.id);
    const ids = Array.from({ length: 5000 }, (_, i) => customers[(i * 7919) % customers.length]!);
    results.push(
      figure(
        'qbo: reads by id, 10 concurrent keep-alive clients',
        Math.round(await readsPerSecond(emu, ids)),
        'req/s',
        {
          atLeast: 2000,
        },
      ),
    );
    const http = client(emu, 1);
    const realmId = emu.info.realmId;
    const since = new Date(emu.kit.clock.now() - 800 * 86_400_000).toISOString();
    const changes = (start: number) =>
      `SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '${since}' ORDERBY MetaData.LastUpdatedTime STARTPOSITION ${start} MAXRESULTS 1000`;
    const idList = (salt: number) =>
      Array.from({ length: 1000 }, (_, i) => `'${customers[(i * 7919 + salt) % customers.length]!}'`).join(
        ',',
      );
    const shapes: Array<[string, (run: number) => string]> = [
      ['change read, first page', () => changes(1)],
      ['change read, STARTPOSITION 50001', () => changes(50_001)],
      [
        'default order, STARTPOSITION 50001',
        () => 'SELECT * FROM Customer STARTPOSITION 50001 MAXRESULTS 1000',
      ],
      ['Id IN (1,000 ids)', (run) => `SELECT * FROM Customer WHERE Id IN (${idList(run)}) MAXRESULTS 1000`],
    ];
    for (const [label, query] of shapes) {
      const runs: number[] = [];
      for (let i = 0; i < 7; i++) runs.push(await queryMs(http, realmId, query(i)));
      results.push(figure(`qbo: 1,000-row page, ${label} (first run)`, round(runs[0]!), 'ms', { below: 50 }));
      results.push(
        figure(`qbo: 1,000-row page, ${label} (median)`, round(median(runs.slice(1))), 'ms', { below: 50 }),
      );
    }
    // Right after a write: sorted views are patched, not rebuilt.
    for (const [k, [label, query]] of shapes.slice(1).entries()) {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        await batchMs(http, realmId, 100 + k * 10 + i);
        runs.push(await queryMs(http, realmId, query(i)));
      }
      results.push(
        figure(`qbo: 1,000-row page, ${label}, after 30 creates (median)`, round(median(runs)), 'ms', {
          below: 50,
        }),
      );
    }
    const batches: number[] = [];
    for (let i = 0; i < 5; i++) batches.push(await batchMs(http, realmId, i));
    http.close();
    results.push(figure('qbo: batch of 30 creates (median)', round(median(batches)), 'ms'));
    return results;
  } finally {
    await emu.close();
  }
}
