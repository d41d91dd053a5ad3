import type { AddressInfo } from 'node:net';
import { hashString } from '../kit/rng.ts';
import { createEmulatorApp, createKit, type EmulatorKit } from '../kit/server.ts';
import { loadState, saveState } from '../kit/state-file.ts';
import { salesforceAdapter } from './adapter.ts';
import { guardBadUrls, registerFallbacks, registerRest } from './api/rest-server.ts';
import type { Services } from './api/types.ts';
import { registerOAuthRoutes } from './auth/oauth-routes.ts';
import { AuthStore, derived } from './auth/sessions.ts';
import { registerSoapLogin } from './auth/soap-login.ts';
import { instanceCode, to18 } from './ids.ts';
import { ApiUsage } from './limits.ts';
import { SalesforceOrg } from './org/org.ts';
import { PACKAGE_SCHEMA } from './package-schema.ts';
import {
  loadCustomSchemaFile,
  parseCustomSchema,
  type CustomSchema,
  type ParsedCustomSchema,
} from './schema/custom-schema.ts';
import { Schema } from './schema/registry.ts';
import { seedBase, seedUniverse } from './seed.ts';
import { QueryService } from './soql/query-service.ts';
import { STATE_FORMAT, checkState, restoreObjects, snapshotObjects, type SalesforceState } from './state.ts';
import { MAX_VERSION, MIN_VERSION } from './api/versions.ts';

/**
 * A local, stateful Salesforce org: REST API (sObjects, describe, SOQL query/queryAll with
 * cursors, replication, composite), OAuth 2.0, the partner SOAP login, daily API limits and
 * injected faults. Started in-process (tests, benchmarks, demo) or from the CLI.
 */

export interface SalesforceEmulatorOptions {
  /** 0 = random (default 0). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 1. */
  seed?: number | string;
  /** Companies of the seed universe (default 200); 0 = an empty org. */
  records?: number;
  /** Loaded if it exists (no seeding then); written on close() and POST /__emulator/save. */
  stateFile?: string;
  /** Fault spec, as for --faults (emulators/kit/faults.ts). */
  faults?: string;
  /** Custom objects and fields (a JSON file path or the document itself), on top of the package schema. */
  schema?: string | CustomSchema;
  /** Daily API request allocation (default 100000). */
  dailyApiLimit?: number;
  /** Session timeout: an access token dies after this many seconds unused (default 7200). */
  sessionSeconds?: number;
  /** The version advertised in info (default '62.0'); every served version answers. */
  apiVersion?: string;
}

export interface SalesforceEmulatorInfo {
  instanceUrl: string;
  loginUrl: string;
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  username: string;
  password: string;
  securityToken: string;
  orgId: string;
  userId: string;
  sessionSeconds: number;
  dailyApiLimit: number;
  [key: string]: unknown;
}

export interface RunningSalesforceEmulator {
  url: string;
  info: SalesforceEmulatorInfo;
  kit: EmulatorKit;
  org: SalesforceOrg;
  /** Internal errors answered as UNKNOWN_EXCEPTION (should stay empty). */
  internalErrors: Error[];
  close(): Promise<void>;
}

/** Thrown for options that cannot be used (bad API version, bad schema...). */
export class SalesforceEmulatorOptionError extends Error {
  override name = 'SalesforceEmulatorOptionError';
}

function schemaDocs(schema: SalesforceEmulatorOptions['schema']): ParsedCustomSchema[] {
  const docs = [parseCustomSchema(PACKAGE_SCHEMA, 'package schema')];
  if (typeof schema === 'string') docs.push(loadCustomSchemaFile(schema));
  else if (schema) docs.push(parseCustomSchema(schema));
  return docs;
}

/** Starts an emulated org and listens on host:port. */
export async function startSalesforceEmulator(
  opts: SalesforceEmulatorOptions = {},
): Promise<RunningSalesforceEmulator> {
  const seed = opts.seed ?? 1;
  const records = opts.records ?? 200;
  const host = opts.host ?? '127.0.0.1';
  const sessionSeconds = opts.sessionSeconds ?? 7200;
  const dailyApiLimit = opts.dailyApiLimit ?? 100_000;
  const apiVersion = opts.apiVersion ?? '62.0';
  const major = /^(\d+)\.0$/.exec(apiVersion);
  if (!major || Number(major[1]) < MIN_VERSION || Number(major[1]) > MAX_VERSION)
    throw new SalesforceEmulatorOptionError(
      `apiVersion must be one of ${MIN_VERSION}.0 to ${MAX_VERSION}.0, got ${apiVersion}`,
    );
  if (!Number.isInteger(records) || records < 0)
    throw new SalesforceEmulatorOptionError(`records must be a whole number >= 0, got ${records}`);
  if (!(dailyApiLimit > 0))
    throw new SalesforceEmulatorOptionError(`dailyApiLimit must be > 0, got ${dailyApiLimit}`);
  if (!(sessionSeconds > 0))
    throw new SalesforceEmulatorOptionError(`sessionSeconds must be > 0, got ${sessionSeconds}`);

  const kit = createKit({ seed, faults: opts.faults });
  const schema = Schema.build(schemaDocs(opts.schema));
  const state = opts.stateFile ? await loadState(opts.stateFile, checkState) : null;
  if (state && state.clockOffsetMs > kit.clock.offset)
    kit.clock.advance(state.clockOffsetMs - kit.clock.offset);

  const seedKey = String(seed);
  const instance = state?.instance ?? instanceCode(hashString(seedKey));
  const orgId = state?.orgId ?? to18(`00D${instance}0000000001`);
  const org = new SalesforceOrg(schema, orgId, instance);
  const auth = new AuthStore(kit.clock, sessionSeconds, orgId.slice(0, 15));
  const usage = new ApiUsage(kit.clock, dailyApiLimit);

  let integrationUserId: string;
  let creds: SalesforceState['credentials'];
  if (state) {
    org.ids.restore(state.idCounters);
    restoreObjects(org, state.objects);
    org.restoreDeleteLog(state.deleteLog);
    auth.restore(state.auth);
    usage.restore(state.usage);
    integrationUserId = state.integrationUserId;
    creds = state.credentials;
  } else {
    const slug = seedKey.toLowerCase().replace(/[^a-z0-9]+/g, '') || 'org';
    creds = {
      clientId: `3MVG9${derived(`${seedKey}:client-id`, 80)}`,
      clientSecret: derived(`${seedKey}:client-secret`, 64, '0123456789ABCDEF'),
      username: `integration@ledgerbridge-${slug}.demo`,
      password: `Ledgerbridge-${derived(`${seedKey}:password`, 8)}`,
      securityToken: derived(`${seedKey}:security-token`, 24),
      accessToken: `${orgId.slice(0, 15)}!AQ${derived(`${seedKey}:access-token`, 94)}`,
      refreshToken: `5Aep861${derived(`${seedKey}:refresh-token`, 80)}`,
    };
    const users = seedBase(org, { username: creds.username, now: kit.clock.now() });
    integrationUserId = users.integrationUserId;
    seedUniverse(org, { seed, records, now: kit.clock.now(), users });
    auth.addApp({ clientId: creds.clientId, clientSecret: creds.clientSecret, name: 'ledgerbridge' });
    auth.addCredentials({
      userId: integrationUserId,
      username: creds.username,
      password: creds.password,
      securityToken: creds.securityToken,
    });
    auth.issueRefresh(integrationUserId, creds.clientId, creds.refreshToken);
    auth.issueSession(integrationUserId, creds.clientId, creds.refreshToken, creds.accessToken);
  }

  org.defaultContext = () => ({ userId: integrationUserId, now: kit.clock.now() });
  let baseUrl = '';
  const internalErrors: Error[] = [];
  const svc: Services = {
    org,
    queries: new QueryService(org, kit.clock),
    auth,
    usage,
    clock: kit.clock,
    baseUrl: () => baseUrl,
    internalErrors,
  };

  const info = (): SalesforceEmulatorInfo => ({
    instanceUrl: baseUrl,
    loginUrl: baseUrl,
    apiVersion,
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    accessToken: creds.accessToken,
    refreshToken: creds.refreshToken,
    username: creds.username,
    password: creds.password,
    securityToken: creds.securityToken,
    orgId,
    userId: integrationUserId,
    sessionSeconds,
    dailyApiLimit,
  });

  const save = opts.stateFile
    ? async () => {
        const s: SalesforceState = {
          format: STATE_FORMAT,
          version: 1,
          seed,
          records,
          orgId,
          instance,
          integrationUserId,
          credentials: creds,
          idCounters: org.ids.snapshot(),
          objects: snapshotObjects(org),
          deleteLog: org.deleteLogSnapshot(),
          auth: auth.snapshot(),
          usage: usage.snapshot(),
          clockOffsetMs: kit.clock.offset,
        };
        await saveState(opts.stateFile!, s);
      }
    : undefined;

  const adapter = salesforceAdapter({ org, auth, usage, info, ...(save ? { save } : {}) });
  const app = createEmulatorApp(kit, () => adapter);
  registerRest(app, svc);
  registerOAuthRoutes(app, {
    auth,
    org,
    baseUrl: () => baseUrl,
    integrationUserId: () => integrationUserId,
    sessionSeconds,
    internalErrors,
  });
  registerSoapLogin(app, { auth, org, baseUrl: () => baseUrl, sessionSeconds, internalErrors });
  registerFallbacks(app, svc);
  guardBadUrls(app);

  await app.listen({ port: opts.port ?? 0, host });
  const addr = app.server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  let closed = false;
  return {
    url: baseUrl,
    info: info(),
    kit,
    org,
    internalErrors,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (save) await save();
      } finally {
        await app.close();
      }
    },
  };
}

export { SalesforceOrg } from './org/org.ts';
export type { CustomSchema } from './schema/custom-schema.ts';
export { CustomSchemaError } from './schema/custom-schema.ts';
export { PACKAGE_SCHEMA } from './package-schema.ts';
