import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import type { Logger } from 'pino';
import type { ConnectionCredentials, ConnectionSecrets, CredentialVault } from '../credentials.ts';
import { AuthError, ConnectorError } from '../errors.ts';
import { loginWithPassword, signInFailure } from './oauth.ts';
import { instrumentTransport, type TransportHooks } from './transport.ts';

/**
 * A connection's jsforce session, kept in the vault. When Salesforce answers 401 jsforce calls our
 * refresh function; it renews the session under the connection's row lock (vault.rotate) so the
 * new token is durable before it is used, and adopts the token another worker already renewed
 * instead of renewing twice. A refused refresh token or password marks the connection
 * needs-reauth and surfaces as AuthError.
 */

/** The non-secret settings a Salesforce connection holds. */
export interface SalesforceSettings {
  instanceUrl: string;
  loginUrl: string;
  apiVersion: string;
  clientId: string;
  authFlow: 'oauth' | 'password';
  username?: string;
}

/** Reads and checks a connection's settings. */
export function salesforceSettings(creds: ConnectionCredentials): SalesforceSettings {
  const s = creds.settings;
  const text = (k: string): string | undefined =>
    typeof s[k] === 'string' && s[k] !== '' ? (s[k] as string) : undefined;
  const bad = (msg: string) =>
    new ConnectorError('salesforce', `connection "${creds.id}": ${msg}`, {
      code: 'BAD_SETTINGS',
      transient: false,
    });
  if (creds.system !== 'salesforce') throw bad(`is a ${creds.system} connection, not salesforce`);
  const loginUrl = text('loginUrl') ?? 'https://login.salesforce.com';
  const instanceUrl = text('instanceUrl') ?? loginUrl;
  const authFlow = text('authFlow') ?? 'oauth';
  if (authFlow !== 'oauth' && authFlow !== 'password')
    throw bad(`authFlow must be "oauth" or "password", not "${authFlow}"`);
  const clientId = text('clientId') ?? '';
  if (authFlow === 'oauth' && !clientId) throw bad('the OAuth flow needs a clientId');
  const username = text('username');
  if (authFlow === 'password' && !username) throw bad('the password flow needs a username');
  const apiVersion = (text('apiVersion') ?? '62.0').replace(/^v/, '');
  if (!/^\d+\.\d$/.test(apiVersion)) throw bad(`apiVersion "${apiVersion}" is not like 62.0`);
  return {
    instanceUrl: instanceUrl.replace(/\/+$/, ''),
    loginUrl: loginUrl.replace(/\/+$/, ''),
    apiVersion,
    clientId,
    authFlow,
    ...(username ? { username } : {}),
  };
}

export interface SessionOptions {
  vault: CredentialVault;
  connectionId: string;
  timeoutMs: number;
  hooks: TransportHooks;
  logger?: Logger;
}

/** How many refreshes in a row, with no successful call between them, before giving up. */
const MAX_REFRESHES_WITHOUT_SUCCESS = 2;

/** A live session on one connection. */
export class SalesforceSession {
  readonly conn: Connection;
  private tokenVersion: number;
  private refreshesWithoutSuccess = 0;
  /** The typed error of the last failed refresh (jsforce rewraps it in a plain Error). */
  lastRefreshFailure: ConnectorError | null = null;

  private constructor(
    private readonly opts: SessionOptions,
    public settings: SalesforceSettings,
    creds: ConnectionCredentials,
  ) {
    this.tokenVersion = creds.tokenVersion;
    const secrets = creds.secrets;
    const oauth2 =
      settings.authFlow === 'oauth'
        ? new OAuth2({
            loginUrl: settings.loginUrl,
            clientId: settings.clientId,
            ...(secrets.clientSecret ? { clientSecret: secrets.clientSecret } : {}),
          })
        : undefined;
    this.conn = new Connection({
      instanceUrl: settings.instanceUrl,
      loginUrl: settings.loginUrl,
      version: settings.apiVersion,
      ...(oauth2 ? { oauth2 } : {}),
      ...(secrets.accessToken ? { accessToken: secrets.accessToken } : {}),
      ...(secrets.refreshToken && oauth2 ? { refreshToken: secrets.refreshToken } : {}),
      refreshFn: (_conn, callback) => {
        this.renew().then(
          (token) => callback(null, token),
          (err: Error) => callback(err),
        );
      },
    });
    instrumentTransport(this.conn._transport, { timeoutMs: opts.timeoutMs }, opts.hooks);
    instrumentTransport(this.conn.oauth2._transport, { timeoutMs: opts.timeoutMs }, opts.hooks);
  }

  /** Opens the session from the vault; logs in or refreshes first when there is no access token. */
  static async open(opts: SessionOptions): Promise<SalesforceSession> {
    const creds = await opts.vault.get(opts.connectionId);
    const settings = salesforceSettings(creds);
    const session = new SalesforceSession(opts, settings, creds);
    if (!creds.secrets.accessToken) {
      session.conn.accessToken = await session.renew();
    }
    return session;
  }

  /** A REST call succeeded: the current session works. */
  noteSuccess(): void {
    this.refreshesWithoutSuccess = 0;
  }

  /** Gets a new access token, durably, and returns it (jsforce's refresh function). */
  async renew(): Promise<string> {
    const { vault, connectionId, logger } = this.opts;
    if (this.refreshesWithoutSuccess >= MAX_REFRESHES_WITHOUT_SUCCESS) {
      const err = new AuthError(
        'salesforce',
        'Salesforce keeps rejecting freshly issued sessions (INVALID_SESSION_ID right after a refresh): reconnect the connection and check its user and connected-app policies',
        { code: 'INVALID_SESSION_ID', status: 401, transient: false },
      );
      return this.fail(err);
    }
    this.refreshesWithoutSuccess++;
    const startedFrom = this.tokenVersion;
    let renewed = false;
    try {
      const creds = await vault.rotate(connectionId, async (current, rotation) => {
        if (current.tokenVersion !== startedFrom) return null; // another worker already renewed: adopt it
        const fresh = await this.signIn(current.secrets);
        renewed = true;
        // The org may have moved (instance refresh, split): the new instance goes with the new
        // session into the same commit, or the next start would talk to the old one.
        const moved = fresh.instanceUrl?.replace(/\/+$/, '');
        if (moved && moved !== current.settings.instanceUrl) rotation.updateSettings({ instanceUrl: moved });
        const next: ConnectionSecrets = { accessToken: fresh.accessToken };
        if (fresh.refreshToken) next.refreshToken = fresh.refreshToken;
        return next;
      });
      this.tokenVersion = creds.tokenVersion;
      const token = creds.secrets.accessToken;
      if (!token)
        throw new AuthError('salesforce', 'the stored session has no access token', { code: 'NO_SESSION' });
      if (creds.secrets.refreshToken && this.conn.refreshToken !== creds.secrets.refreshToken) {
        this.conn.refreshToken = creds.secrets.refreshToken;
      }
      // The stored instance: the one this sign-in answered, or the one the worker we adopt from stored.
      const stored = creds.settings.instanceUrl;
      const instanceUrl = typeof stored === 'string' && stored ? stored.replace(/\/+$/, '') : undefined;
      if (instanceUrl && instanceUrl !== this.conn.instanceUrl) {
        logger?.info({ from: this.conn.instanceUrl, to: instanceUrl }, 'salesforce instance URL changed');
        this.conn.instanceUrl = instanceUrl;
        this.settings = { ...this.settings, instanceUrl };
      }
      logger?.info({ connectionId, adopted: !renewed }, 'salesforce session renewed');
      this.lastRefreshFailure = null;
      return token;
    } catch (e) {
      return this.fail(signInFailure(e, 'Salesforce session renewal'));
    }
  }

  private async fail(err: ConnectorError): Promise<never> {
    this.lastRefreshFailure = err;
    if (err instanceof AuthError) {
      await this.opts.vault
        .setStatus(this.opts.connectionId, 'needs-reauth', err.message)
        .catch((e: unknown) => {
          this.opts.logger?.error({ err: e }, 'could not record the needs-reauth status');
        });
    }
    throw err;
  }

  private async signIn(
    secrets: ConnectionSecrets,
  ): Promise<{ accessToken: string; refreshToken?: string; instanceUrl?: string }> {
    const s = this.settings;
    if (s.authFlow === 'oauth') {
      if (!secrets.refreshToken) {
        throw new AuthError(
          'salesforce',
          'the session expired and the connection holds no refresh token: reconnect it',
          {
            code: 'NO_REFRESH_TOKEN',
          },
        );
      }
      const res = await this.conn.oauth2.refreshToken(secrets.refreshToken);
      return {
        accessToken: res.access_token,
        ...(res.refresh_token ? { refreshToken: res.refresh_token } : {}),
        instanceUrl: res.instance_url,
      };
    }
    if (!secrets.password) {
      throw new AuthError('salesforce', 'the connection holds no password to log in with', {
        code: 'NO_PASSWORD',
      });
    }
    return loginWithPassword({
      loginUrl: s.loginUrl,
      username: s.username!,
      password: secrets.password,
      securityToken: secrets.securityToken ?? '',
      apiVersion: s.apiVersion,
      timeoutMs: this.opts.timeoutMs,
      hooks: this.opts.hooks,
      ...(s.clientId && secrets.clientSecret
        ? { clientId: s.clientId, clientSecret: secrets.clientSecret }
        : {}),
    });
  }
}
