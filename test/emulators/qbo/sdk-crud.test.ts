import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { call, faultOf, sdk, start, type QuickBooks } from './helpers.ts';

// node-quickbooks is an independent client: if it can work against the emulator the way it works
// against QuickBooks Online, the emulator speaks the same protocol.
let emu: RunningQboEmulator;
let qb: QuickBooks;

beforeAll(async () => {
  emu = await start({ records: 40 });
  qb = sdk(emu);
});
afterAll(() => emu.close());

const META_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[78]:00$/;

describe('customers through node-quickbooks', () => {
  it('creates and reads a customer with QuickBooks system fields and defaults', async () => {
    const created = await call(qb, 'createCustomer', {
      DisplayName: 'Doe, Jane',
      PrimaryPhone: { FreeFormNumber: '(415) 444-1234' },
    });
    expect(created).toMatchObject({
      domain: 'QBO',
      sparse: false,
      SyncToken: '0',
      DisplayName: 'Doe, Jane',
      FullyQualifiedName: 'Doe, Jane',
      PrintOnCheckName: 'Doe, Jane',
      Active: true,
      Taxable: true,
      Job: false,
      BillWithParent: false,
      Balance: 0,
      BalanceWithJobs: 0,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      PreferredDeliveryMethod: 'Print',
    });
    expect(created.Id).toMatch(/^\d+$/);
    expect(created.MetaData.CreateTime).toMatch(META_TIME);
    expect(created.MetaData.LastUpdatedTime).toBe(created.MetaData.CreateTime);
    const read = await call(qb, 'getCustomer', created.Id);
    expect(read).toEqual(created);
  });

  it('derives DisplayName from the name parts when it is omitted', async () => {
    const c = await call(qb, 'createCustomer', { Title: 'Ms.', GivenName: 'Ada', FamilyName: 'Lovelace' });
    expect(c.DisplayName).toBe('Ms. Ada Lovelace');
  });

  it('sparse update changes only what it sends and bumps SyncToken; a stale token is refused', async () => {
    const c = await call(qb, 'createCustomer', { DisplayName: 'Sparse Test', Notes: 'keep me' });
    const updated = await call(qb, 'updateCustomer', {
      Id: c.Id,
      SyncToken: c.SyncToken,
      CompanyName: 'Sparse Co',
    });
    expect(updated.SyncToken).toBe('1');
    expect(updated.Notes).toBe('keep me');
    expect(updated.CompanyName).toBe('Sparse Co');
    const err = await call(qb, 'updateCustomer', { Id: c.Id, SyncToken: '0', Notes: 'late' }).catch((e) => e);
    expect(faultOf(err)).toMatchObject({ code: '5010', Message: 'Stale Object Error' });
    expect((await call(qb, 'getCustomer', c.Id)).Notes).toBe('keep me');
  });

  it('full update clears the writable fields it omits', async () => {
    const c = await call(qb, 'createCustomer', {
      DisplayName: 'Full Test',
      Notes: 'gone soon',
      Taxable: false,
    });
    const full = await call(qb, 'updateCustomer', {
      Id: c.Id,
      SyncToken: c.SyncToken,
      sparse: false,
      DisplayName: 'Full Test',
    });
    expect(full.Notes).toBeUndefined();
    expect(full.Taxable).toBe(true);
    expect(full.SyncToken).toBe('1');
  });

  it('deactivation renames to "(deleted)", hides from queries and frees the name', async () => {
    const c = await call(qb, 'createCustomer', { DisplayName: 'Gone Soon LLC' });
    const off = await call(qb, 'updateCustomer', { Id: c.Id, SyncToken: c.SyncToken, Active: false });
    expect(off).toMatchObject({ Active: false, DisplayName: 'Gone Soon LLC (deleted)' });
    const found = await call(qb, 'findCustomers', { DisplayName: 'Gone Soon LLC (deleted)' });
    expect(found.QueryResponse.Customer).toBeUndefined();
    const again = await call(qb, 'findCustomers', [
      { field: 'DisplayName', value: 'Gone Soon LLC (deleted)' },
      { field: 'Active', value: false },
    ]);
    expect(again.QueryResponse.Customer).toHaveLength(1);
    const reuse = await call(qb, 'createCustomer', { DisplayName: 'Gone Soon LLC' });
    expect(reuse.Id).not.toBe(c.Id);
    const back = await call(qb, 'updateCustomer', { Id: c.Id, SyncToken: off.SyncToken, Active: true }).catch(
      (e) => e,
    );
    expect(faultOf(back)).toMatchObject({ code: '6240' });
  });
});

describe('invoices and payments through node-quickbooks', () => {
  let customerId: string;
  let itemId: string;
  beforeAll(async () => {
    customerId = (await call(qb, 'createCustomer', { DisplayName: 'Invoice Tester' })).Id;
    const items = await call(qb, 'findItems', { Name: 'Design' });
    itemId = items.QueryResponse.Item[0].Id;
  });

  const invoice = (amount: number, qty: number, price: number) => ({
    CustomerRef: { value: customerId },
    Line: [
      {
        Amount: amount,
        DetailType: 'SalesItemLineDetail',
        SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: price },
      },
    ],
  });

  it('totals lines exactly and appends the subtotal line', async () => {
    const inv = await call(qb, 'createInvoice', invoice(337.5, 4.5, 75));
    expect(inv.TotalAmt).toBe(337.5);
    expect(inv.Balance).toBe(337.5);
    expect(inv.Line.at(-1)).toEqual({
      Amount: 337.5,
      DetailType: 'SubTotalLineDetail',
      SubTotalLineDetail: {},
    });
    expect(inv.Line[0]).toMatchObject({
      Id: '1',
      LineNum: 1,
      SalesItemLineDetail: { ItemRef: { value: itemId, name: 'Design' } },
    });
    expect(inv.DocNumber).toMatch(/^\d+$/);
    expect(inv.DueDate > inv.TxnDate).toBe(true);
  });

  it('deletes an invoice; reading or deleting it again is Object Not Found', async () => {
    const inv = await call(qb, 'createInvoice', invoice(75, 1, 75));
    const del = await call(qb, 'deleteInvoice', inv.Id);
    expect(del.Invoice).toEqual({ domain: 'QBO', status: 'Deleted', Id: inv.Id });
    expect(faultOf(await call(qb, 'getInvoice', inv.Id).catch((e) => e))).toMatchObject({ code: '610' });
    const again = await call(qb, 'deleteInvoice', { Id: inv.Id, SyncToken: inv.SyncToken }).catch((e) => e);
    expect(faultOf(again)).toMatchObject({ code: '610', Message: 'Object Not Found' });
  });

  it('voids an invoice: amounts zeroed, SyncToken + 1', async () => {
    const inv = await call(qb, 'createInvoice', invoice(150, 2, 75));
    const res = await call(qb, 'voidInvoice', { Id: inv.Id, SyncToken: inv.SyncToken });
    expect(res.Invoice).toMatchObject({ TotalAmt: 0, Balance: 0, SyncToken: '1', PrivateNote: 'Voided' });
    expect(res.Invoice.Line.every((l: { Amount?: number }) => l.Amount === undefined || l.Amount === 0)).toBe(
      true,
    );
  });

  it('a payment lowers the invoice balance and links both ways; voiding it restores the balance', async () => {
    const inv = await call(qb, 'createInvoice', invoice(300, 4, 75));
    const pay = await call(qb, 'createPayment', {
      CustomerRef: { value: customerId },
      TotalAmt: 120.25,
      Line: [{ Amount: 100, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] }],
    });
    expect(pay.UnappliedAmt).toBe(20.25);
    const after = await call(qb, 'getInvoice', inv.Id);
    expect(after.Balance).toBe(200);
    expect(after.LinkedTxn).toEqual([{ TxnId: pay.Id, TxnType: 'Payment' }]);
    expect(after.SyncToken).toBe('1');
    const customer = await call(qb, 'getCustomer', customerId);
    expect(customer.Balance).toBeGreaterThanOrEqual(200 - 20.25);
    const voided = await call(qb, 'voidPayment', {
      Id: pay.Id,
      SyncToken: pay.SyncToken,
      sparse: true,
      void: true,
    });
    expect(voided).toMatchObject({ TotalAmt: 0, UnappliedAmt: 0 });
    const restored = await call(qb, 'getInvoice', inv.Id);
    expect(restored.Balance).toBe(300);
    expect(restored.LinkedTxn).toEqual([]);
  });
});

describe('queries, CDC and batch through node-quickbooks', () => {
  it('changeDataCapture returns what changed, in the nested array shape', async () => {
    const since = new Date(emu.kit.clock.now() - 60_000);
    const c = await call(qb, 'createCustomer', { DisplayName: 'CDC Person' });
    const cdc = await call(qb, 'changeDataCapture', ['Customer', 'Invoice'], since);
    const customers = cdc.CDCResponse[0].QueryResponse[0].Customer as Array<{ Id: string }>;
    expect(customers.map((x) => x.Id)).toContain(c.Id);
    expect(cdc.CDCResponse[0].QueryResponse).toHaveLength(2);
  });

  it('batch runs items in order, each with its own result or Fault, and a query', async () => {
    const res = await call(qb, 'batch', [
      { bId: 'b1', operation: 'create', Customer: { DisplayName: 'Batch One' } },
      { bId: 'b2', operation: 'create', Customer: { DisplayName: 'Batch One' } },
      { bId: 'b3', operation: 'delete', Invoice: { Id: '99999', SyncToken: '0' } },
      { bId: 'b4', Query: "select * from Customer where DisplayName = 'Batch One'" },
    ]);
    const items = res.BatchItemResponse;
    expect(items.map((i: { bId: string }) => i.bId)).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(items[0].Customer.DisplayName).toBe('Batch One');
    expect(items[1].Fault.Error[0].code).toBe('6240');
    expect(items[2].Fault.Error[0].code).toBe('610');
    expect(items[3].QueryResponse.Customer).toHaveLength(1);
  });
});
