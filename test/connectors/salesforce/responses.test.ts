import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AmbiguousWriteError, ConnectorError } from '../../../src/connectors/errors.ts';
import {
  createSalesforceConnector,
  type SalesforceConnectorWithIdentity,
} from '../../../src/connectors/salesforce/index.ts';
import { MemoryVault } from '../../helpers/memory-vault.ts';
import { listenOnLoopback } from '../../helpers/loopback.ts';

/**
 * Answers the emulator cannot give (it always answers well-formed JSON): a 200 whose body is cut
 * off or is a proxy's HTML page, and query results of the wrong shape. A scripted stand-in for
 * the REST API, with a session already in the vault (no sign-in).
 */

interface Seen {
  method: string;
  path: string;
}
type Reply = { status: number; body: string | unknown };
type Script = (req: Seen, n: number) => Reply;

const API = '/services/data/v62.0';
let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

async function stub(script: Script): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', path: (req.url ?? '/').split('?')[0]! };
      seen.push(s);
      const reply = script(s, seen.length);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type':
          typeof reply.body === 'string' && reply.body.startsWith('<')
            ? 'text/html'
            : 'application/json;charset=UTF-8',
      });
      res.end(text);
    });
  });
  const { url, close } = await listenOnLoopback(server);
  closeAll.push(close);
  return { url, seen };
}

async function connect(url: string, retries = 3): Promise<SalesforceConnectorWithIdentity> {
  const vault = new MemoryVault({
    id: 'stub',
    system: 'salesforce',
    settings: { instanceUrl: url, loginUrl: url, apiVersion: '62.0', clientId: 'cid', authFlow: 'oauth' },
    secrets: { accessToken: 'session', refreshToken: 'rt', clientSecret: 'secret' },
    tokenVersion: 1,
  });
  return createSalesforceConnector({
    vault,
    connectionId: 'stub',
    retries,
    backoffMs: 1,
    sleep: async () => {},
  });
}

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p);
  return out;
}

const TRUNCATED =
  '{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001000000000001AAA"';
const HTML = '<html><head><title>Service Unavailable</title></head><body>upstream proxy</body></html>';
const page = (ids: string[]) => ({
  totalSize: ids.length,
  done: true,
  records: ids.map((Id) => ({ attributes: { type: 'Account' }, Id })),
});
const saved = (ids: string[]) => ids.map((id) => ({ id, success: true, errors: [], created: true }));

describe('Salesforce answers that do not parse', () => {
  it('retries a query whose 200 answer is truncated JSON or an HTML page', async () => {
    const s = await stub((_req, n) =>
      n === 1
        ? { status: 200, body: TRUNCATED }
        : n === 2
          ? { status: 200, body: HTML }
          : { status: 200, body: page(['001000000000001AAA']) },
    );
    const c = await connect(s.url);
    const rows = await all(c.query('SELECT Id FROM Account'));
    expect(rows.map((r) => r.Id)).toEqual(['001000000000001AAA']);
    expect(s.seen.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`GET ${API}/query`));
  });

  it('gives up on a read that never parses with a transient BAD_RESPONSE', async () => {
    const s = await stub(() => ({ status: 200, body: TRUNCATED }));
    const c = await connect(s.url, 2);
    const err = await all(c.query('SELECT Id FROM Account')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).not.toBeInstanceOf(AmbiguousWriteError);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', transient: true });
    expect((err as Error).message).toMatch(/GET .*\/query: the answer is not valid JSON/);
    expect(s.seen).toHaveLength(3);
  });

  it('repeats an upsert (idempotent) after an unreadable answer', async () => {
    const s = await stub((_req, n) =>
      n === 1 ? { status: 200, body: HTML } : { status: 200, body: saved(['001000000000001AAA']) },
    );
    const c = await connect(s.url);
    const res = await c.upsert('Account', 'QB_Id__c', [{ QB_Id__c: '7', Name: 'A' }]);
    expect(res).toMatchObject([{ success: true, id: '001000000000001AAA' }]);
    expect(s.seen.map((r) => `${r.method} ${r.path}`)).toEqual(
      Array(2).fill(`PATCH ${API}/composite/sobjects/Account/QB_Id__c`),
    );
  });

  it('never repeats a create whose 200 answer is unreadable: the outcome is ambiguous', async () => {
    const s = await stub(() => ({ status: 200, body: '[{"id":"001000000000001AAA","succ' }));
    const c = await connect(s.url);
    const err = await c.create('Account', [{ Name: 'A' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
    expect(s.seen).toHaveLength(1);
  });
});

describe('Salesforce query results of the wrong shape', () => {
  it('reads an empty result as no rows, but a result without records as BAD_RESPONSE', async () => {
    const empty = await stub(() => ({ status: 200, body: { totalSize: 0, done: true, records: [] } }));
    expect(await all((await connect(empty.url)).query('SELECT Id FROM Account'))).toEqual([]);

    const bodies: unknown[] = [
      { totalSize: 0, done: true },
      { totalSize: 1, done: true, records: { Id: '001000000000001AAA' } },
      { totalSize: 1, done: true, records: ['001000000000001AAA'] },
      { totalSize: 1, records: [] },
      { totalSize: 4000, done: false, records: [] },
      [],
      '"ok"',
      null,
    ];
    for (const body of bodies) {
      const s = await stub(() => ({ status: 200, body }));
      const c = await connect(s.url);
      const err = await all(c.query('SELECT Id FROM Account')).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'BAD_RESPONSE', transient: false });
      expect((err as Error).message).toMatch(/^GET query: Salesforce answered /);
      // A change read from the start (a first sync) must not see an empty org either.
      const first = await all(c.readChanges({ object: 'Account', fields: ['Name'], since: null })).catch(
        (e: unknown) => e,
      );
      expect(first).toMatchObject({ code: 'BAD_RESPONSE' });
    }
  });

  it('checks the follow-up pages too', async () => {
    const s = await stub((req) =>
      req.path.endsWith('/query')
        ? {
            status: 200,
            body: { ...page(['001000000000001AAA']), done: false, nextRecordsUrl: `${API}/query/01g-2000` },
          }
        : { status: 200, body: { done: true } },
    );
    const c = await connect(s.url);
    const err = await all(c.query('SELECT Id FROM Account')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
    expect((err as Error).message).toMatch(/^GET query more: .*without "records"/);
  });

  it('reads a delete log without deletedRecords as BAD_RESPONSE', async () => {
    const s = await stub(() => ({
      status: 200,
      body: { earliestDateAvailable: '2026-01-01T00:00:00.000+0000' },
    }));
    const c = await connect(s.url);
    const err = await c
      .deleted('Account', new Date(Date.now() - 3_600_000), new Date())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
  });
});
