import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, call, sdk, start } from './helpers.ts';

let emu: RunningQboEmulator;
let qbo: ReturnType<typeof api>;

beforeAll(async () => {
  // enough companies for more than 1,000 customers: paging past the 1,000-row page matters
  emu = await start({ records: 1300 });
  qbo = api(emu);
});
afterAll(() => emu.close());

async function count(q: string): Promise<number> {
  const r = await qbo.query(q);
  expect(r.status).toBe(200);
  return r.json.QueryResponse.totalCount;
}

describe('query paging', () => {
  it('COUNT(*) answers totalCount only', async () => {
    const r = await qbo.query('SELECT COUNT(*) FROM Customer');
    expect(Object.keys(r.json.QueryResponse)).toEqual(['totalCount']);
    expect(r.json.QueryResponse.totalCount).toBeGreaterThan(1000);
    expect(typeof r.json.time).toBe('string');
  });

  it('defaults to 100 rows; maxResults is the number returned; past the end is an empty QueryResponse', async () => {
    const total = await count('select count(*) from Customer');
    const first = await qbo.query('select * from Customer');
    expect(first.json.QueryResponse.Customer).toHaveLength(100);
    expect(first.json.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 100 });
    const last = await qbo.query(`select * from Customer STARTPOSITION ${total - 2} MAXRESULTS 10`);
    expect(last.json.QueryResponse).toMatchObject({ startPosition: total - 2, maxResults: 3 });
    const past = await qbo.query(`select * from Customer STARTPOSITION ${total + 1} MAXRESULTS 10`);
    expect(past.json.QueryResponse).toEqual({});
  });

  it('caps MAXRESULTS at 1000', async () => {
    const r = await qbo.query('select * from Customer maxresults 5000');
    expect(r.json.QueryResponse.Customer).toHaveLength(1000);
    expect(r.json.QueryResponse.maxResults).toBe(1000);
  });

  it('pages in a stable order: the pages of an ORDERBY query join without gaps or repeats', async () => {
    const total = await count('select count(*) from Customer');
    const ids: string[] = [];
    const times: number[] = [];
    for (let start = 1; start <= total; start += 400) {
      const r = await qbo.query(
        `SELECT * FROM Customer ORDERBY MetaData.LastUpdatedTime STARTPOSITION ${start} MAXRESULTS 400`,
      );
      for (const c of r.json.QueryResponse.Customer) {
        ids.push(c.Id);
        times.push(Date.parse(c.MetaData.LastUpdatedTime));
      }
    }
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it('answers from current data after writes, including balances the server recomputed', async () => {
    const total = await count('select count(*) from Customer');
    const c = (await qbo.post('/customer', { DisplayName: 'Fresh Between Pages' })).json.Customer;
    expect(await count('select count(*) from Customer')).toBe(total + 1);
    const rich = "select count(*) from Customer where Balance > '999999'";
    const before = await count(rich);
    const item = (await qbo.query("select * from Item where Name = 'Design'")).json.QueryResponse.Item[0];
    const inv = await qbo.post('/invoice', {
      CustomerRef: { value: c.Id },
      Line: [
        {
          Amount: 1_000_000,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: item.Id } },
        },
      ],
    });
    expect(inv.status).toBe(200);
    expect(await count(rich)).toBe(before + 1);
    const fresh = (await qbo.get(`/customer/${c.Id}`)).json.Customer;
    await qbo.post('/customer', { Id: c.Id, SyncToken: fresh.SyncToken, sparse: true, Active: false });
    expect(await count('select count(*) from Customer')).toBe(total);
  });

  it('node-quickbooks fetchAll pages past 1,000 rows and gets every customer', async () => {
    const total = await count('select count(*) from Customer');
    const all = await call(sdk(emu), 'findCustomers', { fetchAll: true });
    expect(all.QueryResponse.Customer).toHaveLength(total);
  });
});

describe('query language', () => {
  it('filters with = (case-insensitive), backslash-escaped quotes, LIKE, IN and AND', async () => {
    const amy = await qbo.query("select * from Customer where DisplayName = 'amy\\'s bird sanctuary'");
    expect(amy.json.QueryResponse.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual([
      "Amy's Bird Sanctuary",
    ]);
    const like = await qbo.query("select * from Customer where DisplayName like 'Sushi%'");
    expect(like.json.QueryResponse.Customer[0].DisplayName).toBe('Sushi by Katsuyuki');
    const inList = await qbo.query("SELECT * FROM Customer WHERE Id IN ('1', '2', '3') AND Active = true");
    expect(inList.json.QueryResponse.Customer.map((c: { Id: string }) => c.Id).sort()).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('compares MetaData.LastUpdatedTime as an instant, whatever the offset', async () => {
    const r = await qbo.query('select * from Customer orderby MetaData.LastUpdatedTime desc maxresults 1');
    const newest = r.json.QueryResponse.Customer[0];
    const t = Date.parse(newest.MetaData.LastUpdatedTime);
    const utc = new Date(t - 1000).toISOString().replace('.000Z', 'Z');
    const after = await qbo.query(`select * from Customer where MetaData.LastUpdatedTime > '${utc}'`);
    expect(after.json.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).toContain(newest.Id);
    const none = await qbo.query(
      `select count(*) from Customer where MetaData.LastUpdatedTime > '${new Date(t).toISOString()}'`,
    );
    expect(none.json.QueryResponse.totalCount).toBe(0);
  });

  it('orders by a property, descending', async () => {
    const r = await qbo.query('select * from Item orderby Name desc maxresults 20');
    const names = r.json.QueryResponse.Item.map((i: { Name: string }) => i.Name.toLowerCase());
    expect(names).toEqual([...names].sort().reverse());
  });

  it('filters sub-customers by ParentRef and transactions by CustomerRef and amounts', async () => {
    const subs = await qbo.query("select * from Customer where Job = true and Level = '1' maxresults 5");
    const sub = subs.json.QueryResponse.Customer[0];
    const byParent = await qbo.query(`select * from Customer where ParentRef = '${sub.ParentRef.value}'`);
    expect(byParent.json.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).toContain(sub.Id);
    const inv = await qbo.query("select * from Invoice where TotalAmt > '500.00' maxresults 50");
    expect(inv.json.QueryResponse.Invoice.every((i: { TotalAmt: number }) => i.TotalAmt > 500)).toBe(true);
  });

  it('accepts keywords and entity names in any case, and POST with application/text', async () => {
    const lower = await qbo.query("SeLeCt * FrOm customer WhErE Id = '1'");
    expect(lower.json.QueryResponse.Customer[0].Id).toBe('1');
    const posted = await qbo.post('/query', "select * from Customer where Id = '2'", 'application/text');
    expect(posted.json.QueryResponse.Customer[0].Id).toBe('2');
  });

  it('answers an entity it does not host like a company that has none', async () => {
    const r = await qbo.query('select * from Vendor');
    expect(r.json.QueryResponse).toEqual({});
  });

  it('refuses what does not parse with 4000 QueryParserError, and unknown names with 4001', async () => {
    for (const q of [
      'select * from',
      "select * from Customer where DisplayName = 'a' or Id = '1'",
      'select * from Customer where',
      "select * from Customer where DisplayName = 'unterminated",
      'delete from Customer',
    ]) {
      const r = await qbo.query(q);
      expect(r.status, q).toBe(400);
      expect(r.json.Fault.Error[0]).toMatchObject({ code: '4000', Message: 'Error parsing query' });
      expect(r.json.Fault.Error[0].Detail).toMatch(/^QueryParserError: /);
      expect(r.json.Fault.type).toBe('ValidationFault');
    }
    const prop = await qbo.query("select * from Customer where Colour = 'red'");
    expect(prop.json.Fault.Error[0]).toMatchObject({ code: '4001' });
    expect(prop.json.Fault.Error[0].Detail).toContain('Colour');
    const entity = await qbo.query('select * from Spaceship');
    expect(entity.json.Fault.Error[0].code).toBe('4001');
  });
});
