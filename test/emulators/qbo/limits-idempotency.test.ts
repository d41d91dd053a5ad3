/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

let emu: RunningQboEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function customerCount(e: RunningQboEmulator): number {
  return e.company().table('Customer').size;
}

describe('authentication', () => {
  it("answers a missing, unknown or expired token with the gateway's 401 body, another company's with 403", async () => {
    emu = await start({ records: 5, realms: 2 });
    const url = `${emu.url}/v3/company/${emu.info.realmId}/customer/1`;
    const expect401 = async (headers: Record<string, string>) => {
      const r = await fetch(url, { headers });
      expect(r.status).toBe(401);
      const body = (await r.json()) as any;
      expect(body).toMatchObject({
        warnings: null,
        intuitObject: null,
        fault: {
          error: [
            {
              message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
              code: '3200',
              element: null,
            },
          ],
          type: 'AUTHENTICATION',
        },
        batchItemResponse: [],
        cdcresponse: [],
      });
      expect(typeof body.time).toBe('number');
      return body.fault.error[0].detail as string;
    };
    await expect401({});
    await expect401({ Authorization: 'Bearer nope' });
    await expect401({ Authorization: `Basic ${emu.info.accessToken}` });
    const other = emu.info.realms[1]!;
    const wrongRealm = await fetch(url, {
      headers: { Authorization: `Bearer ${emu.info.tokens[other]!.accessToken}` },
    });
    expect(wrongRealm.status).toBe(403);
    expect(((await wrongRealm.json()) as any).fault.error[0].code).toBe('3100');
    emu.kit.clock.advance(3601 * 1000);
    expect(await expect401({ Authorization: `Bearer ${emu.info.accessToken}` })).toMatch(/^Token expired/);
  });
});

describe('throttling', () => {
  it('answers 429 ThrottleExceeded once the per-minute limit is spent, and again after a minute', async () => {
    emu = await start({ records: 5, limits: { perMinute: 5 } });
    const qbo = api(emu);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await qbo.get('/customer/1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const r = await qbo.get('/customer/1');
    expect(r.json.Fault).toMatchObject({
      Error: [{ Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', code: '3001' }],
      type: 'SERVICE',
    });
    emu.kit.clock.advance(60_001);
    expect((await qbo.get('/customer/1')).status).toBe(200);
  });

  it('answers 429 to the request beyond the concurrency limit', async () => {
    emu = await start({
      records: 5,
      limits: { concurrent: 3 },
      faults: 'action=delay:400,path=*/customer/*',
    });
    const qbo = api(emu);
    const results = await Promise.all(Array.from({ length: 4 }, () => qbo.get('/customer/1')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await qbo.get('/customer/1')).status).toBe(200);
  });

  it('counts batch requests against their own per-minute limit', async () => {
    emu = await start({ records: 5, limits: { batchPerMinute: 2 } });
    const qbo = api(emu);
    const batch = { BatchItemRequest: [{ bId: '1', Query: 'select * from Term' }] };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await qbo.post('/batch', batch)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await qbo.get('/customer/1')).status).toBe(200);
  });
});

describe('requestid idempotency', () => {
  it('replays the original response for a repeated requestid and writes nothing', async () => {
    emu = await start({ records: 5 });
    const qbo = api(emu);
    const before = customerCount(emu);
    const first = await qbo.post('/customer?requestid=req-1', { DisplayName: 'Once Only' });
    const again = await qbo.post('/customer?requestid=req-1', { DisplayName: 'Once Only' });
    const different = await qbo.post('/customer?requestid=req-1', { DisplayName: 'Something Else' });
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(different.text).toBe(first.text);
    expect(customerCount(emu)).toBe(before + 1);
    const other = await qbo.post('/customer?requestid=req-2', { DisplayName: 'Once Only' });
    expect(other.json.Fault.Error[0].code).toBe('6240');
    const long = await qbo.post(`/customer?requestid=${'x'.repeat(51)}`, { DisplayName: 'Long Id' });
    expect(long.json.Fault.Error[0]).toMatchObject({ code: '6000' });
    expect(long.json.Fault.Error[0].Detail).toContain('more than 50 characters in the request_id field');
    expect(customerCount(emu)).toBe(before + 1);
  });

  it('makes a retry after a lost response safe: the write happened once', async () => {
    emu = await start({ records: 5, faults: 'action=drop-response,method=POST,path=*/customer,times=1' });
    const qbo = api(emu);
    const before = customerCount(emu);
    await expect(qbo.post('/customer?requestid=lost-1', { DisplayName: 'Lost Response' })).rejects.toThrow();
    const retry = await qbo.post('/customer?requestid=lost-1', { DisplayName: 'Lost Response' });
    expect(retry.status).toBe(200);
    expect(retry.json.Customer.DisplayName).toBe('Lost Response');
    expect(customerCount(emu)).toBe(before + 1);
  });

  it('makes batch items idempotent under requestid + bId', async () => {
    emu = await start({ records: 5 });
    const qbo = api(emu);
    const before = customerCount(emu);
    const batch = (names: string[]) => ({
      BatchItemRequest: names.map((n, i) => ({
        bId: `b${i}`,
        operation: 'create',
        Customer: { DisplayName: n },
      })),
    });
    const first = await qbo.post('/batch?requestid=batch-1', batch(['Batch A', 'Batch B']));
    expect(first.json.BatchItemResponse.map((i: { Customer?: unknown }) => !!i.Customer)).toEqual([
      true,
      true,
    ]);
    const replay = await qbo.post('/batch?requestid=batch-1', batch(['Batch A', 'Batch B']));
    expect(replay.json.BatchItemResponse).toEqual(first.json.BatchItemResponse);
    expect(customerCount(emu)).toBe(before + 2);
    // one more item under the same requestid runs; the two known ones replay
    const grown = await qbo.post('/batch?requestid=batch-1', batch(['Batch A', 'Batch B', 'Batch C']));
    expect(grown.json.BatchItemResponse[2].Customer.DisplayName).toBe('Batch C');
    expect(customerCount(emu)).toBe(before + 3);
    const longId = await qbo.post(`/batch?requestid=${'r'.repeat(49)}`, batch(['Batch Long']));
    expect(longId.status).toBe(200);
    expect(longId.json.BatchItemResponse[0].Fault.Error[0]).toMatchObject({ code: '6000' });
    expect(customerCount(emu)).toBe(before + 3);

    // Items without a bId (optional in the schema) each keep their own answer under a requestid.
    const noIds = {
      BatchItemRequest: [
        { operation: 'create', Customer: { DisplayName: 'No bId A' } },
        { Query: 'select * from Term' },
        { operation: 'create', Customer: { DisplayName: 'No bId B' } },
      ],
    };
    const once = await qbo.post('/batch?requestid=batch-2', noIds);
    expect(once.json.BatchItemResponse.map((i: object) => Object.keys(i))).toEqual([
      ['Customer'],
      ['QueryResponse'],
      ['Customer'],
    ]);
    expect(once.json.BatchItemResponse[2].Customer.DisplayName).toBe('No bId B');
    const twice = await qbo.post('/batch?requestid=batch-2', noIds);
    expect(twice.json.BatchItemResponse).toEqual(once.json.BatchItemResponse);
    expect(customerCount(emu)).toBe(before + 5);
  });

  it('refuses more than 30 batch items', async () => {
    emu = await start({ records: 5 });
    const qbo = api(emu);
    const items = Array.from({ length: 31 }, (_, i) => ({ bId: `q${i}`, Query: 'select * from Term' }));
    const r = await qbo.post('/batch', { BatchItemRequest: items });
    expect(r.status).toBe(400);
    expect(r.json.Fault.Error[0].code).toBe('6000');
    const thirty = await qbo.post('/batch', { BatchItemRequest: items.slice(0, 30) });
    expect(thirty.json.BatchItemResponse).toHaveLength(30);
  });
});

describe('injected faults', () => {
  it('answers as the real service: 500 SystemFault, 503 HTML page, expire-token 401', async () => {
    emu = await start({
      records: 5,
      faults:
        'action=500,path=*/customer/1,times=1;action=503,path=*/customer/2,times=1;action=expire-token,path=*/customer/3,times=1',
    });
    const qbo = api(emu);
    const e500 = await qbo.get('/customer/1');
    expect(e500.status).toBe(500);
    expect(e500.json.Fault).toMatchObject({ type: 'SystemFault', Error: [{ code: '10000' }] });
    const e503 = await qbo.get('/customer/2');
    expect(e503.status).toBe(503);
    expect(e503.headers.get('content-type')).toContain('text/html');
    const expired = await qbo.get('/customer/3');
    expect(expired.status).toBe(401);
    expect((await qbo.get('/customer/1')).status).toBe(401);
  });
});
