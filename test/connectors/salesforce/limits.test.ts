import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiLimitError } from '../../../src/connectors/errors.ts';
import type { SalesforceConnectorWithIdentity } from '../../../src/connectors/salesforce/index.ts';
import { harness, pages, type Harness } from './helpers.ts';

/** One org with a daily allocation of 30 calls, used up over the tests in order. */
let h: Harness;

beforeAll(async () => {
  h = await harness({ records: 5, dailyApiLimit: 30 });
  await h.saveConnection();
});
afterAll(async () => {
  await h.close();
});

const one = (c: SalesforceConnectorWithIdentity) => pages(c.query('SELECT Id FROM Account LIMIT 1'));

describe('daily API allocation', () => {
  it('reads Sforce-Limit-Info from every answer', async () => {
    const c = await h.connector();
    expect(c.apiUsage()).toBeNull();
    await one(c);
    const u1 = c.apiUsage()!;
    expect(u1.max).toBe(30);
    await one(c);
    await one(c);
    expect(c.apiUsage()).toEqual({ used: u1.used + 2, max: 30 });
    const daily = await c.dailyApiRequests();
    expect(daily.max).toBe(30);
    expect(daily.max - daily.remaining).toBeGreaterThanOrEqual(u1.used + 2);
  });

  it('treats a concurrency REQUEST_LIMIT_EXCEEDED as ApiLimitError without retrying', async () => {
    const c = await h.connector();
    await h.fault({ action: 'throttle', path: '*/query', times: 1 });
    const err = await one(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiLimitError);
    expect(err).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED', status: 403 });
    expect(c.stats.snapshot()['GET query']).toBe(1);
    await one(c);
  });

  it('paces calls once usage passes slowdownAt', async () => {
    const c = await h.connector({ slowdownAt: 0.2, paceMs: 100 });
    h.sleeps.length = 0;
    await one(c); // usage is now known (> 20 %): the next calls wait first
    await one(c);
    await one(c);
    expect(c.pacedCalls).toBe(2);
    expect(h.sleeps).toHaveLength(2);
    for (const ms of h.sleeps) {
      expect(ms).toBeGreaterThanOrEqual(100);
      expect(ms).toBeLessThanOrEqual(1000);
    }
    // Closer to the limit, longer waits.
    expect(h.sleeps[1]!).toBeGreaterThan(h.sleeps[0]!);
  });

  it('stops at stopAt before sending the call', async () => {
    const c = await h.connector({ stopAt: 0.6 });
    let err: unknown = null;
    let ok = 0;
    for (let k = 0; k < 30 && !err; k++) {
      try {
        await one(c);
        ok++;
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(ApiLimitError);
    expect(err).toMatchObject({ code: 'API_USAGE_STOP' });
    expect(c.apiUsage()!.used).toBeGreaterThanOrEqual(18);
    expect(c.apiUsage()!.used).toBeLessThan(20);
    // The refused call never left: only the successful ones were sent.
    expect(c.stats.snapshot()['GET query']).toBe(ok);
  });

  it('stops cleanly with ApiLimitError at REQUEST_LIMIT_EXCEEDED, without retrying', async () => {
    const c = await h.connector();
    h.sleeps.length = 0;
    let err: unknown = null;
    let sent = 0;
    for (let k = 0; k < 40 && !err; k++) {
      sent++;
      await one(c).catch((e: unknown) => {
        err = e;
      });
    }
    expect(err).toBeInstanceOf(ApiLimitError);
    expect(err).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED', status: 403, transient: false });
    expect(c.stats.snapshot()['GET query']).toBe(sent);
    // Every wait was pacing near the limit (default slowdownAt 0.9); none was a retry backoff.
    expect(h.sleeps.length).toBe(c.pacedCalls);
    expect(c.apiUsage()).toEqual({ used: 30, max: 30 });
    // Writes stop the same way.
    await expect(c.upsert('Account', 'QBO_Id__c', [{ QBO_Id__c: 'L-1', Name: 'x' }])).rejects.toBeInstanceOf(
      ApiLimitError,
    );
  });
});
