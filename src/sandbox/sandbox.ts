import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  startQboEmulator,
  type QboEmulatorOptions,
  type RunningQboEmulator,
} from '../../emulators/qbo/index.ts';
import {
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../emulators/salesforce/index.ts';
import type { LedgerbridgeConfig } from '../config/index.ts';
import { runSync, type SyncReport, type SyncRequest } from '../engine/sync.ts';
import { connectEmulator } from '../runtime/connect.ts';
import { openRuntime, type ConnectorTuning, type Runtime } from '../runtime/runtime.ts';
import type { StoreLocation } from '../store/database.ts';

/**
 * Both emulators, started in-process on loopback from the shared seed universe (so their records
 * partly overlap), and a runtime whose connections point at them. The demo, the benchmarks, the
 * server tests and the engine tests all start from here.
 */
export interface Sandbox {
  salesforce: RunningSalesforceEmulator;
  qbo: RunningQboEmulator;
  runtime: Runtime;
  /** Runs a sync on the sandbox's runtime (trigger defaults to 'sandbox'). */
  sync(req?: Partial<SyncRequest>): Promise<SyncReport>;
  /** Closes the runtime (store and lock), then both emulators. */
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** Seed of both emulators (default 1). */
  seed?: number;
  /** Companies in the seed universe (default 200). */
  records?: number;
  /** Where the store lives (default: an in-memory PGlite). */
  location?: StoreLocation;
  config?: LedgerbridgeConfig;
  /** Configuration file instead of `config` (null: the embedded defaults). */
  configFile?: string | null;
  tuning?: ConnectorTuning;
  logger?: Logger;
  /** Extra emulator options (faults, limits, webhooks, state files …). */
  salesforceOptions?: Partial<SalesforceEmulatorOptions>;
  qboOptions?: Partial<QboEmulatorOptions>;
  /** Connection ids the flows use (default those of the embedded pack: salesforce, qbo). */
  connectionIds?: { salesforce: string; qbo: string };
  env?: NodeJS.ProcessEnv;
}

/** Starts both emulators and a runtime connected to them. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const seed = opts.seed ?? 1;
  const records = opts.records ?? 200;
  const salesforce = await startSalesforceEmulator({ seed, records, ...opts.salesforceOptions });
  let qbo: RunningQboEmulator | undefined;
  let runtime: Runtime | undefined;
  try {
    qbo = await startQboEmulator({ seed, records, ...opts.qboOptions });
    const location = opts.location ?? { memory: true };
    // Without a data folder there is nowhere to keep a key file: seal with a throwaway key
    // (rather than creating ./.ledgerbridge/secret.key in whatever directory this runs in).
    const env =
      opts.env ??
      (location.dataDir
        ? process.env
        : { ...process.env, LEDGERBRIDGE_SECRET_KEY: randomBytes(32).toString('base64') });
    runtime = await openRuntime({
      location,
      config: opts.config,
      configFile: opts.config ? undefined : (opts.configFile ?? null),
      tuning: opts.tuning,
      logger: opts.logger,
      env,
    });
    const ids = opts.connectionIds ?? { salesforce: 'salesforce', qbo: 'qbo' };
    await connectEmulator(runtime.connections, 'salesforce', ids.salesforce, salesforce.url);
    await connectEmulator(runtime.connections, 'qbo', ids.qbo, qbo.url);
  } catch (e) {
    await runtime?.close();
    await qbo?.close();
    await salesforce.close();
    throw e;
  }
  const rt = runtime;
  const qb = qbo;
  return {
    salesforce,
    qbo: qb,
    runtime: rt,
    sync: (req = {}) => runSync(rt.engine, { trigger: 'sandbox', ...req }),
    async close() {
      try {
        await rt.close();
      } finally {
        await qb.close();
        await salesforce.close();
      }
    },
  };
}
