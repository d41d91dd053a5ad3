/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

let emu: RunningQboEmulator;
let qbo: ReturnType<typeof api>;
let itemId: string;
let inventoryId: string;

beforeAll(async () => {
  emu = await start({ records: 30 });
  qbo = api(emu);
  itemId = (await qbo.query("select * from Item where Name = 'Design'")).json.QueryResponse.Item[0].Id;
  inventoryId = (await qbo.query("select * from Item where Name = 'Pump'")).json.QueryResponse.Item[0].Id;
});
afterAll(() => emu.close());

function fault(r: { status: number; json: any }): {
  code: string;
  Message: string;
  Detail: string;
  element?: string;
} {
  expect(r.json.Fault.Error).toHaveLength(1);
  expect(typeof r.json.time).toBe('string');
  return r.json.Fault.Error[0];
}

async function customer(name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await qbo.post('/customer', { DisplayName: name, ...extra });
  expect(r.status, r.text).toBe(200);
  return r.json.Customer;
}

function line(amount: string | number, qty?: number, price?: number, item = itemId): Record<string, unknown> {
  return {
    Amount: amount,
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: {
      ItemRef: { value: item },
      ...(qty !== undefined ? { Qty: qty, UnitPrice: price } : {}),
    },
  };
}

describe('request validation', () => {
  it("refuses an unknown property with 2010 and Jackson's words", async () => {
    const r = await qbo.post('/invoice', { BadJson: true });
    expect(r.status).toBe(400);
    const e = fault(r);
    expect(e).toMatchObject({ code: '2010', Message: 'Request has invalid or unsupported property' });
    expect(e.Detail).toMatch(
      /^Property Name:Unrecognized field "BadJson" \(class com\.intuit\.schema\.finance\.v3\.Invoice\), not marked as ignorable \(\d+ known properties: /,
    );
    expect(e.Detail).toMatch(/ specified is unsupported or invalid$/);
  });

  it('refuses malformed JSON and wrongly typed values with 2010', async () => {
    const broken = await qbo.post('/customer', '{"DisplayName": "x",');
    expect(fault(broken)).toMatchObject({ code: '2010' });
    const typed = await qbo.post('/customer', { DisplayName: 'Typed', Balance: 'lots' });
    expect(fault(typed).Detail).toContain('java.math.BigDecimal');
    const nested = await qbo.post('/customer', { DisplayName: 'Nested', BillAddr: { Planet: 'Mars' } });
    expect(fault(nested).Detail).toContain('PhysicalAddress');
  });

  it('answers 2030 for an id that is not a number, 610 for one that does not exist', async () => {
    expect(fault(await qbo.get('/customer/abc'))).toMatchObject({ code: '2030', Message: 'Invalid ID' });
    expect(fault(await qbo.get('/customer/987654'))).toMatchObject({
      code: '610',
      Message: 'Object Not Found',
    });
  });

  it('answers unknown resources (and wrongly cased ones) with 400 Unsupported Operation, code 500', async () => {
    for (const path of ['/spaceship', '/Customer', '/customer/1/extra']) {
      const r = path === '/Customer' ? await qbo.post(path, {}) : await qbo.get(path);
      expect(r.status, path).toBe(400);
      expect(fault(r)).toMatchObject({ code: '500', Message: 'Unsupported Operation' });
    }
    const outside = await fetch(`${emu.url}/v3/nothing`);
    expect(outside.status).toBe(400);
  });

  it('accepts any minorversion', async () => {
    for (const v of ['4', '75', '99', 'x']) {
      const r = await fetch(`${qbo.base}/customer/1?minorversion=${v}`, {
        headers: { Authorization: `Bearer ${emu.info.accessToken}` },
      });
      expect(r.status, v).toBe(200);
    }
  });
});

describe('name-list rules', () => {
  it('keeps DisplayName unique, case-insensitively (6240)', async () => {
    await customer('Unique Widgets');
    const r = await qbo.post('/customer', { DisplayName: 'UNIQUE widgets' });
    expect(fault(r)).toMatchObject({ code: '6240', Message: 'Duplicate Name Exists Error' });
    expect(fault(r).Detail).toContain('Another customer, vendor or employee is already using this name');
  });

  it('keeps item names unique and refuses colons in names', async () => {
    const dup = await qbo.post('/item', {
      Name: 'design',
      Type: 'Service',
      IncomeAccountRef: { value: '10' },
    });
    expect(fault(dup).code).toBe('6240');
    const colon = await qbo.post('/customer', { DisplayName: 'Parent:Child' });
    expect(fault(colon).code).toBe('6000');
  });

  it('enforces the real string lengths with 2050', async () => {
    const long = await qbo.post('/customer', { DisplayName: 'x'.repeat(501) });
    expect(fault(long)).toMatchObject({ code: '2050', element: 'DisplayName' });
    expect(fault(long).Detail).toBe(
      'String length specified does not match the supported length. Min:0 Max:500 supported. Supplied length:501',
    );
    const given = await qbo.post('/customer', { DisplayName: 'Ok Name', GivenName: 'g'.repeat(101) });
    expect(fault(given)).toMatchObject({ code: '2050', element: 'GivenName' });
    await customer('y'.repeat(500));
  });

  it('builds sub-customers: FullyQualifiedName Parent:Child, Level, balances rolled up', async () => {
    const parent = await customer('Parent Holdings');
    const job = await customer('Kitchen Remodel', {
      ParentRef: { value: parent.Id },
      Job: true,
      BillWithParent: true,
    });
    expect(job).toMatchObject({
      FullyQualifiedName: 'Parent Holdings:Kitchen Remodel',
      Level: 1,
      Job: true,
      BillWithParent: true,
      ParentRef: { value: parent.Id },
    });
    const inv = await qbo.post('/invoice', { CustomerRef: { value: job.Id }, Line: [line('250.00')] });
    expect(inv.status, inv.text).toBe(200);
    const p = (await qbo.get(`/customer/${parent.Id}`)).json.Customer;
    expect(p).toMatchObject({ Balance: 0, BalanceWithJobs: 250 });
    const renamed = await qbo.post('/customer', {
      Id: parent.Id,
      SyncToken: p.SyncToken,
      sparse: true,
      DisplayName: 'Parent Group',
    });
    expect(renamed.status).toBe(200);
    const child = (await qbo.get(`/customer/${job.Id}`)).json.Customer;
    expect(child.FullyQualifiedName).toBe('Parent Group:Kitchen Remodel');
  });

  it('makes sub-customers inactive with their parent', async () => {
    const parent = await customer('Closing Down Inc');
    const sub = await customer('Closing Branch', { ParentRef: { value: parent.Id } });
    const off = await qbo.post('/customer', {
      Id: parent.Id,
      SyncToken: parent.SyncToken,
      sparse: true,
      Active: false,
    });
    expect(off.json.Customer.DisplayName).toBe('Closing Down Inc (deleted)');
    const child = (await qbo.get(`/customer/${sub.Id}`)).json.Customer;
    expect(child).toMatchObject({ Active: false, DisplayName: 'Closing Branch (deleted)', SyncToken: '1' });
    expect(child.FullyQualifiedName).toBe('Closing Down Inc (deleted):Closing Branch (deleted)');
  });

  it('cannot delete a name-list entity; a missing SyncToken is 2020, a stale one 5010', async () => {
    const c = await customer('Not Deletable');
    const del = await qbo.post('/customer?operation=delete', { Id: c.Id, SyncToken: c.SyncToken });
    expect(fault(del)).toMatchObject({ code: '500', Message: 'Unsupported Operation' });
    const noToken = await qbo.post('/customer', { Id: c.Id, DisplayName: 'No Token' });
    expect(fault(noToken).code).toBe('2020');
    const stale = await qbo.post('/customer', { Id: c.Id, SyncToken: '7', DisplayName: 'Stale' });
    expect(fault(stale)).toMatchObject({ code: '5010', Message: 'Stale Object Error' });
  });

  it('an unchanged sparse update keeps the SyncToken', async () => {
    const c = await customer('Idle Update');
    const r = await qbo.post('/customer', {
      Id: c.Id,
      SyncToken: c.SyncToken,
      sparse: true,
      DisplayName: 'Idle Update',
    });
    expect(r.json.Customer.SyncToken).toBe(c.SyncToken);
  });

  it('an inventory item needs its accounts, quantity and start date; invoices draw it down', async () => {
    const missing = await qbo.post('/item', {
      Name: 'Half Item',
      Type: 'Inventory',
      IncomeAccountRef: { value: '9' },
    });
    expect(fault(missing).code).toBe('2020');
    const bad = await qbo.post('/item', {
      Name: 'Bad Ref',
      Type: 'Service',
      IncomeAccountRef: { value: '9999' },
    });
    expect(fault(bad)).toMatchObject({ code: '2500', element: 'IncomeAccountRef' });
    const before = (await qbo.get(`/item/${inventoryId}`)).json.Item.QtyOnHand;
    const c = await customer('Pump Buyer');
    const inv = await qbo.post('/invoice', {
      CustomerRef: { value: c.Id },
      Line: [line('45.00', 3, 15, inventoryId)],
    });
    expect(inv.status, inv.text).toBe(200);
    expect((await qbo.get(`/item/${inventoryId}`)).json.Item.QtyOnHand).toBe(before - 3);
  });
});

describe('transaction rules', () => {
  let buyer: any;
  beforeAll(async () => {
    buyer = await customer('Transaction Rules Buyer');
  });

  it('requires CustomerRef and Line (2020) and valid references (2500), active ones (610)', async () => {
    expect(fault(await qbo.post('/invoice', { Line: [line(10)] }))).toMatchObject({
      code: '2020',
      element: 'CustomerRef',
    });
    expect(fault(await qbo.post('/invoice', { CustomerRef: { value: buyer.Id } })).code).toBe('2020');
    const noDetail = await qbo.post('/invoice', {
      CustomerRef: { value: buyer.Id },
      Line: [{ Amount: 5, DetailType: 'SalesItemLineDetail' }],
    });
    expect(fault(noDetail)).toMatchObject({ code: '2020', element: 'Line.SalesItemLineDetail' });
    const badCustomer = await qbo.post('/invoice', { CustomerRef: { value: '424242' }, Line: [line(10)] });
    expect(fault(badCustomer)).toMatchObject({
      code: '2500',
      Message: 'Invalid Reference Id',
      element: 'CustomerRef',
    });
    expect(fault(badCustomer).Detail).toBe('Invalid Reference Id : Names element id 424242 not found');
    const badItem = await qbo.post('/invoice', {
      CustomerRef: { value: buyer.Id },
      Line: [line(10, undefined, undefined, '55555')],
    });
    expect(fault(badItem)).toMatchObject({ code: '2500', element: 'Line.SalesItemLineDetail.ItemRef' });
    const gone = await customer('Gone Customer');
    await qbo.post('/customer', { Id: gone.Id, SyncToken: gone.SyncToken, sparse: true, Active: false });
    expect(
      fault(await qbo.post('/invoice', { CustomerRef: { value: gone.Id }, Line: [line(10)] })).code,
    ).toBe('610');
  });

  it('refuses an Amount that is not Qty × UnitPrice (6070)', async () => {
    const r = await qbo.post('/invoice', { CustomerRef: { value: buyer.Id }, Line: [line(1000, 7, 225)] });
    expect(fault(r)).toMatchObject({ code: '6070', element: 'Line.Amount' });
    expect(fault(r).Detail).toBe('Amount is not equal to UnitPrice * Qty. Supplied value:1,000');
    const ok = await qbo.post('/invoice', {
      CustomerRef: { value: buyer.Id },
      Line: [line('1861.08', 128.35, 14.5)],
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it('keeps money exact: 0.1 + 0.2 is 0.30, written as a JSON number', async () => {
    const r = await qbo.post('/invoice', { CustomerRef: { value: buyer.Id }, Line: [line(0.1), line(0.2)] });
    expect(r.text).toContain('"TotalAmt":0.30');
    expect(r.json.Invoice.TotalAmt).toBe(0.3);
  });

  it('ignores a client subtotal line and recomputes it; discounts reduce the total', async () => {
    const r = await qbo.post('/invoice', {
      CustomerRef: { value: buyer.Id },
      Line: [
        line('200.00'),
        { Amount: 999, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} },
        { DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 } },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.Invoice.TotalAmt).toBe(180);
    expect(
      r.json.Invoice.Line.find((l: { DetailType: string }) => l.DetailType === 'SubTotalLineDetail').Amount,
    ).toBe(200);
  });

  it('refuses a duplicate DocNumber (6140) unless include=allowduplicatedocnum', async () => {
    const first = await qbo.post('/invoice', {
      DocNumber: 'INV-77',
      CustomerRef: { value: buyer.Id },
      Line: [line(5)],
    });
    expect(first.status).toBe(200);
    const dup = await qbo.post('/invoice', {
      DocNumber: 'inv-77',
      CustomerRef: { value: buyer.Id },
      Line: [line(5)],
    });
    expect(fault(dup).code).toBe('6140');
    const allowed = await qbo.post('/invoice?include=allowduplicatedocnum', {
      DocNumber: 'INV-77',
      CustomerRef: { value: buyer.Id },
      Line: [line(5)],
    });
    expect(allowed.status).toBe(200);
    const long = await qbo.post('/invoice', {
      DocNumber: 'D'.repeat(22),
      CustomerRef: { value: buyer.Id },
      Line: [line(5)],
    });
    expect(fault(long)).toMatchObject({ code: '2050', element: 'DocNumber' });
  });

  it('applies payments: Balance falls, LinkedTxn appears, no more than the open balance', async () => {
    const inv = (await qbo.post('/invoice', { CustomerRef: { value: buyer.Id }, Line: [line('100.00')] }))
      .json.Invoice;
    const pay = async (amount: number, total = amount) =>
      qbo.post('/payment', {
        CustomerRef: { value: buyer.Id },
        TotalAmt: total,
        Line: [{ Amount: amount, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] }],
      });
    const p1 = await pay(60);
    expect(p1.status, p1.text).toBe(200);
    const over = await pay(40.01);
    expect(fault(over).code).toBe('6000');
    const tooLittle = await pay(10, 5);
    expect(fault(tooLittle).code).toBe('6000');
    const p2 = await pay(40);
    expect(p2.status).toBe(200);
    const after = (await qbo.get(`/invoice/${inv.Id}`)).json.Invoice;
    expect(after.Balance).toBe(0);
    expect(after.LinkedTxn.map((l: { TxnId: string }) => l.TxnId)).toEqual([
      p1.json.Payment.Id,
      p2.json.Payment.Id,
    ]);
    const other = await customer('Somebody Else');
    const foreign = await qbo.post('/payment', {
      CustomerRef: { value: other.Id },
      TotalAmt: 1,
      Line: [{ Amount: 1, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] }],
    });
    expect(fault(foreign).code).toBe('6000');
    const del = await qbo.post('/payment?operation=delete', {
      Id: p2.json.Payment.Id,
      SyncToken: p2.json.Payment.SyncToken,
    });
    expect(del.json.Payment).toEqual({ domain: 'QBO', status: 'Deleted', Id: p2.json.Payment.Id });
    expect((await qbo.get(`/invoice/${inv.Id}`)).json.Invoice.Balance).toBe(40);
  });

  it('a credit memo keeps its RemainingCredit until a payment takes from it', async () => {
    const cm = (await qbo.post('/creditmemo', { CustomerRef: { value: buyer.Id }, Line: [line('30.00')] }))
      .json.CreditMemo;
    expect(cm).toMatchObject({ TotalAmt: 30, RemainingCredit: 30 });
    const inv = (await qbo.post('/invoice', { CustomerRef: { value: buyer.Id }, Line: [line('50.00')] })).json
      .Invoice;
    const p = await qbo.post('/payment', {
      CustomerRef: { value: buyer.Id },
      TotalAmt: 20,
      Line: [
        { Amount: 50, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] },
        { Amount: 30, LinkedTxn: [{ TxnId: cm.Id, TxnType: 'CreditMemo' }] },
      ],
    });
    expect(p.status, p.text).toBe(200);
    expect(p.json.Payment.UnappliedAmt).toBe(0);
    expect((await qbo.get(`/creditmemo/${cm.Id}`)).json.CreditMemo.RemainingCredit).toBe(0);
    expect((await qbo.get(`/invoice/${inv.Id}`)).json.Invoice.Balance).toBe(0);
  });

  it('a sales receipt is paid at once and deposits to Undeposited Funds', async () => {
    const r = await qbo.post('/salesreceipt', { CustomerRef: { value: buyer.Id }, Line: [line('12.34')] });
    expect(r.json.SalesReceipt).toMatchObject({
      TotalAmt: 12.34,
      Balance: 0,
      DepositToAccountRef: { name: 'Undeposited Funds' },
    });
  });

  it('a voided transaction cannot be changed', async () => {
    const inv = (await qbo.post('/invoice', { CustomerRef: { value: buyer.Id }, Line: [line(5)] })).json
      .Invoice;
    const v = await qbo.post('/invoice?operation=void', { Id: inv.Id, SyncToken: inv.SyncToken });
    expect(v.status).toBe(200);
    const upd = await qbo.post('/invoice', { ...v.json.Invoice, sparse: true, PrivateNote: 'again' });
    expect(fault(upd).code).toBe('6000');
  });
});

describe('CDC limits', () => {
  it('returns at most 1,000 objects, the oldest changes first', async () => {
    emu.kit.clock.advance(2000);
    const since = new Date(emu.kit.clock.now()).toISOString();
    for (let b = 0; b < 35; b++) {
      const items = Array.from({ length: 30 }, (_, i) => ({
        bId: `c${i}`,
        operation: 'create',
        Customer: { DisplayName: `Cdc Bulk ${b}-${i}` },
      }));
      expect((await qbo.post('/batch', { BatchItemRequest: items })).status).toBe(200);
    }
    const r = await qbo.get(`/cdc?entities=Customer,Invoice&changedSince=${encodeURIComponent(since)}`);
    const [customers, invoices] = r.json.CDCResponse[0].QueryResponse;
    expect(customers.Customer.length + (invoices.Invoice?.length ?? 0)).toBe(1000);
    expect(customers.maxResults).toBe(customers.Customer.length);
    const ids = customers.Customer.map((c: { Id: string }) => Number(c.Id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(customers.Customer[0].DisplayName).toBe('Cdc Bulk 0-0');
  });
});

describe('CDC', () => {
  it('reports deletions as status Deleted and refuses a window older than 30 days', async () => {
    emu.kit.clock.advance(2000);
    const since = new Date(emu.kit.clock.now()).toISOString();
    const c = await customer('CDC Victim Owner');
    const inv = (await qbo.post('/invoice', { CustomerRef: { value: c.Id }, Line: [line(5)] })).json.Invoice;
    await qbo.post('/invoice?operation=delete', { Id: inv.Id, SyncToken: inv.SyncToken });
    const r = await qbo.get(`/cdc?entities=Invoice,customer&changedSince=${encodeURIComponent(since)}`);
    expect(r.status).toBe(200);
    const [invoices, customers] = r.json.CDCResponse[0].QueryResponse;
    const deleted = invoices.Invoice.find((i: { Id: string }) => i.Id === inv.Id);
    expect(deleted).toMatchObject({ status: 'Deleted', Id: inv.Id });
    expect(deleted.MetaData.LastUpdatedTime).toBeDefined();
    expect(customers.Customer.map((x: { Id: string }) => x.Id)).toContain(c.Id);
    const old = await qbo.get(
      `/cdc?entities=Customer&changedSince=${encodeURIComponent(new Date(emu.kit.clock.now() - 31 * 86_400_000).toISOString())}`,
    );
    expect(fault(old).code).toBe('500');
    const missing = await qbo.get('/cdc?changedSince=2020-01-01');
    expect(fault(missing)).toMatchObject({ code: '10000' });
    const badEntity = await qbo.get(`/cdc?entities=estimates&changedSince=${encodeURIComponent(since)}`);
    expect(fault(badEntity).Detail).toContain('Invalid entity supplied : entity=estimates');
  });
});
