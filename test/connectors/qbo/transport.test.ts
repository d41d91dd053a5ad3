import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AmbiguousWriteError,
  ApiLimitError,
  AuthError,
  ConnectorError,
} from '../../../src/connectors/errors.ts';
import {
  createQboConnector,
  QboApiError,
  type QboConnectorOptions,
} from '../../../src/connectors/qbo/index.ts';
import { MemoryVault } from '../../helpers/memory-vault.ts';
import { listenOnLoopback } from '../../helpers/loopback.ts';

/**
 * The transport against a scripted stand-in for QuickBooks: what goes on the wire (minorversion,
 * requestid on every retry) and how each kind of failure ends. Behaviour that needs a real
 * company is tested against the emulator in the other files.
 */

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}
type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';
type Script = (req: Seen, n: number) => Reply | Promise<Reply>;

const REALM = '4620816365';
const TIME = '2026-01-01T10:00:00.000-08:00';
let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

async function stub(script: Script): Promise<{ url: string; seen: Seen[]; tokenCalls: Seen[] }> {
  const seen: Seen[] = [];
  const tokenCalls: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const s: Seen = { method: req.method ?? '', path: u.pathname, query: u.searchParams, body };
      if (u.pathname === '/token') {
        tokenCalls.push(s);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: `at-${tokenCalls.length}`,
            refresh_token: `rt-${tokenCalls.length}`,
            token_type: 'bearer',
            expires_in: 3600,
            x_refresh_token_expires_in: 8726400,
          }),
        );
        return;
      }
      seen.push(s);
      const reply = await script(s, seen.length);
      if (reply === 'hang') return;
      res.writeHead(reply.status, {
        'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json',
        ...reply.headers,
      });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  const { url, close } = await listenOnLoopback(server);
  closeAll.push(close);
  return { url, seen, tokenCalls };
}

function vaultFor(url: string): MemoryVault {
  return new MemoryVault({
    id: 'stub',
    system: 'qbo',
    settings: { baseUrl: url, realmId: REALM, clientId: 'cid', tokenUrl: `${url}/token` },
    secrets: {
      accessToken: 'at-0',
      refreshToken: 'rt-0',
      clientSecret: 'secret',
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
    tokenVersion: 1,
  });
}

async function connect(url: string, o: Partial<QboConnectorOptions> = {}) {
  const vault = vaultFor(url);
  const c = await createQboConnector({
    vault,
    connectionId: 'stub',
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    ...o,
  });
  return { c, vault };
}

const ok = (inner: Record<string, unknown>): Reply => ({ status: 200, body: { ...inner, time: TIME } });
const customer = {
  Id: '1',
  SyncToken: '0',
  DisplayName: 'A',
  MetaData: { CreateTime: TIME, LastUpdatedTime: TIME },
};
const GATEWAY_503 =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>';

describe('QBO transport', () => {
  it('pins minorversion on every call, and sends requestid on writes', async () => {
    const s = await stub((req) => {
      if (req.path.endsWith('/batch')) return ok({ BatchItemResponse: [{ bId: 'a', Customer: customer }] });
      if (req.path.endsWith('/cdc')) return ok({ CDCResponse: [{ QueryResponse: [{}] }] });
      if (req.path.endsWith('/query')) return ok({ QueryResponse: { totalCount: 1 } });
      return ok({ Customer: customer });
    });
    const { c } = await connect(s.url);
    await c.read('Customer', '1');
    await c.count('Customer');
    await c.cdc(['Customer'], new Date());
    await c.batch(
      [{ bId: 'a', operation: 'create', entity: 'Customer', body: { DisplayName: 'A' } }],
      'req-1',
    );
    await c.write('Customer', 'update', { Id: '1', SyncToken: '0', sparse: true }, 'req-2');
    expect(s.seen.map((r) => r.query.get('minorversion'))).toEqual(['75', '75', '75', '75', '75']);
    expect(s.seen.map((r) => `${r.method} ${r.path.replace(`/v3/company/${REALM}`, '')}`)).toEqual([
      'GET /customer/1',
      'GET /query',
      'GET /cdc',
      'POST /batch',
      'POST /customer',
    ]);
    expect(s.seen[3]!.query.get('requestid')).toBe('req-1');
    expect(s.seen[4]!.query.get('requestid')).toBe('req-2');
    expect(s.seen[4]!.query.get('operation')).toBe('update');

    const pinned = await connect(s.url, { minorVersion: 80 });
    await pinned.c.read('Customer', '1');
    expect(s.seen.at(-1)!.query.get('minorversion')).toBe('80');
  });

  it('retries a write after a gateway 503 and a lost answer with the same requestid', async () => {
    const s = await stub((_req, n) =>
      n === 1 ? { status: 503, body: GATEWAY_503 } : n === 2 ? 'hang' : ok({ Customer: customer }),
    );
    const { c } = await connect(s.url, { timeoutMs: 300 });
    const rec = await c.write('Customer', 'create', { DisplayName: 'A' }, 'same-id');
    expect(rec.Id).toBe('1');
    expect(s.seen.map((r) => r.query.get('requestid'))).toEqual(['same-id', 'same-id', 'same-id']);
    expect(new Set(s.seen.map((r) => r.body)).size).toBe(1);
  });

  it('gives up on a write whose outcome stays unknown with AmbiguousWriteError; a read with a transient error', async () => {
    const s = await stub(() => 'hang');
    const { c } = await connect(s.url, { timeoutMs: 200, retries: 1 });
    await expect(c.write('Customer', 'create', { DisplayName: 'A' }, 'w1')).rejects.toBeInstanceOf(
      AmbiguousWriteError,
    );
    const read = await c.read('Customer', '1').catch((e: unknown) => e);
    expect(read).toBeInstanceOf(ConnectorError);
    expect(read).not.toBeInstanceOf(AmbiguousWriteError);
    expect(read).toMatchObject({ code: 'TIMEOUT', transient: true });
  });

  it('backs off on 429 (Retry-After honoured), then stops with ApiLimitError', async () => {
    const throttled = {
      status: 429,
      headers: { 'retry-after': '0' },
      body: {
        Fault: {
          Error: [
            {
              Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
              Detail: 'The request limit was reached.  Try again later',
              code: '3001',
            },
          ],
          type: 'SERVICE',
        },
        time: TIME,
      },
    };
    const s = await stub((_req, n) => (n <= 2 ? throttled : ok({ QueryResponse: { totalCount: 7 } })));
    const { c } = await connect(s.url);
    expect(await c.count('Customer')).toBe(7);
    expect(c.stats.snapshot()).toEqual({ 'GET query': 3 });

    const always = await stub(() => throttled);
    const { c: c2 } = await connect(always.url, { retries: 2 });
    const err = await c2.count('Customer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiLimitError);
    expect(err).toMatchObject({ code: '3001', status: 429, transient: true });
    expect(always.seen).toHaveLength(3);
    // nothing was written: a throttled write is not ambiguous
    const w = await c2.write('Customer', 'create', {}, 'thr').catch((e: unknown) => e);
    expect(w).toBeInstanceOf(ApiLimitError);
  });

  it('refreshes once on a 401, and a second 401 is an AuthError that marks the connection', async () => {
    const unauthorized = {
      status: 401,
      body: {
        warnings: null,
        fault: {
          error: [
            {
              message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
              detail: 'Token expired: at-0',
              code: '3200',
              element: null,
            },
          ],
          type: 'AUTHENTICATION',
        },
        time: Date.now(),
      },
    };
    const s = await stub((_req, n) => (n === 1 ? unauthorized : ok({ Customer: customer })));
    const { c, vault } = await connect(s.url);
    expect((await c.read('Customer', '1'))?.Id).toBe('1');
    expect(s.tokenCalls).toHaveLength(1);
    expect(new URLSearchParams(s.tokenCalls[0]!.body).get('refresh_token')).toBe('rt-0');
    expect((await vault.get()).secrets).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });

    const never = await stub(() => unauthorized);
    const second = await connect(never.url);
    const err = await second.c.read('Customer', '1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: '3200', status: 401 });
    expect(never.seen).toHaveLength(2);
    expect(never.tokenCalls).toHaveLength(1);
    expect(second.vault.status.status).toBe('needs-reauth');
  });

  it('shares one refresh between concurrent requests of a connector', async () => {
    const s = await stub(() => ok({ QueryResponse: { totalCount: 1 } }));
    const { c, vault } = await connect(s.url);
    await vault.rotate('stub', async () => ({
      accessTokenExpiresAt: new Date(Date.now() - 1).toISOString(),
    }));
    await Promise.all(Array.from({ length: 6 }, () => c.count('Customer')));
    expect(s.tokenCalls).toHaveLength(1);
    expect(new Set(s.seen.map((r) => r.query.get('minorversion')))).toEqual(new Set(['75']));
  });

  it('treats a Fault in an HTTP 200 answer as an error', async () => {
    const s = await stub(() =>
      ok({
        Fault: {
          Error: [
            {
              Message: 'An application error has occurred while processing your request',
              Detail: 'System Failure Error: java.lang.IllegalArgumentException: entities is required',
              code: '10000',
              element: 'SystemFailureError',
            },
          ],
          type: 'SystemFault',
        },
      }),
    );
    const { c } = await connect(s.url);
    const err = await c.cdc(['Customer'], new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QboApiError);
    expect(err).toMatchObject({ code: '10000', status: 200 });
  });

  it('keeps at most `concurrent` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const s = await stub(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return ok({ QueryResponse: { totalCount: 1 } });
    });
    const { c } = await connect(s.url, { limits: { concurrent: 3 } });
    await Promise.all(Array.from({ length: 12 }, () => c.count('Customer')));
    expect(s.seen).toHaveLength(12);
    expect(most).toBe(3);
  });
});

describe('QBO answers of the wrong shape', () => {
  it('retries a 200 whose body is truncated JSON or an HTML page, on a read', async () => {
    const s = await stub((_req, n) =>
      n === 1
        ? { status: 200, body: '{"QueryResponse":{"Customer":[{"Id":"1","DisplayName":"A"' }
        : n === 2
          ? { status: 200, body: '<html><head><title>Sign in</title></head><body>proxy</body></html>' }
          : ok({ QueryResponse: { totalCount: 4 } }),
    );
    const { c } = await connect(s.url);
    expect(await c.count('Customer')).toBe(4);
    expect(s.seen).toHaveLength(3);

    const never = await stub(() => ({ status: 200, body: '{"QueryResponse":{"Cust' }));
    const { c: c2 } = await connect(never.url, { retries: 2 });
    const err = await c2.count('Customer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).not.toBeInstanceOf(AmbiguousWriteError);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', status: 200, transient: true });
    expect((err as Error).message).toMatch(/GET query: .*not a JSON object/);
    expect(never.seen).toHaveLength(3);
  });

  it('retries a write whose 200 answer is unreadable with the same requestid, and ends ambiguous', async () => {
    const s = await stub((_req, n) =>
      n === 1 ? { status: 200, body: '{"BatchItemResponse":[{"bId":"a","Cus' } : ok({ Customer: customer }),
    );
    const { c } = await connect(s.url);
    expect((await c.write('Customer', 'create', { DisplayName: 'A' }, 'w-trunc')).Id).toBe('1');
    expect(s.seen.map((r) => r.query.get('requestid'))).toEqual(['w-trunc', 'w-trunc']);

    const never = await stub(() => ({ status: 200, body: '<html><body>gateway</body></html>' }));
    const { c: c2 } = await connect(never.url, { retries: 1 });
    const err = await c2
      .batch([{ bId: 'a', operation: 'create', entity: 'Customer', body: { DisplayName: 'A' } }], 'b-html')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', transient: true });
    expect(never.seen.map((r) => r.query.get('requestid'))).toEqual(['b-html', 'b-html']);
  });

  it('reads `"QueryResponse":{}` as no rows, but an answer without QueryResponse as BAD_RESPONSE', async () => {
    const empty = await stub(() => ok({ QueryResponse: {} }));
    const { c } = await connect(empty.url);
    const pages: unknown[] = [];
    for await (const p of c.query('Customer')) pages.push(p);
    expect(pages).toEqual([]);
    expect(await c.readMany('Customer', ['1', '2'])).toEqual([]);

    for (const body of [{}, { QueryResponse: null }, { QueryResponse: [] }, { QueryResponse: 'none' }]) {
      const s = await stub(() => ok(body));
      const { c: bad } = await connect(s.url);
      const err = await collectAll(bad.query('Customer')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'BAD_RESPONSE', transient: false });
      expect((err as Error).message).toMatch(/GET query: .*QueryResponse.*SELECT \* FROM Customer/);
      // Reading changes from the start (a first sync) must not see an empty company either.
      const first = await collectAll(bad.readChanges({ entity: 'Customer', since: null })).catch(
        (e: unknown) => e,
      );
      expect(first).toMatchObject({ code: 'BAD_RESPONSE' });
      expect(await bad.count('Customer').catch((e: unknown) => e)).toMatchObject({ code: 'BAD_RESPONSE' });
    }

    const notAList = await stub(() => ok({ QueryResponse: { Customer: customer, startPosition: 1 } }));
    const { c: c3 } = await connect(notAList.url);
    const err = await collectAll(c3.query('Customer')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
    expect((err as Error).message).toMatch(/QueryResponse\.Customer .*not a list/);

    const noCount = await stub(() => ok({ QueryResponse: {} }));
    const { c: c4 } = await connect(noCount.url);
    expect(await c4.count('Customer').catch((e: unknown) => e)).toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reads an empty CDC answer as no changes, but one without CDCResponse as BAD_RESPONSE', async () => {
    const empty = await stub(() => ok({ CDCResponse: [{ QueryResponse: [{}, {}] }] }));
    const { c } = await connect(empty.url);
    expect(await c.cdc(['Customer', 'Invoice'], new Date())).toEqual({
      records: { Customer: [], Invoice: [] },
      truncated: [],
    });

    for (const body of [
      {},
      { CDCResponse: 'x' },
      { CDCResponse: [{}] },
      { CDCResponse: [{ QueryResponse: [null] }] },
    ]) {
      const s = await stub(() => ok(body));
      const { c: bad } = await connect(s.url);
      const err = await bad.cdc(['Customer'], new Date()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'BAD_RESPONSE', transient: false });
      expect((err as Error).message).toMatch(/^GET cdc: .*(CDCResponse|QueryResponse)/);
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const changes = await collectAll(bad.readChanges({ entity: 'Customer', since })).catch(
        (e: unknown) => e,
      );
      expect(changes).toMatchObject({ code: 'BAD_RESPONSE' });
    }
  });
});

async function collectAll<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p);
  return out;
}
