import type { Logger } from 'pino';
import type { CallStats } from '../call-stats.ts';
import type { ConnectionCredentials, CredentialVault } from '../credentials.ts';
import { AuthError, ConnectorError } from '../errors.ts';
import { backoffDelay, sleep } from './backoff.ts';
import { callTokenEndpoint } from './oauth.ts';

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_RETRIES = 2;
const TOKEN_BACKOFF_MAX_MS = 2000;

/** An access token and the credentials version it came from. */
export interface AccessGrant {
  token: string;
  version: number;
}

export interface TokenKeeperOptions {
  vault: CredentialVault;
  connectionId: string;
  logger: Logger;
  stats: CallStats;
  timeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

function setting(creds: ConnectionCredentials, key: string): string | undefined {
  const v = creds.settings[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The connection's tokens. Every new token goes through `vault.rotate`, which holds the
 * connection's row lock and commits the new secrets before this class hands the new access token
 * out: a rotated refresh token is durable before anything relies on it. Under the lock, a
 * refresher first checks whether another worker already rotated (tokenVersion moved) and adopts
 * that worker's tokens instead of spending the refresh token a second time.
 */
export class TokenKeeper {
  private creds: ConnectionCredentials | undefined;
  private refreshing: Promise<ConnectionCredentials> | undefined;

  constructor(private readonly o: TokenKeeperOptions) {}

  /** The credentials as last loaded or rotated. */
  async credentials(): Promise<ConnectionCredentials> {
    if (!this.creds) this.creds = await this.o.vault.get(this.o.connectionId);
    return this.creds;
  }

  /** A usable access token: refreshed first when it expires within 5 minutes. */
  async access(): Promise<AccessGrant> {
    let creds = await this.credentials();
    const expiresAt = Date.parse(String(creds.secrets.accessTokenExpiresAt ?? ''));
    const missing = !creds.secrets.accessToken;
    if (missing || (Number.isFinite(expiresAt) && expiresAt - Date.now() < REFRESH_MARGIN_MS)) {
      creds = await this.refresh(creds.tokenVersion);
    }
    return { token: String(creds.secrets.accessToken ?? ''), version: creds.tokenVersion };
  }

  /**
   * Replaces the tokens of `version` (after a 401, or before expiry). Concurrent callers in this
   * process share one rotation; other processes are serialized by the vault's row lock.
   */
  async refresh(version: number): Promise<ConnectionCredentials> {
    if (this.creds && this.creds.tokenVersion !== version) return this.creds;
    if (!this.refreshing) {
      this.refreshing = this.rotate(version).finally(() => (this.refreshing = undefined));
    }
    return this.refreshing;
  }

  private async rotate(version: number): Promise<ConnectionCredentials> {
    const { vault, connectionId, logger } = this.o;
    let refreshed = false;
    try {
      const next = await vault.rotate(connectionId, async (current) => {
        if (current.tokenVersion !== version) return null;
        const tokenUrl = setting(current, 'tokenUrl');
        const clientId = setting(current, 'clientId');
        const clientSecret = current.secrets.clientSecret;
        const refreshToken = current.secrets.refreshToken;
        if (
          !tokenUrl ||
          !clientId ||
          typeof clientSecret !== 'string' ||
          typeof refreshToken !== 'string' ||
          !refreshToken
        ) {
          throw new AuthError(
            'qbo',
            'the connection has no refresh token, client id, client secret or token URL: reconnect it',
            {
              code: 'NO_REFRESH_TOKEN',
            },
          );
        }
        const tokens = await this.callWithRetries(() =>
          callTokenEndpoint({
            tokenUrl,
            clientId,
            clientSecret,
            form: { grant_type: 'refresh_token', refresh_token: refreshToken },
            timeoutMs: this.o.timeoutMs,
            stats: this.o.stats,
          }),
        );
        refreshed = true;
        return {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
        };
      });
      this.creds = next;
      logger.debug(
        { tokenVersion: next.tokenVersion, refreshed },
        refreshed ? 'rotated QuickBooks tokens' : 'adopted tokens another worker rotated',
      );
      return next;
    } catch (e) {
      if (e instanceof AuthError) {
        logger.warn(
          { err: e.message },
          'QuickBooks refused the refresh token; the connection needs to be reconnected',
        );
        await vault.setStatus(connectionId, 'needs-reauth', e.message).catch(() => {});
      }
      throw e;
    }
  }

  // Intuit keeps answering a rotated-but-unused refresh token with the same successor, so a
  // refresh whose response was lost can safely be asked again. Few, short retries: this runs
  // under the connection's row lock (on PGlite the whole store waits for it).
  private async callWithRetries<T>(call: () => Promise<T>): Promise<T> {
    const retries = Math.min(this.o.retries, TOKEN_RETRIES);
    const maxMs = Math.min(this.o.backoffMaxMs, TOKEN_BACKOFF_MAX_MS);
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const retry =
          e instanceof ConnectorError && !(e instanceof AuthError) && e.transient && attempt < retries;
        if (!retry) throw e;
        await sleep(backoffDelay(attempt, Math.min(this.o.backoffBaseMs, maxMs), maxMs));
      }
    }
  }
}
