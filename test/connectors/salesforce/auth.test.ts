import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/connectors/errors.ts';
import {
  exchangeSalesforceCode,
  loginWithPassword,
  pkcePair,
  salesforceAuthorizeUrl,
  testSalesforceConnection,
} from '../../../src/connectors/salesforce/index.ts';
import { countOf, harness, pages, type Harness } from './helpers.ts';

let h: Harness;

beforeAll(async () => {
  // PGlite has one connection: token rotation under the vault's row lock must not deadlock on it.
  h = await harness({}, 'pglite-memory');
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await fetch(`${h.emu.url}/__emulator/faults`, { method: 'DELETE' });
});

async function revoke(token: string): Promise<void> {
  const res = await fetch(`${h.emu.url}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(res.status).toBe(200);
}

async function rawSecrets(id: string): Promise<string> {
  const row = await h.store.db
    .selectFrom('connections')
    .select('secrets')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return String(row.secrets);
}

describe('OAuth 2.0 web-server flow', () => {
  it('authorizes, exchanges the code (with PKCE) and keeps the tokens sealed in the store', async () => {
    const i = h.emu.info;
    const redirectUri = 'http://127.0.0.1:9/oauth/callback';
    const { codeVerifier, codeChallenge } = pkcePair();
    const url = salesforceAuthorizeUrl({
      loginUrl: i.loginUrl,
      clientId: i.clientId,
      redirectUri,
      state: 's-42',
      codeChallenge,
    });
    expect(new URL(url).pathname).toBe('/services/oauth2/authorize');

    // The emulator approves at once and redirects to the callback with the code.
    const approval = await fetch(url, { redirect: 'manual' });
    expect(approval.status).toBe(302);
    const callback = new URL(approval.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('s-42');
    const code = callback.searchParams.get('code')!;

    const tokens = await exchangeSalesforceCode({
      loginUrl: i.loginUrl,
      clientId: i.clientId,
      clientSecret: i.clientSecret,
      redirectUri,
      code,
      codeVerifier,
    });
    expect(tokens.instanceUrl).toBe(i.instanceUrl);
    expect(tokens.identityUrl).toContain(`/id/${i.orgId}/`);
    expect(tokens.accessToken).not.toBe(i.accessToken);
    expect(Number.isFinite(Date.parse(tokens.issuedAt))).toBe(true);

    await h.saveConnection({
      id: 'web',
      settings: {
        instanceUrl: tokens.instanceUrl,
        loginUrl: i.loginUrl,
        apiVersion: i.apiVersion,
        clientId: i.clientId,
        authFlow: 'oauth',
      },
      secrets: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        clientSecret: i.clientSecret,
      },
    });
    const stored = await rawSecrets('web');
    expect(stored).not.toContain(tokens.accessToken);
    expect(stored).not.toContain(tokens.refreshToken);
    expect((await h.repo.get('web')).secrets.refreshToken).toBe(tokens.refreshToken);

    const c = await h.connector({ connectionId: 'web' });
    const check = await testSalesforceConnection(c);
    expect(check).toMatchObject({ ok: true, user: i.username, org: i.orgId });
    expect(check.apiUsage!.max).toBe(i.dailyApiLimit);
  });

  it('refuses a code used twice, and a wrong PKCE verifier, with AuthError', async () => {
    const i = h.emu.info;
    const redirectUri = 'http://127.0.0.1:9/cb';
    const { codeChallenge } = pkcePair();
    const res = await fetch(
      salesforceAuthorizeUrl({
        loginUrl: i.loginUrl,
        clientId: i.clientId,
        redirectUri,
        state: 'x',
        codeChallenge,
      }),
      {
        redirect: 'manual',
      },
    );
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const base = {
      loginUrl: i.loginUrl,
      clientId: i.clientId,
      clientSecret: i.clientSecret,
      redirectUri,
      code,
    };
    await expect(exchangeSalesforceCode({ ...base, codeVerifier: pkcePair().codeVerifier })).rejects.toThrow(
      AuthError,
    );
    await expect(
      exchangeSalesforceCode({ ...base, codeVerifier: pkcePair().codeVerifier }),
    ).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });
});

describe('session refresh', () => {
  it('refreshes an access token that expired mid-run and stores the new one', async () => {
    await h.saveConnection();
    const before = await h.repo.get('sf');
    const c = await h.connector();
    const soql = 'SELECT Id, Name FROM Account ORDER BY Id';
    const first = (await pages(c.query(soql))).flat();
    // The next call finds its token expired (as after the org's session timeout).
    await h.fault({ action: 'expire-token', path: '*/query', times: 1 });
    const second = (await pages(c.query(soql))).flat();
    expect(second.map((r) => r.Id)).toEqual(first.map((r) => r.Id));

    const after = await h.repo.get('sf');
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.secrets.accessToken).not.toBe(before.secrets.accessToken);
    expect(after.secrets.refreshToken).toBe(before.secrets.refreshToken);
    expect(c.stats.snapshot()['POST oauth2/token']).toBe(1);
    // The refreshed session is the one in use: a new connector from the store works without refreshing.
    const c2 = await h.connector();
    await pages(c2.query('SELECT Id FROM Account LIMIT 1'));
    expect(c2.stats.snapshot()['POST oauth2/token']).toBeUndefined();
  });

  it('renews the session for userinfo, which answers an expired token with 403 Bad_OAuth_Token', async () => {
    await h.saveConnection();
    const c = await h.connector();
    await h.fault({ action: 'expire-token', path: '/services/oauth2/userinfo', times: 1 });
    const check = await testSalesforceConnection(c);
    expect(check.user).toBe(h.emu.info.username);
    expect(c.stats.snapshot()['GET oauth2/userinfo']).toBe(2);
    expect(c.stats.snapshot()['POST oauth2/token']).toBe(1);
  });

  it('adopts the token another worker already refreshed instead of refreshing again', async () => {
    await h.saveConnection();
    const a = await h.connector();
    const b = await h.connector();
    // The shared session ends (as after the org's session timeout): both workers get 401.
    await revoke((await h.repo.get('sf')).secrets.accessToken!);
    await h.resetCalls();
    await pages(a.query('SELECT Id FROM Account LIMIT 1'));
    await pages(b.query('SELECT Id FROM Account LIMIT 1'));
    expect(a.stats.snapshot()['POST oauth2/token']).toBe(1);
    expect(b.stats.snapshot()['POST oauth2/token']).toBeUndefined();
    // b did meet the expired session (401, then the same query again with a's token).
    expect(b.stats.snapshot()['GET query']).toBe(2);
    expect((await h.repo.get('sf')).secrets.accessToken).not.toBe(undefined);
    expect(countOf(await h.calls(), 'POST', 'oauth2/token')).toBe(1);
  });

  it('turns a revoked refresh token into AuthError and marks the connection needs-reauth', async () => {
    const grant = await h.newGrant();
    await h.saveConnection({
      secrets: { ...grant, clientSecret: h.emu.info.clientSecret },
    });
    const c = await h.connector();
    await pages(c.query('SELECT Id FROM Account LIMIT 1'));
    // Revoking the refresh token ends its sessions too: the next call gets 401, the refresh invalid_grant.
    await revoke((await h.repo.get('sf')).secrets.refreshToken!);
    const err = await pages(c.query('SELECT Id FROM Account LIMIT 1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('invalid_grant');
    const summary = (await h.repo.list()).find((x) => x.id === 'sf')!;
    expect(summary.status).toBe('needs-reauth');
    expect(summary.statusMessage).toMatch(/invalid_grant/);
    // No loop: one refresh attempt, one failed query.
    expect(c.stats.snapshot()['POST oauth2/token']).toBe(1);
  });
});

describe('username + password + security token', () => {
  const passwordSettings = () => ({
    instanceUrl: h.emu.info.instanceUrl,
    loginUrl: h.emu.info.loginUrl,
    apiVersion: h.emu.info.apiVersion,
    clientId: '',
    authFlow: 'password',
    username: h.emu.info.username,
  });

  it('logs in through SOAP login() when no client secret is known, and stores the session', async () => {
    const i = h.emu.info;
    await h.saveConnection({
      id: 'sf',
      settings: passwordSettings(),
      secrets: { password: i.password, securityToken: i.securityToken },
    });
    const c = await h.connector();
    expect(c.stats.snapshot()['POST soap']).toBe(1);
    const stored = await h.repo.get('sf');
    expect(stored.secrets.accessToken).toBeTruthy();
    expect(await rawSecrets('sf')).not.toContain(i.password);
    const rows = (await pages(c.query('SELECT Id FROM Account LIMIT 3'))).flat();
    expect(rows).toHaveLength(3);
  });

  it('logs in again when the session expires', async () => {
    const i = h.emu.info;
    await h.saveConnection({
      id: 'sf',
      settings: passwordSettings(),
      secrets: { password: i.password, securityToken: i.securityToken },
    });
    const c = await h.connector();
    const token1 = (await h.repo.get('sf')).secrets.accessToken;
    await h.fault({ action: 'expire-token', path: '*/query', times: 1 });
    expect((await pages(c.query('SELECT Id FROM Account LIMIT 2'))).flat()).toHaveLength(2);
    const token2 = (await h.repo.get('sf')).secrets.accessToken;
    expect(token2).toBeTruthy();
    expect(token2).not.toBe(token1);
    expect(c.stats.snapshot()['POST soap']).toBe(2);
  });

  it('uses the OAuth password grant when the connected app secret is known', async () => {
    const i = h.emu.info;
    const r = await loginWithPassword({
      loginUrl: i.loginUrl,
      username: i.username,
      password: i.password,
      securityToken: i.securityToken,
      clientId: i.clientId,
      clientSecret: i.clientSecret,
    });
    expect(r.instanceUrl).toBe(i.instanceUrl);
    await h.saveConnection({
      id: 'sf',
      settings: { ...passwordSettings(), clientId: i.clientId },
      secrets: { password: i.password, securityToken: i.securityToken, clientSecret: i.clientSecret },
    });
    const c = await h.connector();
    expect(c.stats.snapshot()['POST oauth2/token']).toBe(1);
    expect(c.stats.snapshot()['POST soap']).toBeUndefined();
  });

  it('reports a wrong password or token as AuthError and marks the connection needs-reauth', async () => {
    const i = h.emu.info;
    await expect(
      loginWithPassword({
        loginUrl: i.loginUrl,
        username: i.username,
        password: i.password,
        securityToken: 'WRONG',
      }),
    ).rejects.toMatchObject({ name: 'AuthError', code: 'INVALID_LOGIN' });
    await h.saveConnection({
      id: 'sf',
      settings: passwordSettings(),
      secrets: { password: 'nope', securityToken: i.securityToken },
    });
    await expect(h.connector()).rejects.toBeInstanceOf(AuthError);
    expect((await h.repo.list()).find((x) => x.id === 'sf')!.status).toBe('needs-reauth');
  });
});

describe('instance URL change on refresh', () => {
  // The same emulator under another name: the session works there until a refresh answers the new instance.
  const otherName = () => h.emu.url.replace('127.0.0.1', 'localhost');
  const settings = (instanceUrl: string) => ({
    instanceUrl,
    loginUrl: h.emu.info.loginUrl,
    apiVersion: h.emu.info.apiVersion,
    clientId: h.emu.info.clientId,
    authFlow: 'oauth',
  });

  it('stores the instance a sign-in answers with the new session, and a new connector starts there', async () => {
    // The stored instance is gone (nothing listens there) and there is no session yet.
    await h.saveConnection({
      settings: settings('http://127.0.0.1:9'),
      secrets: { refreshToken: h.emu.info.refreshToken, clientSecret: h.emu.info.clientSecret },
    });
    const before = await h.repo.get('sf');
    const c = await h.connector();
    expect(c.instanceUrl).toBe(h.emu.url);
    expect((await pages(c.query('SELECT Id FROM Account LIMIT 1'))).flat()).toHaveLength(1);
    const after = await h.repo.get('sf');
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.settings).toEqual({ ...before.settings, instanceUrl: h.emu.url });

    const c2 = await h.connector();
    expect(c2.instanceUrl).toBe(h.emu.url);
    await pages(c2.query('SELECT Id FROM Account LIMIT 1'));
    expect(c2.stats.snapshot()['POST oauth2/token']).toBeUndefined();
  });

  it('stores a new instance from a refresh mid-run; a worker that adopts the session moves too', async () => {
    expect(otherName()).not.toBe(h.emu.url);
    await h.saveConnection({ settings: settings(otherName()) });
    const a = await h.connector();
    const b = await h.connector();
    expect([a.instanceUrl, b.instanceUrl]).toEqual([otherName(), otherName()]);
    await revoke((await h.repo.get('sf')).secrets.accessToken!);
    await pages(a.query('SELECT Id FROM Account LIMIT 1'));
    expect(a.stats.snapshot()['POST oauth2/token']).toBe(1);
    expect(a.instanceUrl).toBe(h.emu.url);
    expect((await h.repo.get('sf')).settings.instanceUrl).toBe(h.emu.url);

    await pages(b.query('SELECT Id FROM Account LIMIT 1'));
    expect(b.stats.snapshot()['POST oauth2/token']).toBeUndefined();
    expect(b.instanceUrl).toBe(h.emu.url);
    expect((await h.repo.get('sf')).settings).toMatchObject({
      instanceUrl: h.emu.url,
      clientId: h.emu.info.clientId,
    });
  });
});
