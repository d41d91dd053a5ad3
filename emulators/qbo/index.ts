import type { FastifyRequest } from 'fastify';
import { loadState, saveState } from '../kit/state-file.ts';
import { createEmulatorApp, createKit, type EmulatorAdapter, type EmulatorKit } from '../kit/server.ts';
import { registerApiRoutes } from './api/routes.ts';
import { OAUTH_PATHS, registerOAuthRoutes } from './auth/oauth-routes.ts';
import { registerControlRoutes } from './control-routes.ts';
import { RequestIdCache } from './idempotency.ts';
import { appIdentity, companySeed, realmIdFor } from './identity.ts';
import { injectedFault } from './injected-faults.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { ENTITY_NAMES } from './schema.ts';
import { warmQueryViews } from './query/execute.ts';
import { seedCompany } from './seed/data.ts';
import { QboService } from './service.ts';
import {
  checkState,
  restoreRealm,
  snapshotRealm,
  STATE_KIND,
  STATE_VERSION,
  type QboState,
} from './state.ts';
import type { Company } from './store/company.ts';
import { withMetaData } from './store/table.ts';
import type { TokenSnapshot } from './auth/tokens.ts';

export type { Company } from './store/company.ts';
export type { Limits } from './limits.ts';
export { signPayload } from './webhooks.ts';

export interface QboEmulatorOptions {
  /** 0 = random (default 0). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 1. */
  seed?: number | string;
  /** Companies in the seed universe (default 200); 0 = empty company. */
  records?: number;
  /** Companies (realms) hosted, default 1; the first is seeded with `records`, the others smaller. */
  realms?: number;
  /** Loaded if it exists (then no seeding); saved on close() and POST /__emulator/save. */
  stateFile?: string;
  /** --faults text spec (emulators/kit/faults.ts). */
  faults?: string;
  /** Per realm; defaults 500 per minute, 10 in flight, 40 batches per minute. */
  limits?: Partial<Limits>;
  /** Default (and minimum honoured) 75, like real QBO since Aug 2025. */
  minorVersion?: number;
  webhooks?: {
    urls?: string[];
    format?: 'cloudevents' | 'legacy';
    /** How long changes are gathered before a delivery (default 250 ms). */
    delayMs?: number;
    /** Waits before each retry of a failed delivery (default 1 s, 5 s, 20 s). */
    retryDelaysMs?: number[];
  };
}

export interface QboEmulatorInfo {
  baseUrl: string;
  realmId: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  webhookVerifierToken: string;
  realms: string[];
  /** Tokens of each company's own connection (the first equals accessToken/refreshToken). */
  tokens: Record<string, { accessToken: string; refreshToken: string }>;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  minorVersion: number;
}

export interface RunningQboEmulator {
  url: string;
  info: QboEmulatorInfo;
  kit: EmulatorKit;
  /** The in-memory company (the first when no realm id is given), for in-process inspection. */
  company(realmId?: string): Company;
  close(): Promise<void>;
}

/** Thrown when the emulator cannot start as asked (e.g. a --state file of another kind). */
export class QboEmulatorError extends Error {
  override name = 'QboEmulatorError';
}

function bearerOf(req: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)/i.exec(String(req.headers.authorization ?? ''))?.[1];
}

function recordsFor(records: number, k: number): number {
  return k === 0 ? records : Math.min(records, Math.max(20, Math.floor(records / 10)));
}

/**
 * Starts a QuickBooks Online emulator: the Accounting API v3 at `{url}/v3/company/{realmId}/…`,
 * Intuit OAuth 2.0 at `{url}/connect/oauth2` and `{url}/oauth2/v1/tokens/bearer`, webhooks, and
 * the /__emulator control routes. Seeded from the shared universe unless a state file exists.
 */
export async function startQboEmulator(opts: QboEmulatorOptions = {}): Promise<RunningQboEmulator> {
  const seed = opts.seed ?? 1;
  const records = Math.max(0, Math.floor(opts.records ?? 200));
  const realmCount = Math.max(1, Math.floor(opts.realms ?? 1));
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const minorVersion = Math.max(75, opts.minorVersion ?? 75);
  const identity = appIdentity(seed);
  const kit = createKit({ seed, ...(opts.faults ? { faults: opts.faults } : {}) });
  const service = new QboService(
    kit,
    limits,
    {
      urls: opts.webhooks?.urls ?? [],
      format: opts.webhooks?.format ?? 'cloudevents',
      delayMs: opts.webhooks?.delayMs ?? 250,
      retryDelaysMs: opts.webhooks?.retryDelaysMs ?? [1000, 5000, 20000],
      timeoutMs: 3000,
      verifierToken: identity.verifierToken,
    },
    identity.appId,
  );

  const state = opts.stateFile ? await loadState(opts.stateFile, checkState) : null;
  if (state) {
    if (state.clockOffsetMs > kit.clock.offset) kit.clock.advance(state.clockOffsetMs - kit.clock.offset);
    service.tokens.restore(state.tokens as TokenSnapshot);
    for (const url of state.webhookUrls) service.webhooks.urls.add(url);
    for (const snap of state.realms) {
      const co = service.newCompany(snap.realmId);
      restoreRealm(co, snap);
      warmQueryViews(co);
      const cache = new RequestIdCache();
      for (const [id, resp] of snap.requestIds) cache.set(id, resp);
      service.addRealm(co, cache);
    }
  } else {
    const now = kit.clock.now();
    for (let k = 0; k < realmCount; k++) {
      const co = service.newCompany(realmIdFor(seed, k));
      seedCompany(co, { seed: companySeed(seed, k), records: recordsFor(records, k), realmIndex: k, now });
      warmQueryViews(co);
      service.addRealm(co);
    }
  }

  const snapshot = (): QboState => ({
    kind: STATE_KIND,
    version: STATE_VERSION,
    savedAt: new Date().toISOString(),
    clockOffsetMs: kit.clock.offset,
    realms: [...service.realms.values()].map((r) => snapshotRealm(r.company, r.requestIds.entries())),
    tokens: service.tokens.snapshot(),
    webhookUrls: [...service.webhooks.urls],
  });
  const save = opts.stateFile ? () => saveState(opts.stateFile!, snapshot()) : undefined;

  // the info exists once the server listens; the adapter is built before
  const current: { info?: QboEmulatorInfo } = {};
  const adapter: EmulatorAdapter = {
    info: () => ({ ...current.info }),
    dump: () =>
      Object.fromEntries(
        [...service.realms].map(([id, r]) => [
          id,
          Object.fromEntries(
            ENTITY_NAMES.map((n) => [n, [...r.company.table(n).inIdOrder()].map(withMetaData)]),
          ),
        ]),
      ),
    faultResponse: (action, req) => injectedFault(action, req, service.now()),
    expireToken: (req) => {
      const token = bearerOf(req);
      if (token) service.tokens.expire(token);
    },
    ...(save ? { save } : {}),
  };
  const app = createEmulatorApp(kit, () => adapter);
  app.server.on('request', (req, res) => {
    const m = /^\/v3\/company\/([^/?#]+)\//.exec(req.url ?? '');
    const realm = m ? service.realms.get(decodeURIComponent(m[1]!)) : undefined;
    if (!realm) return;
    const admitted = realm.limiter.admit();
    service.admissions.set(req, admitted);
    if (admitted) res.once('close', () => realm.limiter.release());
  });
  registerApiRoutes(app, service);
  registerOAuthRoutes(app, service, { clientId: identity.clientId, clientSecret: identity.clientSecret });
  registerControlRoutes(app, service);

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const primary = service.primary;
  const info: QboEmulatorInfo = {
    baseUrl: url,
    realmId: primary.company.realmId,
    clientId: identity.clientId,
    clientSecret: identity.clientSecret,
    accessToken: primary.tokens.access_token,
    refreshToken: primary.tokens.refresh_token,
    webhookVerifierToken: identity.verifierToken,
    realms: [...service.realms.keys()],
    tokens: Object.fromEntries(
      [...service.realms].map(([id, r]) => [
        id,
        { accessToken: r.tokens.access_token, refreshToken: r.tokens.refresh_token },
      ]),
    ),
    authorizeUrl: `${url}${OAUTH_PATHS.authorize}`,
    tokenUrl: `${url}${OAUTH_PATHS.token}`,
    revokeUrl: `${url}${OAUTH_PATHS.revoke}`,
    minorVersion,
  };
  current.info = info;

  let closed = false;
  return {
    url,
    info,
    kit,
    company(realmId?: string): Company {
      const r = realmId ? service.realms.get(realmId) : primary;
      if (!r) throw new QboEmulatorError(`no company ${realmId}`);
      return r.company;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      service.webhooks.close();
      if (save) await save();
      await app.close();
    },
  };
}
