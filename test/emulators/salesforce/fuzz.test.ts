import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../emulators/kit/rng.ts';
import { startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
const knownIds: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ records: 30, dailyApiLimit: 1_000_000 });
  for (const t of ['Account', 'Contact', 'Opportunity', 'OpportunityLineItem', 'Product2', 'PricebookEntry'])
    knownIds.push(...[...emu.org.tables.get(t)!.rows.keys()].slice(0, 5));
});
afterAll(async () => {
  await emu.close();
});

const OBJECTS = [
  'Account',
  'Contact',
  'Opportunity',
  'OpportunityLineItem',
  'Product2',
  'Pricebook2',
  'PricebookEntry',
  'User',
  'Nope__c',
  'account',
  '',
];
const FIELDS = [
  'Name',
  'LastName',
  'QBO_Id__c',
  'Amount',
  'StageName',
  'CloseDate',
  'AccountId',
  'Email',
  'IsActive',
  'Quantity',
  'UnitPrice',
  'Bogus__c',
  'Id',
  'CreatedDate',
  'BillingAddress',
  'Account',
];
const VALUES: unknown[] = [
  null,
  '',
  'x',
  'Acme',
  'a'.repeat(300),
  0,
  -1,
  1.5,
  1e21,
  '2024-13-45',
  '2024-01-01',
  '2024-01-01T00:00:00Z',
  true,
  'true',
  [],
  {},
  { QBO_Id__c: 'nope' },
  '001000000000000AAA',
  'bad id',
  '\u0000\u{1F600}',
  'Closed Won',
  12345678901234567890,
];
const SOQL = [
  'SELECT Id FROM Account',
  "SELECT Id, Name, (SELECT Id FROM Contacts) FROM Account WHERE Name LIKE '%a%' ORDER BY Name DESC NULLS LAST LIMIT 5",
  'SELECT COUNT() FROM Contact',
  'SELECT Account.Name, COUNT(Id) FROM Contact GROUP BY Account.Name',
  "SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30 AND (StageName = 'Closed Won' OR Amount > 100)",
  'SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)',
  'SELECT FIELDS(ALL) FROM Product2 LIMIT 3',
  'SELECT Id, (SELECT Id, Email FROM Contacts WHERE IsDeleted = false ORDER BY CreatedDate ASC, Id ASC LIMIT 1) FROM Account WHERE SystemModstamp >= 2020-01-01T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC',
  "SELECT Id, AccountId FROM Contact WHERE AccountId IN ('001000000000000AAA', '001000000000000', null) ORDER BY LastName DESC NULLS FIRST",
  "SELECT Id FROM Account WHERE Id IN ('001000000000000AAA', '001000000000001') AND Name != null ORDER BY Name, Id",
  "SELECT Id FROM Account WHERE QBO_Id__c IN ('a', 'B') OR QBO_Id__c = 'c'",
  'SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true ORDER BY SystemModstamp DESC',
];

function mutate(rng: Rng, s: string): string {
  const ops = [
    () => s.slice(0, rng.int(0, s.length)),
    () => s.replace(/ /g, () => (rng.chance(0.1) ? '' : ' ')),
    () =>
      s
        .split(' ')
        .sort(() => rng.next() - 0.5)
        .join(' '),
    () => s + rng.pick([')', '(', "'", ',', ' AND', ' WHERE', ' LIMIT -1', ' OFFSET 99999', ':', '.', '\\']),
    () =>
      s.replace(
        rng.pick(['Id', 'Name', 'FROM', 'WHERE', 'Account', '=', "'"]),
        rng.pick(['', 'Nme', 'FORM', '==', '"', 'Acount']),
      ),
  ];
  return rng.pick(ops)();
}

function randomBody(rng: Rng): string | undefined {
  const kind = rng.int(0, 7);
  if (kind === 0) return undefined;
  if (kind === 1)
    return rng.pick([
      '{',
      '{"Name":',
      'null',
      '[]',
      '"str"',
      '42',
      '{"a":1}}',
      '\u0000',
      '<xml/>',
      '{"Name": "x",}',
    ]);
  const rec: Record<string, unknown> = {};
  for (let i = rng.int(0, 5); i > 0; i--) rec[rng.pick(FIELDS)] = rng.pick(VALUES);
  if (kind === 2) return JSON.stringify([rec]);
  if (kind === 3)
    return JSON.stringify({
      allOrNone: rng.chance(0.5),
      records: Array.from({ length: rng.int(0, 4) }, () => ({
        attributes: { type: rng.pick(OBJECTS) },
        ...rec,
        ...(rng.chance(0.3) ? { id: rng.pick(knownIds) } : {}),
      })),
    });
  if (kind === 4)
    return JSON.stringify({
      allOrNone: rng.chance(0.5),
      compositeRequest: Array.from({ length: rng.int(0, 3) }, (_, i) => ({
        method: rng.pick(['GET', 'POST', 'PATCH', 'DELETE', 'BREW']),
        url: rng.pick([
          '/services/data/v62.0/sobjects/Account',
          `/services/data/v62.0/sobjects/Contact/@{r${i - 1}.id}`,
          '/services/data/v62.0/query?q=SELECT+Id+FROM+User',
          'nonsense',
          '/services/data/v10.0/limits',
        ]),
        referenceId: rng.chance(0.9) ? `r${i}` : '1bad',
        body: rec,
      })),
    });
  if (kind === 6 && rng.chance(0.5)) {
    // Upserts that repeat an external id value (any case), with or without allOrNone.
    const key = rng.pick(['FZ-1', 'fz-1', 'FZ-2', '']);
    return JSON.stringify({
      allOrNone: rng.chance(0.5),
      records: Array.from({ length: rng.int(1, 4) }, () => ({
        attributes: { type: 'Account' },
        QBO_Id__c: rng.chance(0.7) ? key : rng.pick(['FZ-1', 'FZ-3', null, 7]),
        Name: rng.pick(['Fuzz Co', '', null]),
      })),
    });
  }
  if (kind === 5)
    return JSON.stringify({
      batchRequests: [{ method: 'GET', url: rng.pick(['v62.0/limits', 'v62.0/sobjects/Nope', 'garbage']) }],
      haltOnError: true,
    });
  return JSON.stringify(rec);
}

function randomPath(rng: Rng): string {
  const v = rng.chance(0.8) ? 'v62.0' : rng.pick(['v45.0', 'v31.0', 'v66.0', 'v29.0', 'v99.0', 'latest', '']);
  const obj = rng.chance(0.85) ? rng.pick(OBJECTS.slice(0, 8)) : rng.pick(OBJECTS);
  const id = rng.chance(0.6)
    ? rng.pick(knownIds)
    : rng.pick(['001', 'x', '001000000000000AAA', '001000000000000', '%zz', '..', 'Id']);
  const q = () => encodeURIComponent(rng.chance(0.5) ? rng.pick(SOQL) : mutate(rng, rng.pick(SOQL)));
  const tail = rng.pick([
    '',
    'sobjects',
    `sobjects/${obj}`,
    `sobjects/${obj}/describe`,
    `sobjects/${obj}/${id}`,
    `sobjects/${obj}/${id}?fields=Name,${rng.pick(FIELDS)}`,
    `sobjects/${obj}/${rng.pick(FIELDS)}/${encodeURIComponent(String(rng.pick(VALUES)))}`,
    `sobjects/${obj}/${id}/${rng.pick(['Contacts', 'Account', 'Nope', 'OpportunityLineItems'])}`,
    `sobjects/${obj}/updated?start=${rng.pick(['2020-01-01T00:00:00Z', 'x', ''])}&end=${encodeURIComponent(new Date().toISOString())}`,
    `sobjects/${obj}/deleted?start=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&end=${rng.pick(['', 'tomorrow', encodeURIComponent(new Date().toISOString())])}`,
    `query?q=${q()}`,
    `queryAll?q=${q()}`,
    `query/${rng.pick(['01g000000000000AAA-2000', 'zzz', '01gAA0000000001AAA-0'])}`,
    'query',
    'limits',
    'composite',
    'composite/batch',
    'composite/sobjects',
    `composite/sobjects?ids=${rng.pick(knownIds)},${rng.pick(['bad', ''])}`,
    `composite/sobjects/${obj}?ids=${rng.pick(knownIds)}&fields=${rng.pick(FIELDS)}`,
    `composite/sobjects/${obj}/${rng.pick(FIELDS)}`,
    'nothing/here',
  ]);
  return `/services/data/${v}/${tail}`;
}

const OK_STATUSES = new Set([200, 201, 204, 300, 400, 401, 403, 404, 405, 410, 415]);

describe('fuzz', () => {
  it('answers thousands of random and broken requests with well-formed Salesforce responses', async () => {
    const rng = new Rng('salesforce-fuzz');
    const token = emu.info.accessToken;
    const problems: string[] = [];
    const one = async () => {
      const method = rng.pick([
        'GET',
        'GET',
        'GET',
        'POST',
        'POST',
        'PATCH',
        'PATCH',
        'DELETE',
        'PUT',
        'HEAD',
      ]);
      const other = rng.next();
      let path: string;
      let body = randomBody(rng);
      if (other < 0.05) {
        path = rng.pick([
          '/services/oauth2/token',
          '/services/oauth2/authorize?client_id=x',
          '/services/oauth2/revoke',
          '/services/oauth2/userinfo',
        ]);
        body = rng.pick([
          'grant_type=password&username=a&password=b',
          'grant_type=refresh_token',
          '',
          'garbage=%%%',
        ]);
      } else if (other < 0.08) {
        path = rng.pick(['/services/Soap/u/50.0', '/services/Soap/u/65.0', '/services/Soap/u/1.0']);
        body = rng.pick([
          '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login><username>a</username><password>b</password></login></se:Body></se:Envelope>',
          '<broken',
          '',
          '<a/>',
        ]);
      } else path = randomPath(rng);
      const auth = rng.next();
      const headers: Record<string, string> = {};
      if (auth < 0.85) headers.authorization = `Bearer ${token}`;
      else if (auth < 0.92)
        headers.authorization = rng.pick([
          'Bearer',
          'Bearer x',
          'OAuth ',
          'Basic Zm9vOmJhcg==',
          `Bearer ${token}x`,
        ]);
      if (body !== undefined)
        headers['content-type'] = rng.pick([
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
        ]);
      if (rng.chance(0.05))
        headers['sforce-query-options'] = rng.pick(['batchSize=200', 'batchSize=abc', 'batchSize=99999']);
      const res = await fetch(`${emu.url}${path}`, {
        method,
        headers,
        ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
      });
      const text = await res.text();
      const where = `${method} ${path} ${body?.slice(0, 80) ?? ''} → ${res.status} ${text.slice(0, 200)}`;
      if (path.startsWith('/services/Soap')) {
        if (!text.startsWith('<?xml') && method === 'POST') problems.push(`soap: ${where}`);
        return;
      }
      if (path.startsWith('/services/oauth2')) {
        if (![200, 302, 400, 403, 404].includes(res.status)) problems.push(`oauth status: ${where}`);
        return;
      }
      if (!OK_STATUSES.has(res.status)) problems.push(`status: ${where}`);
      if (method === 'HEAD' || res.status === 204) return;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        problems.push(`not JSON: ${where}`);
        return;
      }
      if (res.status >= 400) {
        const ok =
          Array.isArray(json) &&
          json.length > 0 &&
          json.every((e) => e && typeof e.errorCode === 'string' && typeof e.message === 'string');
        if (!ok) problems.push(`error shape: ${where}`);
      }
      if (res.status === 300 && !(Array.isArray(json) && json.every((u) => typeof u === 'string')))
        problems.push(`300 shape: ${where}`);
      if (res.status === 200 && method === 'GET' && /\/query(All)?(\?|\/)/.test(path)) {
        const page = json as { totalSize?: unknown; done?: unknown; records?: unknown };
        if (
          typeof page.totalSize !== 'number' ||
          typeof page.done !== 'boolean' ||
          !Array.isArray(page.records)
        )
          problems.push(`query page shape: ${where}`);
      }
      if (res.status === 200 && method !== 'GET' && /\/composite\/sobjects(\/|\?|$)/.test(path)) {
        const ok =
          Array.isArray(json) &&
          json.every(
            (r) =>
              r &&
              typeof r.success === 'boolean' &&
              Array.isArray(r.errors) &&
              r.errors.every(
                (e: Record<string, unknown>) =>
                  typeof e.statusCode === 'string' &&
                  typeof e.message === 'string' &&
                  Array.isArray(e.fields),
              ) &&
              (r.success ? typeof r.id === 'string' && r.errors.length === 0 : r.errors.length > 0),
          );
        if (!ok) problems.push(`collection result shape: ${where}`);
      }
      if (text.includes('UNKNOWN_EXCEPTION')) problems.push(`internal error: ${where}`);
      const decodable = (() => {
        try {
          decodeURIComponent(path.split('?')[0]!);
          return true;
        } catch {
          return false;
        }
      })();
      if (
        decodable &&
        path.includes('/v62.0/') &&
        res.status !== 401 &&
        !res.headers.get('sforce-limit-info')
      )
        problems.push(`no limit header: ${where}`);
    };
    for (let batch = 0; batch < 150; batch++) await Promise.all(Array.from({ length: 20 }, one));
    expect(problems.slice(0, 10)).toEqual([]);
    expect(emu.internalErrors.map((e) => e.stack)).toEqual([]);
    const alive = await fetch(`${emu.url}/services/data/v62.0/limits`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(alive.status).toBe(200);
  });
});
