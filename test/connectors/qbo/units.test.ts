import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../../src/connectors/qbo/backoff.ts';
import { describeFault, faultOf } from '../../../src/connectors/qbo/errors.ts';
import {
  apiBaseUrl,
  parseExact,
  qboAuthorizeUrl,
  stringifyExact,
} from '../../../src/connectors/qbo/index.ts';
import {
  resolveLimits,
  Semaphore,
  SlidingWindow,
  type LimiterTime,
} from '../../../src/connectors/qbo/limiter.ts';
import { byUpdateThenId, qboDateTime, ServerClock } from '../../../src/connectors/qbo/time.ts';

/** A clock that only moves when someone sleeps on it. */
function manualTime(): LimiterTime & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('exact JSON', () => {
  it('keeps decimals as their source text and other integers as numbers', () => {
    const v = parseExact(
      '{"Amount":0.1,"Balance":2634.80,"LineNum":1,"Qty":3,"Lat":"12.5","Other":0.30000000000000004,"Big":12345678901234567890}',
    ) as Record<string, unknown>;
    expect(v).toEqual({
      Amount: '0.1',
      Balance: '2634.80',
      LineNum: 1,
      Qty: '3',
      Lat: '12.5',
      Other: '0.30000000000000004',
      Big: '12345678901234567890',
    });
  });

  it('writes decimal-keyed strings and decimal.js values as exact JSON numbers', () => {
    const text = stringifyExact({
      Line: [{ Amount: '1234567890123.45', UnitPrice: '.5', Qty: new Decimal('0.1') }],
      DisplayName: '12.50',
      TotalAmt: 'abc',
    });
    expect(text).toBe(
      '{"Line":[{"Amount":1234567890123.45,"UnitPrice":0.5,"Qty":0.1}],"DisplayName":"12.50","TotalAmt":"abc"}',
    );
  });
});

describe('faults', () => {
  it('reads the usual Fault and the gateway lower-camel fault', () => {
    const usual = faultOf({
      Fault: {
        Error: [
          {
            Message: 'Invalid Reference Id',
            Detail: 'Invalid Reference Id : Item elements id 9 not found',
            code: '2500',
            element: 'Line.SalesItemLineDetail.ItemRef',
          },
        ],
        type: 'ValidationFault',
      },
      time: '2024-01-01T00:00:00.000-08:00',
    });
    expect(usual).toEqual({
      type: 'ValidationFault',
      errors: [
        {
          code: '2500',
          message: 'Invalid Reference Id',
          detail: 'Invalid Reference Id : Item elements id 9 not found',
          element: 'Line.SalesItemLineDetail.ItemRef',
        },
      ],
    });
    expect(describeFault(usual!)).toBe(
      '2500 Invalid Reference Id: Invalid Reference Id : Item elements id 9 not found (element Line.SalesItemLineDetail.ItemRef)',
    );
    const gateway = faultOf({
      warnings: null,
      fault: {
        error: [
          {
            message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
            detail: 'Token expired: eyJ',
            code: '3200',
            element: null,
          },
        ],
        type: 'AUTHENTICATION',
      },
      time: 1601391072830,
    });
    expect(gateway).toEqual({
      type: 'AUTHENTICATION',
      errors: [
        {
          code: '3200',
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail: 'Token expired: eyJ',
        },
      ],
    });
    expect(faultOf({ Customer: { Id: '1' } })).toBeUndefined();
    expect(faultOf('<html>')).toBeUndefined();
  });
});

describe('limiter', () => {
  it('lets `limit` requests through per window and makes the next wait for the oldest to leave it', async () => {
    const time = manualTime();
    const w = new SlidingWindow(3, 1000, time);
    await w.acquire();
    await time.sleep(100);
    await w.acquire();
    await w.acquire();
    expect(time.slept).toEqual([100]);
    await w.acquire();
    expect(time.slept).toEqual([100, 900]);
    await w.acquire();
    expect(time.slept).toEqual([100, 900, 100]);
  });

  it('never holds more than `size` slots and serves waiters in order', async () => {
    const s = new Semaphore(2);
    const a = await s.acquire();
    const b = await s.acquire();
    const order: string[] = [];
    const c = s.acquire().then((r) => (order.push('c'), r));
    const d = s.acquire().then((r) => (order.push('d'), r));
    expect(s.inUse).toBe(2);
    a();
    a(); // a second release of the same slot changes nothing
    const rc = await c;
    expect(order).toEqual(['c']);
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    expect(s.inUse).toBe(0);
  });

  it('resolves limits from options, then settings, then the QuickBooks defaults', () => {
    expect(resolveLimits(undefined, undefined)).toEqual({
      perMinute: 500,
      concurrent: 10,
      batchPerMinute: 40,
    });
    expect(resolveLimits({ concurrent: 3 }, { concurrent: 5, perMinute: 100, batchPerMinute: -1 })).toEqual({
      perMinute: 100,
      concurrent: 3,
      batchPerMinute: 40,
    });
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter, capped', () => {
    expect(backoffDelay(0, 500, 60_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 60_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 60_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 60_000, () => 1)).toBe(60_000);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('URLs and times', () => {
  it('builds the API base and the consent URL', () => {
    expect(apiBaseUrl('https://quickbooks.api.intuit.com/', '123')).toBe(
      'https://quickbooks.api.intuit.com/v3/company/123',
    );
    expect(apiBaseUrl('http://127.0.0.1:9/v3/company', '123')).toBe('http://127.0.0.1:9/v3/company/123');
    const url = new URL(
      qboAuthorizeUrl({
        authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
        clientId: 'cid',
        redirectUri: 'https://x/cb',
        state: 's 1',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'cid',
      response_type: 'code',
      scope: 'com.intuit.quickbooks.accounting',
      redirect_uri: 'https://x/cb',
      state: 's 1',
    });
  });

  it('writes instants as QuickBooks reads them and orders records by update time, then numeric id', () => {
    expect(qboDateTime(Date.UTC(2024, 4, 1, 17, 3, 9, 999))).toBe('2024-05-01T17:03:09+00:00');
    const recs = [
      { Id: '10', MetaData: { CreateTime: '', LastUpdatedTime: '2024-05-01T10:00:00-07:00' } },
      { Id: '9', MetaData: { CreateTime: '', LastUpdatedTime: '2024-05-01T17:00:00Z' } },
      { Id: '2', MetaData: { CreateTime: '', LastUpdatedTime: '2024-05-01T09:00:00-08:00' } },
      { Id: '11', MetaData: { CreateTime: '', LastUpdatedTime: '2024-05-01T16:59:59Z' } },
    ];
    // the first three are the same instant in three offsets
    expect([...recs].sort(byUpdateThenId).map((r) => r.Id)).toEqual(['11', '2', '9', '10']);
  });

  it('learns the service clock from response times', () => {
    const clock = new ServerClock();
    clock.observe('2030-01-01T00:00:00.000-08:00', Date.UTC(2030, 0, 1, 7, 0, 0));
    expect(clock.now() - Date.now()).toBeGreaterThan(3_599_000);
    expect(clock.now() - Date.now()).toBeLessThan(3_601_000);
  });
});
