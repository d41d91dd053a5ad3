/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of the API under test */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qboApi, salesforceApi, startHarness, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ records: 80 });
});
afterAll(async () => {
  await h?.close();
});

describe('the admin API', () => {
  it('answers /health without a token', async () => {
    const r = await h.call('GET', '/health', undefined, { token: null });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', store: 'pglite' });
  });

  it('refuses every /api route without the admin token, or with a wrong one', async () => {
    for (const [method, path] of [
      ['GET', '/api/runs'],
      ['POST', '/api/sync'],
      ['GET', '/api/connections'],
      ['POST', '/api/errors/1/dismiss'],
      ['GET', '/api/no-such-route'],
    ] as const) {
      const none = await h.call(method, path, undefined, { token: null });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.json.error).toBe('unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const wrong = await h.call(method, path, undefined, { token: 'test-admin-tokem' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.message).toMatch(/not valid/);
    }
    // the token only in the query string does not open the admin API
    const r = await h.call('GET', `/api/runs?token=${h.server.adminToken}`, undefined, { token: null });
    expect(r.status).toBe(401);
  });

  it('rejects bad bodies with 400 naming the field, and malformed JSON', async () => {
    const a = await h.call('POST', '/api/sync', { flows: 'customers' });
    expect(a.status).toBe(400);
    expect(a.json.error).toBe('bad-request');
    expect(a.json.issues[0].field).toBe('flows');
    expect(a.json.message).toMatch(/^invalid sync request: flows: /);

    const b = await h.call('POST', '/api/sync', { dryRun: 'yes', qb: [1] });
    expect(b.status).toBe(400);
    expect(b.json.issues.map((i: any) => i.field).sort()).toEqual(['dryRun', 'qb.0']);

    const c = await h.call('POST', '/api/sync', { flow: ['customers'] });
    expect(c.status).toBe(400);
    expect(c.json.issues[0].field).toBe('flow');

    const d = await h.call('POST', '/api/sync', undefined, { raw: '{"flows": [' });
    expect(d.status).toBe(400);
    expect(d.json.error).toBe('bad-json');

    const e = await h.call('GET', '/api/links?limit=many');
    expect(e.status).toBe(400);
    expect(e.json.issues[0].field).toBe('limit');

    const f = await h.call('POST', '/api/errors/1/retry', { keep: 'both' });
    expect(f.status).toBe(400);
    expect(f.json.issues[0].field).toBe('keep');
  });

  it('answers 404 for an unknown flow, run, error, unmatched entry, connection or route', async () => {
    const flow = await h.call('POST', '/api/sync', { flows: ['nope'] });
    expect(flow.status).toBe(404);
    expect(flow.json.message).toMatch(/no flow named "nope"/);
    for (const [method, path, message] of [
      ['GET', '/api/runs/999999', /no run 999999/],
      ['GET', '/api/runs/abc', /no run abc/],
      ['POST', '/api/errors/999999/retry', /no error 999999/],
      ['POST', '/api/errors/999999/dismiss', /no error 999999/],
      ['POST', '/api/unmatched/999999/create', /no unmatched entry 999999/],
      ['POST', '/api/unmatched/999999/ignore', /no unmatched entry 999999/],
      ['POST', '/api/connections/nope/test', /no connection "nope"/],
      ['GET', '/api/nothing-here', /no route GET \/api\/nothing-here/],
    ] as const) {
      const r = await h.call(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error).toBe('not-found');
      expect(r.json.message).toMatch(message);
    }
    const link = await h.call('POST', '/api/links', { flow: 'nope', sf: 'x', qb: 'y' });
    expect(link.status).toBe(404);
  });

  it('plans with a dry run, then syncs; runs and links are visible', async () => {
    const dry = await h.call('POST', '/api/sync', { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json.mode).toBe('dry-run');
    expect(dry.json.flows[0].plan.length).toBeGreaterThan(0);
    expect((await h.call('GET', '/api/links')).json.total).toBe(0);

    const r = await h.call('POST', '/api/sync', {});
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'succeeded', mode: 'initial' });
    const runId = r.json.runId;

    const runs = await h.call('GET', '/api/runs?limit=5');
    expect(runs.json[0]).toMatchObject({ id: runId, trigger: 'api', status: 'succeeded' });
    expect((await h.call('GET', '/api/runs?trigger=webhook')).json).toEqual([]);

    const run = await h.call('GET', `/api/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.json.run.id).toBe(runId);
    expect(run.json.outcomes.length).toBeGreaterThan(0);
    const linked = await h.call('GET', `/api/runs/${runId}?action=linked&limit=3`);
    expect(linked.json.outcomes).toHaveLength(3);
    expect(linked.json.outcomes.every((o: any) => o.action === 'linked')).toBe(true);

    const links = await h.call('GET', '/api/links?flow=customers&limit=10');
    expect(links.json.total).toBeGreaterThan(10);
    expect(links.json.links).toHaveLength(10);
    const page2 = await h.call('GET', `/api/links?flow=customers&limit=10&after=${links.json.next}`);
    expect(page2.json.links[0].id).toBeLessThan(links.json.links[9].id);
    const one = links.json.links[0];
    const bySf = await h.call('GET', `/api/links?sf=${one.sf_id}`);
    expect(bySf.json.links).toEqual([one]);

    // the second run writes nothing
    const again = await h.call('POST', '/api/sync', { flows: ['customers'] });
    expect(again.json.status).toBe('succeeded');
    expect(again.json.flows[0].counts['sf->qb created'] ?? 0).toBe(0);
    expect(again.json.flows[0].counts['qb->sf created'] ?? 0).toBe(0);
  });

  it('answers 409 when a run of the same flow is already going', async () => {
    const [a, b] = await Promise.all([h.call('POST', '/api/sync', {}), h.call('POST', '/api/sync', {})]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const busy = a.status === 409 ? a : b;
    expect(busy.json.error).toBe('conflict');
    expect(busy.json.message).toMatch(/flow:customers is already running/);
  });

  it('lists the unmatched, ignores one and creates another', async () => {
    const open = await h.call('GET', '/api/unmatched');
    expect(open.status).toBe(200);
    expect(open.json.length).toBeGreaterThan(1);
    const [first, second] = open.json;
    const sfOnly = await h.call('GET', '/api/unmatched?side=sf&status=all');
    expect(sfOnly.json.every((u: any) => u.side === 'sf')).toBe(true);

    const ignored = await h.call('POST', `/api/unmatched/${first.id}/ignore`);
    expect(ignored.json).toEqual({ id: first.id, status: 'ignored' });
    const after = await h.call('GET', '/api/unmatched');
    expect(after.json.some((u: any) => u.id === first.id)).toBe(false);

    const created = await h.call('POST', `/api/unmatched/${second.id}/create`);
    expect(created.status).toBe(200);
    expect(created.json.status).toBe('succeeded');
    const counts = created.json.flows[0].counts;
    expect((counts['sf->qb created'] ?? 0) + (counts['qb->sf created'] ?? 0)).toBe(1);
    const link = await h.call('GET', `/api/links?${second.side}=${second.record_id}`);
    expect(link.json.links).toHaveLength(1);
  });

  it('lists held records as errors, retries and dismisses them', async () => {
    const links = (await h.call('GET', '/api/links?limit=2')).json.links;
    const sf = salesforceApi(h.sandbox);
    // a phone longer than QuickBooks takes (30) is held back, never cut
    for (const l of links) await sf.updateAccount(l.sf_id, { Phone: '+1 555 0100 extension 1234567890' });
    const held = await h.call('POST', '/api/sync', {});
    expect(held.json.status).toBe('succeeded');
    const errors = await h.call('GET', '/api/errors?flow=customers');
    expect(errors.status).toBe(200);
    const mine = errors.json.filter((e: any) => links.some((l: any) => l.sf_id === e.sf_id));
    expect(mine).toHaveLength(2);
    expect(mine[0].kind).toBe('validation');

    // fixed in Salesforce, then retried through the API: resolved
    const [e1, e2] = mine;
    await sf.updateAccount(e1.sf_id, { Phone: '+1 555 0100' });
    const retried = await h.call('POST', `/api/errors/${e1.id}/retry`, { keep: 'salesforce' });
    expect(retried.status).toBe(200);
    expect(retried.json.mode).toBe('record');
    const qb = qboApi(h.sandbox);
    const link = links.find((l: any) => l.sf_id === e1.sf_id);
    expect((await qb.customer(link.qb_id)).PrimaryPhone.FreeFormNumber).toBe('+1 555 0100');
    const resolved = await h.call('GET', '/api/errors?status=resolved');
    expect(resolved.json.some((e: any) => e.id === e1.id)).toBe(true);

    const dismissed = await h.call('POST', `/api/errors/${e2.id}/dismiss`, {});
    expect(dismissed.json).toEqual({ id: e2.id, status: 'dismissed' });
    const twice = await h.call('POST', `/api/errors/${e2.id}/dismiss`);
    expect(twice.status).toBe(409);
    expect((await h.call('GET', '/api/errors?status=dismissed')).json.map((e: any) => e.id)).toContain(e2.id);
  });

  it('links a pair by hand and refuses a pair already linked', async () => {
    const qb = qboApi(h.sandbox);
    const sfIds = (await h.call('GET', '/api/unmatched?side=sf')).json.map((u: any) => u.record_id);
    const lone = (await qb.query("select * from Customer where DisplayName = 'Hand Linked Co'")).Customer;
    expect(lone).toBeUndefined();
    // a fresh QuickBooks customer the engine has not seen, linked by hand to an unmatched account
    const created = await fetch(
      `${h.sandbox.qbo.info.baseUrl}/v3/company/${h.sandbox.qbo.info.realmId}/customer?minorversion=75`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.sandbox.qbo.info.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ DisplayName: 'Hand Linked Co' }),
      },
    ).then((r) => r.json() as Promise<any>);
    const r = await h.call('POST', '/api/links', { sf: sfIds[0], qb: created.Customer.Id });
    expect(r.status).toBe(200);
    expect(r.json.flows[0].counts['link linked'] ?? r.json.flows[0].counts).toBeTruthy();
    const link = await h.call('GET', `/api/links?qb=${created.Customer.Id}`);
    expect(link.json.links[0]).toMatchObject({ sf_id: sfIds[0], origin: expect.any(String) });

    const again = await h.call('POST', '/api/links', { sf: sfIds[0], qb: created.Customer.Id });
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/already linked/);
  });

  it('lists connections without secrets and tests them', async () => {
    const r = await h.call('GET', '/api/connections');
    expect(r.json.map((c: any) => c.id)).toEqual(['qbo', 'salesforce']);
    const text = r.text;
    for (const secret of [
      h.sandbox.qbo.info.accessToken,
      h.sandbox.qbo.info.refreshToken,
      h.sandbox.qbo.info.clientSecret,
      h.sandbox.qbo.info.webhookVerifierToken,
      h.sandbox.salesforce.info.clientSecret,
      h.sandbox.salesforce.info.refreshToken,
    ])
      expect(text).not.toContain(secret);
    expect(r.json[0].hasSecrets).toContain('refreshToken');

    for (const id of ['qbo', 'salesforce']) {
      const t = await h.call('POST', `/api/connections/${id}/test`);
      expect(t.status).toBe(200);
      expect(t.json).toMatchObject({ id, ok: true });
    }
  });

  it('takes ids in bulk: retry all, dismiss, ignore; pages runs', async () => {
    const both = await h.call('POST', '/api/errors/retry', { ids: [1], all: true });
    expect(both.status).toBe(400);
    expect(both.json.issues[0]).toEqual({ field: 'ids', message: 'name error ids, or all: true (not both)' });
    const all = await h.call('POST', '/api/errors/retry', { all: true });
    expect(all.status).toBe(200);
    expect(Array.isArray(all.json)).toBe(true);
    expect((await h.call('POST', '/api/errors/dismiss', { ids: [999999] })).status).toBe(404);
    expect((await h.call('POST', '/api/errors/dismiss', { ids: [] })).json.issues[0].field).toBe('ids');

    const open = (await h.call('GET', '/api/unmatched?limit=2')).json;
    const missing = await h.call('POST', '/api/unmatched/ignore', { ids: [open[0].id, 999999] });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('no unmatched entry 999999');
    const ignored = await h.call('POST', '/api/unmatched/ignore', { ids: open.map((u: any) => u.id) });
    expect(ignored.json).toEqual({ ignored: 2 });

    const newest = (await h.call('GET', '/api/runs?limit=2')).json;
    const older = (await h.call('GET', `/api/runs?limit=2&before=${newest[1].id}`)).json;
    expect(older[0].id).toBeLessThan(newest[1].id);
  });

  it('adds connections (emulator, Salesforce password) and removes them', async () => {
    const emu = await h.call('POST', '/api/connections', {
      kind: 'emulator',
      system: 'qbo',
      id: 'qbo-2',
      url: h.sandbox.qbo.url,
    });
    expect(emu.status).toBe(201);
    expect(emu.json).toMatchObject({ id: 'qbo-2', system: 'qbo', status: 'active' });
    expect(emu.text).not.toContain(h.sandbox.qbo.info.accessToken);
    expect((await h.call('POST', '/api/connections/qbo-2/test')).json.ok).toBe(true);

    const sf = h.sandbox.salesforce.info as any;
    const login = { kind: 'salesforce-password', id: 'sf-pw', loginUrl: sf.loginUrl, username: sf.username };
    const pw = await h.call('POST', '/api/connections', {
      ...login,
      password: sf.password,
      securityToken: sf.securityToken,
    });
    expect(pw.status, pw.text).toBe(201);
    expect(pw.json.settings).toMatchObject({ authFlow: 'password', username: sf.username });
    expect(pw.text).not.toContain(sf.password);
    const wrong = await h.call('POST', '/api/connections', {
      ...login,
      password: 'wrong',
      securityToken: '',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('bad-credentials');

    const notEmu = await h.call('POST', '/api/connections', {
      kind: 'emulator',
      system: 'salesforce',
      url: h.server.url,
    });
    expect(notEmu.status).toBe(400);
    const badUrl = await h.call('POST', '/api/connections', {
      kind: 'emulator',
      system: 'qbo',
      url: 'nowhere',
    });
    expect(badUrl.json.issues[0].field).toBe('url');
    const badKind = await h.call('POST', '/api/connections', { kind: 'magic' });
    expect(badKind.status).toBe(400);
    expect(badKind.json.issues[0].field).toBe('kind');

    for (const id of ['qbo-2', 'sf-pw']) {
      expect((await h.call('DELETE', `/api/connections/${id}`)).json).toEqual({ id, removed: true });
      expect((await h.call('DELETE', `/api/connections/${id}`)).status).toBe(404);
    }
  });

  it('lists the flows', async () => {
    const r = await h.call('GET', '/api/flows');
    expect(r.json).toEqual([
      expect.objectContaining({
        name: 'customers',
        enabled: true,
        quickbooks: { connection: 'qbo', entity: 'Customer' },
      }),
    ]);
  });
});
