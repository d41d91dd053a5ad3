import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthStore, type Session } from './sessions.ts';
import type { SalesforceOrg } from '../org/org.ts';

/**
 * OAuth 2.0 under /services/oauth2 (authorize, token, revoke, userinfo) and the identity URL
 * (/id/{org}/{user}). Grants: authorization_code (with PKCE), refresh_token, password (password +
 * security token) and client_credentials (runs as the integration user). Token responses carry
 * access_token, refresh_token (code flow only), signature, scope, instance_url, id, token_type and
 * issued_at, and no expires_in: the session lives until the org's session timeout.
 */

export interface OAuthDeps {
  auth: AuthStore;
  org: SalesforceOrg;
  baseUrl(): string;
  integrationUserId: () => string;
  sessionSeconds: number;
  /** Handlers must never throw out of the route; unexpected errors are recorded here. */
  internalErrors: Error[];
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

function params(req: FastifyRequest): URLSearchParams {
  const out = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  if (typeof req.body === 'string' && req.body.length) {
    for (const [k, v] of new URLSearchParams(req.body)) out.set(k, v);
  }
  return out;
}

function basicAuth(req: FastifyRequest): { id: string; secret: string } | null {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return null;
  const text = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0
    ? null
    : { id: decodeURIComponent(text.slice(0, i)), secret: decodeURIComponent(text.slice(i + 1)) };
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  const m = h ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1]!.trim() : null;
}

function sendOAuthError(reply: FastifyReply, e: OAuthError): FastifyReply {
  return reply
    .code(e.status)
    .header('content-type', 'application/json;charset=UTF-8')
    .header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private')
    .send(JSON.stringify({ error: e.error, error_description: e.description }));
}

export function registerOAuthRoutes(app: FastifyInstance, deps: OAuthDeps): void {
  const { auth, org } = deps;
  const idUrl = (userId: string) => `${deps.baseUrl()}/id/${org.orgId}/${userId}`;

  const tokenResponse = (s: Session, clientSecret: string, refreshToken?: string) => {
    const issuedAt = String(s.issuedAt);
    const id = idUrl(s.userId);
    const body: Record<string, string> = { access_token: s.token };
    if (refreshToken) body.refresh_token = refreshToken;
    Object.assign(body, {
      signature: AuthStore.signature(clientSecret, id, issuedAt),
      scope: refreshToken !== undefined || s.refreshToken ? 'refresh_token api' : 'api',
      instance_url: deps.baseUrl(),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
    return body;
  };

  const client = (p: URLSearchParams, req: FastifyRequest, requireSecret: boolean) => {
    const basic = basicAuth(req);
    const clientId = p.get('client_id') ?? basic?.id ?? '';
    const secret = p.get('client_secret') ?? basic?.secret ?? null;
    const app = auth.app(clientId);
    if (!app) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
    if ((secret !== null || requireSecret) && secret !== app.clientSecret)
      throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
    return app;
  };

  const guard =
    (fn: (req: FastifyRequest, reply: FastifyReply) => unknown) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply);
      } catch (e) {
        if (e instanceof OAuthError) return sendOAuthError(reply, e);
        deps.internalErrors.push(e instanceof Error ? e : new Error(String(e)));
        return sendOAuthError(reply, new OAuthError(500, 'unknown_error', 'retry your request'));
      }
    };

  const authorize = guard((req, reply) => {
    const p = params(req);
    const app = auth.app(p.get('client_id') ?? '');
    if (!app) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
    const redirectUri = p.get('redirect_uri') ?? '';
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      throw new OAuthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    }
    const state = p.get('state');
    if (p.get('response_type') !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      target.searchParams.set('error_description', 'response type not supported');
      if (state !== null) target.searchParams.set('state', state);
      return reply.code(302).header('location', target.toString()).send();
    }
    const challenge = p.get('code_challenge');
    const method = p.get('code_challenge_method') ?? (challenge ? 'S256' : null);
    const code = auth.issueCode({
      clientId: app.clientId,
      redirectUri,
      userId: deps.integrationUserId(),
      codeChallenge: challenge,
      codeChallengeMethod: method,
    });
    target.searchParams.set('code', code.code);
    if (state !== null) target.searchParams.set('state', state);
    return reply.code(302).header('location', target.toString()).send();
  });

  const token = guard((req, reply) => {
    const p = params(req);
    const grant = p.get('grant_type');
    let body: Record<string, string>;
    switch (grant) {
      case 'authorization_code': {
        const verifier = p.get('code_verifier');
        // A PKCE client may leave out its secret: the verifier proves it started the flow.
        const pending = auth.peekCode(p.get('code') ?? '');
        const app = client(p, req, !(pending?.codeChallenge && verifier));
        const code = auth.takeCode(p.get('code') ?? '');
        if (!code || code.clientId !== app.clientId)
          throw new OAuthError(400, 'invalid_grant', 'invalid authorization code');
        if ((p.get('redirect_uri') ?? '') !== code.redirectUri)
          throw new OAuthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
        if (code.codeChallenge) {
          const computed =
            code.codeChallengeMethod === 'plain'
              ? verifier
              : verifier && createHash('sha256').update(verifier).digest('base64url');
          if (computed !== code.codeChallenge)
            throw new OAuthError(400, 'invalid_grant', 'invalid code verifier');
        }
        const refresh = auth.issueRefresh(code.userId, app.clientId);
        const s = auth.issueSession(code.userId, app.clientId, refresh.token);
        body = tokenResponse(s, app.clientSecret, refresh.token);
        break;
      }
      case 'refresh_token': {
        const app = client(p, req, true);
        const g = auth.refreshGrant(p.get('refresh_token') ?? '');
        if (!g || g.clientId !== app.clientId)
          throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
        const s = auth.issueSession(g.userId, app.clientId, g.token);
        body = tokenResponse(s, app.clientSecret);
        break;
      }
      case 'password': {
        const app = client(p, req, true);
        const user = auth.checkPassword(p.get('username') ?? '', p.get('password') ?? '');
        if (!user) throw new OAuthError(400, 'invalid_grant', 'authentication failure');
        const s = auth.issueSession(user.userId, app.clientId, null);
        body = tokenResponse(s, app.clientSecret);
        delete body.scope;
        break;
      }
      case 'client_credentials': {
        const app = client(p, req, true);
        const s = auth.issueSession(deps.integrationUserId(), app.clientId, null);
        body = tokenResponse(s, app.clientSecret);
        break;
      }
      default:
        throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
    }
    return reply
      .code(200)
      .header('content-type', 'application/json;charset=UTF-8')
      .header('cache-control', 'no-cache,must-revalidate,max-age=0,no-store,private')
      .send(JSON.stringify(body));
  });

  const revoke = guard((req, reply) => {
    const t = params(req).get('token') ?? '';
    if (!auth.revoke(t)) throw new OAuthError(400, 'invalid_token', 'invalid token');
    return reply.code(200).send();
  });

  const badToken = (reply: FastifyReply) =>
    reply.code(403).header('content-type', 'text/plain;charset=UTF-8').send('Bad_OAuth_Token');

  const userinfo = guard((req, reply) => {
    const s = auth.authenticate(bearer(req) ?? '');
    if (!s) return badToken(reply);
    const u = org.tables.get('User')!.get(s.userId)!;
    return reply.header('content-type', 'application/json;charset=UTF-8').send(
      JSON.stringify({
        sub: idUrl(s.userId),
        user_id: s.userId,
        organization_id: org.orgId,
        preferred_username: u.Username,
        nickname: u.CommunityNickname,
        name: u.Name,
        email: u.Email,
        email_verified: true,
        given_name: u.FirstName,
        family_name: u.LastName,
        zoneinfo: u.TimeZoneSidKey,
        active: u.IsActive,
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_US',
        utcOffset: 0,
        updated_at: String(u.LastModifiedDate),
        urls: urls(deps.baseUrl(), s.userId, org.orgId),
      }),
    );
  });

  const identity = guard((req, reply) => {
    const p = params(req);
    const s = auth.authenticate(bearer(req) ?? p.get('oauth_token') ?? '');
    const { org: orgId, user } = req.params as { org: string; user: string };
    if (!s || orgId !== org.orgId) return badToken(reply);
    const u = org.tables.get('User')!.get(user);
    if (!u) return reply.code(404).header('content-type', 'text/plain;charset=UTF-8').send('Bad_Id');
    return reply.header('content-type', 'application/json;charset=UTF-8').send(
      JSON.stringify({
        id: idUrl(user),
        asserted_user: user === s.userId,
        user_id: user,
        organization_id: org.orgId,
        username: u.Username,
        nick_name: u.CommunityNickname,
        display_name: u.Name,
        email: u.Email,
        email_verified: true,
        first_name: u.FirstName,
        last_name: u.LastName,
        timezone: u.TimeZoneSidKey,
        photos: {
          picture: `${deps.baseUrl()}/profilephoto/005/F`,
          thumbnail: `${deps.baseUrl()}/profilephoto/005/T`,
        },
        addr_street: null,
        addr_city: null,
        addr_state: null,
        addr_country: null,
        addr_zip: null,
        mobile_phone: null,
        mobile_phone_verified: false,
        is_lightning_login_user: false,
        status: { created_date: null, body: null },
        urls: urls(deps.baseUrl(), user, org.orgId),
        active: u.IsActive,
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_US',
        utcOffset: 0,
        last_modified_date: u.LastModifiedDate,
        is_app_installed: true,
      }),
    );
  });

  app.route({ method: ['GET', 'POST'], url: '/services/oauth2/authorize', handler: authorize });
  app.post('/services/oauth2/token', token);
  app.route({ method: ['GET', 'POST'], url: '/services/oauth2/revoke', handler: revoke });
  app.route({ method: ['GET', 'POST'], url: '/services/oauth2/userinfo', handler: userinfo });
  app.get('/id/:org/:user', identity);
}

function urls(base: string, userId: string, orgId: string): Record<string, string> {
  const v = '{version}';
  return {
    enterprise: `${base}/services/Soap/c/${v}/${orgId}`,
    metadata: `${base}/services/Soap/m/${v}/${orgId}`,
    partner: `${base}/services/Soap/u/${v}/${orgId}`,
    rest: `${base}/services/data/v${v}/`,
    sobjects: `${base}/services/data/v${v}/sobjects/`,
    search: `${base}/services/data/v${v}/search/`,
    query: `${base}/services/data/v${v}/query/`,
    recent: `${base}/services/data/v${v}/recent/`,
    tooling_soap: `${base}/services/Soap/T/${v}/${orgId}`,
    tooling_rest: `${base}/services/data/v${v}/tooling/`,
    profile: `${base}/${userId}`,
    feeds: `${base}/services/data/v${v}/chatter/feeds`,
    groups: `${base}/services/data/v${v}/chatter/groups`,
    users: `${base}/services/data/v${v}/chatter/users`,
    feed_items: `${base}/services/data/v${v}/chatter/feed-items`,
    feed_elements: `${base}/services/data/v${v}/chatter/feed-elements`,
    custom_domain: base,
  };
}
