import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

/**
 * Ordered queries are answered from sorted views that writes patch in place, and `Id IN (...)`
 * from the id index. Both must give exactly what a full sort and a scan give: the expected order
 * is computed here from all records, before and after writes that move records in the views.
 */

interface Customer {
  Id: string;
  SyncToken: string;
  DisplayName: string;
  FullyQualifiedName: string;
  CompanyName?: string;
  Balance?: number | string;
}

let emu: RunningQboEmulator;
let qbo: ReturnType<typeof api>;

beforeAll(async () => {
  emu = await start({ records: 120 });
  qbo = api(emu);
});
afterAll(() => emu.close());

async function rows(q: string): Promise<Customer[]> {
  const out: Customer[] = [];
  for (let startAt = 1; ; startAt += 50) {
    const r = await qbo.query(`${q} STARTPOSITION ${startAt} MAXRESULTS 50`);
    expect(r.status).toBe(200);
    const page = (r.json.QueryResponse.Customer ?? []) as Customer[];
    out.push(...page);
    if (page.length < 50) return out;
  }
}

type Key = string | number | undefined;

/** The order a full sort gives: by key (text without case), missing first (last if desc), then Id. */
function expected(list: Customer[], key: (c: Customer) => Key, desc: boolean): string[] {
  return [...list]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka !== kb) {
        if (ka === undefined) return desc ? 1 : -1;
        if (kb === undefined) return desc ? -1 : 1;
        const c = ka < kb ? -1 : ka > kb ? 1 : 0;
        if (c) return desc ? -c : c;
      }
      return Number(a.Id) - Number(b.Id);
    })
    .map((c) => c.Id);
}

const lower = (v: unknown): Key => (typeof v === 'string' ? v.toLowerCase() : undefined);

async function checkOrders(): Promise<void> {
  const all = await rows('SELECT * FROM Customer ORDERBY Id');
  expect(all.length).toBeGreaterThan(50);
  const ids = (list: Customer[]) => list.map((c) => c.Id);
  expect(ids(await rows('SELECT * FROM Customer'))).toEqual(
    expected(all, (c) => lower(c.FullyQualifiedName), false),
  );
  expect(ids(await rows('SELECT * FROM Customer ORDERBY DisplayName DESC'))).toEqual(
    expected(all, (c) => lower(c.DisplayName), true),
  );
  expect(ids(await rows('SELECT * FROM Customer ORDERBY CompanyName'))).toEqual(
    expected(all, (c) => lower(c.CompanyName), false),
  );
  expect(ids(await rows('SELECT * FROM Customer ORDERBY Balance DESC'))).toEqual(
    expected(all, (c) => (c.Balance === undefined ? undefined : Number(c.Balance)), true),
  );
  // Id = / Id IN: the same records and order as filtering the full result.
  const some = all.filter((_, i) => i % 3 === 0).map((c) => c.Id);
  const inList = some.map((id) => `'${id}'`).join(',');
  const byName = await rows('SELECT * FROM Customer ORDERBY DisplayName DESC');
  expect(ids(await rows(`SELECT * FROM Customer WHERE Id IN (${inList}) ORDERBY DisplayName DESC`))).toEqual(
    ids(byName).filter((id) => some.includes(id)),
  );
  const byDefault = await rows('SELECT * FROM Customer');
  expect(ids(await rows(`SELECT * FROM Customer WHERE Id IN (${inList}, '999999')`))).toEqual(
    ids(byDefault).filter((id) => some.includes(id)),
  );
  expect(ids(await rows(`SELECT * FROM Customer WHERE Id = '${some[1]}'`))).toEqual([some[1]]);
  const counted = await qbo.query(`SELECT COUNT(*) FROM Customer WHERE Id IN (${inList})`);
  expect(counted.json.QueryResponse.totalCount).toBe(some.length);
}

describe('sorted views and id look-ups', () => {
  it('order like a full sort, and stay so as writes move records', async () => {
    await checkOrders();
    const all = await rows('SELECT * FROM Customer ORDERBY Id');
    // Renames (moving records in the name orders), new customers, one deactivated.
    for (const [i, name] of [
      [3, 'aaa First Now'],
      [10, 'ZZZ Last Now'],
      [20, 'mid Name'],
    ] as const) {
      const c = all[i]!;
      const r = await qbo.post('/customer', {
        Id: c.Id,
        SyncToken: c.SyncToken,
        sparse: true,
        DisplayName: name,
      });
      expect(r.status).toBe(200);
    }
    for (const name of ['Brand New One', 'brand new two', '0 Numbers First']) {
      const r = await qbo.post('/customer', { DisplayName: name, CompanyName: name });
      expect(r.status).toBe(200);
    }
    const gone = all[5]!;
    const r = await qbo.post('/customer', {
      Id: gone.Id,
      SyncToken: gone.SyncToken,
      sparse: true,
      Active: false,
    });
    expect(r.status).toBe(200);
    await checkOrders();
    const after = await rows('SELECT * FROM Customer ORDERBY Id');
    expect(after.some((c) => c.Id === gone.Id)).toBe(false);
    expect(after.length).toBe(all.length + 2);
  });

  it('rejects a bad id in IN as the scan did', async () => {
    const r = await qbo.query("SELECT * FROM Customer WHERE Id IN ('1', 'abc')");
    expect(r.status).toBe(400);
    expect(r.json.Fault.Error[0].code).toBe('4001');
  });
});
