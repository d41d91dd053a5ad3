import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QbRecord } from '../../../src/connectors/qbo/index.ts';
import type { Store } from '../../../src/store/database.ts';
import { openFileStore, qboFixture, type QboFixture } from './fixture.ts';
import { all, createCustomers, inUpdateOrder, invoiceBody } from './helpers.ts';

const DAY = 86_400_000;

let store: Store;
beforeAll(async () => {
  store = await openFileStore();
});
afterAll(async () => store.close());

function ids(records: QbRecord[]): string[] {
  return records.map((r) => r.Id);
}

describe('QBO reads: change data capture', () => {
  let fx: QboFixture;
  beforeAll(async () => {
    fx = await qboFixture(store);
  });
  afterAll(async () => fx.close());

  it('reads a few changes with one CDC call: updates, inactive names, deleted transactions', async () => {
    const writer = await fx.connector();
    const since = new Date(await fx.control.now()).toISOString();
    const created = await createCustomers(writer, 'Cdc Few', 3, 'cdc-few');
    const gone = created[1]!;
    const inactive = await writer.write(
      'Customer',
      'update',
      { Id: gone.Id, SyncToken: gone.SyncToken, sparse: true, Active: false },
      'cdc-few-deact',
    );
    expect(inactive.Active).toBe(false);
    const invoice = await writer.write(
      'Invoice',
      'create',
      await invoiceBody(writer, created[0]!.Id),
      'cdc-few-inv',
    );
    const deleted = await writer.write(
      'Invoice',
      'delete',
      { Id: invoice.Id, SyncToken: invoice.SyncToken },
      'cdc-few-del',
    );
    expect(deleted).toMatchObject({ Id: invoice.Id, status: 'Deleted' });

    const c = await fx.connector();
    const pages = await all(c.readChanges({ entity: 'Customer', since, overlapSeconds: 0 }));
    expect(c.stats.snapshot()).toEqual({ 'GET cdc': 1 });
    expect(pages).toHaveLength(1);
    const customers = pages[0]!;
    expect(new Set(ids(customers))).toEqual(new Set(ids(created)));
    expect(customers.find((r) => r.Id === gone.Id)).toMatchObject({
      Active: false,
      DisplayName: 'Cdc Few 0002 (deleted)',
    });
    expect(inUpdateOrder(customers)).toBe(true);
    // exact decimals: balances arrive as text, never as floats
    expect(typeof customers[0]!.Balance).toBe('string');

    const invoices = (await all(c.readChanges({ entity: 'Invoice', since, overlapSeconds: 0 }))).flat();
    expect(invoices).toEqual([expect.objectContaining({ Id: invoice.Id, status: 'Deleted' })]);

    c.stats.reset();
    const many = await c.readChangesMany({
      entities: ['Customer', 'Invoice', 'Item'],
      since,
      overlapSeconds: 0,
    });
    expect(c.stats.snapshot()).toEqual({ 'GET cdc': 1 });
    expect(new Set(ids(many!.Customer!))).toEqual(new Set(ids(created)));
    expect(many!.Invoice).toEqual([expect.objectContaining({ Id: invoice.Id, status: 'Deleted' })]);
    expect(many!.Item).toEqual([]);
  });

  it('applies the overlap: a cursor just after a change still sees it', async () => {
    const writer = await fx.connector();
    const [made] = await createCustomers(writer, 'Cdc Overlap', 1, 'cdc-overlap');
    const after = new Date(Date.parse(made!.MetaData!.LastUpdatedTime) + 5_000).toISOString();
    const c = await fx.connector();
    expect(
      ids((await all(c.readChanges({ entity: 'Customer', since: after, overlapSeconds: 0 }))).flat()),
    ).not.toContain(made!.Id);
    expect(ids((await all(c.readChanges({ entity: 'Customer', since: after }))).flat())).toContain(made!.Id);
  });
});

describe('QBO reads: cursor older than the CDC window', () => {
  let fx: QboFixture;
  let early: QbRecord;
  beforeAll(async () => {
    fx = await qboFixture(store, { seed: 5 });
  });
  afterAll(async () => fx.close());

  it('reads by query on MetaData.LastUpdatedTime, and readChangesMany says null', async () => {
    const c = await fx.connector();
    const since = new Date(await fx.control.now()).toISOString();
    [early] = (await createCustomers(c, 'Old Cursor A', 1, 'old-a')) as [QbRecord];
    await fx.control.advanceClock(31 * DAY);
    // the access token has expired on the emulator's clock: the connector refreshes on the 401
    const [late] = await createCustomers(c, 'Old Cursor B', 1, 'old-b');
    expect(c.stats.snapshot()['POST oauth2/token']).toBe(1);

    c.stats.reset();
    const changes = (await all(c.readChanges({ entity: 'Customer', since, overlapSeconds: 0 }))).flat();
    expect(ids(changes)).toEqual([early.Id, late!.Id]);
    // the connector knows QuickBooks' clock from its answers: it does not even try CDC
    expect(c.stats.snapshot()).toEqual({ 'GET query': 1 });
    expect(await c.readChangesMany({ entities: ['Customer'], since })).toBeNull();
  });

  it('falls back to queries when QuickBooks refuses CDC for a start point it deems too old', async () => {
    const c = await fx.connector();
    // by our clock this start point is recent; by QuickBooks' (31 days ahead) it is not. A fresh
    // connector has not heard QuickBooks' clock yet, so its first try is CDC.
    const since = early.MetaData!.LastUpdatedTime;
    const changes = (await all(c.readChanges({ entity: 'Customer', since, overlapSeconds: 0 }))).flat();
    expect(changes.map((r) => r.DisplayName)).toEqual(['Old Cursor A 0001', 'Old Cursor B 0001']);
    expect(c.stats.snapshot()).toMatchObject({ 'GET cdc': 1, 'GET query': 1 });
  });
});

describe('QBO reads: more than 1,000 records', () => {
  let fx: QboFixture;
  let created: QbRecord[];
  let since: string;
  let deletedInvoice: string;
  beforeAll(async () => {
    fx = await qboFixture(store, { seed: 7, limits: { perMinute: 5000, batchPerMinute: 1000 } });
    const c = await fx.connector();
    since = new Date(await fx.control.now()).toISOString();
    created = await createCustomers(c, 'Bulk', 1020, 'bulk');
    const [inv] = (await c.query('Invoice', { pageSize: 1 })[Symbol.asyncIterator]().next())
      .value as QbRecord[];
    await c.write('Invoice', 'delete', { Id: inv!.Id, SyncToken: inv!.SyncToken }, 'bulk-del');
    deletedInvoice = inv!.Id;
  });
  afterAll(async () => fx.close());

  it('reports a CDC answer at the 1,000-object cap as truncated', async () => {
    const c = await fx.connector();
    const res = await c.cdc(['Customer'], new Date(since));
    expect(res.truncated).toEqual(['Customer']);
    expect(res.records.Customer).toHaveLength(1000);
  });

  it('falls back to paged queries for a truncated entity, each change exactly once', async () => {
    const c = await fx.connector();
    const pages = await all(c.readChanges({ entity: 'Customer', since, overlapSeconds: 0 }));
    const got = pages.flat();
    expect(got).toHaveLength(created.length);
    expect(new Set(ids(got))).toEqual(new Set(ids(created)));
    expect(inUpdateOrder(got)).toBe(true);
    const s = c.stats.snapshot();
    expect(s['GET cdc']).toBe(1);
    expect(s['GET query']).toBeGreaterThanOrEqual(2);
  });

  it('reads several entities in one CDC call, re-asking per entity only when the answer was cut', async () => {
    const c = await fx.connector();
    const many = await c.readChangesMany({ entities: ['Customer', 'Invoice'], since, overlapSeconds: 0 });
    expect(new Set(ids(many!.Customer!))).toEqual(new Set(ids(created)));
    expect(many!.Customer).toHaveLength(created.length);
    expect(many!.Invoice).toEqual([expect.objectContaining({ Id: deletedInvoice, status: 'Deleted' })]);
    // one CDC for both, one for Customer alone (still cut: queries), one for Invoice alone
    expect(c.stats.snapshot()['GET cdc']).toBe(3);
  });

  it('pages through every record (since: null) with no loss, even while records change', async () => {
    const c = await fx.connector();
    const total = await c.count('Customer', 'Active IN (true, false)');
    expect(total).toBeGreaterThan(1000);
    const writer = await fx.connector();
    const seen = new Map<string, number>();
    const touched = new Set<string>();
    let page = 0;
    for await (const records of c.readChanges({ entity: 'Customer', since: null })) {
      for (const r of records) seen.set(r.Id, (seen.get(r.Id) ?? 0) + 1);
      if (page++ === 0) {
        // records already read move behind the cursor: without keyset paging others would shift and be skipped
        const moved = records.slice(0, 5);
        const res = await writer.batch(
          moved.map((r, k) => ({
            bId: `m${k}`,
            operation: 'update',
            entity: 'Customer',
            body: { Id: r.Id, SyncToken: r.SyncToken, sparse: true, Notes: 'moved' },
          })),
          'bulk-move',
        );
        for (const x of res) expect(x.fault).toBeUndefined();
        moved.forEach((r) => touched.add(r.Id));
      }
    }
    expect(page).toBeGreaterThanOrEqual(2);
    expect(seen.size).toBe(total);
    for (const [id, n] of seen) expect(n, `Customer ${id}`).toBe(touched.has(id) ? 2 : 1);
  });

  it('pages a plain query by STARTPOSITION/MAXRESULTS', async () => {
    const c = await fx.connector();
    const active = await c.count('Customer');
    const pages = await all(c.query('Customer', { orderBy: 'Id' }));
    expect(pages.map((p) => p.length)).toEqual([1000, active - 1000]);
    expect(new Set(pages.flat().map((r) => r.Id)).size).toBe(active);
    expect(c.stats.snapshot()['GET query']).toBe(3);
  });

  it('reads records by id in as few calls as possible, inactive ones included', async () => {
    const c = await fx.connector();
    const target = created[3]!;
    const current = (await c.read('Customer', target.Id))!;
    await c.write(
      'Customer',
      'update',
      { Id: current.Id, SyncToken: current.SyncToken, sparse: true, Active: false },
      'bulk-deact',
    );
    c.stats.reset();
    const wanted = [created[10]!.Id, target.Id, '999999', created[0]!.Id];
    const got = await c.readMany('Customer', wanted);
    expect(ids(got)).toEqual([created[10]!.Id, target.Id, created[0]!.Id]);
    expect(got[1]!.Active).toBe(false);
    expect(c.stats.total).toBe(1);

    c.stats.reset();
    const lots = await c.readMany('Customer', ids(created));
    expect(lots).toHaveLength(created.length);
    // 1,000 ids, then 20: the long statement travels in a POST body, the short one in the URL
    expect(c.stats.snapshot()).toEqual({ 'POST query': 1, 'GET query': 1 });
  });

  it('answers null for an id QuickBooks does not have (610)', async () => {
    const c = await fx.connector();
    expect(await c.read('Customer', '999999')).toBeNull();
    expect(await c.read('Invoice', deletedInvoice)).toBeNull();
    expect((await c.read('Customer', created[0]!.Id))?.DisplayName).toBe('Bulk 0001');
  });
});
