import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousWriteError,
  ApiLimitError,
  AuthError,
  ConnectorError,
} from '../../../src/connectors/errors.ts';
import { classify, fromResponse, parseErrorBody } from '../../../src/connectors/salesforce/failures.ts';
import { parseExact, stringifyExact, stripAttributes } from '../../../src/connectors/salesforce/json.ts';
import { parseLimitInfo } from '../../../src/connectors/salesforce/limits.ts';
import { signInFailure } from '../../../src/connectors/salesforce/oauth.ts';
import { backoffDelay, withRetries } from '../../../src/connectors/salesforce/retry.ts';
import {
  chunkedIdQueries,
  encodeSoql,
  fieldList,
  parseInstant,
  relatedSubquery,
  SoqlInputError,
  soqlDateTime,
  soqlString,
} from '../../../src/connectors/salesforce/soql.ts';
import { endpointName, proxyFor } from '../../../src/connectors/salesforce/transport.ts';

const socketError = (code: string) =>
  Object.assign(new Error(`request failed, reason: ${code}`), { name: 'FetchError', code });
const httpError = (status: number, body: string) =>
  Object.assign(new Error(body), {
    name: `ERROR_HTTP_${status}`,
    errorCode: `ERROR_HTTP_${status}`,
    data: { message: body },
  });

describe('SOQL building', () => {
  it('escapes string literals so a value cannot end the literal', () => {
    expect(soqlString("O'Brien \\ Sons\n")).toBe("'O\\'Brien \\\\ Sons\\n'");
  });

  it('writes instants as UTC whole seconds, rounded down, and reads Salesforce +0000 instants', () => {
    expect(soqlDateTime(new Date('2025-03-01T10:00:00.999Z'))).toBe('2025-03-01T10:00:00Z');
    expect(parseInstant('2025-03-01T10:00:05.000+0000').toISOString()).toBe('2025-03-01T10:00:05.000Z');
    expect(() => parseInstant('yesterday')).toThrow(SoqlInputError);
  });

  it('rejects names and ids that are not names or ids', () => {
    expect(() => fieldList([], ['Name, (SELECT Id FROM Contacts)'])).toThrow(SoqlInputError);
    expect(fieldList(['Id'], ['id', 'Name', 'Account.Name', 'name'])).toEqual(['Id', 'Name', 'Account.Name']);
    expect(() => chunkedIdQueries((l) => l, ["001' OR Name != '"], 1000)).toThrow(SoqlInputError);
  });

  it('builds the one-child subquery for a related record', () => {
    const r = {
      name: 'Primary',
      object: 'Contact',
      relationship: 'Contacts',
      parentField: 'AccountId',
      fields: ['Email'],
    };
    expect(relatedSubquery({ ...r, pick: 'first-created' }, { excludeDeleted: false })).toBe(
      '(SELECT Id, Email FROM Contacts ORDER BY CreatedDate ASC, Id ASC LIMIT 1)',
    );
    expect(relatedSubquery({ ...r, pick: 'last-modified' }, { excludeDeleted: true })).toBe(
      '(SELECT Id, Email FROM Contacts WHERE IsDeleted = false ORDER BY LastModifiedDate DESC, Id DESC LIMIT 1)',
    );
  });

  it('splits id look-ups so each encoded query stays within the URL budget, keeping every id once', () => {
    const ids = Array.from({ length: 1500 }, (_, k) => `001Su${String(k).padStart(10, '0')}AAA`);
    const build = (inList: string) => `SELECT Id FROM Account WHERE Id IN (${inList})`;
    const queries = chunkedIdQueries(build, ids, 5000);
    expect(queries.length).toBeGreaterThan(1);
    for (const q of queries) expect(encodeSoql(q).length).toBeLessThanOrEqual(5000);
    const back = queries.flatMap((q) => [...q.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    expect(back).toEqual(ids);
    expect(encodeSoql("'")).toBe('%27');
  });
});

describe('exact JSON', () => {
  it('keeps non-integer numbers as their exact text and integers as numbers', () => {
    const v = parseExact('{"a":1234.50,"b":98765432109876.54,"c":42,"d":1e3,"e":null}') as Record<
      string,
      unknown
    >;
    expect(v).toEqual({ a: '1234.50', b: '98765432109876.54', c: 42, d: '1e3', e: null });
  });

  it('writes decimals as exact JSON numbers and removes the attributes envelope', () => {
    expect(stringifyExact({ x: new Decimal('98765432109876.54'), y: '12.30', z: 3 })).toBe(
      '{"x":98765432109876.54,"y":"12.30","z":3}',
    );
    expect(
      stripAttributes({ attributes: { type: 'A' }, Id: '1', Owner: { attributes: {}, Name: 'n' } }),
    ).toEqual({ Id: '1', Owner: { Name: 'n' } });
  });
});

describe('limits, endpoints, proxies', () => {
  it('parses Sforce-Limit-Info', () => {
    expect(parseLimitInfo('api-usage=18/5000')).toEqual({ used: 18, max: 5000 });
    expect(parseLimitInfo('api-usage=25/15000; per-app-api-usage=17/250(appName=x)')).toEqual({
      used: 25,
      max: 15000,
    });
    expect(parseLimitInfo('per-app-api-usage=17/250(appName=x)')).toBeNull();
    expect(parseLimitInfo(undefined)).toBeNull();
  });

  it('names endpoints without ids or object names', () => {
    const base = 'https://x.my.salesforce.com/services/data/v62.0';
    expect(endpointName('GET', `${base}/query?q=SELECT`)).toBe('GET query');
    expect(endpointName('GET', `${base}/query/01gXX-2000`)).toBe('GET query more');
    expect(endpointName('PATCH', `${base}/composite/sobjects/Account/QBO_Id__c`)).toBe(
      'PATCH composite/sobjects upsert',
    );
    expect(endpointName('GET', `${base}/sobjects/Account/describe`)).toBe('GET sobjects describe');
    expect(endpointName('POST', 'https://login.salesforce.com/services/oauth2/token')).toBe(
      'POST oauth2/token',
    );
    expect(endpointName('POST', 'https://login.salesforce.com/services/Soap/u/62.0')).toBe('POST soap');
  });

  it('never proxies loopback or NO_PROXY hosts', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal.example,localhost' };
    expect(proxyFor('http://127.0.0.1:4000/services/data', env)).toBeUndefined();
    expect(proxyFor('http://[::1]:4000/x', env)).toBeUndefined();
    expect(proxyFor('https://api.internal.example/x', env)).toBeUndefined();
    expect(proxyFor('https://x.my.salesforce.com/x', env)).toBe('http://proxy:3128');
    expect(proxyFor('https://x.my.salesforce.com/x', {})).toBeUndefined();
  });
});

describe('failure classification', () => {
  it('tells what may have reached Salesforce', () => {
    expect(classify(socketError('ECONNREFUSED'), 'x')).toMatchObject({ retry: true, maybeApplied: false });
    expect(classify(socketError('ECONNRESET'), 'x')).toMatchObject({ retry: true, maybeApplied: true });
    expect(
      classify(Object.assign(new Error('aborted'), { name: 'AbortError', type: 'aborted' }), 'x'),
    ).toMatchObject({
      retry: true,
      maybeApplied: true,
    });
    const unavailable = classify(
      httpError(503, '[{"message":"down","errorCode":"SERVER_UNAVAILABLE"}]'),
      'x',
    );
    expect(unavailable).toMatchObject({ retry: true, maybeApplied: false });
    expect(unavailable.error).toMatchObject({ status: 503, code: 'SERVER_UNAVAILABLE', transient: true });
    expect(
      classify(httpError(500, '[{"message":"boom","errorCode":"UNKNOWN_EXCEPTION"}]'), 'x'),
    ).toMatchObject({ retry: true, maybeApplied: true });
    const bad = classify(
      httpError(400, '[{"message":"unexpected token","errorCode":"MALFORMED_QUERY"}]'),
      'x',
    );
    expect(bad).toMatchObject({ retry: false });
    expect(bad.error.code).toBe('MALFORMED_QUERY');
  });

  it('makes REQUEST_LIMIT_EXCEEDED an ApiLimitError and 401 an AuthError', () => {
    const limit = fromResponse(
      403,
      [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
      'x',
    );
    expect(limit.error).toBeInstanceOf(ApiLimitError);
    expect(limit.retry).toBe(false);
    expect(
      fromResponse(
        401,
        parseErrorBody('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'),
        'x',
      ).error,
    ).toBeInstanceOf(AuthError);
    expect(fromResponse(403, [], 'x', undefined, 'Bad_OAuth_Token').error.code).toBe('Bad_OAuth_Token');
  });

  it('classifies sign-in failures', () => {
    const grant = Object.assign(new Error('expired access/refresh token'), { name: 'invalid_grant' });
    expect(signInFailure(grant, 'refresh')).toBeInstanceOf(AuthError);
    const soap = new Error('INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
    expect(signInFailure(soap, 'login')).toMatchObject({ name: 'AuthError', code: 'INVALID_LOGIN' });
    const down = Object.assign(new Error('retry your request'), { name: 'unknown_error' });
    expect(signInFailure(down, 'refresh')).toMatchObject({ name: 'ConnectorError', transient: true });
    expect(signInFailure(socketError('ECONNREFUSED'), 'refresh')).toMatchObject({ transient: true });
  });
});

describe('retries', () => {
  const policy = (sleeps: number[]) => ({
    retries: 3,
    backoffMs: 100,
    sleep: async (ms: number) => void sleeps.push(ms),
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(1, 100, 30_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 30_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 30_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 30_000, () => 1)).toBe(30_000);
  });

  it('repeats a non-idempotent call only when it surely did not reach Salesforce', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const refusedOnce = await withRetries('create', false, policy(sleeps), async () => {
      if (n++ === 0) throw socketError('ECONNREFUSED');
      return 'ok';
    });
    expect(refusedOnce).toBe('ok');
    expect(sleeps).toHaveLength(1);

    n = 0;
    const reset = await withRetries('create', false, policy(sleeps), async () => {
      n++;
      throw socketError('ECONNRESET');
    }).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(AmbiguousWriteError);
    expect(n).toBe(1);
  });

  it('gives up after the retries with the classified error', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const err = await withRetries('read', true, policy(sleeps), async () => {
      n++;
      throw httpError(502, '<html>bad gateway</html>');
    }).catch((e: unknown) => e);
    expect(n).toBe(4);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ status: 502, transient: true });
  });
});
