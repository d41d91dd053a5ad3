import { randomBytes } from 'node:crypto';

/**
 * Intuit OAuth 2.0 tokens on the emulator clock. Access tokens live 3,600 s; refresh tokens
 * 8,726,400 s (101 days) from issue. Each refresh rotates the refresh token; the previous one
 * keeps working (answering with the same successor, as Intuit returns the same refresh token for
 * a while) until the successor has been used or 24 hours have passed, then it is invalid_grant.
 * Revoking any token of a connection revokes the connection (Intuit's disconnect).
 */

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 8_726_400;
export const ROTATION_GRACE_MS = 24 * 3_600_000;
export const AUTH_CODE_TTL_MS = 5 * 60_000;
/** The absolute cap on a connection's refresh tokens (Intuit's 2025 policy: five years). */
export const HARD_EXPIRY_S = 5 * 365 * 24 * 3600;

interface AccessRecord {
  realmId: string;
  connection: string;
  expiresAt: number;
  expired?: boolean;
}

interface RefreshRecord {
  realmId: string;
  connection: string;
  expiresAt: number;
  hardExpiresAt: number;
  successor?: string;
  rotatedAt?: number;
  used?: boolean;
}

interface CodeRecord {
  realmId: string;
  redirectUri: string;
  expiresAt: number;
  used?: boolean;
}

/** A token response body, as Intuit's token endpoint writes it. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
}

export type AccessCheck =
  { ok: true } | { ok: false; status: 401; detail: string } | { ok: false; status: 403 };

export type GrantResult = { ok: true; body: TokenResponse; realmId: string } | { ok: false; error: string };

/** The serializable state of the token store. */
export interface TokenSnapshot {
  access: Array<[string, AccessRecord]>;
  refresh: Array<[string, RefreshRecord]>;
  revoked: string[];
}

function opaque(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** All tokens and authorization codes the emulator has issued. */
export class TokenStore {
  private access = new Map<string, AccessRecord>();
  private refresh = new Map<string, RefreshRecord>();
  private codes = new Map<string, CodeRecord>();
  private revoked = new Set<string>();
  private connections = 0;

  constructor(private readonly now: () => number) {}

  /** Starts a new connection (an app authorized on a company) and issues its first tokens. */
  connect(realmId: string): TokenResponse {
    const connection = `c${++this.connections}-${randomBytes(4).toString('hex')}`;
    const refresh = this.newRefresh(realmId, connection, this.now() + HARD_EXPIRY_S * 1000);
    return this.response(this.newAccess(realmId, connection), refresh, this.refresh.get(refresh)!);
  }

  /** Authenticates a bearer token for a realm: 401 unknown/expired/revoked, 403 another realm. */
  check(token: string | undefined, realmId: string): AccessCheck {
    if (!token) return { ok: false, status: 401, detail: 'Token invalid' };
    const rec = this.access.get(token);
    if (!rec || this.revoked.has(rec.connection)) return { ok: false, status: 401, detail: 'Token invalid' };
    if (rec.expired || this.now() >= rec.expiresAt) {
      return { ok: false, status: 401, detail: `Token expired: ${token.slice(0, 10)}...` };
    }
    if (rec.realmId !== realmId) return { ok: false, status: 403 };
    return { ok: true };
  }

  /** The realm an access token belongs to, if it is one. */
  realmOf(token: string): string | undefined {
    return this.access.get(token)?.realmId;
  }

  /** Makes an access token fail as expired (the `expire-token` fault). */
  expire(token: string): void {
    const rec = this.access.get(token);
    if (rec) rec.expired = true;
  }

  /** Issues an authorization code for the consent step. */
  createCode(realmId: string, redirectUri: string): string {
    const code = opaque('AB11', 30);
    this.codes.set(code, { realmId, redirectUri, expiresAt: this.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /** grant_type=authorization_code: a code is good once, for its redirect_uri, for 5 minutes. */
  exchangeCode(code: string, redirectUri: string | undefined): GrantResult {
    const rec = this.codes.get(code);
    if (!rec || rec.used || this.now() >= rec.expiresAt) return { ok: false, error: 'invalid_grant' };
    if (redirectUri !== undefined && redirectUri !== rec.redirectUri)
      return { ok: false, error: 'invalid_grant' };
    rec.used = true;
    return { ok: true, body: this.connect(rec.realmId), realmId: rec.realmId };
  }

  /** grant_type=refresh_token, with rotation and grace (see the module comment). */
  refreshGrant(token: string): GrantResult {
    const rec = this.refresh.get(token);
    const now = this.now();
    if (!rec || this.revoked.has(rec.connection) || now >= rec.expiresAt || now >= rec.hardExpiresAt) {
      return { ok: false, error: 'invalid_grant' };
    }
    if (rec.successor !== undefined) {
      const successor = this.refresh.get(rec.successor);
      if (!successor || successor.used || now - (rec.rotatedAt ?? 0) >= ROTATION_GRACE_MS) {
        return { ok: false, error: 'invalid_grant' };
      }
      const access = this.newAccess(rec.realmId, rec.connection);
      return { ok: true, body: this.response(access, rec.successor, successor), realmId: rec.realmId };
    }
    rec.used = true;
    const next = this.newRefresh(rec.realmId, rec.connection, rec.hardExpiresAt);
    rec.successor = next;
    rec.rotatedAt = now;
    const access = this.newAccess(rec.realmId, rec.connection);
    return { ok: true, body: this.response(access, next, this.refresh.get(next)!), realmId: rec.realmId };
  }

  /** Revokes the connection a token (access or refresh) belongs to; false for an unknown token. */
  revoke(token: string): boolean {
    const connection = this.access.get(token)?.connection ?? this.refresh.get(token)?.connection;
    if (!connection) return false;
    this.revoked.add(connection);
    return true;
  }

  /** The store's state, for the state file. */
  snapshot(): TokenSnapshot {
    return { access: [...this.access], refresh: [...this.refresh], revoked: [...this.revoked] };
  }

  /** Restores a snapshot taken by `snapshot`. */
  restore(s: TokenSnapshot): void {
    this.access = new Map(s.access);
    this.refresh = new Map(s.refresh);
    this.revoked = new Set(s.revoked);
    this.connections = this.refresh.size;
  }

  private newAccess(realmId: string, connection: string): string {
    const token = opaque('eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..', 96);
    this.access.set(token, { realmId, connection, expiresAt: this.now() + ACCESS_TOKEN_TTL_S * 1000 });
    return token;
  }

  private newRefresh(realmId: string, connection: string, hardExpiresAt: number): string {
    const token = opaque(`AB11${Math.floor(this.now() / 1000)}`, 30);
    const expiresAt = Math.min(hardExpiresAt, this.now() + REFRESH_TOKEN_TTL_S * 1000);
    this.refresh.set(token, { realmId, connection, expiresAt, hardExpiresAt });
    return token;
  }

  private response(access: string, refresh: string, rec: RefreshRecord): TokenResponse {
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_TTL_S,
      // Rounded up: a token issued a millisecond ago still reports its whole lifetime (8726400), as
      // Intuit's does; rounding down made a slow machine report 8726399.
      x_refresh_token_expires_in: Math.max(0, Math.ceil((rec.expiresAt - this.now()) / 1000)),
      x_refresh_token_hard_expires_in: Math.max(0, Math.ceil((rec.hardExpiresAt - this.now()) / 1000)),
    };
  }
}
