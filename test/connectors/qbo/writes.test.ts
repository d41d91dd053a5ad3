import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmbiguousWriteError } from '../../../src/connectors/errors.ts';
import { QboApiError, QboUsageError, type BatchItem } from '../../../src/connectors/qbo/index.ts';
import type { Store } from '../../../src/store/database.ts';
import { names, openFileStore, qboFixture, type QboFixture } from './fixture.ts';
import { createCustomers, invoiceBody } from './helpers.ts';

let store: Store;
let fx: QboFixture;
beforeAll(async () => {
  store = await openFileStore();
  fx = await qboFixture(store, { seed: 11, limits: { perMinute: 5000, batchPerMinute: 1000 } });
});
afterAll(async () => {
  await fx.close();
  await store.close();
});

function creates(prefix: string, n: number): BatchItem[] {
  return names(prefix, n).map((DisplayName, i) => ({
    bId: `c${i}`,
    operation: 'create',
    entity: 'Customer',
    body: { DisplayName },
  }));
}

async function countNamed(prefix: string): Promise<number> {
  const c = await fx.connector();
  return c.count('Customer', `DisplayName LIKE '${prefix}%'`);
}

describe('QBO writes: batch', () => {
  it('writes 95 creates in 4 batch calls', async () => {
    const c = await fx.connector();
    const items = creates('Ninety Five', 95);
    const results = [];
    for (let i = 0; i < items.length; i += 30)
      results.push(...(await c.batch(items.slice(i, i + 30), `n95-${i / 30}`)));
    expect(c.stats.snapshot()).toEqual({ 'POST batch': 4 });
    expect(results.map((r) => r.bId)).toEqual(items.map((i) => i.bId));
    expect(results.every((r) => r.entity && !r.fault)).toBe(true);
    expect(new Set(results.map((r) => r.entity!.Id)).size).toBe(95);
    expect(await countNamed('Ninety Five')).toBe(95);
  });

  it('writes every record exactly once through dropped responses, 429s and 500s', async () => {
    const rules = await fx.control.addFaults([
      { action: 'drop-response', method: 'POST', path: '*/batch', rate: 0.2 },
      { action: 'throttle', method: 'POST', path: '*/batch', rate: 0.1 },
      { action: '500', method: 'POST', path: '*/batch', rate: 0.1 },
    ]);
    try {
      const c = await fx.connector({ retries: 12 });
      const items = creates('Faulty', 300);
      const ids: string[] = [];
      for (let i = 0; i < items.length; i += 30) {
        for (const r of await c.batch(items.slice(i, i + 30), `faulty-${i / 30}`)) {
          expect(r.fault).toBeUndefined();
          ids.push(r.entity!.Id);
        }
      }
      const fired = Object.fromEntries((await fx.control.faults()).map((f) => [f.id, f.fired]));
      for (const r of rules) expect(fired[r.id], `fault ${r.id} never fired`).toBeGreaterThan(0);
      expect(c.stats.snapshot()['POST batch']).toBeGreaterThan(10);
      expect(new Set(ids).size).toBe(300);
      expect(await countNamed('Faulty')).toBe(300);
    } finally {
      await fx.control.clearFaults();
    }
  });

  it('ends in AmbiguousWriteError when every answer is lost, and the same requestid later replays', async () => {
    await fx.control.addFaults([{ action: 'drop-response', method: 'POST', path: '*/batch' }]);
    const c = await fx.connector({ retries: 2 });
    const items = creates('Lost Answer', 3);
    try {
      await expect(c.batch(items, 'lost-1')).rejects.toBeInstanceOf(AmbiguousWriteError);
    } finally {
      await fx.control.clearFaults();
    }
    expect(c.stats.snapshot()['POST batch']).toBe(3);
    const replay = await c.batch(items, 'lost-1');
    expect(replay.every((r) => r.entity)).toBe(true);
    expect(await countNamed('Lost Answer')).toBe(3);
  });

  it('returns item faults instead of throwing: 6240 duplicate name beside a success', async () => {
    const c = await fx.connector();
    const [taken] = await createCustomers(c, 'Taken Name', 1, 'dup-setup');
    const res = await c.batch(
      [
        { bId: 'a', operation: 'create', entity: 'Customer', body: { DisplayName: taken!.DisplayName } },
        { bId: 'b', operation: 'create', entity: 'Customer', body: { DisplayName: 'Fresh Name 1' } },
      ],
      'dup-batch',
    );
    expect(res[0]!.entity).toBeUndefined();
    expect(res[0]!.fault).toMatchObject({
      type: 'ValidationFault',
      errors: [{ code: '6240', message: 'Duplicate Name Exists Error' }],
    });
    expect(res[0]!.fault!.errors[0]!.detail).toMatch(/already using this name/);
    expect(res[1]!.entity?.DisplayName).toBe('Fresh Name 1');
  });

  it('refuses what QuickBooks would refuse before sending anything', async () => {
    const c = await fx.connector();
    await expect(c.batch(creates('Too Many', 31), 'too-many')).rejects.toBeInstanceOf(QboUsageError);
    await expect(c.batch(creates('Long Id', 2), 'x'.repeat(37))).rejects.toThrow(/at most 36/);
    await expect(
      c.batch(
        creates('Dup Bid', 2).map((i) => ({ ...i, bId: 'same' })),
        'dup-bid',
      ),
    ).rejects.toThrow(/twice/);
    await expect(
      c.batch([{ bId: 'b'.repeat(15), operation: 'create', entity: 'Customer', body: {} }], 'r'.repeat(36)),
    ).rejects.toThrow(/allows 50/);
    await expect(c.write('Customer', 'create', { DisplayName: 'X' }, 'w'.repeat(51))).rejects.toThrow(
      /at most 50/,
    );
    await expect(c.write('Customer', 'create', { DisplayName: 'X' }, '')).rejects.toThrow(
      /requestid is required/,
    );
    expect(c.stats.total).toBe(0);
  });
});

describe('QBO writes: single writes and faults', () => {
  it('survives a dropped response on a single create through its requestid', async () => {
    await fx.control.addFaults([{ action: 'drop-response', method: 'POST', path: '*/customer', times: 1 }]);
    const c = await fx.connector();
    const rec = await c.write('Customer', 'create', { DisplayName: 'Dropped Once' }, 'drop-once');
    await fx.control.clearFaults();
    expect(rec.DisplayName).toBe('Dropped Once');
    expect(c.stats.snapshot()).toEqual({ 'POST customer': 2 });
    expect(await countNamed('Dropped Once')).toBe(1);
  });

  it('parses faults into QboApiError: 6240, 2500 with its element, 610', async () => {
    const c = await fx.connector();
    const [cust] = await createCustomers(c, 'Fault Target', 1, 'fault-setup');
    const dup = await c
      .write('Customer', 'create', { DisplayName: cust!.DisplayName }, 'fault-dup')
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(QboApiError);
    expect(dup).toMatchObject({
      code: '6240',
      status: 400,
      transient: false,
      fault: { type: 'ValidationFault' },
    });
    expect((dup as Error).message).toMatch(/6240 Duplicate Name Exists Error/);

    const body = await invoiceBody(c, cust!.Id);
    (
      body.Line as Array<{ SalesItemLineDetail: { ItemRef: { value: string } } }>
    )[0]!.SalesItemLineDetail.ItemRef.value = '99999';
    const badRef = await c.write('Invoice', 'create', body, 'fault-ref').catch((e: unknown) => e);
    expect(badRef).toMatchObject({
      name: 'QboApiError',
      code: '2500',
      element: 'Line.SalesItemLineDetail.ItemRef',
    });

    const missing = await c
      .write('Customer', 'update', { Id: '999999', SyncToken: '0', sparse: true, Notes: 'x' }, 'fault-610')
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'QboApiError', code: '610' });
  });

  it('keeps money exact both ways', async () => {
    const c = await fx.connector();
    const [cust] = await createCustomers(c, 'Exact Money', 1, 'money-setup');
    const inv = await c.write(
      'Invoice',
      'create',
      await invoiceBody(c, cust!.Id, '1234567890123.45'),
      'money-inv',
    );
    expect(inv.TotalAmt).toBe('1234567890123.45');
    expect((inv.Line as Array<{ Amount: unknown }>)[0]!.Amount).toBe('1234567890123.45');
  });
});

describe('QBO writes: stale SyncToken (5010)', () => {
  it('refetches and re-applies sparse patches with the fresh SyncToken', async () => {
    const c = await fx.connector();
    const made = await createCustomers(c, 'Stale', 3, 'stale-setup');
    // someone else edits two of them in QuickBooks meanwhile
    const other = await fx.connector();
    for (const r of made.slice(0, 2)) {
      await other.write(
        'Customer',
        'update',
        { Id: r.Id, SyncToken: r.SyncToken, sparse: true, Notes: 'edited by a person' },
        `stale-other-${r.Id}`,
      );
    }
    const ours = await c.batch(
      made.map((r, i) => ({
        bId: `u${i}`,
        operation: 'update',
        entity: 'Customer',
        body: { Id: r.Id, SyncToken: r.SyncToken, sparse: true, CompanyName: 'Synced Co' },
      })),
      'stale-ours',
    );
    expect(ours.map((r) => r.fault?.errors[0]?.code ?? 'ok')).toEqual(['5010', '5010', 'ok']);

    c.stats.reset();
    const fixed = await c.reapplyStale(
      'Customer',
      [
        ...ours
          .filter((r) => r.fault)
          .map((r) => ({
            bId: r.bId,
            id: made[Number(r.bId.slice(1))]!.Id,
            patch: { CompanyName: 'Synced Co' },
          })),
        { bId: 'gone', id: '999999', patch: { CompanyName: 'Synced Co' } },
      ],
      'stale-re',
    );
    expect(c.stats.snapshot()).toEqual({ 'GET query': 1, 'POST batch': 1 });
    expect(fixed.map((r) => r.bId)).toEqual(['u0', 'u1', 'gone']);
    for (const r of fixed.slice(0, 2)) {
      expect(r.fault).toBeUndefined();
      expect(r.entity).toMatchObject({
        CompanyName: 'Synced Co',
        Notes: 'edited by a person',
        SyncToken: '2',
      });
    }
    expect(fixed[2]!.fault?.errors[0]?.code).toBe('610');
  });
});
