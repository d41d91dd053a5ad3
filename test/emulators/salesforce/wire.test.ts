import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, firstError, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ records: 30 });
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

describe('REST wire format', () => {
  it('lists versions without a session and without counting the call', async () => {
    const res = await fetch(`${emu.url}/services/data/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sforce-limit-info')).toBeNull();
    const list = (await res.json()) as Array<{ version: string; url: string; label: string }>;
    expect(list[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
    expect(list.find((v) => v.version === '62.0')).toEqual({
      label: "Winter '25",
      url: '/services/data/v62.0',
      version: '62.0',
    });
    expect(list.at(-1)!.version).toBe('66.0');
  });

  it('sends Sforce-Limit-Info on every call and counts each one', async () => {
    const a = await call(emu, 'GET', '/limits');
    const b = await call(emu, 'GET', '/sobjects');
    const used = (h: Headers) => Number(/api-usage=(\d+)\/100000/.exec(h.get('sforce-limit-info')!)![1]);
    expect(used(b.headers)).toBe(used(a.headers) + 1);
    expect(a.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const limits = a.json as { DailyApiRequests: { Max: number; Remaining: number } };
    expect(limits.DailyApiRequests.Max).toBe(100000);
    expect(limits.DailyApiRequests.Remaining).toBe(100000 - used(a.headers));
  });

  it('refuses calls once the daily allocation is used, for 24 rolling hours', async () => {
    const small = await startEmulator({ records: 0, dailyApiLimit: 3, sessionSeconds: 7 * 86_400 });
    try {
      for (let i = 0; i < 3; i++) expect((await call(small, 'GET', '/limits')).status).toBe(200);
      const over = await call(small, 'GET', '/limits');
      expect(over.status).toBe(403);
      expect(over.json).toEqual([
        { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
      ]);
      expect(over.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
      small.kit.clock.advance(23 * 3600_000);
      expect((await call(small, 'GET', '/limits')).status).toBe(403);
      small.kit.clock.advance(3600_000 + 60_000);
      expect((await call(small, 'GET', '/limits')).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers 401 INVALID_SESSION_ID without or with a bad token', async () => {
    for (const auth of ['', 'Bearer nope', 'Basic abc']) {
      const r = await call(emu, 'GET', '/sobjects', undefined, { authorization: auth });
      expect(r.status).toBe(401);
      expect(r.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    const oauthScheme = await call(emu, 'GET', '/limits', undefined, {
      authorization: `OAuth ${emu.info.accessToken}`,
    });
    expect(oauthScheme.status).toBe(200);
  });

  it('answers NOT_FOUND, METHOD_NOT_ALLOWED and retired versions like the real API', async () => {
    const unknownPath = await call(emu, 'GET', '/nothing/here');
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.json).toEqual(
      [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }].map(
        ({ errorCode, message }) => ({ message, errorCode }),
      ),
    );
    expect(firstError(await call(emu, 'GET', '/sobjects/Nope__c/describe')).errorCode).toBe('NOT_FOUND');
    expect((await call(emu, 'GET', '/services/data/v99.0/sobjects')).status).toBe(404);
    const retired = await call(emu, 'GET', '/services/data/v29.0/sobjects');
    expect(retired.status).toBe(410);
    expect(firstError(retired).errorCode).toBe('UNSUPPORTED_API_VERSION');
    const put = await call(emu, 'PUT', '/sobjects/Account', { Name: 'x' });
    expect(put.status).toBe(405);
    expect(firstError(put)).toEqual({
      errorCode: 'METHOD_NOT_ALLOWED',
      message: "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,POST",
    });
    const badId = await call(emu, 'GET', '/sobjects/Account/notAnId');
    expect(badId.status).toBe(404);
    expect(firstError(badId).message).toBe(
      'Provided external ID field does not exist or is not accessible: notAnId',
    );
    const otherType = await call(emu, 'GET', `/sobjects/Account/${emu.info.userId}`);
    expect(firstError(otherType)).toEqual({
      errorCode: 'NOT_FOUND',
      message: 'The requested resource does not exist',
    });
  });

  it('answers JSON_PARSER_ERROR for broken and missing bodies', async () => {
    const broken = await call(emu, 'POST', '/sobjects/Account', '{"Name": "x",');
    expect(broken.status).toBe(400);
    expect(firstError(broken).errorCode).toBe('JSON_PARSER_ERROR');
    const empty = await call(emu, 'POST', '/sobjects/Account', '');
    expect(firstError(empty)).toEqual({
      errorCode: 'JSON_PARSER_ERROR',
      message: 'The HTTP entity body is required, but this request has no entity body.',
    });
    const array = await call(emu, 'POST', '/sobjects/Account', [{ Name: 'x' }]);
    expect(firstError(array).message).toMatch(/^Cannot deserialize instance of Account from START_ARRAY/);
  });

  it('creates 201, updates 204, deletes 204; upsert answers 201/200, or 204 before API 46', async () => {
    const created = await call(emu, 'POST', '/sobjects/Account', { Name: 'Wire Co' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String), success: true, errors: [] });
    const id = (created.json as { id: string }).id;
    const patched = await call(emu, 'PATCH', `/sobjects/Account/${id}`, { Phone: '1' });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    const up1 = await call(emu, 'PATCH', '/sobjects/Account/QBO_Id__c/W-1', { Name: 'Wire Upsert' });
    expect([up1.status, up1.json]).toEqual([
      201,
      { id: expect.any(String), success: true, errors: [], created: true },
    ]);
    const up2 = await call(emu, 'PATCH', '/sobjects/Account/QBO_Id__c/W-1', { Name: 'Wire Upsert 2' });
    expect([up2.status, (up2.json as { created: boolean }).created]).toEqual([200, false]);
    const old = await call(emu, 'PATCH', '/services/data/v45.0/sobjects/Account/QBO_Id__c/W-1', {
      Name: 'Wire Upsert 3',
    });
    expect(old.status).toBe(204);
    const byExt = await call(emu, 'GET', '/sobjects/Account/QBO_Id__c/w-1');
    expect(byExt.json).toMatchObject({ Name: 'Wire Upsert 3', QBO_Id__c: 'W-1' });
    const inBody = await call(emu, 'PATCH', '/sobjects/Account/QBO_Id__c/W-2', {
      Name: 'x',
      QBO_Id__c: 'W-3',
    });
    expect(firstError(inBody).errorCode).toBe('INVALID_FIELD');
    const notExt = await call(emu, 'PATCH', '/sobjects/Account/Name/W-1', { Phone: '1' });
    expect([notExt.status, firstError(notExt).message]).toEqual([
      404,
      'Provided external ID field does not exist or is not accessible: Name',
    ]);
    const viaIdField = await call(emu, 'POST', '/sobjects/Account/Id', { Name: 'Created through Id' });
    expect([viaIdField.status, (viaIdField.json as { created: boolean }).created]).toEqual([201, true]);
    expect((await call(emu, 'DELETE', `/sobjects/Account/${id}`)).status).toBe(204);
    const again = await call(emu, 'DELETE', `/sobjects/Account/${id}`);
    expect([again.status, firstError(again)]).toEqual([
      404,
      { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' },
    ]);
    const patchDeleted = await call(emu, 'PATCH', `/sobjects/Account/${id}`, { Phone: '2' });
    expect(firstError(patchDeleted).errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('writes exact decimals and real timestamps', async () => {
    const created = await call(emu, 'POST', '/sobjects/Account', { Name: 'Exact', QB_Balance__c: 0.1 });
    const id = (created.json as { id: string }).id;
    await call(emu, 'PATCH', `/sobjects/Account/${id}`, { QB_Balance__c: 1234567890123.45 });
    const rec = await call(emu, 'GET', `/sobjects/Account/${id}?fields=QB_Balance__c,SystemModstamp`);
    expect(rec.text).toContain('"QB_Balance__c":1234567890123.45');
    await call(emu, 'PATCH', `/sobjects/Account/${id}`, { QB_Balance__c: '10.005' });
    const rounded = await call(emu, 'GET', `/sobjects/Account/${id}?fields=QB_Balance__c`);
    expect(rounded.text).toContain('"QB_Balance__c":10.01');
    await call(emu, 'PATCH', `/sobjects/Account/${id}`, { QB_Balance__c: 1500 });
    expect((await call(emu, 'GET', `/sobjects/Account/${id}?fields=QB_Balance__c`)).text).toContain(
      '"QB_Balance__c":1500.0',
    );
    const range = await call(emu, 'PATCH', `/sobjects/Account/${id}`, { QB_Balance__c: 1e20 });
    expect(firstError(range).errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    const bad = await call(emu, 'GET', `/sobjects/Account/${id}?fields=Name,Nope`);
    expect(firstError(bad).errorCode).toBe('INVALID_FIELD');
  });

  it('answers SOQL errors as 400 arrays', async () => {
    const r = await call(emu, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Nowhere')}`);
    expect(r.status).toBe(400);
    expect(firstError(r).errorCode).toBe('INVALID_TYPE');
    const none = await call(emu, 'GET', '/query');
    expect(firstError(none).errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('composite', () => {
  it('creates mixed types in one collection call with statusCode errors', async () => {
    const r = await call(emu, 'POST', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, Name: 'Coll A' },
        { attributes: { type: 'Contact' }, LastName: 'Coll B' },
        { attributes: { type: 'Contact' }, FirstName: 'No last name' },
        { Name: 'No type' },
      ],
    });
    expect(r.status).toBe(200);
    const results = r.json as Array<{
      id?: string;
      success: boolean;
      errors: Array<{ statusCode: string; message: string; fields: string[] }>;
    }>;
    expect(results.map((x) => x.success)).toEqual([true, true, false, false]);
    expect(results[0]!.id!.slice(0, 3)).toBe('001');
    expect(results[1]!.id!.slice(0, 3)).toBe('003');
    expect(results[2]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [LastName]',
          fields: ['LastName'],
        },
      ],
    });
    expect(results[3]!.errors[0]!.statusCode).toBe('INVALID_TYPE');
  });

  it('rolls every record back with allOrNone', async () => {
    const before = emu.org.tables.get('Account')!.liveCount;
    const r = await call(emu, 'POST', '/composite/sobjects', {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'AON 1' },
        { attributes: { type: 'Account' }, Name: 'x'.repeat(300) },
        { attributes: { type: 'Account' }, Name: 'AON 3' },
      ],
    });
    const results = r.json as Array<{
      success: boolean;
      errors: Array<{ statusCode: string; message: string }>;
    }>;
    expect(results.map((x) => x.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'STRING_TOO_LONG',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    ]);
    expect(results[0]!.errors[0]!.message).toBe(
      'Record rolled back because not all records were valid and the request was using AllOrNone header',
    );
    expect(emu.org.tables.get('Account')!.liveCount).toBe(before);
    const names = await call(
      emu,
      'GET',
      `/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name LIKE 'AON%'")}`,
    );
    expect((names.json as { totalSize: number }).totalSize).toBe(0);
  });

  it('updates, retrieves and deletes collections, and refuses more than 200 records', async () => {
    const made = (
      await call(emu, 'POST', '/composite/sobjects', {
        records: [1, 2, 3].map((i) => ({ attributes: { type: 'Account' }, Name: `Batch ${i}` })),
      })
    ).json as Array<{ id: string }>;
    const ids = made.map((m) => m.id);
    const upd = await call(emu, 'PATCH', '/composite/sobjects', {
      records: [
        { attributes: { type: 'Account' }, id: ids[0], Phone: '1' },
        { attributes: { type: 'Account' }, Phone: '2' },
        { attributes: { type: 'Account' }, id: ids[1]!.slice(0, 15), Phone: '3' },
      ],
    });
    expect(upd.json).toEqual([
      { id: ids[0], success: true, errors: [] },
      {
        success: false,
        errors: [
          { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
        ],
      },
      { id: ids[1], success: true, errors: [] },
    ]);
    const got = await call(
      emu,
      'GET',
      `/composite/sobjects/Account?ids=${ids.join(',')},001000000000000AAA&fields=Name,Phone`,
    );
    expect(got.json).toEqual([
      { attributes: expect.any(Object), Name: 'Batch 1', Phone: '1' },
      { attributes: expect.any(Object), Name: 'Batch 2', Phone: '3' },
      { attributes: expect.any(Object), Name: 'Batch 3', Phone: null },
      null,
    ]);
    const del = await call(emu, 'DELETE', `/composite/sobjects?ids=${ids[0]},bogus&allOrNone=false`);
    expect(del.json).toEqual([
      { id: ids[0], success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id bogus', fields: [] }] },
    ]);
    const tooMany = await call(emu, 'POST', '/composite/sobjects', {
      records: Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `T${i}` })),
    });
    expect(tooMany.status).toBe(400);
    expect(firstError(tooMany)).toEqual({
      errorCode: 'EXCEEDED_ID_LIMIT',
      message: 'record limit reached. cannot submit more than 200 records into this call',
    });
  });

  it('upserts a collection on an external id', async () => {
    const r = await call(emu, 'PATCH', '/composite/sobjects/Product2/QBO_Id__c', {
      allOrNone: false,
      records: [
        {
          attributes: { type: 'Product2' },
          QBO_Id__c: 'ITEM-1',
          Name: 'Widget',
          QB_Item_Type__c: 'Inventory',
        },
        { attributes: { type: 'Product2' }, QBO_Id__c: 'ITEM-2', Name: 'Gadget', QB_Item_Type__c: 'Bogus' },
      ],
    });
    const results = r.json as Array<{
      success: boolean;
      created?: boolean;
      errors: Array<{ statusCode: string }>;
    }>;
    expect(results.map((x) => [x.success, x.created])).toEqual([
      [true, true],
      [false, undefined],
    ]);
    expect(results[1]!.errors[0]!.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const again = await call(emu, 'PATCH', '/composite/sobjects/Product2/QBO_Id__c', {
      records: [{ attributes: { type: 'Product2' }, QBO_Id__c: 'item-1', Name: 'Widget again' }],
    });
    expect((again.json as Array<{ created: boolean }>)[0]!.created).toBe(false);
  });

  it('runs /composite subrequests with references, and rolls back with allOrNone', async () => {
    const ok = await call(emu, 'POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: 'Composite Parent' },
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'ct',
          body: { LastName: 'Kid', AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: '/services/data/v62.0/sobjects/Contact/@{ct.id}?fields=AccountId',
          referenceId: 'read',
        },
        {
          method: 'GET',
          url: "/services/data/v62.0/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{acct.id}'",
          referenceId: 'q',
        },
      ],
    });
    const cr = (
      ok.json as {
        compositeResponse: Array<{
          body: Record<string, unknown>;
          httpStatusCode: number;
          referenceId: string;
          httpHeaders: Record<string, string>;
        }>;
      }
    ).compositeResponse;
    expect(cr.map((x) => x.httpStatusCode)).toEqual([201, 201, 200, 200]);
    expect(cr[0]!.httpHeaders.Location).toBe(`/services/data/v62.0/sobjects/Account/${cr[0]!.body.id}`);
    expect(cr[2]!.body.AccountId).toBe(cr[0]!.body.id);
    expect(cr[3]!.body.totalSize).toBe(1);

    const before = emu.org.tables.get('Account')!.liveCount;
    const fail = await call(emu, 'POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'a1',
          body: { Name: 'Rolled Back' },
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'c1',
          body: { FirstName: 'missing last name', AccountId: '@{a1.id}' },
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'a2',
          body: { Name: 'Never runs' },
        },
      ],
    });
    const fr = (
      fail.json as {
        compositeResponse: Array<{ body: Array<{ errorCode: string }>; httpStatusCode: number }>;
      }
    ).compositeResponse;
    expect(fr.map((x) => [x.httpStatusCode, x.body[0]!.errorCode])).toEqual([
      [400, 'PROCESSING_HALTED'],
      [400, 'REQUIRED_FIELD_MISSING'],
      [400, 'PROCESSING_HALTED'],
    ]);
    expect(emu.org.tables.get('Account')!.liveCount).toBe(before);

    const dangling = await call(emu, 'POST', '/composite', {
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'bad',
          body: { LastName: 'x', AccountId: 'nope' },
        },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Contact/@{bad.id}', referenceId: 'after' },
      ],
    });
    const dr = (
      dangling.json as {
        compositeResponse: Array<{ body: Array<{ errorCode: string }>; httpStatusCode: number }>;
      }
    ).compositeResponse;
    expect(dr.map((x) => x.body[0]!.errorCode)).toEqual(['MALFORMED_ID', 'PROCESSING_HALTED']);

    const tooMany = await call(emu, 'POST', '/composite', {
      compositeRequest: Array.from({ length: 26 }, (_, i) => ({
        method: 'GET',
        url: '/services/data/v62.0/limits',
        referenceId: `r${i}`,
      })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('runs /composite/batch with haltOnError', async () => {
    const r = await call(emu, 'POST', '/composite/batch', {
      haltOnError: true,
      batchRequests: [
        { method: 'GET', url: 'v62.0/limits' },
        { method: 'PATCH', url: 'v62.0/sobjects/Account/001000000000000AAA', richInput: { Name: 'x' } },
        { method: 'GET', url: 'v62.0/sobjects' },
      ],
    });
    const body = r.json as { hasErrors: boolean; results: Array<{ statusCode: number; result: unknown }> };
    expect(body.hasErrors).toBe(true);
    expect(body.results.map((x) => x.statusCode)).toEqual([200, 404, 412]);
    expect(body.results[2]!.result).toEqual([
      { errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' },
    ]);
  });
});

describe('injected faults', () => {
  it('commits a write whose response is dropped (the client cannot tell it happened)', async () => {
    emu.kit.faults.add([
      {
        id: 'drop',
        method: 'POST',
        path: '/services/data/*/sobjects/Account',
        action: { kind: 'drop-response' },
        times: 1,
      },
    ]);
    try {
      await expect(
        call(emu, 'POST', '/sobjects/Account', { Name: 'Dropped Response Co', QBO_Id__c: 'DROP-1' }),
      ).rejects.toThrow();
    } finally {
      emu.kit.faults.remove();
    }
    const found = await call(emu, 'GET', '/sobjects/Account/QBO_Id__c/DROP-1');
    expect(found.status).toBe(200);
    expect((found.json as { Name: string }).Name).toBe('Dropped Response Co');
    const calls = (await (await fetch(`${emu.url}/__emulator/calls`)).json()) as {
      byEndpoint: Record<string, number>;
    };
    expect(calls.byEndpoint['POST /services/data/:version/sobjects/:obj']).toBeGreaterThan(0);
  });

  it('answers 500 UNKNOWN_EXCEPTION, 503 SERVER_UNAVAILABLE and 403 throttling with the real bodies', async () => {
    emu.kit.faults.add([
      { id: 'f500', path: '/services/data/*/limits', action: { kind: 'status', status: 500 }, times: 1 },
      { id: 'f503', path: '/services/data/*/limits', action: { kind: 'status', status: 503 }, times: 1 },
      { id: 'thr', path: '/services/data/*/limits', action: { kind: 'throttle' }, times: 1 },
    ]);
    try {
      const a = await call(emu, 'GET', '/limits');
      expect([a.status, firstError(a).errorCode]).toEqual([500, 'UNKNOWN_EXCEPTION']);
      expect(firstError(a).message).toMatch(
        /^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(-\d+\)$/,
      );
      const b = await call(emu, 'GET', '/limits');
      expect([b.status, firstError(b).errorCode]).toEqual([503, 'SERVER_UNAVAILABLE']);
      const c = await call(emu, 'GET', '/limits');
      expect([c.status, firstError(c).errorCode]).toEqual([403, 'REQUEST_LIMIT_EXCEEDED']);
      expect((await call(emu, 'GET', '/limits')).status).toBe(200);
    } finally {
      emu.kit.faults.remove();
    }
  });
});
