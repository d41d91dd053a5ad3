import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { defaultConfig, loadConfig, type FlowConfig, type LedgerbridgeConfig } from '../config/index.ts';
import { createQboConnector, type QboConnector } from '../connectors/qbo/index.ts';
import { createSalesforceConnector, type SalesforceConnector } from '../connectors/salesforce/index.ts';
import type { FlowModel } from '../engine/model.ts';
import type { EngineContext } from '../engine/sync.ts';
import {
  catalogFromSalesforceDescribe,
  compileFlow,
  qboCustomerCatalog,
  type ObjectCatalog,
} from '../mapping/index.ts';
import { sealerFromEnv } from '../secrets/sealer.ts';
import { ConnectionRepository } from '../store/connections.ts';
import { locationFromEnv, openMigratedStore, type Store, type StoreLocation } from '../store/database.ts';
import { flowModel, type ChildRelationships } from './flow-model.ts';

/** Where the configuration comes from: a flag, LEDGERBRIDGE_CONFIG, ./ledgerbridge.yaml, else the embedded defaults. */
export function configPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (flag) return resolve(flag);
  if (env.LEDGERBRIDGE_CONFIG) return resolve(env.LEDGERBRIDGE_CONFIG);
  const local = resolve('ledgerbridge.yaml');
  return existsSync(local) ? local : null;
}

/** Connector tuning a runtime applies to every connector it opens. */
export interface ConnectorTuning {
  salesforce?: { timeoutMs?: number; retries?: number };
  qbo?: {
    timeoutMs?: number;
    retries?: number;
    limits?: { perMinute?: number; concurrent?: number; batchPerMinute?: number };
  };
}

/** Everything a command or the server needs, opened once. */
export interface Runtime {
  store: Store;
  connections: ConnectionRepository;
  config: LedgerbridgeConfig;
  engine: EngineContext;
  logger: Logger;
  /** The Salesforce connector of a connection (cached). */
  salesforce(connectionId: string): Promise<SalesforceConnector>;
  /** The QuickBooks Online connector of a connection (cached). */
  qbo(connectionId: string): Promise<QboConnector>;
  /** Drops a connection's cached connectors and compiled flows (after it was reconnected or removed). */
  forget(connectionId: string): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  configFile?: string | null;
  config?: LedgerbridgeConfig;
  location?: StoreLocation;
  logger?: Logger;
  tuning?: ConnectorTuning;
  env?: NodeJS.ProcessEnv;
}

/** Opens the store (migrated), the vault, the configuration and the engine context. */
export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? pino({ level: env.LEDGERBRIDGE_LOG ?? 'silent' });
  const file = opts.configFile === undefined ? configPath(undefined, env) : opts.configFile;
  const config = opts.config ?? (file ? await loadConfig(file) : defaultConfig());
  const location = opts.location ?? locationFromEnv(env);
  const sealer = sealerFromEnv(env, location.dataDir ?? env.LEDGERBRIDGE_DATA ?? '.ledgerbridge', {
    requireEnvKey: !!location.databaseUrl,
  });
  const store = await openMigratedStore(location);
  const connections = new ConnectionRepository(store, sealer);

  const sfConnectors = new Map<string, Promise<SalesforceConnector>>();
  const qbConnectors = new Map<string, Promise<QboConnector>>();
  const models = new Map<string, Promise<FlowModel>>();

  const salesforce = (id: string) => {
    let c = sfConnectors.get(id);
    if (!c) {
      c = createSalesforceConnector({
        vault: connections,
        connectionId: id,
        logger,
        ...opts.tuning?.salesforce,
      });
      c.catch(() => sfConnectors.delete(id));
      sfConnectors.set(id, c);
    }
    return c;
  };
  const qbo = (id: string) => {
    let c = qbConnectors.get(id);
    if (!c) {
      c = createQboConnector({ vault: connections, connectionId: id, logger, ...opts.tuning?.qbo });
      c.catch(() => qbConnectors.delete(id));
      qbConnectors.set(id, c);
    }
    return c;
  };

  const compile = async (flow: FlowConfig): Promise<FlowModel> => {
    const sf = await salesforce(flow.salesforce.connection);
    const objects = [flow.salesforce.object, ...Object.values(flow.salesforce.related).map((r) => r.object)];
    const sfCatalogs: Record<string, ObjectCatalog> = {};
    let children: ChildRelationships = [];
    for (const object of new Set(objects)) {
      const describe = await sf.describe(object);
      sfCatalogs[object] = catalogFromSalesforceDescribe(describe);
      if (object === flow.salesforce.object)
        children = (describe as { childRelationships?: ChildRelationships }).childRelationships ?? [];
    }
    const compiled = compileFlow(
      flow,
      { sf: sfCatalogs, qb: qbCatalog(flow.quickbooks.entity) },
      config.file ?? undefined,
    );
    return flowModel(compiled, children);
  };

  const engine: EngineContext = {
    store,
    flowNames: () => config.flows.filter((f) => f.enabled).map((f) => f.name),
    model(name) {
      let m = models.get(name);
      if (!m) {
        const flow = config.flows.find((f) => f.name === name);
        if (!flow) return Promise.reject(new Error(`no flow named "${name}"`));
        m = compile(flow);
        m.catch(() => models.delete(name));
        models.set(name, m);
      }
      return m;
    },
    salesforce,
    qbo,
  };

  return {
    store,
    connections,
    config,
    engine,
    logger,
    salesforce,
    qbo,
    forget(connectionId) {
      sfConnectors.delete(connectionId);
      qbConnectors.delete(connectionId);
      // A flow compiled against the old connection may hold its describe: compile again.
      for (const f of config.flows)
        if (f.salesforce.connection === connectionId || f.quickbooks.connection === connectionId)
          models.delete(f.name);
    },
    async close() {
      await store.close();
    },
  };
}

/** The static catalog of a QuickBooks entity (QuickBooks Online has no describe API). */
function qbCatalog(entity: string): ObjectCatalog {
  if (entity === 'Customer') return qboCustomerCatalog();
  throw new Error(`QuickBooks entity ${entity} has no field catalog yet`);
}
