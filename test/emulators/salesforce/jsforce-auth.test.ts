import { createHash, createHmac, randomBytes } from 'node:crypto';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ records: 5 });
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

const redirectUri = 'http://localhost:4321/oauth/callback';

function oauth2(e: Emulator) {
  return new jsforce.OAuth2({
    loginUrl: e.info.loginUrl,
    clientId: e.info.clientId,
    clientSecret: e.info.clientSecret,
    redirectUri,
  });
}

/** A form POST to the token endpoint. */
function postToken(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
}

/** Follows the authorize URL (approved at once) and returns the redirect's query. */
async function approve(url: string): Promise<URLSearchParams> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location.searchParams;
}

describe('OAuth 2.0', () => {
  it('runs the web-server flow: authorize → code → token, with a valid signature and no expires_in', async () => {
    const o = oauth2(emu);
    const q = await approve(o.getAuthorizationUrl({ state: 'xyz-42', scope: 'api refresh_token' }));
    expect(q.get('state')).toBe('xyz-42');
    const code = q.get('code')!;
    const conn = new jsforce.Connection({ oauth2: o, version: '62.0' });
    const user = await conn.authorize(code);
    expect(user).toMatchObject({ id: emu.info.userId, organizationId: emu.info.orgId });
    expect(conn.instanceUrl).toBe(emu.info.instanceUrl);
    expect(conn.refreshToken).toMatch(/^5Aep861/);
    const res = await conn.query<{ Id: string }>('SELECT Id FROM User');
    expect(res.totalSize).toBeGreaterThan(0);

    // The raw token answer: the fields a client relies on, a verifiable signature, no expires_in.
    const q2 = await approve(o.getAuthorizationUrl({}));
    const exchange = {
      grant_type: 'authorization_code',
      code: q2.get('code')!,
      client_id: emu.info.clientId,
      client_secret: emu.info.clientSecret,
      redirect_uri: redirectUri,
    };
    const raw = await postToken(exchange);
    const body = (await raw.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'id',
        'instance_url',
        'issued_at',
        'refresh_token',
        'scope',
        'signature',
        'token_type',
      ].sort(),
    );
    expect(body.token_type).toBe('Bearer');
    const expected = createHmac('sha256', emu.info.clientSecret)
      .update(body.id! + body.issued_at!)
      .digest('base64');
    expect(body.signature).toBe(expected);

    // A code is single use.
    const reuse = await postToken(exchange);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('checks PKCE verifiers', async () => {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const o = oauth2(emu);
    const token = async (code: string, v: string) =>
      postToken({
        grant_type: 'authorization_code',
        code,
        client_id: emu.info.clientId,
        redirect_uri: redirectUri,
        code_verifier: v,
      });
    const bad = await token(
      (await approve(o.getAuthorizationUrl({ code_challenge: challenge }))).get('code')!,
      'wrong',
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid code verifier' });
    const good = await token(
      (await approve(o.getAuthorizationUrl({ code_challenge: challenge }))).get('code')!,
      verifier,
    );
    expect(good.status).toBe(200);
  });

  it('refreshes transparently when the session expires (expire-token fault)', async () => {
    const o = oauth2(emu);
    const code = (await approve(o.getAuthorizationUrl({}))).get('code')!;
    const conn = new jsforce.Connection({ oauth2: o, version: '62.0' });
    await conn.authorize(code);
    const before = conn.accessToken;
    let refreshed = 0;
    conn.on('refresh', () => refreshed++);
    emu.kit.faults.add([
      { id: 'expire', path: '/services/data/*/query', action: { kind: 'expire-token' }, times: 1 },
    ]);
    try {
      const res = await conn.query('SELECT COUNT() FROM Account');
      expect(res.totalSize).toBeGreaterThanOrEqual(0);
    } finally {
      emu.kit.faults.remove();
    }
    expect(refreshed).toBe(1);
    expect(conn.accessToken).not.toBe(before);
    // The expired token is dead for good.
    const old = await call(emu, 'GET', '/limits', undefined, { authorization: `Bearer ${before}` });
    expect(old.status).toBe(401);
    expect(old.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('expires sessions after the session timeout of inactivity', async () => {
    const short = await startEmulator({ records: 0, sessionSeconds: 60 });
    try {
      const conn = connect(short);
      await conn.query('SELECT Id FROM User');
      short.kit.clock.advance(59_000);
      await conn.query('SELECT Id FROM User');
      short.kit.clock.advance(61_000);
      await expect(conn.query('SELECT Id FROM User')).rejects.toMatchObject({
        errorCode: 'INVALID_SESSION_ID',
      });
    } finally {
      await short.close();
    }
  });

  it('logs in with username + password + security token (password grant), and refuses bad ones', async () => {
    const conn = new jsforce.Connection({
      oauth2: {
        loginUrl: emu.info.loginUrl,
        clientId: emu.info.clientId,
        clientSecret: emu.info.clientSecret,
      },
      version: '62.0',
    });
    await conn.login(emu.info.username, emu.info.password + emu.info.securityToken);
    expect(conn.instanceUrl).toBe(emu.info.instanceUrl);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBeGreaterThan(0);
    const bad = new jsforce.Connection({
      oauth2: {
        loginUrl: emu.info.loginUrl,
        clientId: emu.info.clientId,
        clientSecret: emu.info.clientSecret,
      },
    });
    await expect(bad.login(emu.info.username, emu.info.password)).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'authentication failure',
    });
    const wrongSecret = new jsforce.Connection({
      oauth2: { loginUrl: emu.info.loginUrl, clientId: emu.info.clientId, clientSecret: 'nope' },
    });
    await expect(
      wrongSecret.login(emu.info.username, emu.info.password + emu.info.securityToken),
    ).rejects.toMatchObject({ name: 'invalid_client' });
  });

  it('answers the token endpoint errors', async () => {
    const post = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
      const r = await postToken(params, headers);
      return { status: r.status, body: (await r.json()) as Record<string, string> };
    };
    expect(await post({ grant_type: 'magic' })).toEqual({
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
    });
    expect(
      await post({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: 'nobody',
        client_secret: 'y',
      }),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_client_id', error_description: 'client identifier invalid' },
    });
    expect(
      await post({
        grant_type: 'refresh_token',
        refresh_token: 'bogus',
        client_id: emu.info.clientId,
        client_secret: emu.info.clientSecret,
      }),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    });
    // Client credentials in a Basic header work too.
    const basic = Buffer.from(`${emu.info.clientId}:${emu.info.clientSecret}`).toString('base64');
    const ok = await post(
      { grant_type: 'refresh_token', refresh_token: emu.info.refreshToken },
      { authorization: `Basic ${basic}` },
    );
    expect(ok.status).toBe(200);
    expect(ok.body).not.toHaveProperty('refresh_token');
    expect(ok.body).not.toHaveProperty('expires_in');
  });

  it('revokes a refresh token and the sessions issued from it', async () => {
    const o = oauth2(emu);
    const conn = new jsforce.Connection({ oauth2: o, version: '62.0' });
    await conn.authorize((await approve(o.getAuthorizationUrl({}))).get('code')!);
    const access = conn.accessToken!;
    await o.revokeToken(conn.refreshToken!);
    const r = await call(emu, 'GET', '/limits', undefined, { authorization: `Bearer ${access}` });
    expect(r.status).toBe(401);
    await expect(o.refreshToken(conn.refreshToken!)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('serves userinfo and the identity URL', async () => {
    const conn = connect(emu);
    const id = await conn.identity();
    expect(id).toMatchObject({
      user_id: emu.info.userId,
      organization_id: emu.info.orgId,
      username: emu.info.username,
    });
    const ui = await fetch(`${emu.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${emu.info.accessToken}` },
    });
    expect(await ui.json()).toMatchObject({
      user_id: emu.info.userId,
      preferred_username: emu.info.username,
    });
    const bad = await fetch(`${emu.url}/services/oauth2/userinfo`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(403);
  });
});

describe('SOAP login', () => {
  it('logs in through the partner SOAP API and uses the session id as the bearer token', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.info.loginUrl, version: '50.0' });
    const user = await conn.login(emu.info.username, emu.info.password + emu.info.securityToken);
    expect(user).toMatchObject({ id: emu.info.userId, organizationId: emu.info.orgId });
    expect(conn.instanceUrl).toBe(emu.info.instanceUrl);
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBeGreaterThan(0);
    await conn.logout();
  });

  it('answers INVALID_LOGIN for bad credentials and a client fault for junk', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.info.loginUrl, version: '50.0' });
    await expect(conn.login(emu.info.username, 'wrong')).rejects.toThrow(
      'INVALID_LOGIN: Invalid username, password, security token; or user locked out.',
    );
    const junk = await fetch(`${emu.url}/services/Soap/u/50.0`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<not xml',
    });
    expect(junk.status).toBe(500);
    expect(await junk.text()).toMatch(/<faultcode>soapenv:Client<\/faultcode>/);
  });

  it('refuses login() from API 65.0 on, and retired versions', async () => {
    const v65 = new jsforce.Connection({ loginUrl: emu.info.loginUrl, version: '65.0' });
    await expect(v65.login(emu.info.username, emu.info.password + emu.info.securityToken)).rejects.toThrow(
      /INVALID_OPERATION/,
    );
    const v30 = new jsforce.Connection({ loginUrl: emu.info.loginUrl, version: '30.0' });
    await expect(v30.login(emu.info.username, emu.info.password + emu.info.securityToken)).rejects.toThrow(
      /UNSUPPORTED_API_VERSION/,
    );
  });

  it('re-logs in by itself when a SOAP session expires', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.info.loginUrl, version: '50.0' });
    await conn.login(emu.info.username, emu.info.password + emu.info.securityToken);
    const first = conn.accessToken;
    emu.kit.faults.add([
      { id: 'expire-soap', path: '/services/data/*', action: { kind: 'expire-token' }, times: 1 },
    ]);
    try {
      expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBeGreaterThan(0);
    } finally {
      emu.kit.faults.remove();
    }
    expect(conn.accessToken).not.toBe(first);
  });
});
