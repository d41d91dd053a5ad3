import OAuthClient from 'intuit-oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

// Intuit's own OAuth client, pointed at the emulator: the authorization-code flow and refresh with
// rotation work the way they work against Intuit.
let emu: RunningQboEmulator;
const REDIRECT = 'http://127.0.0.1:9/callback';

beforeAll(async () => {
  emu = await start({ records: 5, realms: 2 });
});
afterAll(() => emu.close());

function client(secret = emu.info.clientSecret): OAuthClient {
  const c = new OAuthClient({
    clientId: emu.info.clientId,
    clientSecret: secret,
    environment: 'sandbox',
    redirectUri: REDIRECT,
  });
  c.setAuthorizeURLs({
    authorizeEndpoint: emu.info.authorizeUrl,
    tokenEndpoint: emu.info.tokenUrl,
    revokeEndpoint: emu.info.revokeUrl,
    userInfoEndpoint: `${emu.url}/v1/openid_connect/userinfo`,
  });
  return c;
}

/** Walks the consent step: the emulator approves at once and redirects with code, state, realmId. */
async function consent(c: OAuthClient, extra = ''): Promise<string> {
  const uri = c.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 'st-123' }) + extra;
  const res = await fetch(uri, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

async function refreshError(c: OAuthClient, token: string): Promise<string> {
  const err = await c.refreshUsingToken(token).then(
    () => undefined,
    (e: { error?: string }) => e,
  );
  return (err as { error?: string } | undefined)?.error ?? 'no error';
}

describe('Intuit OAuth 2.0 with intuit-oauth', () => {
  it('runs the authorization-code flow and the tokens work on the API', async () => {
    const c = client();
    const callback = await consent(c);
    const url = new URL(callback);
    expect(url.origin + url.pathname).toBe(REDIRECT);
    expect(url.searchParams.get('state')).toBe('st-123');
    expect(url.searchParams.get('realmId')).toBe(emu.info.realmId);
    const auth = await c.createToken(callback);
    const json = auth.getJson();
    expect(json).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      x_refresh_token_expires_in: 8726400,
    });
    expect(Object.keys(json).sort()).toEqual(
      ['access_token', 'expires_in', 'refresh_token', 'token_type', 'x_refresh_token_expires_in'].sort(),
    );
    expect(c.getToken().realmId).toBe(emu.info.realmId);
    const info = await api(emu, { token: json.access_token }).get(`/companyinfo/${emu.info.realmId}`);
    expect(info.status).toBe(200);
    expect(info.json.CompanyInfo.CompanyName).toBe('Sandbox Company_US_1');
    const again = await c.createToken(callback).then(
      () => 'accepted',
      (e: { error?: string }) => e.error,
    );
    expect(again).toBe('invalid_grant');
  });

  it('rotates the refresh token; the old one fails once the new one has been used', async () => {
    const c = client();
    const first = (await c.createToken(await consent(c))).getJson();
    const second = (await c.refreshUsingToken(first.refresh_token)).getJson();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    // a retried refresh (lost response) within the grace gets the same successor
    const retried = (await c.refreshUsingToken(first.refresh_token)).getJson();
    expect(retried.refresh_token).toBe(second.refresh_token);
    const third = (await c.refreshUsingToken(second.refresh_token)).getJson();
    expect(third.refresh_token).not.toBe(second.refresh_token);
    expect(await refreshError(c, first.refresh_token)).toBe('invalid_grant');
    expect(await refreshError(c, 'AB11-not-a-token')).toBe('invalid_grant');
    expect((await api(emu, { token: third.access_token }).get('/customer/1')).status).toBe(200);
  });

  it('lets the old refresh token lapse after 24 hours even if the new one is unused', async () => {
    const c = client();
    const first = (await c.createToken(await consent(c))).getJson();
    await c.refreshUsingToken(first.refresh_token);
    emu.kit.clock.advance(24 * 3_600_000 + 1000);
    expect(await refreshError(c, first.refresh_token)).toBe('invalid_grant');
  });

  it('expires access tokens after an hour (401) while the refresh token still works', async () => {
    const c = client();
    const first = (await c.createToken(await consent(c))).getJson();
    emu.kit.clock.advance(3601 * 1000);
    expect((await api(emu, { token: first.access_token }).get('/customer/1')).status).toBe(401);
    const next = (await c.refreshUsingToken(first.refresh_token)).getJson();
    expect((await api(emu, { token: next.access_token }).get('/customer/1')).status).toBe(200);
  });

  it('authorizes the company asked for, with a token valid only there', async () => {
    const c = client();
    const other = emu.info.realms[1]!;
    const callback = await consent(c, `&realmId=${other}`);
    expect(new URL(callback).searchParams.get('realmId')).toBe(other);
    const token = (await c.createToken(callback)).getJson().access_token;
    expect((await api(emu, { realmId: other, token }).get('/customer/1')).status).toBe(200);
    expect((await api(emu, { token }).get('/customer/1')).status).toBe(403);
  });

  it("revokes: the connection's tokens stop working", async () => {
    const c = client();
    const tokens = (await c.createToken(await consent(c))).getJson();
    await c.revoke({ refresh_token: tokens.refresh_token });
    expect((await api(emu, { token: tokens.access_token }).get('/customer/1')).status).toBe(401);
    expect(await refreshError(c, tokens.refresh_token)).toBe('invalid_grant');
  });

  it('refuses a wrong client secret, a bad redirect and an unknown scope', async () => {
    const bad = client('wrong-secret');
    const err = await bad.createToken(await consent(bad)).then(
      () => 'accepted',
      (e: { error?: string }) => e.error,
    );
    expect(err).toBe('invalid_client');
    const noRedirect = await fetch(
      `${emu.info.authorizeUrl}?client_id=${emu.info.clientId}&response_type=code&scope=x`,
      {
        redirect: 'manual',
      },
    );
    expect(noRedirect.status).toBe(400);
    const scope = await fetch(
      `${emu.info.authorizeUrl}?client_id=${emu.info.clientId}&response_type=code&scope=nonsense&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s`,
      { redirect: 'manual' },
    );
    expect(new URL(scope.headers.get('location')!).searchParams.get('error')).toBe('invalid_scope');
    const grant = await fetch(emu.info.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${emu.info.clientId}:${emu.info.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=password&username=a',
    });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toEqual({ error: 'unsupported_grant_type' });
  });
});
