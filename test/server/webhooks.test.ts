/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of the API under test */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease, releaseLease } from '../../src/store/leases.ts';
import { qboApi, salesforceApi, startHarness, until, type Harness } from './helpers.ts';

let h: Harness;
let links: any[];

const sign = (body: string, token: string) => createHmac('sha256', token).update(body).digest('base64');

async function postHook(body: string, signature: string | null): Promise<{ status: number; json: any }> {
  const res = await fetch(`${h.server.url}/webhooks/qbo`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'intuit-signature': signature }),
    },
    body,
  });
  return { status: res.status, json: await res.json() };
}

const webhookRuns = async (): Promise<any[]> =>
  (await h.call('GET', '/api/runs?trigger=webhook&limit=100')).json;

beforeAll(async () => {
  h = await startHarness({
    records: 60,
    qboOptions: { webhooks: { delayMs: 30, retryDelaysMs: [] } },
    server: { webhookDebounceMs: 200 },
  });
  const first = await h.call('POST', '/api/sync', {});
  expect(first.json.status).toBe('succeeded');
  links = (await h.call('GET', '/api/links?limit=20')).json.links;
  // only now: the initial sync's own writes are not what these tests are about
  const reg = await fetch(`${h.sandbox.qbo.url}/__emulator/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${h.server.url}/webhooks/qbo` }),
  });
  expect(reg.status).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

describe('QuickBooks webhooks', () => {
  it('a customer changed in QuickBooks reaches Salesforce through a webhook-triggered sync', async () => {
    const qb = qboApi(h.sandbox);
    const sf = salesforceApi(h.sandbox);
    const [a, b, c] = links;
    // three changes close together: coalesced into one run of just those records
    await qb.updateCustomer(a.qb_id, { PrimaryPhone: { FreeFormNumber: '+1 555 0101' } });
    await qb.updateCustomer(b.qb_id, { PrimaryPhone: { FreeFormNumber: '+1 555 0102' } });
    await qb.updateCustomer(c.qb_id, { PrimaryPhone: { FreeFormNumber: '+1 555 0103' } });
    await until(async () => (await sf.account(c.sf_id)).Phone === '+1 555 0103', 'the change in Salesforce');
    expect((await sf.account(a.sf_id)).Phone).toBe('+1 555 0101');
    expect((await sf.account(b.sf_id)).Phone).toBe('+1 555 0102');
    await h.server.webhooks.idle();

    const runs = await webhookRuns();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(
      runs.every((r) => r.trigger === 'webhook' && r.mode === 'record' && r.status === 'succeeded'),
    ).toBe(true);
    const read = runs.reduce((n, r) => n + r.stats.flows.customers.read.qb, 0);
    expect(read).toBe(3);
    // Salesforce's echo of our write does not come back, and the engine's writes to Salesforce do not
    // trigger QuickBooks webhooks: nothing else runs
    await new Promise((r) => setTimeout(r, 400));
    await h.server.webhooks.idle();
    expect(await webhookRuns()).toHaveLength(runs.length);
    const deliveries = (await (
      await fetch(`${h.sandbox.qbo.url}/__emulator/webhooks/deliveries`)
    ).json()) as any[];
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.ok && d.status === 200)).toBe(true);
  });

  it('refuses a forged or missing signature with 401 and runs nothing', async () => {
    const before = (await webhookRuns()).length;
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: 'forged-1',
        source: 'intuit.x',
        type: 'qbo.customer.updated.v1',
        time: new Date().toISOString(),
        intuitentityid: links[3].qb_id,
        intuitaccountid: h.sandbox.qbo.info.realmId,
        data: {},
      },
    ]);
    const forged = await postHook(body, sign(body, 'not-the-verifier-token'));
    expect(forged.status).toBe(401);
    expect(forged.json.error).toBe('unauthorized');
    const tampered = await postHook(`${body} `, sign(body, h.sandbox.qbo.info.webhookVerifierToken));
    expect(tampered.status).toBe(401);
    const missing = await postHook(body, null);
    expect(missing.status).toBe(401);
    expect(missing.json.message).toMatch(/intuit-signature/);
    await new Promise((r) => setTimeout(r, 400));
    await h.server.webhooks.idle();
    expect(await webhookRuns()).toHaveLength(before);
  });

  it('answers 400 saying what is wrong with a malformed payload (signed)', async () => {
    const token = h.sandbox.qbo.info.webhookVerifierToken;
    const notJson = 'this is not json';
    const a = await postHook(notJson, sign(notJson, token));
    expect(a.status).toBe(400);
    expect(a.json.message).toMatch(/not JSON/);

    const noType = JSON.stringify([
      { specversion: '1.0', id: 'x', intuitentityid: '1', intuitaccountid: 'r' },
    ]);
    const b = await postHook(noType, sign(noType, token));
    expect(b.status).toBe(400);
    expect(b.json.issues[0].field).toBe('0.type');

    const legacyBad = JSON.stringify({
      eventNotifications: [{ realmId: 'r', dataChangeEvent: { entities: [{}] } }],
    });
    const c = await postHook(legacyBad, sign(legacyBad, token));
    expect(c.status).toBe(400);
    expect(c.json.issues.map((i: any) => i.field)).toContain(
      'eventNotifications.0.dataChangeEvent.entities.0.id',
    );

    const other = JSON.stringify({ hello: 'world' });
    const d = await postHook(other, sign(other, token));
    expect(d.status).toBe(400);
    expect(d.json.message).toMatch(/neither a CloudEvents array nor an object with "eventNotifications"/);
  });

  it('reads the legacy format, and waits while another run holds the flow', async () => {
    const qb = qboApi(h.sandbox);
    const sf = salesforceApi(h.sandbox);
    const link = links[4];
    // the change itself is made with the emulator's webhooks quiet: we deliver the legacy notice by hand
    await fetch(`${h.sandbox.qbo.url}/__emulator/webhooks`, { method: 'DELETE' });
    await qb.updateCustomer(link.qb_id, { PrimaryPhone: { FreeFormNumber: '+1 555 0199' } });
    const db = h.sandbox.runtime.store.db;
    await acquireLease(db, 'flow:customers', 'someone-else', 60);
    const before = (await webhookRuns()).length;
    const body = JSON.stringify({
      eventNotifications: [
        {
          realmId: h.sandbox.qbo.info.realmId,
          dataChangeEvent: {
            entities: [
              {
                id: link.qb_id,
                operation: 'Update',
                name: 'Customer',
                lastUpdated: new Date().toISOString(),
              },
              { id: '1', operation: 'Create', name: 'Invoice', lastUpdated: new Date().toISOString() },
            ],
          },
        },
        {
          realmId: 'another-company',
          dataChangeEvent: { entities: [{ id: '9', operation: 'Update', name: 'Customer' }] },
        },
      ],
    });
    const r = await postHook(body, sign(body, h.sandbox.qbo.info.webhookVerifierToken));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ received: 3, queued: 1, ignored: 2 });
    await new Promise((res) => setTimeout(res, 700));
    expect(await webhookRuns()).toHaveLength(before);
    expect((await sf.account(link.sf_id)).Phone).not.toBe('+1 555 0199');

    await releaseLease(db, 'flow:customers', 'someone-else');
    await until(
      async () => (await sf.account(link.sf_id)).Phone === '+1 555 0199',
      'the change after the lease',
    );
    await h.server.webhooks.idle();
    const runs = await webhookRuns();
    expect(runs).toHaveLength(before + 1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', mode: 'record' });
  });
});
