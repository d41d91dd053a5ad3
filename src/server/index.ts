import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { SyncReport } from '../engine/sync.ts';
import type { Runtime } from '../runtime/runtime.ts';
import {
  bearerToken,
  dataDirOf,
  resolveAdminToken,
  tokenMatches,
  type AdminTokenSource,
} from './admin-token.ts';
import { registerApiRoutes } from './api-routes.ts';
import { errorHandler, HttpError, sendError } from './http-errors.ts';
import { registerOAuthRoutes } from './oauth-routes.ts';
import { registerQboWebhooks } from './qbo-webhooks.ts';
import { WebhookSync } from './webhook-sync.ts';

/**
 * The ledgerbridge HTTP server (fastify): the admin API under /api (admin token), OAuth start and
 * callback routes for Salesforce and QuickBooks Online, QuickBooks webhooks (signature), /health.
 */

export interface ServerOptions {
  runtime: Runtime;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default: LEDGERBRIDGE_ADMIN_TOKEN, else kept in `<dataDir>/admin.token`, else generated for this process. */
  adminToken?: string;
  /** Default: the runtime's logger. */
  logger?: Logger;
  /** The address OAuth providers and webhooks reach the server at (default LEDGERBRIDGE_PUBLIC_URL, else `url`). */
  publicUrl?: string;
  /** Default process.env (client secrets, webhook verifier token, admin token). */
  env?: NodeJS.ProcessEnv;
  /** Quiet time gathered before a webhook-triggered sync (default 500 ms). */
  webhookDebounceMs?: number;
  /** Called with every webhook-triggered sync report. */
  onWebhookSync?: (report: SyncReport) => void;
}

export interface RunningServer {
  /** Where the server listens (http://host:port). */
  url: string;
  /** The address given to OAuth providers (publicUrl, else url). */
  publicUrl: string;
  adminToken: string;
  /** Where the admin token came from; `adminTokenFile` when kept in the data folder. */
  adminTokenSource: AdminTokenSource;
  adminTokenFile?: string;
  app: FastifyInstance;
  /** Webhook-triggered syncs: `idle()` resolves once none is queued or running. */
  webhooks: { idle(): Promise<void> };
  /** Stops listening, waits for the webhook sync in progress; the runtime stays open (its owner closes it). */
  close(): Promise<void>;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds the app without listening (tests may `inject`). */
export function buildServer(
  opts: Omit<ServerOptions, 'adminToken' | 'publicUrl'> & { adminToken: string; publicUrl: () => string },
): {
  app: FastifyInstance;
  webhooks: WebhookSync;
} {
  const rt = opts.runtime;
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? rt.logger;
  const app = Fastify({
    loggerInstance: logger,
    // one line per request, written by the onResponse hook below
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    // the body limit of the admin API and webhooks (Intuit's payloads are small)
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance;

  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new HttpError(404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        url: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  // JSON bodies: an empty body is no body; malformed JSON is a 400 saying so.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    json(req, text, (err, value) => {
      if (err) done(new HttpError(400, 'bad-json', `the body is not valid JSON: ${err.message}`), undefined);
      else done(null, value);
    });
  });

  const isAdmin = (req: FastifyRequest): boolean => {
    const presented =
      bearerToken(req.headers.authorization) ??
      (typeof (req.query as Record<string, unknown> | undefined)?.token === 'string'
        ? ((req.query as Record<string, string>).token ?? null)
        : null);
    return tokenMatches(presented, opts.adminToken);
  };

  app.get('/health', async (_req, reply) => {
    try {
      await sql`select 1`.execute(rt.store.db);
      return { status: 'ok', store: rt.store.kind };
    } catch (e) {
      return reply
        .code(503)
        .send({ status: 'unavailable', store: rt.store.kind, message: (e as Error).message });
    }
  });

  app.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      if (!tokenMatches(bearerToken(req.headers.authorization), opts.adminToken)) {
        reply.header('www-authenticate', 'Bearer realm="ledgerbridge"');
        return sendError(
          reply,
          new HttpError(
            401,
            'unauthorized',
            req.headers.authorization
              ? 'the admin token is not valid'
              : 'the admin API needs the admin token: Authorization: Bearer <token>',
          ),
        );
      }
    });
    registerApiRoutes(api, rt);
    api.all('/api/*', async (req) => {
      throw new HttpError(404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`);
    });
  });

  registerOAuthRoutes(app, { runtime: rt, env, publicUrl: opts.publicUrl, isAdmin });

  const webhooks = new WebhookSync(rt.engine, logger, {
    debounceMs: opts.webhookDebounceMs,
    onRun: opts.onWebhookSync,
  });
  registerQboWebhooks(app, { runtime: rt, sync: webhooks, env });
  return { app, webhooks };
}

/** Starts the server on the runtime. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const token = resolveAdminToken({ option: opts.adminToken, env, dataDir: dataDirOf(opts.runtime.store) });
  const configured = (opts.publicUrl ?? env.LEDGERBRIDGE_PUBLIC_URL)?.replace(/\/+$/, '');
  const where = { url: '' };
  const publicUrl = () => configured || where.url;
  const { app, webhooks } = buildServer({ ...opts, env, adminToken: token.token, publicUrl });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  where.url = `http://${displayHost(host)}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: where.url,
    publicUrl: publicUrl(),
    adminToken: token.token,
    adminTokenSource: token.source,
    ...(token.file ? { adminTokenFile: token.file } : {}),
    app,
    webhooks: { idle: () => webhooks.idle() },
    close() {
      closing ??= (async () => {
        await app.close();
        await webhooks.close();
      })();
      return closing;
    },
  };
}
