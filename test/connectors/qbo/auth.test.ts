import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQboEmulator, type RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import type {
  ConnectionCredentials,
  ConnectionSecrets,
  CredentialVault,
} from '../../../src/connectors/credentials.ts';
import { AuthError } from '../../../src/connectors/errors.ts';
import {
  createQboConnector,
  exchangeQboCode,
  qboAuthorizeUrl,
  revokeQboToken,
  testQboConnection,
} from '../../../src/connectors/qbo/index.ts';
import { ConnectionRepository } from '../../../src/store/connections.ts';
import { openMigratedStore, type Store } from '../../../src/store/database.ts';
import { openTestStore, STORE_KINDS, type TestStore } from '../../helpers/stores.ts';
import {
  connectionFrom,
  control,
  FAST,
  openFileStore,
  qboFixture,
  SEALER,
  type QboFixture,
} from './fixture.ts';

const TOKEN_CALL = 'POST /oauth2/v1/tokens/bearer';
const EXPIRED = () => new Date(Date.now() - 1000).toISOString();

class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/** A vault whose process "dies" at a chosen point of a rotation. */
function crashingVault(inner: CredentialVault, when: 'before-commit' | 'after-commit'): CredentialVault {
  return {
    get: (id) => inner.get(id),
    setStatus: (id, s, m) => inner.setStatus(id, s, m),
    async rotate(id, fn) {
      if (when === 'before-commit') {
        return inner.rotate(id, async (current, rotation) => {
          const next = await fn(current, rotation);
          if (next) throw new SimulatedCrash('died after the token response, before the commit');
          return next;
        });
      }
      await inner.rotate(id, fn);
      throw new SimulatedCrash('died after the commit, before using the new token');
    },
  };
}

/** Asks the token endpoint directly, as another client holding this refresh token would. */
async function refreshGrant(
  emu: RunningQboEmulator,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(emu.info.tokenUrl, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${emu.info.clientId}:${emu.info.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function tokenCalls(fx: QboFixture | RunningQboEmulator): Promise<number> {
  const url = 'emu' in fx ? fx.emu.url : fx.url;
  return (await control(url).calls()).byEndpoint[TOKEN_CALL] ?? 0;
}

let store: Store;
beforeAll(async () => {
  store = await openFileStore();
});
afterAll(async () => store.close());

describe('QBO OAuth: code flow', () => {
  let fx: QboFixture;
  beforeAll(async () => {
    fx = await qboFixture(store);
  });
  afterAll(async () => fx.close());

  it('goes from the authorize URL through the consent redirect to tokens sealed in the store', async () => {
    const { info } = fx.emu;
    const redirectUri = 'http://127.0.0.1:9/qbo/callback';
    const url = qboAuthorizeUrl({
      authorizeUrl: info.authorizeUrl,
      clientId: info.clientId,
      redirectUri,
      state: 'st-42',
    });
    expect(new URL(url).searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('st-42');
    const code = callback.searchParams.get('code')!;
    const realmId = callback.searchParams.get('realmId')!;
    expect(realmId).toBe(info.realmId);

    const tokens = await exchangeQboCode({
      tokenUrl: info.tokenUrl,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      redirectUri,
      code,
    });
    expect(tokens.accessToken).not.toBe(info.accessToken);
    expect(Date.parse(tokens.accessTokenExpiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(Date.parse(tokens.refreshTokenExpiresAt)).toBeGreaterThan(Date.now() + 90 * 86_400_000);
    // a code is good once
    await expect(
      exchangeQboCode({
        tokenUrl: info.tokenUrl,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        redirectUri,
        code,
      }),
    ).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_grant' });

    await fx.vault.save({
      id: 'qbo-oauth',
      system: 'qbo',
      settings: { baseUrl: info.baseUrl, realmId, clientId: info.clientId, tokenUrl: info.tokenUrl },
      secrets: { ...tokens, clientSecret: info.clientSecret },
    });
    const raw = await sql<{
      secrets: string;
    }>`select secrets from connections where id = 'qbo-oauth'`.execute(fx.store.db);
    const sealed = raw.rows[0]!.secrets;
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain(tokens.accessToken);
    expect(sealed).not.toContain(tokens.refreshToken);
    expect((await fx.vault.get('qbo-oauth')).secrets.refreshToken).toBe(tokens.refreshToken);

    const c = await createQboConnector({ vault: fx.vault, connectionId: 'qbo-oauth', ...FAST });
    const ok = await testQboConnection(c);
    expect(ok).toMatchObject({ ok: true, realmId });
    expect(ok.companyName.length).toBeGreaterThan(0);
    expect(c.stats.snapshot()['POST oauth2/token']).toBeUndefined();
  });

  it('rejects a wrong client secret as an AuthError', async () => {
    const { info } = fx.emu;
    await expect(
      exchangeQboCode({
        tokenUrl: info.tokenUrl,
        clientId: info.clientId,
        clientSecret: 'wrong',
        redirectUri: 'http://127.0.0.1:9/cb',
        code: 'x',
      }),
    ).rejects.toBeInstanceOf(AuthError);
  });
});

describe('QBO OAuth: refresh and rotation', () => {
  let fx: QboFixture;
  let connectionId: string;
  beforeAll(async () => {
    fx = await qboFixture(store);
    connectionId = fx.connectionId;
  });
  afterAll(async () => fx.close());

  async function expireStoredAccessToken(): Promise<ConnectionCredentials> {
    return fx.vault.rotate(connectionId, async () => ({ accessTokenExpiresAt: EXPIRED() }));
  }

  it('refreshes an expiring token, stores the rotated refresh token before using it, and the old one dies', async () => {
    const before = await expireStoredAccessToken();
    const r0 = before.secrets.refreshToken as string;
    const callsBefore = await fx.control.calls();
    // observe the store and the emulator at the moment the rotation commits
    let atCommit: { stored: ConnectionSecrets; version: number; apiCalls: number } | undefined;
    const observing: CredentialVault = {
      get: (id) => fx.vault.get(id),
      setStatus: (id, s, m) => fx.vault.setStatus(id, s, m),
      async rotate(id, fn) {
        const out = await fx.vault.rotate(id, fn);
        const stored = await fx.vault.get(id);
        const calls = await fx.control.calls();
        atCommit = {
          stored: stored.secrets,
          version: stored.tokenVersion,
          apiCalls: calls.total - (calls.byEndpoint[TOKEN_CALL] ?? 0),
        };
        return out;
      },
    };
    const c = await createQboConnector({ vault: observing, connectionId: connectionId, ...FAST });
    expect(await c.count('Customer')).toBeGreaterThan(0);

    expect(atCommit).toBeDefined();
    const r1 = atCommit!.stored.refreshToken as string;
    expect(r1).not.toBe(r0);
    expect(atCommit!.version).toBe(before.tokenVersion + 1);
    // no API call had been made with the new access token when it became durable
    expect(atCommit!.apiCalls).toBe(callsBefore.total - (callsBefore.byEndpoint[TOKEN_CALL] ?? 0));
    expect(c.stats.snapshot()).toMatchObject({ 'POST oauth2/token': 1, 'GET query': 1 });
    const after = await fx.vault.get(connectionId);
    expect(after.secrets.refreshToken).toBe(r1);
    expect(Date.parse(String(after.secrets.accessTokenExpiresAt))).toBeGreaterThan(Date.now() + 50 * 60_000);

    // a 401 (token expired on Intuit's side) makes the connector rotate again, with r1
    await fx.control.addFaults([{ action: 'expire-token', path: '*/query', times: 1 }]);
    expect(await c.count('Item')).toBeGreaterThan(0);
    await fx.control.clearFaults();
    expect(c.stats.snapshot()).toMatchObject({ 'POST oauth2/token': 2, 'GET query': 3 });
    const r2 = (await fx.vault.get(connectionId)).secrets.refreshToken as string;
    expect(r2).not.toBe(r1);
    // the successor of r0 has been used: Intuit no longer honours r0
    const stale = await refreshGrant(fx.emu, r0);
    expect(stale).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('loses nothing when the process dies after the token response but before the commit', async () => {
    await expireStoredAccessToken();
    const stored = (await fx.vault.get(connectionId)).secrets.refreshToken;
    const doomed = await createQboConnector({
      vault: crashingVault(fx.vault, 'before-commit'),
      connectionId: connectionId,
      ...FAST,
    });
    await expect(doomed.count('Customer')).rejects.toBeInstanceOf(SimulatedCrash);
    // the rotation rolled back: the store still holds the refresh token it had …
    expect((await fx.vault.get(connectionId)).secrets.refreshToken).toBe(stored);
    // … and a restarted worker refreshes with it (Intuit answers the unsaved rotation again)
    const restarted = await fx.connector();
    expect(await restarted.count('Customer')).toBeGreaterThan(0);
    expect(restarted.stats.snapshot()['POST oauth2/token']).toBe(1);
  });

  it('loses nothing when the process dies after the commit, before using the new token', async () => {
    await expireStoredAccessToken();
    const doomed = await createQboConnector({
      vault: crashingVault(fx.vault, 'after-commit'),
      connectionId: connectionId,
      ...FAST,
    });
    await expect(doomed.count('Customer')).rejects.toBeInstanceOf(SimulatedCrash);
    const tokenCallsAfterCrash = await tokenCalls(fx);
    // a restarted worker finds fresh tokens in the store and needs no refresh at all
    const restarted = await fx.connector();
    expect(await restarted.count('Customer')).toBeGreaterThan(0);
    expect(restarted.stats.snapshot()['POST oauth2/token']).toBeUndefined();
    expect(await tokenCalls(fx)).toBe(tokenCallsAfterCrash);
  });

  it('turns invalid_grant into AuthError and marks the connection for reconnection', async () => {
    const creds = await expireStoredAccessToken();
    await revokeQboToken({
      revokeUrl: fx.emu.info.revokeUrl,
      clientId: fx.emu.info.clientId,
      clientSecret: fx.emu.info.clientSecret,
      token: creds.secrets.refreshToken as string,
    });
    const c = await fx.connector();
    await expect(c.count('Customer')).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_grant' });
    const summary = (await fx.vault.list()).find((s) => s.id === connectionId)!;
    expect(summary.status).toBe('needs-reauth');
    expect(summary.statusMessage).toMatch(/invalid_grant/);
  });
});

describe.each(STORE_KINDS)('QBO OAuth: two workers refreshing at once (%s store)', (kind) => {
  let emu: RunningQboEmulator;
  beforeAll(async () => {
    emu = await startQboEmulator({ port: 0, seed: 3, records: 20 });
  });
  afterAll(async () => emu.close());

  it('spends the refresh token once; the other worker adopts the rotated tokens', async () => {
    const connectionId = `qbo-race-${kind}`;
    // PGlite is one connection: both workers share the store object; PostgreSQL gets two pools.
    const t: TestStore =
      kind === 'postgres' ? await openTestStore(kind) : { store, location: {}, dispose: async () => {} };
    const second =
      kind === 'postgres' ? await openMigratedStore({ databaseUrl: t.location.databaseUrl! }) : t.store;
    try {
      const vaultA = new ConnectionRepository(t.store, SEALER);
      const vaultB = new ConnectionRepository(second, SEALER);
      await vaultA.save({
        id: connectionId,
        system: 'qbo',
        ...connectionFrom(emu, { secrets: { accessTokenExpiresAt: EXPIRED() } }),
      });
      const v0 = (await vaultA.get(connectionId)).tokenVersion;
      const before = await tokenCalls(emu);
      const a = await createQboConnector({ vault: vaultA, connectionId: connectionId, ...FAST });
      const b = await createQboConnector({ vault: vaultB, connectionId: connectionId, ...FAST });
      const [na, nb] = await Promise.all([a.count('Customer'), b.count('Customer')]);
      expect(na).toBe(nb);
      expect(await tokenCalls(emu)).toBe(before + 1);
      const spent =
        (a.stats.snapshot()['POST oauth2/token'] ?? 0) + (b.stats.snapshot()['POST oauth2/token'] ?? 0);
      expect(spent).toBe(1);
      const now = await vaultA.get(connectionId);
      expect(now.tokenVersion).toBe(v0 + 1);
      // what the store holds is the live refresh token
      const next = await refreshGrant(emu, now.secrets.refreshToken as string);
      expect(next.status).toBe(200);
    } finally {
      if (second !== t.store) await second.close();
      await t.dispose();
    }
  });
});
