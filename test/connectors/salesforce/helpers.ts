import { randomBytes } from 'node:crypto';
import {
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../../emulators/salesforce/index.ts';
import {
  createSalesforceConnector,
  type SalesforceConnectorOptions,
  type SalesforceConnectorWithIdentity,
} from '../../../src/connectors/salesforce/index.ts';
import type { ConnectionSecrets, ConnectionSettings } from '../../../src/connectors/credentials.ts';
import { Sealer } from '../../../src/secrets/sealer.ts';
import { ConnectionRepository } from '../../../src/store/connections.ts';
import { openMigratedStore, type Store } from '../../../src/store/database.ts';
import { openTestStore } from '../../helpers/stores.ts';

/**
 * A Salesforce emulator, a real store with a sealed connection to it, and connectors on that
 * connection whose waits (backoff, pacing) are recorded instead of slept.
 */

export interface Harness {
  emu: RunningSalesforceEmulator;
  store: Store;
  repo: ConnectionRepository;
  /** Waits the connectors asked for, in ms, in order. */
  sleeps: number[];
  /** Builds a connector on connection `id` (default "sf"). */
  connector(opts?: Partial<SalesforceConnectorOptions>): Promise<SalesforceConnectorWithIdentity>;
  /** Saves a connection to the emulator (OAuth, a fresh session on the emulator's refresh token, unless told otherwise). */
  saveConnection(p?: {
    id?: string;
    settings?: ConnectionSettings;
    secrets?: ConnectionSecrets;
  }): Promise<void>;
  /** A refresh token of its own (a new grant through the authorization-code flow) and a session on it. */
  newGrant(): Promise<{ accessToken: string; refreshToken: string }>;
  /** Emulator control: POST a fault rule (JSON form). */
  fault(rule: Record<string, unknown>): Promise<void>;
  /** Emulator control: calls by endpoint, and reset. */
  calls(): Promise<{ total: number; byEndpoint: Record<string, number> }>;
  resetCalls(): Promise<void>;
  /** Emulator control: advance the clock; returns the new now. */
  advance(ms: number): Promise<Date>;
  /** Emulator's now. */
  now(): Promise<Date>;
  /** A REST call with the emulator's own admin token (outside the connector: not in its stats). */
  rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

/**
 * Starts the harness. `store`: an in-memory PGlite (one connection: the vault's row lock must not
 * deadlock there) or a fresh database on the test PostgreSQL server (quicker to open).
 */
export async function harness(
  opts: SalesforceEmulatorOptions = {},
  storeKind: 'pglite-memory' | 'postgres' = 'postgres',
): Promise<Harness> {
  const emu = await startSalesforceEmulator({ port: 0, seed: 7, records: 30, ...opts });
  let disposeStore: () => Promise<void>;
  let store: Store;
  if (storeKind === 'postgres') {
    const t = await openTestStore('postgres');
    store = t.store;
    disposeStore = () => t.dispose();
  } else {
    store = await openMigratedStore({ memory: true });
    disposeStore = () => store.close();
  }
  const repo = new ConnectionRepository(store, new Sealer(randomBytes(32)));
  const sleeps: number[] = [];
  const i = emu.info;
  // A session of its own for the test's look-ups, so that expiring the connector's token leaves it alone.
  const grant = async (params: Record<string, string>): Promise<string> => {
    const res = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: i.clientId,
        client_secret: i.clientSecret,
        ...params,
      }).toString(),
    });
    if (!res.ok) throw new Error(`token grant failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const adminToken = await grant({
    grant_type: 'password',
    username: i.username,
    password: `${i.password}${i.securityToken}`,
  });
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}/__emulator/${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const h: Harness = {
    emu,
    store,
    repo,
    sleeps,
    async saveConnection(p = {}) {
      await repo.save({
        id: p.id ?? 'sf',
        system: 'salesforce',
        settings: p.settings ?? {
          instanceUrl: i.instanceUrl,
          loginUrl: i.loginUrl,
          apiVersion: i.apiVersion,
          clientId: i.clientId,
          authFlow: 'oauth',
        },
        secrets: p.secrets ?? {
          // A session of its own (from the emulator's refresh token), so tests do not share one.
          accessToken: await grant({ grant_type: 'refresh_token', refresh_token: i.refreshToken }),
          refreshToken: i.refreshToken,
          clientSecret: i.clientSecret,
        },
      });
    },
    connector(o = {}) {
      return createSalesforceConnector({
        vault: repo,
        connectionId: 'sf',
        backoffMs: 10,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...o,
      });
    },
    async newGrant() {
      const redirectUri = 'http://127.0.0.1:9/cb';
      const authorize = new URL(`${emu.url}/services/oauth2/authorize`);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: i.clientId,
        redirect_uri: redirectUri,
      }).toString();
      const res = await fetch(authorize, { redirect: 'manual' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      const tok = await fetch(`${emu.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: i.clientId,
          client_secret: i.clientSecret,
          redirect_uri: redirectUri,
        }).toString(),
      });
      const body = (await tok.json()) as { access_token: string; refresh_token: string };
      return { accessToken: body.access_token, refreshToken: body.refresh_token };
    },
    async fault(rule) {
      await control('POST', 'faults', rule);
    },
    async calls() {
      return (await control('GET', 'calls')) as { total: number; byEndpoint: Record<string, number> };
    },
    async resetCalls() {
      await control('DELETE', 'calls');
    },
    async advance(ms) {
      const r = (await control('POST', 'clock', { advanceMs: ms })) as { now: string };
      return new Date(r.now);
    },
    async now() {
      const r = (await control('GET', 'clock')) as { now: string };
      return new Date(r.now);
    },
    async rest(method, path, body) {
      const res = await fetch(`${emu.url}/services/data/v${i.apiVersion}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
    },
    async close() {
      await emu.close();
      await disposeStore();
    },
  };
  return h;
}

/** Sum of the emulator's counts for endpoints whose name contains `part` and starts with `method`. */
export function countOf(calls: { byEndpoint: Record<string, number> }, method: string, part: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(calls.byEndpoint))
    if (k.startsWith(`${method} `) && k.includes(part)) n += v;
  return n;
}

/** Collects every page of an async iterable. */
export async function pages<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const p of it) out.push(p);
  return out;
}
