/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of the API under test */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../helpers/stores.ts';
import { qboApi, salesforceApi, startHarness, until, type Harness } from './helpers.ts';

let pg: TestStore;
let h: Harness;

beforeAll(async () => {
  pg = await openTestStore('postgres');
  h = await startHarness({
    records: 60,
    location: pg.location,
    // no data folder: the secrets key comes from the environment
    env: { ...process.env, LEDGERBRIDGE_SECRET_KEY: randomBytes(32).toString('base64') },
    server: { adminToken: undefined, env: {}, webhookDebounceMs: 100 },
  });
});
afterAll(async () => {
  await h?.close();
  await pg?.dispose();
});

describe('the server on PostgreSQL', () => {
  it('generates a per-process admin token (no data folder to keep one in)', async () => {
    expect(h.server.adminTokenSource).toBe('generated');
    expect(h.server.adminToken.length).toBeGreaterThanOrEqual(40);
    expect((await h.call('GET', '/health', undefined, { token: null })).json).toEqual({
      status: 'ok',
      store: 'postgres',
    });
    expect((await h.call('GET', '/api/runs', undefined, { token: 'x' })).status).toBe(401);
  });

  it('syncs through the API, with 409 for a concurrent run of the same flow', async () => {
    const [a, b] = await Promise.all([h.call('POST', '/api/sync', {}), h.call('POST', '/api/sync', {})]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const done = a.status === 200 ? a : b;
    expect(done.json).toMatchObject({ status: 'succeeded', mode: 'initial' });
    const links = await h.call('GET', '/api/links?limit=5');
    expect(links.json.total).toBeGreaterThan(5);
    const runs = await h.call('GET', '/api/runs');
    expect(runs.json.some((r: any) => r.id === done.json.runId && r.trigger === 'api')).toBe(true);
  });

  it('takes a signed webhook and syncs the changed customer to Salesforce', async () => {
    const link = (await h.call('GET', '/api/links?limit=1')).json.links[0];
    await qboApi(h.sandbox).updateCustomer(link.qb_id, { PrimaryPhone: { FreeFormNumber: '+1 555 0177' } });
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: 'evt-1',
        source: 'intuit.test',
        type: 'qbo.customer.updated.v1',
        time: new Date().toISOString(),
        intuitentityid: link.qb_id,
        intuitaccountid: h.sandbox.qbo.info.realmId,
        data: {},
      },
    ]);
    const signature = createHmac('sha256', h.sandbox.qbo.info.webhookVerifierToken)
      .update(body)
      .digest('base64');
    const res = await fetch(`${h.server.url}/webhooks/qbo`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json', 'intuit-signature': signature },
      body,
    });
    expect(res.status).toBe(200);
    const sf = salesforceApi(h.sandbox);
    await until(
      async () => (await sf.account(link.sf_id)).Phone === '+1 555 0177',
      'the change in Salesforce',
    );
    await h.server.webhooks.idle();
    const runs = (await h.call('GET', '/api/runs?trigger=webhook')).json;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ mode: 'record', status: 'succeeded' });
  });
});
