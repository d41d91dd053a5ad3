/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateFileError } from '../../../emulators/kit/state-file.ts';
import { company as universeCompany } from '../../../emulators/seed/universe.ts';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qbo-emu-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function all(emu: RunningQboEmulator, entity: string, realmId?: string): Promise<any[]> {
  const r = await api(emu, realmId ? { realmId } : {}).query(
    `select * from ${entity} where Active in (true, false) maxresults 1000`,
  );
  return r.json.QueryResponse[entity] ?? [];
}

async function txns(emu: RunningQboEmulator, entity: string): Promise<any[]> {
  const r = await api(emu).query(`select * from ${entity} maxresults 1000`);
  return r.json.QueryResponse[entity] ?? [];
}

describe('seeding from the shared universe', () => {
  it('is deterministic for (seed, records) and different for another seed', async () => {
    const a = await start({ seed: 7, records: 60 });
    const b = await start({ seed: 7, records: 60 });
    const c = await start({ seed: 8, records: 60 });
    try {
      const pick = (list: any[]) => list.map((x) => [x.Id, x.DisplayName, x.Balance]);
      expect(pick(await all(a, 'Customer'))).toEqual(pick(await all(b, 'Customer')));
      const inv = (list: any[]) =>
        list.map((x) => [x.Id, x.DocNumber, x.TotalAmt, x.Balance, x.CustomerRef.value]);
      expect(inv(await txns(a, 'Invoice'))).toEqual(inv(await txns(b, 'Invoice')));
      expect(pick(await all(a, 'Customer'))).not.toEqual(pick(await all(c, 'Customer')));
      expect(a.info.realmId).toBe(b.info.realmId);
      expect(a.info.clientId).toBe(b.info.clientId);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('holds the QuickBooks side of the universe: names, sub-customers, items, transactions', async () => {
    const emu = await start({ seed: 1, records: 120 });
    try {
      const customers = await all(emu, 'Customer');
      const names = new Set(customers.map((c) => c.DisplayName));
      for (let i = 0; i < 120; i++) {
        const u = universeCompany(1, i);
        expect(names.has(u.qboName), `${u.qboName} (${u.presence})`).toBe(u.presence !== 'sf');
      }
      const jobs = customers.filter((c) => c.ParentRef);
      expect(jobs.length).toBeGreaterThan(0);
      for (const j of jobs) expect(j.FullyQualifiedName).toBe(`${j.ParentRef.name}:${j.DisplayName}`);
      const info = (await api(emu).get(`/companyinfo/${emu.info.realmId}`)).json.CompanyInfo;
      expect(info).toMatchObject({
        CompanyName: 'Sandbox Company_US_1',
        LegalName: "Craig's Design and Landscaping Services",
      });
      const accounts = (await all(emu, 'Account')).map((a) => a.Name);
      expect(accounts).toEqual(
        expect.arrayContaining([
          'Undeposited Funds',
          'Accounts Receivable (A/R)',
          'Services',
          'Sales of Product Income',
          'Cost of Goods Sold',
          'Inventory Asset',
          'Checking',
        ]),
      );
      expect((await all(emu, 'Term')).map((t) => t.Name)).toEqual(
        expect.arrayContaining(['Due on receipt', 'Net 15', 'Net 30', 'Net 60']),
      );
      expect((await all(emu, 'TaxCode')).map((t) => t.Id).sort()).toEqual(['NON', 'TAX']);
      const items = await all(emu, 'Item');
      expect(new Set(items.map((i) => i.Type))).toEqual(new Set(['Service', 'NonInventory', 'Inventory']));
      const invoices = await txns(emu, 'Invoice');
      const payments = await txns(emu, 'Payment');
      expect(invoices.length).toBeGreaterThan(50);
      expect(payments.length / invoices.length).toBeGreaterThan(0.4);
      expect(payments.length / invoices.length).toBeLessThan(0.8);
      expect(invoices.map((i) => Number(i.DocNumber)).sort((x, y) => x - y)[0]).toBe(1001);
      for (const inv of invoices) {
        const lines = inv.Line.filter((l: { DetailType: string }) => l.DetailType === 'SalesItemLineDetail');
        const cents = lines.reduce((s: number, l: { Amount: number }) => s + Math.round(l.Amount * 100), 0);
        expect(Math.round(inv.TotalAmt * 100)).toBe(cents);
        for (const l of lines) {
          const d = l.SalesItemLineDetail;
          expect(Math.round(d.Qty * d.UnitPrice * 100) - Math.round(l.Amount * 100)).toBeLessThanOrEqual(1);
        }
        const paid = payments
          .filter((p) => p.Line.some((pl: any) => pl.LinkedTxn[0].TxnId === inv.Id))
          .reduce((s, p) => s + Math.round(p.TotalAmt * 100), 0);
        expect(Math.round(inv.Balance * 100)).toBe(Math.round(inv.TotalAmt * 100) - paid);
      }
      // times spread over two years, some recent enough for CDC
      const times = customers.map((c) => Date.parse(c.MetaData.LastUpdatedTime));
      const now = emu.kit.clock.now();
      expect(Math.min(...times)).toBeGreaterThan(now - 731 * 86_400_000);
      expect(Math.min(...times)).toBeLessThan(now - 365 * 86_400_000);
      const cdc = await api(emu).get(
        `/cdc?entities=Customer&changedSince=${encodeURIComponent(new Date(now - 29 * 86_400_000).toISOString())}`,
      );
      expect(cdc.json.CDCResponse[0].QueryResponse[0].Customer.length).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });

  it('hosts several companies, the others smaller, and an empty company with records 0', async () => {
    const emu = await start({ records: 100, realms: 3 });
    const empty = await start({ records: 0 });
    try {
      expect(emu.info.realms).toHaveLength(3);
      expect(new Set(emu.info.realms).size).toBe(3);
      const first = await all(emu, 'Customer');
      const second = await all(emu, 'Customer', emu.info.realms[1]);
      expect(second.length).toBeGreaterThan(0);
      expect(second.length).toBeLessThan(first.length);
      expect(second.map((c) => c.DisplayName)).not.toEqual(
        first.slice(0, second.length).map((c) => c.DisplayName),
      );
      expect(await all(empty, 'Customer')).toEqual([]);
      expect(await txns(empty, 'Invoice')).toEqual([]);
      expect((await all(empty, 'Account')).length).toBeGreaterThan(5);
    } finally {
      await Promise.all([emu.close(), empty.close()]);
    }
  });
});

describe('state file', () => {
  it('restarts as the same company: records, sequences, request ids, tokens', async () => {
    const file = join(dir, 'qbo-state.json');
    const first = await start({ records: 20, stateFile: file });
    const qbo = api(first);
    const c = (await qbo.post('/customer?requestid=st-1', { DisplayName: 'Persisted Person' })).json.Customer;
    const item = (await qbo.query("select * from Item where Name = 'Design'")).json.QueryResponse.Item[0];
    const inv = (
      await qbo.post('/invoice', {
        CustomerRef: { value: c.Id },
        Line: [
          {
            Amount: 150,
            DetailType: 'SalesItemLineDetail',
            SalesItemLineDetail: { ItemRef: { value: item.Id }, Qty: 2, UnitPrice: 75 },
          },
        ],
      })
    ).json.Invoice;
    await qbo.post('/payment', {
      CustomerRef: { value: c.Id },
      TotalAmt: 50,
      Line: [{ Amount: 50, LinkedTxn: [{ TxnId: inv.Id, TxnType: 'Invoice' }] }],
    });
    const deleted = (
      await qbo.post('/invoice', {
        CustomerRef: { value: c.Id },
        Line: [
          {
            Amount: 1,
            DetailType: 'SalesItemLineDetail',
            SalesItemLineDetail: { ItemRef: { value: item.Id } },
          },
        ],
      })
    ).json.Invoice;
    await qbo.post('/invoice?operation=delete', { Id: deleted.Id, SyncToken: deleted.SyncToken });
    const saved = await fetch(`${first.url}/__emulator/save`, { method: 'POST' });
    expect(saved.status).toBe(200);
    const before = {
      customers: await all(first, 'Customer'),
      invoices: await txns(first, 'Invoice'),
      payments: await txns(first, 'Payment'),
    };
    const oldToken = first.info.accessToken;
    await first.close();

    const second = await start({ records: 500, stateFile: file });
    try {
      expect(second.info.realmId).toBe(first.info.realmId);
      expect(await all(second, 'Customer')).toEqual(before.customers);
      expect(await txns(second, 'Invoice')).toEqual(before.invoices);
      expect(await txns(second, 'Payment')).toEqual(before.payments);
      const again = api(second);
      expect((await again.get(`/invoice/${deleted.Id}`)).json.Fault.Error[0].code).toBe('610');
      const replay = await again.post('/customer?requestid=st-1', { DisplayName: 'Persisted Person' });
      expect(replay.json.Customer.Id).toBe(c.Id);
      const next = (await again.post('/customer', { DisplayName: 'After Restart' })).json.Customer;
      expect(Number(next.Id)).toBeGreaterThan(Math.max(...before.customers.map((x) => Number(x.Id))));
      expect((await api(second, { token: oldToken }).get('/customer/1')).status).toBe(200);
      const since = new Date(second.kit.clock.now() - 3_600_000).toISOString();
      const cdc = await again.get(`/cdc?entities=Invoice&changedSince=${encodeURIComponent(since)}`);
      expect(
        cdc.json.CDCResponse[0].QueryResponse[0].Invoice.some(
          (i: any) => i.Id === deleted.Id && i.status === 'Deleted',
        ),
      ).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("refuses a state file that is not this emulator's", async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, JSON.stringify({ kind: 'something-else', version: 1 }));
    await expect(start({ stateFile: file })).rejects.toBeInstanceOf(StateFileError);
  });
});
