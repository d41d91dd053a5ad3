import { createHash, randomBytes } from 'node:crypto';
import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import { AuthError, ConnectorError } from '../errors.ts';
import { instrumentTransport, type TransportHooks } from './transport.ts';

/**
 * Salesforce sign-in: the OAuth 2.0 web-server flow (authorize URL, code exchange, refresh) and
 * username + password + security token (the OAuth password grant when a connected app's secret is
 * known, the SOAP login() call otherwise). Token endpoint failures become AuthError when a person
 * must act (revoked grant, wrong password) and a transient ConnectorError when the service was
 * merely unreachable.
 */

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_VERSION = '62.0';

/** Options shared by the sign-in helpers. */
export interface SignInTransport {
  timeoutMs?: number;
  hooks?: TransportHooks;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A PKCE verifier and its S256 challenge (base64url). */
export function pkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(64).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}

/** The URL to send a person to so they approve the connection (web-server flow). */
export function salesforceAuthorizeUrl(p: {
  loginUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge?: string;
  /** Space-separated scopes; default: the connected app's own (which must include refresh_token). */
  scope?: string;
}): string {
  const url = new URL(`${trimSlash(p.loginUrl)}/services/oauth2/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('state', p.state);
  if (p.scope) url.searchParams.set('scope', p.scope);
  if (p.codeChallenge) url.searchParams.set('code_challenge', p.codeChallenge);
  return url.toString();
}

function oauthClient(
  p: { loginUrl: string; clientId: string; clientSecret?: string; redirectUri?: string },
  t: SignInTransport = {},
): OAuth2 {
  const client = new OAuth2({
    loginUrl: trimSlash(p.loginUrl),
    clientId: p.clientId,
    ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
    ...(p.redirectUri ? { redirectUri: p.redirectUri } : {}),
  });
  instrumentTransport(client._transport, { timeoutMs: t.timeoutMs ?? DEFAULT_TIMEOUT_MS }, t.hooks ?? {});
  return client;
}

const AUTH_CODES = new Set([
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'invalid_client_credentials',
  'unauthorized_client',
  'inactive_user',
  'inactive_org',
  'invalid_app_access',
  'invalid_request',
  'unsupported_grant_type',
  'redirect_uri_mismatch',
]);

/** Token endpoint errors that say "try again" (Salesforce's unknown_error, RFC 6749's server errors). */
const TRANSIENT_OAUTH = new Set(['unknown_error', 'server_error', 'temporarily_unavailable']);

const SOAP_AUTH =
  /^(INVALID_LOGIN|LOGIN_MUST_USE_SECURITY_TOKEN|INVALID_OPERATION_WITH_EXPIRED_PASSWORD|PASSWORD_LOCKOUT|API_DISABLED_FOR_ORG|API_CURRENTLY_DISABLED|LOGIN_DURING_RESTRICTED_DOMAIN|LOGIN_CHALLENGE_ISSUED|INVALID_SSO_GATEWAY_URL|ORG_LOCKED|USER_NOT_ENABLED_FOR_API|INSUFFICIENT_ACCESS)\b/;

/** Classifies a failure of the token endpoint or of SOAP login(). */
export function signInFailure(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  const name = e?.name ?? '';
  const message = e?.message ?? String(err);
  if (AUTH_CODES.has(name)) {
    return new AuthError('salesforce', `${what}: ${name}${message ? ` (${message})` : ''}`, {
      code: name,
      status: 400,
      transient: false,
      cause: err,
    });
  }
  const soapTransient = /^(UNKNOWN_EXCEPTION|SERVER_UNAVAILABLE|REQUEST_LIMIT_EXCEEDED)\b/.exec(message);
  if (soapTransient) {
    return new ConnectorError('salesforce', `${what}: ${message}`, {
      code: soapTransient[1],
      transient: true,
      cause: err,
    });
  }
  const soap = SOAP_AUTH.exec(message);
  if (soap || /password has expired/i.test(message)) {
    return new AuthError('salesforce', `${what}: ${message}`, {
      code: soap?.[1] ?? 'PASSWORD_EXPIRED',
      transient: false,
      cause: err,
    });
  }
  if (TRANSIENT_OAUTH.has(name)) {
    return new ConnectorError('salesforce', `${what}: ${name}${message ? ` (${message})` : ''}`, {
      code: name,
      transient: true,
      cause: err,
    });
  }
  const http = /^ERROR_HTTP_(\d{3})$/.exec(name);
  const status = http ? Number(http[1]) : undefined;
  const transient =
    status === undefined ? name === 'FetchError' || name === 'AbortError' || !!e?.code : status >= 500;
  return new ConnectorError('salesforce', `${what}: ${message}`, {
    code: http ? `HTTP_${status}` : e?.code || name || undefined,
    ...(status !== undefined ? { status } : {}),
    transient,
    cause: err,
  });
}

/** The tokens the web-server flow yields. */
export interface SalesforceTokens {
  accessToken: string;
  refreshToken: string;
  instanceUrl: string;
  identityUrl: string;
  /** When Salesforce issued the token (ISO). */
  issuedAt: string;
}

function issuedAtIso(issuedAt: unknown): string {
  const ms = Number(issuedAt);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : new Date().toISOString();
}

/** Exchanges the authorization code from the callback for tokens (web-server flow). */
export async function exchangeSalesforceCode(
  p: {
    loginUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    code: string;
    codeVerifier?: string;
  } & SignInTransport,
): Promise<SalesforceTokens> {
  const client = oauthClient(p, p);
  let res;
  try {
    res = await client.requestToken(p.code, p.codeVerifier ? { code_verifier: p.codeVerifier } : {});
  } catch (e) {
    throw signInFailure(e, 'Salesforce authorization code exchange');
  }
  if (!res.refresh_token) {
    throw new AuthError(
      'salesforce',
      'Salesforce issued no refresh token: add the "Perform requests at any time (refresh_token, offline_access)" scope to the connected app',
      { code: 'NO_REFRESH_TOKEN', transient: false },
    );
  }
  return {
    accessToken: res.access_token,
    refreshToken: res.refresh_token,
    instanceUrl: res.instance_url,
    identityUrl: res.id,
    issuedAt: issuedAtIso(res.issued_at),
  };
}

/** Uses a refresh token; `refreshToken` is set only when Salesforce rotated it. */
export async function refreshSalesforceToken(
  p: { loginUrl: string; clientId: string; clientSecret?: string; refreshToken: string } & SignInTransport,
): Promise<{ accessToken: string; refreshToken?: string; instanceUrl: string }> {
  const client = oauthClient(p, p);
  try {
    const res = await client.refreshToken(p.refreshToken);
    return {
      accessToken: res.access_token,
      ...(res.refresh_token ? { refreshToken: res.refresh_token } : {}),
      instanceUrl: res.instance_url,
    };
  } catch (e) {
    throw signInFailure(e, 'Salesforce token refresh');
  }
}

/**
 * Logs in with username, password and security token: the OAuth password grant when a client
 * id and secret are given, the SOAP login() call otherwise.
 */
export async function loginWithPassword(
  p: {
    loginUrl: string;
    username: string;
    password: string;
    securityToken: string;
    clientId?: string;
    clientSecret?: string;
    apiVersion?: string;
  } & SignInTransport,
): Promise<{ accessToken: string; instanceUrl: string }> {
  const loginUrl = trimSlash(p.loginUrl);
  const useOAuth = !!(p.clientId && p.clientSecret);
  const conn = new Connection({
    loginUrl,
    version: (p.apiVersion ?? DEFAULT_VERSION).replace(/^v/, ''),
    ...(useOAuth
      ? { oauth2: oauthClient({ loginUrl, clientId: p.clientId!, clientSecret: p.clientSecret! }, p) }
      : {}),
  });
  instrumentTransport(conn._transport, { timeoutMs: p.timeoutMs ?? DEFAULT_TIMEOUT_MS }, p.hooks ?? {});
  try {
    await conn.login(p.username, `${p.password}${p.securityToken ?? ''}`);
  } catch (e) {
    throw signInFailure(e, `Salesforce login as ${p.username}`);
  }
  if (!conn.accessToken)
    throw new AuthError('salesforce', 'Salesforce login returned no session', { code: 'NO_SESSION' });
  return { accessToken: conn.accessToken, instanceUrl: conn.instanceUrl };
}
