import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ConnectionCredentials } from '../connectors/credentials.ts';
import { exchangeQboCode, qboAuthorizeUrl } from '../connectors/qbo/index.ts';
import { exchangeSalesforceCode, pkcePair, salesforceAuthorizeUrl } from '../connectors/salesforce/index.ts';
import { INTUIT, SALESFORCE_API_VERSION, saveQboOAuth, saveSalesforceOAuth } from '../runtime/connect.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { classify, HttpError, parseWith } from './http-errors.ts';

/**
 * OAuth 2.0 sign-in through the server, for both systems:
 *   GET /oauth/salesforce/start?connection=&loginUrl=&clientId=&apiVersion=   → 302 to Salesforce (PKCE)
 *   GET /oauth/salesforce/callback?code&state                                → tokens saved (sealed)
 *   GET /oauth/qbo/start?connection=&clientId=&environment=&baseUrl=…        → 302 to Intuit
 *   GET /oauth/qbo/callback?code&state&realmId                               → tokens saved (sealed)
 * `start` needs the admin token (header, or `?token=` for a browser link): the callback replaces
 * a connection's credentials. Settings left out come from the existing connection, else the
 * defaults; the client secret from the existing connection (same client id), else
 * SALESFORCE_CLIENT_SECRET / QBO_CLIENT_SECRET. The state lives in the store for 10 minutes and
 * is used once, so any server process sharing the database can take the callback.
 */

export const OAUTH_STATE_TTL_SECONDS = 600;
const STATE_PREFIX = 'oauth-state:';

type System = 'salesforce' | 'qbo';

interface PendingSignIn {
  system: System;
  connection: string;
  redirectUri: string;
  clientId: string;
  codeVerifier?: string;
  /** Salesforce: loginUrl, apiVersion; QuickBooks: baseUrl, authorizeUrl, tokenUrl, revokeUrl. */
  settings: Record<string, string>;
}

export interface OAuthRouteOptions {
  runtime: Runtime;
  env: NodeJS.ProcessEnv;
  /** The origin the providers redirect back to (the server's public URL). */
  publicUrl: () => string;
  /** Whether a request carries the admin token (header or `?token=`). */
  isAdmin: (req: FastifyRequest) => boolean;
}

const connectionId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (up to 64)');
const url = z.url({ protocol: /^https?$/ });

const sfStart = z.strictObject({
  connection: connectionId.default('salesforce'),
  loginUrl: url.optional(),
  clientId: z.string().trim().min(1).optional(),
  apiVersion: z
    .string()
    .regex(/^v?\d+\.\d$/, 'like 62.0')
    .optional(),
  token: z.string().optional(),
  format: z.enum(['json', 'redirect']).optional(),
});

const qbStart = z.strictObject({
  connection: connectionId.default('qbo'),
  clientId: z.string().trim().min(1).optional(),
  environment: z.enum(['production', 'sandbox']).optional(),
  baseUrl: url.optional(),
  authorizeUrl: url.optional(),
  tokenUrl: url.optional(),
  revokeUrl: url.optional(),
  token: z.string().optional(),
  format: z.enum(['json', 'redirect']).optional(),
});

const callback = z.looseObject({
  state: z.string().optional(),
  code: z.string().optional(),
  realmId: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

function stateKey(state: string): string {
  return STATE_PREFIX + createHash('sha256').update(state).digest('hex');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wantsJson(req: FastifyRequest): boolean {
  return String(req.headers.accept ?? '').includes('application/json');
}

/** The small page (or JSON) the browser lands on after a callback. */
function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: { ok: boolean; message: string; [k: string]: unknown },
): FastifyReply {
  if (wantsJson(req)) return reply.code(status).send(body);
  const title = body.ok ? 'ledgerbridge is connected' : 'ledgerbridge could not connect';
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${escapeHtml(body.message)}</p>` +
        (body.ok ? '<p>You can close this window.</p>' : '') +
        '</body></html>',
    );
}

export function registerOAuthRoutes(app: FastifyInstance, o: OAuthRouteOptions): void {
  const rt = o.runtime;
  const db = rt.store.db;

  const existing = async (id: string, system: System): Promise<ConnectionCredentials | null> => {
    if (!(await rt.connections.has(id))) return null;
    const c = await rt.connections.get(id);
    if (c.system !== system)
      throw new HttpError(
        409,
        'conflict',
        `connection "${id}" is a ${c.system} connection, not ${system === 'qbo' ? 'QuickBooks Online' : 'Salesforce'}`,
      );
    return c;
  };

  /** The client secret: the connection's own (same client id), else the environment's. */
  const clientSecret = (system: System, clientId: string, current: ConnectionCredentials | null) => {
    const own =
      current && str(current.settings.clientId) === clientId ? str(current.secrets.clientSecret) : undefined;
    const envName = system === 'salesforce' ? 'SALESFORCE_CLIENT_SECRET' : 'QBO_CLIENT_SECRET';
    const secret = own ?? str(o.env[envName]?.trim());
    if (!secret)
      throw new HttpError(
        400,
        'bad-request',
        `no client secret for client id ${clientId}: set ${envName} (the connection's own secret is used when it has one for this client id)`,
      );
    return secret;
  };

  const remember = async (pending: PendingSignIn): Promise<string> => {
    await db
      .deleteFrom('settings')
      .where('key', 'like', `${STATE_PREFIX}%`)
      .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${OAUTH_STATE_TTL_SECONDS})`)
      .execute();
    const state = randomBytes(24).toString('base64url');
    await db
      .insertInto('settings')
      .values({ key: stateKey(state), value: JSON.stringify(pending) })
      .execute();
    return state;
  };

  /** Takes the sign-in a state stands for, once; a 400 when unknown, used or expired. */
  const takeState = async (state: string | undefined, system: System): Promise<PendingSignIn> => {
    const row = state
      ? await db
          .deleteFrom('settings')
          .where('key', '=', stateKey(state))
          .returning([
            'value',
            sql<boolean>`updated_at > now() - make_interval(secs => ${OAUTH_STATE_TTL_SECONDS})`.as('fresh'),
          ])
          .executeTakeFirst()
      : undefined;
    const pending = row?.value as PendingSignIn | undefined;
    if (!row || !row.fresh || pending?.system !== system)
      throw new HttpError(
        400,
        'bad-state',
        'unknown or expired OAuth state: this is not the answer to a sign-in started here in the last 10 minutes; start again',
      );
    return pending;
  };

  const requireAdmin = (req: FastifyRequest) => {
    if (!o.isAdmin(req))
      throw new HttpError(
        401,
        'unauthorized',
        'starting a sign-in needs the admin token (Authorization: Bearer …, or ?token=)',
      );
  };

  const go = (req: FastifyRequest, reply: FastifyReply, authorizeUrl: string, format?: string) =>
    format === 'json' || (format === undefined && wantsJson(req))
      ? reply.send({ authorizeUrl })
      : reply.redirect(authorizeUrl, 302);

  app.get('/oauth/salesforce/start', async (req, reply) => {
    requireAdmin(req);
    const q = parseWith(sfStart, req.query, 'query');
    const current = await existing(q.connection, 'salesforce');
    const loginUrl = (
      q.loginUrl ??
      str(current?.settings.loginUrl) ??
      'https://login.salesforce.com'
    ).replace(/\/+$/, '');
    const clientId = q.clientId ?? str(current?.settings.clientId) ?? str(o.env.SALESFORCE_CLIENT_ID);
    if (!clientId)
      throw new HttpError(
        400,
        'bad-request',
        'clientId: name the connected app (its consumer key) with ?clientId=',
      );
    clientSecret('salesforce', clientId, current);
    const redirectUri = `${o.publicUrl()}/oauth/salesforce/callback`;
    const { codeVerifier, codeChallenge } = pkcePair();
    const state = await remember({
      system: 'salesforce',
      connection: q.connection,
      redirectUri,
      clientId,
      codeVerifier,
      settings: {
        loginUrl,
        apiVersion: q.apiVersion ?? str(current?.settings.apiVersion) ?? SALESFORCE_API_VERSION,
      },
    });
    return go(
      req,
      reply,
      salesforceAuthorizeUrl({ loginUrl, clientId, redirectUri, state, codeChallenge }),
      q.format,
    );
  });

  app.get('/oauth/salesforce/callback', async (req, reply) => {
    const q = parseWith(callback, req.query, 'query');
    const p = await takeState(q.state, 'salesforce');
    if (q.error)
      return answer(req, reply, 400, {
        ok: false,
        error: q.error,
        message: `Salesforce refused the sign-in: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`,
      });
    if (!q.code) throw new HttpError(400, 'bad-request', 'code: the callback carried no authorization code');
    const current = await existing(p.connection, 'salesforce');
    const secret = clientSecret('salesforce', p.clientId, current);
    try {
      const tokens = await exchangeSalesforceCode({
        loginUrl: p.settings.loginUrl!,
        clientId: p.clientId,
        clientSecret: secret,
        redirectUri: p.redirectUri,
        code: q.code,
        codeVerifier: p.codeVerifier,
      });
      const label = await saveSalesforceOAuth(rt.connections, {
        id: p.connection,
        loginUrl: p.settings.loginUrl!,
        apiVersion: p.settings.apiVersion,
        clientId: p.clientId,
        clientSecret: secret,
        tokens,
        keep: current?.settings,
      });
      rt.forget(p.connection);
      req.log.info({ connection: p.connection }, 'Salesforce connected');
      return answer(req, reply, 200, {
        ok: true,
        connection: p.connection,
        system: 'salesforce',
        instanceUrl: tokens.instanceUrl,
        message: `Connected "${p.connection}": ${label}.`,
      });
    } catch (e) {
      return failed(req, reply, e, 'Salesforce');
    }
  });

  app.get('/oauth/qbo/start', async (req, reply) => {
    requireAdmin(req);
    const q = parseWith(qbStart, req.query, 'query');
    const current = await existing(q.connection, 'qbo');
    const s = current?.settings ?? {};
    const clientId = q.clientId ?? str(s.clientId) ?? str(o.env.QBO_CLIENT_ID);
    if (!clientId)
      throw new HttpError(
        400,
        'bad-request',
        'clientId: name the Intuit app (its client id) with ?clientId=',
      );
    clientSecret('qbo', clientId, current);
    const settings = {
      baseUrl:
        q.baseUrl ??
        (q.environment ? INTUIT.baseUrl[q.environment] : undefined) ??
        str(s.baseUrl) ??
        INTUIT.baseUrl.production,
      authorizeUrl: q.authorizeUrl ?? str(s.authorizeUrl) ?? INTUIT.authorizeUrl,
      tokenUrl: q.tokenUrl ?? str(s.tokenUrl) ?? INTUIT.tokenUrl,
      revokeUrl: q.revokeUrl ?? str(s.revokeUrl) ?? INTUIT.revokeUrl,
    };
    const redirectUri = `${o.publicUrl()}/oauth/qbo/callback`;
    const state = await remember({
      system: 'qbo',
      connection: q.connection,
      redirectUri,
      clientId,
      settings,
    });
    return go(
      req,
      reply,
      qboAuthorizeUrl({ authorizeUrl: settings.authorizeUrl, clientId, redirectUri, state }),
      q.format,
    );
  });

  app.get('/oauth/qbo/callback', async (req, reply) => {
    const q = parseWith(callback, req.query, 'query');
    const p = await takeState(q.state, 'qbo');
    if (q.error)
      return answer(req, reply, 400, {
        ok: false,
        error: q.error,
        message: `QuickBooks refused the sign-in: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`,
      });
    if (!q.code) throw new HttpError(400, 'bad-request', 'code: the callback carried no authorization code');
    if (!q.realmId)
      throw new HttpError(400, 'bad-request', 'realmId: the QuickBooks callback carried no company id');
    const current = await existing(p.connection, 'qbo');
    const secret = clientSecret('qbo', p.clientId, current);
    try {
      const tokens = await exchangeQboCode({
        tokenUrl: p.settings.tokenUrl!,
        clientId: p.clientId,
        clientSecret: secret,
        redirectUri: p.redirectUri,
        code: q.code,
      });
      const verifier =
        str(current?.secrets.webhookVerifierToken) ?? str(o.env.QBO_WEBHOOK_VERIFIER_TOKEN?.trim());
      const label = await saveQboOAuth(rt.connections, {
        id: p.connection,
        realmId: q.realmId,
        clientId: p.clientId,
        clientSecret: secret,
        tokens,
        settings: p.settings,
        keep: current?.settings,
        webhookVerifierToken: verifier,
      });
      rt.forget(p.connection);
      req.log.info({ connection: p.connection, realmId: q.realmId }, 'QuickBooks connected');
      return answer(req, reply, 200, {
        ok: true,
        connection: p.connection,
        system: 'qbo',
        realmId: q.realmId,
        message: `Connected "${p.connection}": ${label}.`,
      });
    } catch (e) {
      return failed(req, reply, e, 'QuickBooks');
    }
  });
}

function failed(req: FastifyRequest, reply: FastifyReply, e: unknown, what: string): FastifyReply {
  const known = classify(e);
  if (!known) throw e;
  req.log.warn({ err: e }, `${what} sign-in failed`);
  return answer(req, reply, known.statusCode, {
    ok: false,
    error: known.code,
    message: `${what} sign-in failed: ${known.message}`,
  });
}
