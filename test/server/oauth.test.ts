/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of the API under test */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/index.ts';
import { openTestStore, type TestStore } from '../helpers/stores.ts';
import { startHarness, type Harness } from './helpers.ts';

let h: Harness;
let pg: TestStore;
/** The server's environment: client secrets of new connections come from here. */
const env: NodeJS.ProcessEnv = {};

// On PostgreSQL: the sign-in state lives in the store, so any server process sharing it can take the callback.
beforeAll(async () => {
  pg = await openTestStore('postgres');
  h = await startHarness({
    records: 20,
    location: pg.location,
    env: { ...process.env, LEDGERBRIDGE_SECRET_KEY: randomBytes(32).toString('base64') },
    server: { adminToken: 'oauth-admin', env },
  });
  Object.assign(env, {
    SALESFORCE_CLIENT_SECRET: h.sandbox.salesforce.info.clientSecret,
    QBO_CLIENT_SECRET: h.sandbox.qbo.info.clientSecret,
  });
});
afterAll(async () => {
  await h?.close();
  await pg?.dispose();
});

/** GET without following redirects. */
async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { redirect: 'manual', headers });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    location: res.headers.get('location'),
    text,
    json,
    type: res.headers.get('content-type'),
  };
}

const admin = () => ({ authorization: `Bearer ${h.server.adminToken}` });

/** start → provider's authorize (approves at once) → our callback; returns the callback's answer. */
async function roundTrip(
  startPath: string,
  headers: Record<string, string> = admin(),
  accept = 'application/json',
) {
  const start = await get(`${h.server.url}${startPath}`, headers);
  expect(start.status, start.text).toBe(302);
  const authorize = await get(start.location!);
  expect(authorize.status, authorize.text).toBe(302);
  const back = new URL(authorize.location!);
  expect(back.origin + back.pathname).toMatch(
    new RegExp(`^${h.server.url}/oauth/(salesforce|qbo)/callback$`),
  );
  const done = await get(authorize.location!, { accept });
  return { start, authorize, done, callbackUrl: authorize.location! };
}

describe('OAuth through the server', () => {
  it('connects a new Salesforce org (web-server flow with PKCE) and the connection works', async () => {
    const sf = h.sandbox.salesforce.info;
    const q = new URLSearchParams({ connection: 'sf-oauth', loginUrl: sf.loginUrl, clientId: sf.clientId });
    const { start, done, callbackUrl } = await roundTrip(`/oauth/salesforce/start?${q}`);
    const authorizeUrl = new URL(start.location!);
    expect(authorizeUrl.pathname).toBe('/services/oauth2/authorize');
    expect(authorizeUrl.searchParams.get('code_challenge')).toBeTruthy();
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${h.server.url}/oauth/salesforce/callback`);
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({
      ok: true,
      connection: 'sf-oauth',
      system: 'salesforce',
      instanceUrl: sf.instanceUrl,
    });

    const list = await h.call('GET', '/api/connections', undefined, { token: h.server.adminToken });
    const c = list.json.find((x: any) => x.id === 'sf-oauth');
    expect(c.settings).toMatchObject({ authFlow: 'oauth', clientId: sf.clientId, loginUrl: sf.loginUrl });
    expect(c.hasSecrets.sort()).toEqual(['accessToken', 'clientSecret', 'refreshToken']);
    const test = await h.call('POST', '/api/connections/sf-oauth/test', undefined, {
      token: h.server.adminToken,
    });
    expect(test.json).toMatchObject({ id: 'sf-oauth', ok: true });

    // the state is used once
    const replay = await get(callbackUrl, { accept: 'application/json' });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('bad-state');
  });

  it('reconnects an existing Salesforce connection from a browser link (?token=), with its own secret', async () => {
    const { done } = await roundTrip(
      `/oauth/salesforce/start?connection=salesforce&token=${h.server.adminToken}`,
      {},
      'text/html',
    );
    expect(done.status).toBe(200);
    expect(done.type).toMatch(/text\/html/);
    expect(done.text).toMatch(/ledgerbridge is connected/);
    const test = await h.call('POST', '/api/connections/salesforce/test', undefined, {
      token: h.server.adminToken,
    });
    expect(test.json.ok).toBe(true);
  });

  it('connects a QuickBooks company (realmId from the callback), and a reconnect keeps the webhook verifier', async () => {
    const qb = h.sandbox.qbo.info;
    const q = new URLSearchParams({
      connection: 'qbo-oauth',
      clientId: qb.clientId,
      baseUrl: qb.baseUrl,
      authorizeUrl: qb.authorizeUrl,
      tokenUrl: qb.tokenUrl,
      revokeUrl: qb.revokeUrl,
    });
    const { start, done } = await roundTrip(`/oauth/qbo/start?${q}`);
    expect(new URL(start.location!).searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({
      ok: true,
      connection: 'qbo-oauth',
      system: 'qbo',
      realmId: qb.realmId,
    });
    const test = await h.call('POST', '/api/connections/qbo-oauth/test', undefined, {
      token: h.server.adminToken,
    });
    expect(test.json).toMatchObject({ id: 'qbo-oauth', ok: true });

    const again = await roundTrip('/oauth/qbo/start?connection=qbo');
    expect(again.done.json).toMatchObject({ ok: true, connection: 'qbo' });
    const list = await h.call('GET', '/api/connections', undefined, { token: h.server.adminToken });
    const c = list.json.find((x: any) => x.id === 'qbo');
    expect(c.hasSecrets).toContain('webhookVerifierToken');
    expect(c.settings.realmId).toBe(qb.realmId);
    const sync = await h.call('POST', '/api/sync', {}, { token: h.server.adminToken });
    expect(sync.json.status).toBe('succeeded');
  });

  it('refuses a start without the admin token, without a client secret, or for the wrong system', async () => {
    const noToken = await get(`${h.server.url}/oauth/qbo/start?connection=qbo`);
    expect(noToken.status).toBe(401);
    const wrongToken = await get(`${h.server.url}/oauth/qbo/start?connection=qbo&token=nope`);
    expect(wrongToken.status).toBe(401);

    const secret = env.SALESFORCE_CLIENT_SECRET;
    delete env.SALESFORCE_CLIENT_SECRET;
    const noSecret = await get(
      `${h.server.url}/oauth/salesforce/start?connection=other&clientId=someone-elses-app&loginUrl=${encodeURIComponent(h.sandbox.salesforce.url)}`,
      admin(),
    );
    expect(noSecret.status).toBe(400);
    expect(noSecret.json.message).toMatch(/SALESFORCE_CLIENT_SECRET/);
    env.SALESFORCE_CLIENT_SECRET = secret;

    const wrongSystem = await get(`${h.server.url}/oauth/salesforce/start?connection=qbo`, admin());
    expect(wrongSystem.status).toBe(409);

    const badQuery = await get(`${h.server.url}/oauth/qbo/start?connection=qbo&baseUrl=not-a-url`, admin());
    expect(badQuery.status).toBe(400);
    expect(badQuery.json.issues[0].field).toBe('baseUrl');
  });

  it('lets another server process on the same store take the callback', async () => {
    const other = await startServer({ runtime: h.sandbox.runtime, adminToken: 'other', env });
    try {
      const start = await get(`${h.server.url}/oauth/qbo/start?connection=qbo`, admin());
      const authorize = await get(start.location!);
      const callback = new URL(authorize.location!);
      const done = await get(`${other.url}${callback.pathname}${callback.search}`, {
        accept: 'application/json',
      });
      expect(done.status, done.text).toBe(200);
      expect(done.json).toMatchObject({ ok: true, connection: 'qbo' });
    } finally {
      await other.close();
    }
  });

  it('answers 400 to an unknown state, and to a refusal by the provider', async () => {
    const unknown = await get(`${h.server.url}/oauth/qbo/callback?code=abc&state=made-up&realmId=1`, {
      accept: 'application/json',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('bad-state');
    const none = await get(`${h.server.url}/oauth/salesforce/callback?code=abc`);
    expect(none.status).toBe(400);

    const start = await get(
      `${h.server.url}/oauth/salesforce/start?connection=salesforce&format=json`,
      admin(),
    );
    expect(start.status).toBe(200);
    const state = new URL(start.json.authorizeUrl).searchParams.get('state')!;
    // a Salesforce state is not a QuickBooks one
    const crossed = await get(`${h.server.url}/oauth/qbo/callback?code=x&state=${state}&realmId=1`);
    expect(crossed.status).toBe(400);
    const start2 = await get(
      `${h.server.url}/oauth/salesforce/start?connection=salesforce&format=json`,
      admin(),
    );
    const state2 = new URL(start2.json.authorizeUrl).searchParams.get('state')!;
    const refused = await get(
      `${h.server.url}/oauth/salesforce/callback?state=${state2}&error=access_denied&error_description=end-user+denied+authorization`,
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/access_denied \(end-user denied authorization\)/);
  });
});
