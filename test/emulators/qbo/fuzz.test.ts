/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../emulators/kit/rng.ts';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { start } from './helpers.ts';

// Thousands of random and mutated requests: every answer must be a well-formed QuickBooks answer
// (a Fault, the gateway's auth envelope, an entity/query/CDC/batch body, or an OAuth shape), never
// a crash, and the server must keep answering.
let emu: RunningQboEmulator;
beforeAll(async () => {
  emu = await start({
    records: 40,
    realms: 2,
    limits: { perMinute: 1_000_000, batchPerMinute: 1_000_000, concurrent: 100 },
  });
});
afterAll(() => emu.close());

const rng = new Rng('qbo-fuzz');
const pick = <T>(xs: readonly T[]): T => rng.pick(xs);

const ENTITIES = [
  'customer',
  'invoice',
  'payment',
  'item',
  'account',
  'term',
  'creditmemo',
  'salesreceipt',
  'taxcode',
  'companyinfo',
  'preferences',
  'vendor',
  'Customer',
  'estimate',
];
const QUERIES = [
  'select * from Customer',
  "select * from Customer where DisplayName = 'Amy\\'s Bird Sanctuary'",
  "select count(*) from Invoice where TotalAmt > '10.00'",
  "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2024-01-01T00:00:00-08:00' ORDERBY MetaData.LastUpdatedTime DESC STARTPOSITION 3 MAXRESULTS 7",
  "select * from Item where Name like '%Pump%' and Active in (true, false)",
  'select * from Payment orderby TxnDate',
  "SELECT * FROM Customer WHERE Id IN ('1', '2', '3', '999') ORDERBY DisplayName DESC STARTPOSITION 2 MAXRESULTS 2",
  "select count(*) from Customer where Id = '2'",
  'select * from Customer orderby CompanyName desc, Id maxresults 5',
  "select * from Invoice where Id in ('1','2') orderby MetaData.LastUpdatedTime",
];
const BODIES: Array<Record<string, unknown>> = [
  {
    DisplayName: 'Fuzz Customer',
    GivenName: 'Fuzz',
    PrimaryEmailAddr: { Address: 'f@example.com' },
    BillAddr: { Line1: '1 Main', City: 'X' },
  },
  {
    CustomerRef: { value: '1' },
    Line: [
      {
        Amount: 10,
        DetailType: 'SalesItemLineDetail',
        SalesItemLineDetail: { ItemRef: { value: '2' }, Qty: 2, UnitPrice: 5 },
      },
    ],
  },
  {
    CustomerRef: { value: '2' },
    TotalAmt: 5,
    Line: [{ Amount: 5, LinkedTxn: [{ TxnId: '1', TxnType: 'Invoice' }] }],
  },
  { Name: 'Fuzz Item', Type: 'Service', IncomeAccountRef: { value: '10' } },
  { Id: '1', SyncToken: '0', sparse: true, Notes: 'fuzz' },
  { Id: '3', SyncToken: '1' },
  {
    BatchItemRequest: [
      { bId: '1', operation: 'create', Customer: { DisplayName: 'Batch Fuzz' } },
      { bId: '2', Query: 'select * from Term' },
    ],
  },
];

function weird(): unknown {
  return pick([
    null,
    true,
    -1,
    '1e400',
    'x'.repeat(rng.int(0, 700)),
    '\u0000\u202e<script>',
    [1, 2],
    { value: pick(['1', '-1', 'abc', '99999999999999999999']) },
    { nested: { deeper: [null, {}] } },
    12345678901234567890,
    0.1,
    '',
  ]);
}

function mutate(value: unknown, depth = 0): unknown {
  if (depth > 4) return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, depth + 1));
    if (rng.chance(0.2)) out.push(weird());
    if (rng.chance(0.1)) out.length = 0;
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (rng.chance(0.15)) continue;
      out[rng.chance(0.05) ? k.toLowerCase() : k] = rng.chance(0.15) ? weird() : mutate(v, depth + 1);
    }
    if (rng.chance(0.1))
      out[pick(['Foo', 'Line', 'Amount', 'Id', 'sparse', 'SyncToken', '__proto__'])] = weird();
    return out;
  }
  return rng.chance(0.2) ? weird() : value;
}

function randomBody(): string | undefined {
  const r = rng.next();
  if (r < 0.1) return undefined;
  if (r < 0.2) return '{"DisplayName": "broken'.slice(0, rng.int(0, 24));
  if (r < 0.25)
    return Array.from({ length: rng.int(1, 40) }, () => String.fromCharCode(rng.int(0, 255))).join('');
  return JSON.stringify(mutate(pick(BODIES)));
}

function randomQuery(): string {
  let q = pick(QUERIES);
  if (rng.chance(0.6)) {
    const tokens = q.split(' ');
    const i = rng.int(0, tokens.length - 1);
    const op = rng.int(0, 3);
    if (op === 0) tokens.splice(i, 1);
    else if (op === 1)
      tokens.splice(i, 0, pick(['OR', 'where', "'", '(', '*', 'ORDERBY', '12', "'x'", 'LIKE', 'Active']));
    else if (op === 2) tokens[i] = pick(['Colour', '=', '%', 'MAXRESULTS -1', 'from', "'unterminated"]);
    else tokens.reverse();
    q = tokens.join(' ');
  }
  return q;
}

function request(): { method: string; path: string; headers: Record<string, string>; body?: string } {
  const realm = rng.chance(0.85) ? emu.info.realmId : pick([emu.info.realms[1]!, '123', 'abc', '']);
  const auth = rng.next();
  const headers: Record<string, string> = {};
  if (auth < 0.85) headers.Authorization = `Bearer ${emu.info.accessToken}`;
  else if (auth < 0.9) headers.Authorization = 'Bearer garbage';
  else if (auth < 0.95) headers.Authorization = `Basic ${emu.info.accessToken}`;
  const kind = rng.next();
  let path: string;
  let method = pick(['GET', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH']);
  if (kind < 0.25) {
    path = `/v3/company/${realm}/query?query=${encodeURIComponent(randomQuery())}${rng.chance(0.2) ? '&minorversion=4' : ''}`;
    if (method === 'POST') {
      headers['Content-Type'] = 'application/text';
      return { method, path: `/v3/company/${realm}/query`, headers, body: randomQuery() };
    }
  } else if (kind < 0.3) {
    path = `/v3/company/${realm}/cdc?entities=${pick(['Customer', 'Invoice,Payment', 'foo', ''])}&changedSince=${encodeURIComponent(pick([new Date(emu.kit.clock.now() - 86_400_000).toISOString(), '2001-01-01', 'yesterday', '']))}`;
    method = 'GET';
  } else if (kind < 0.4) {
    path = `/v3/company/${realm}/batch${rng.chance(0.3) ? `?requestid=${rng.int(0, 30)}` : ''}`;
  } else if (kind < 0.8) {
    const entity = pick(ENTITIES);
    const id = pick(['1', '2', '3', '0', '-1', 'abc', '99999', '1.5', '%00', 'TAX']);
    const op = pick([
      '',
      '?operation=update',
      '?operation=delete',
      '?operation=void',
      '?operation=update&include=void',
      '?operation=explode',
      `?requestid=${'r'.repeat(rng.int(1, 60))}`,
    ]);
    path =
      method === 'GET'
        ? `/v3/company/${realm}/${entity}${rng.chance(0.8) ? `/${id}` : ''}`
        : `/v3/company/${realm}/${entity}${op}`;
  } else if (kind < 0.9) {
    path = pick([
      '/oauth2/v1/tokens/bearer',
      '/v2/oauth2/tokens/revoke',
      `/connect/oauth2?client_id=${pick([emu.info.clientId, 'x'])}&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=${pick(['http%3A%2F%2F127.0.0.1%2Fcb', 'nope'])}&state=s`,
    ]);
    headers.Authorization = `Basic ${Buffer.from(`${emu.info.clientId}:${pick([emu.info.clientSecret, 'bad'])}`).toString('base64')}`;
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = pick([
      'grant_type=refresh_token&refresh_token=x',
      'grant_type=authorization_code&code=y',
      '',
      'token=z',
    ]);
    return path.startsWith('/connect')
      ? { method: 'GET', path, headers }
      : { method: 'POST', path, headers, body: form };
  } else {
    path = pick([
      '/',
      '/v3',
      '/v3/company',
      `/v3/company/${realm}`,
      `/v3/company/${realm}/`,
      '/favicon.ico',
      `/v3/company/${realm}/${'a/'.repeat(rng.int(1, 5))}`,
      '/%E0%A4%A',
    ]);
  }
  if (method === 'GET' || method === 'DELETE') return { method, path, headers };
  headers['Content-Type'] = pick([
    'application/json',
    'application/json;charset=UTF-8',
    'text/plain',
    'application/xml',
  ]);
  const body = randomBody();
  return body === undefined ? { method, path, headers } : { method, path, headers, body };
}

function wellFormed(status: number, type: string, text: string, path: string): string | undefined {
  if (path.startsWith('/connect/')) {
    if (status === 302) return undefined;
    return status === 400 && type.includes('text/html') ? undefined : `authorize answered ${status}`;
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    if ((path.startsWith('/oauth2') || path.startsWith('/v2/')) && status === 200 && text === '')
      return undefined;
    return `not JSON (${status}): ${text.slice(0, 80)}`;
  }
  if (path.startsWith('/oauth2') || path.startsWith('/v2/oauth2')) {
    if (status === 200 && typeof body.access_token === 'string') return undefined;
    return typeof body.error === 'string' ? undefined : `OAuth body without error: ${text.slice(0, 80)}`;
  }
  if (status === 401 || status === 403) {
    return body.fault?.error?.[0]?.code ? undefined : `auth body: ${text.slice(0, 120)}`;
  }
  if (status >= 400) {
    const e = body.Fault?.Error?.[0];
    if (!e || typeof e.code !== 'string' || typeof e.Message !== 'string' || typeof e.Detail !== 'string')
      return `bad Fault: ${text.slice(0, 160)}`;
    if (typeof body.time !== 'string') return 'Fault without time';
    if (status >= 500) return `server error: ${text.slice(0, 200)}`;
    return undefined;
  }
  if (status !== 200) return `status ${status}`;
  if (typeof body.time !== 'string') return `no time: ${text.slice(0, 80)}`;
  const keys = Object.keys(body).filter((k) => k !== 'time');
  if (keys.length !== 1) return `unexpected keys ${keys.join(',')}`;
  if (keys[0] === 'QueryResponse') return queryResponseProblem(body.QueryResponse);
  if (keys[0] === 'BatchItemResponse') {
    if (!Array.isArray(body.BatchItemResponse)) return 'BatchItemResponse not a list';
    for (const item of body.BatchItemResponse) {
      const rest = Object.keys(item ?? {}).filter((k) => k !== 'bId');
      if ((item?.bId !== undefined && typeof item.bId !== 'string') || rest.length !== 1)
        return `batch item shape: ${JSON.stringify(item).slice(0, 120)}`;
      if (rest[0] === 'Fault' && !item.Fault?.Error?.[0]?.code) return `batch Fault: ${JSON.stringify(item)}`;
      if (rest[0] === 'QueryResponse') {
        const p = queryResponseProblem(item.QueryResponse);
        if (p) return `batch ${p}`;
      }
    }
  }
  return undefined;
}

/** A QueryResponse: totalCount alone, {} (no rows), or one entity list with startPosition/maxResults. */
function queryResponseProblem(q: any): string | undefined {
  if (!q || typeof q !== 'object') return 'QueryResponse not an object';
  const keys = Object.keys(q);
  if (keys.length === 0) return undefined;
  if (keys.length === 1 && typeof q.totalCount === 'number') return undefined;
  const lists = keys.filter((k) => Array.isArray(q[k]));
  if (lists.length !== 1) return `QueryResponse keys ${keys.join(',')}`;
  const rows = q[lists[0]!] as any[];
  if (q.maxResults !== rows.length || typeof q.startPosition !== 'number')
    return `QueryResponse paging ${q.startPosition}/${q.maxResults}/${rows.length}`;
  if (rows.some((r) => typeof r?.Id !== 'string' || typeof r?.SyncToken !== 'string' || !r?.MetaData))
    return 'QueryResponse row without Id/SyncToken/MetaData';
  return undefined;
}

describe('fuzzing the API', () => {
  it('answers 3,000 random and mutated requests with well-formed QuickBooks answers', async () => {
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < 3000) {
        sent++;
        const r = request();
        const res = await fetch(emu.url + r.path, {
          method: r.method,
          headers: r.headers,
          redirect: 'manual',
          ...(r.body !== undefined ? { body: r.body } : {}),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = wellFormed(res.status, res.headers.get('content-type') ?? '', text, r.path);
        if (problem) problems.push(`${r.method} ${r.path} ${r.body?.slice(0, 100) ?? ''} → ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(problems.slice(0, 10)).toEqual([]);
    // the mix really exercised successes and the main failure kinds
    for (const s of [200, 400, 401]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(20);
    const health = await fetch(`${emu.url}/v3/company/${emu.info.realmId}/customer/1`, {
      headers: { Authorization: `Bearer ${emu.info.accessToken}` },
    });
    expect(health.status).toBe(200);
  });
});
