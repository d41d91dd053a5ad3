import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, firstError, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  // 3,000 companies: ~2,600 accounts, more than one 2,000-row batch.
  emu = await startEmulator({ records: 3000 });
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

describe('query paging', () => {
  it('pages at 2,000 rows with nextRecordsUrl, and jsforce autoFetch reads every row', async () => {
    const total = emu.org.tables.get('Account')!.liveCount;
    expect(total).toBeGreaterThan(2000);
    const first = await call(emu, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
    const page = first.json as {
      totalSize: number;
      done: boolean;
      nextRecordsUrl: string;
      records: unknown[];
    };
    expect(Object.keys(page)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
    expect(page).toMatchObject({ totalSize: total, done: false });
    expect(page.records).toHaveLength(2000);
    expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-2000$/);

    const conn = connect(emu);
    const all = await conn
      .query<{ Id: string }>('SELECT Id, Name FROM Account')
      .execute({ autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(total);
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(total);
  });

  it('honours Sforce-Query-Options batchSize (200..2000) and queryMore', async () => {
    const conn = connect(emu);
    const res = await call(
      emu,
      'GET',
      `/query?q=${encodeURIComponent('SELECT Id FROM Contact ORDER BY Id')}`,
      undefined,
      {
        'sforce-query-options': 'batchSize=500',
      },
    );
    const page = res.json as { records: Array<{ Id: string }>; nextRecordsUrl: string };
    expect(page.records).toHaveLength(500);
    const more = await conn.queryMore(page.nextRecordsUrl);
    expect(more.records).toHaveLength(500);
    expect(String(more.records[0]!.Id) > page.records[499]!.Id).toBe(true);
    const tiny = await call(
      emu,
      'GET',
      `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
      undefined,
      {
        'sforce-query-options': 'batchSize=10',
      },
    );
    expect((tiny.json as { records: unknown[] }).records).toHaveLength(200);
  });

  it('keeps a cursor a snapshot of the rows the query selected', async () => {
    const conn = connect(emu);
    const res = await call(
      emu,
      'GET',
      `/query?q=${encodeURIComponent("SELECT Id, Name FROM Account WHERE Name != 'zzz' ORDER BY Id")}`,
    );
    const page = res.json as { totalSize: number; nextRecordsUrl: string; records: Array<{ Id: string }> };
    // Rows inserted and deleted after the query ran do not change its later pages.
    const fresh = await conn.sobject('Account').create({ Name: '!!! first by name' });
    const lastPage = await call(emu, 'GET', page.nextRecordsUrl);
    const rows = (lastPage.json as { records: Array<{ Id: string }> }).records;
    expect(rows.some((r) => r.Id === fresh.id)).toBe(false);
    expect(page.records.length + rows.length).toBe(page.totalSize);
    await conn.sobject('Account').destroy(fresh.id!);
  });

  it('answers INVALID_QUERY_LOCATOR for unknown, foreign and idle cursors', async () => {
    const bad = await call(emu, 'GET', '/query/01g000000000000AAA-2000');
    expect(bad.status).toBe(400);
    expect(firstError(bad)).toEqual({ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' });
    expect(firstError(await call(emu, 'GET', '/query/garbage')).errorCode).toBe('INVALID_QUERY_LOCATOR');
    const res = await call(emu, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
    const next = (res.json as { nextRecordsUrl: string }).nextRecordsUrl;
    emu.kit.clock.advance(16 * 60 * 1000);
    expect(firstError(await call(emu, 'GET', next)).errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('releases the oldest cursor when a user opens an eleventh', async () => {
    const urls: string[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await call(emu, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`);
      urls.push((r.json as { nextRecordsUrl: string }).nextRecordsUrl);
    }
    expect(firstError(await call(emu, 'GET', urls[0]!)).errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect((await call(emu, 'GET', urls[10]!)).status).toBe(200);
  });

  it('returns deleted rows from queryAll only', async () => {
    const conn = connect(emu);
    const { id } = await conn.sobject('Account').create({ Name: 'Recycle Me' });
    await conn.sobject('Account').destroy(id!);
    const q = `SELECT Id, Name, IsDeleted FROM Account WHERE Id = '${id}'`;
    expect((await conn.query(q)).totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(q, { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true, Name: 'Recycle Me' })]);
    const raw = await call(emu, 'GET', `/queryAll?q=${encodeURIComponent(q)}`);
    expect((raw.json as { totalSize: number }).totalSize).toBe(1);
  });
});
