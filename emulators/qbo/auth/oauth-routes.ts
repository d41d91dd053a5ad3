import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QboService } from '../service.ts';
import type { TokenResponse } from './tokens.ts';

/**
 * Intuit's OAuth 2.0 endpoints, on the emulator's own origin:
 *   GET  /connect/oauth2              consent (approved at once) → 302 redirect_uri?code&state&realmId
 *   POST /oauth2/v1/tokens/bearer     authorization_code and refresh_token grants (Basic client auth)
 *   POST /v2/oauth2/tokens/revoke     disconnect
 * Errors use the OAuth shapes (`{"error":"invalid_grant"}`), never a QuickBooks Fault.
 */

export const OAUTH_PATHS = {
  authorize: '/connect/oauth2',
  token: '/oauth2/v1/tokens/bearer',
  revoke: '/v2/oauth2/tokens/revoke',
} as const;

export const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';
const KNOWN_SCOPES = new Set([
  ACCOUNTING_SCOPE,
  'com.intuit.quickbooks.payment',
  'openid',
  'profile',
  'email',
  'phone',
  'address',
]);

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
}

function oauthError(reply: FastifyReply, status: number, error: string, description?: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json;charset=UTF-8')
    .header('intuit_tid', randomUUID())
    .header('cache-control', 'no-cache, no-store')
    .send(JSON.stringify(description ? { error, error_description: description } : { error }));
}

function basicClient(req: FastifyRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { id: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

function formOrJson(req: FastifyRequest): Record<string, string> {
  const text = typeof req.body === 'string' ? req.body : '';
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
      }
    } catch {
      return {};
    }
    return {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function errorPage(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .header('content-type', 'text/html;charset=UTF-8')
    .send(
      `<!DOCTYPE html><html><head><title>Intuit</title></head><body><h1>Something went wrong</h1><p>${message}</p></body></html>`,
    );
}

function tokenBody(body: TokenResponse, withHardExpiry: boolean): string {
  const { x_refresh_token_hard_expires_in: hard, ...rest } = body;
  return JSON.stringify(
    withHardExpiry && hard !== undefined ? { ...rest, x_refresh_token_hard_expires_in: hard } : rest,
  );
}

/** Registers the authorize, token and revoke endpoints. */
export function registerOAuthRoutes(
  app: FastifyInstance,
  service: QboService,
  client: OAuthClientConfig,
): void {
  app.get(OAUTH_PATHS.authorize, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.client_id !== client.clientId) return errorPage(reply, 'The client_id is not valid.');
    const redirect = q.redirect_uri;
    let target: URL;
    try {
      target = new URL(redirect ?? '');
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return errorPage(reply, 'The redirect_uri is missing or not a valid URL.');
    }
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    const scopes = (q.scope ?? '').split(/[\s+]+/).filter(Boolean);
    if (q.response_type !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      return reply.redirect(target.toString(), 302);
    }
    if (
      scopes.length === 0 ||
      scopes.some((s) => !KNOWN_SCOPES.has(s)) ||
      !scopes.some((s) => s.startsWith('com.intuit'))
    ) {
      target.searchParams.set('error', 'invalid_scope');
      return reply.redirect(target.toString(), 302);
    }
    const realmId = q.realmId && service.realms.has(q.realmId) ? q.realmId : service.primary.company.realmId;
    target.searchParams.set('code', service.tokens.createCode(realmId, redirect!));
    target.searchParams.set('realmId', realmId);
    return reply.redirect(target.toString(), 302);
  });

  app.post(OAUTH_PATHS.token, async (req, reply) => {
    const c = basicClient(req);
    if (!c || c.id !== client.clientId || c.secret !== client.clientSecret)
      return oauthError(reply, 401, 'invalid_client');
    const form = formOrJson(req);
    const hard =
      String(req.headers['x-include-refresh-token-hard-expires-in'] ?? '').toLowerCase() === 'true';
    let result;
    if (form.grant_type === 'authorization_code') {
      if (!form.code) return oauthError(reply, 400, 'invalid_request');
      result = service.tokens.exchangeCode(form.code, form.redirect_uri);
    } else if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) return oauthError(reply, 400, 'invalid_request');
      result = service.tokens.refreshGrant(form.refresh_token);
    } else {
      return oauthError(reply, 400, form.grant_type ? 'unsupported_grant_type' : 'invalid_request');
    }
    if (!result.ok) return oauthError(reply, 400, result.error);
    return reply
      .code(200)
      .header('content-type', 'application/json;charset=UTF-8')
      .header('intuit_tid', randomUUID())
      .header('cache-control', 'no-cache, no-store')
      .header('pragma', 'no-cache')
      .send(tokenBody(result.body, hard));
  });

  app.post(OAUTH_PATHS.revoke, async (req, reply) => {
    const c = basicClient(req);
    if (!c || c.id !== client.clientId || c.secret !== client.clientSecret)
      return oauthError(reply, 401, 'invalid_client');
    const token = formOrJson(req).token;
    if (!token) return oauthError(reply, 400, 'invalid_request');
    service.tokens.revoke(token);
    return reply.code(200).header('intuit_tid', randomUUID()).send('');
  });
}
