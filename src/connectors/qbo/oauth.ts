import type { CallStats } from '../call-stats.ts';
import { AuthError, ConnectorError } from '../errors.ts';

/** The QuickBooks Online Accounting scope. */
export const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

/** Tokens as the connector stores them (expiry instants in ISO, computed from the response). */
export interface QboTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

/** The URL to send the user to for consent (Intuit's authorization-code flow). */
export function qboAuthorizeUrl(p: {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope?: string;
}): string {
  const url = new URL(p.authorizeUrl);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', p.scope ?? ACCOUNTING_SCOPE);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('state', p.state);
  return url.toString();
}

interface TokenCall {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  form: Record<string, string>;
  timeoutMs?: number;
  stats?: CallStats;
}

function seconds(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * One call to Intuit's token endpoint (Basic client authentication, form body). `invalid_grant`
 * and `invalid_client` are AuthErrors (a person must reconnect); throttling, 5xx and network
 * failures are transient ConnectorErrors. A 200 without tokens is an error, never a success.
 */
export async function callTokenEndpoint(c: TokenCall): Promise<QboTokens & { raw: Record<string, unknown> }> {
  const started = Date.now();
  let res: Response;
  try {
    c.stats?.add('POST oauth2/token');
    res = await fetch(c.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams(c.form).toString(),
      signal: AbortSignal.timeout(c.timeoutMs ?? 60_000),
    });
  } catch (e) {
    throw new ConnectorError(
      'qbo',
      `the QuickBooks token endpoint could not be reached: ${(e as Error).message}`,
      {
        code: 'NETWORK',
        transient: true,
        cause: e,
      },
    );
  }
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // an HTML error page: the status says enough
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
  if (error === 'invalid_grant' || error === 'invalid_client' || res.status === 401) {
    throw new AuthError(
      'qbo',
      `QuickBooks refused the credentials (${error ?? `HTTP ${res.status}`}${description}): reconnect the company`,
      {
        code: error ?? 'invalid_client',
        status: res.status,
      },
    );
  }
  if (res.status === 429 || res.status >= 500) {
    throw new ConnectorError(
      'qbo',
      `the QuickBooks token endpoint answered HTTP ${res.status}${error ? ` (${error})` : ''}`,
      {
        code: error ?? `HTTP_${res.status}`,
        status: res.status,
        transient: true,
      },
    );
  }
  const accessToken = body.access_token;
  const refreshToken = body.refresh_token;
  if (!res.ok || error || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new ConnectorError(
      'qbo',
      `the QuickBooks token endpoint answered HTTP ${res.status} without tokens${error ? ` (${error}${description})` : ''}`,
      { code: error ?? `HTTP_${res.status}`, status: res.status },
    );
  }
  // Expiries count from when we asked: never later than the service's own reckoning.
  const accessIn = seconds(body.expires_in) ?? 3600;
  const refreshIn = seconds(body.x_refresh_token_expires_in) ?? 8_726_400;
  return {
    accessToken,
    refreshToken,
    accessTokenExpiresAt: new Date(started + accessIn * 1000).toISOString(),
    refreshTokenExpiresAt: new Date(started + refreshIn * 1000).toISOString(),
    raw: body,
  };
}

/** Exchanges the authorization code from the consent redirect for the first tokens. */
export async function exchangeQboCode(p: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
}): Promise<QboTokens> {
  const { raw: _raw, ...tokens } = await callTokenEndpoint({
    tokenUrl: p.tokenUrl,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    form: { grant_type: 'authorization_code', code: p.code, redirect_uri: p.redirectUri },
  });
  return tokens;
}

/** Revokes a connection's tokens (disconnect); a token QuickBooks no longer knows counts as revoked. */
export async function revokeQboToken(p: {
  revokeUrl: string;
  clientId: string;
  clientSecret: string;
  token: string;
}): Promise<void> {
  const res = await fetch(p.revokeUrl, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${p.clientId}:${p.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify({ token: p.token }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok && res.status !== 400) {
    throw new ConnectorError('qbo', `revoking the QuickBooks token failed: HTTP ${res.status}`, {
      status: res.status,
      transient: res.status >= 500,
    });
  }
}
