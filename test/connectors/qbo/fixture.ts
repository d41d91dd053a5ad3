import { randomBytes } from 'node:crypto';
import { startQboEmulator, type RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import type { Limits } from '../../../emulators/qbo/limits.ts';
import type { CredentialVault } from '../../../src/connectors/credentials.ts';
import {
  createQboConnector,
  type QboConnector,
  type QboConnectorOptions,
} from '../../../src/connectors/qbo/index.ts';
import { Sealer } from '../../../src/secrets/sealer.ts';
import { ConnectionRepository } from '../../../src/store/connections.ts';
import { openMigratedStore, type Store } from '../../../src/store/database.ts';

let fixtures = 0;

/** One key for every connection a test file stores (the admin listing opens them all). */
export const SEALER = new Sealer(randomBytes(32));

/** A QBO emulator, a connection to it in the store, and control helpers. */
export interface QboFixture {
  emu: RunningQboEmulator;
  store: Store;
  connectionId: string;
  sealer: Sealer;
  vault: ConnectionRepository;
  /** A connector on the fixture's connection, fast backoff for tests. */
  connector(opts?: Partial<QboConnectorOptions>): Promise<QboConnector>;
  control: EmulatorControl;
  close(): Promise<void>;
}

/** The emulator's /__emulator routes. */
export interface EmulatorControl {
  addFaults(rules: unknown[]): Promise<Array<{ id: string }>>;
  faults(): Promise<Array<{ id: string; fired: number; matched: number }>>;
  clearFaults(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  now(): Promise<number>;
  calls(): Promise<{ total: number; byEndpoint: Record<string, number> }>;
}

/** Control helpers for an emulator. */
export function control(url: string): EmulatorControl {
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${url}/__emulator${path}`, init);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const post = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    addFaults: (rules) => json('/faults', post(rules)),
    faults: () => json('/faults'),
    clearFaults: async () => {
      await json('/faults', { method: 'DELETE' });
    },
    advanceClock: async (ms) => {
      await json('/clock', post({ advanceMs: ms }));
    },
    now: async () => Date.parse((await json<{ now: string }>('/clock')).now),
    calls: () => json('/calls'),
  };
}

/** Settings and secrets of a connection to the emulator's first company, as `connections add --emulator` stores them. */
export function connectionFrom(
  emu: RunningQboEmulator,
  extra: { settings?: Record<string, unknown>; secrets?: Record<string, unknown> } = {},
): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  const { info } = emu;
  return {
    settings: {
      baseUrl: info.baseUrl,
      realmId: info.realmId,
      clientId: info.clientId,
      tokenUrl: info.tokenUrl,
      authorizeUrl: info.authorizeUrl,
      revokeUrl: info.revokeUrl,
      minorVersion: info.minorVersion,
      ...extra.settings,
    },
    secrets: {
      accessToken: info.accessToken,
      refreshToken: info.refreshToken,
      clientSecret: info.clientSecret,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      refreshTokenExpiresAt: new Date(Date.now() + 100 * 86_400_000).toISOString(),
      ...extra.secrets,
    },
  };
}

/** Test defaults: short backoff so retries do not sleep for seconds. */
export const FAST: Partial<QboConnectorOptions> = { backoffBaseMs: 2, backoffMaxMs: 20 };

/**
 * One in-memory store for a test file (creating a PGlite database takes seconds): call in a
 * top-level beforeAll, close in afterAll.
 */
export function openFileStore(): Promise<Store> {
  return openMigratedStore({ memory: true });
}

/** Starts an emulator and saves a connection to it (a new connection id each time) in the store. */
export async function qboFixture(
  store: Store,
  opts: { records?: number; seed?: number; limits?: Partial<Limits>; secrets?: Record<string, unknown> } = {},
): Promise<QboFixture> {
  const emu = await startQboEmulator({
    port: 0,
    seed: opts.seed ?? 1,
    records: opts.records ?? 40,
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const connectionId = `qbo-${++fixtures}`;
  const sealer = SEALER;
  const vault = new ConnectionRepository(store, sealer);
  const conn = connectionFrom(emu, {
    settings: opts.limits ? { limits: opts.limits } : {},
    secrets: opts.secrets ?? {},
  });
  await vault.save({ id: connectionId, system: 'qbo', ...conn });
  return {
    emu,
    store,
    connectionId,
    sealer,
    vault,
    connector: (o = {}) =>
      createQboConnector({ vault: o.vault ?? (vault as CredentialVault), connectionId, ...FAST, ...o }),
    control: control(emu.url),
    async close() {
      await emu.close();
    },
  };
}

/** A unique-enough display name for records a test creates. */
export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(4, '0')}`);
}
