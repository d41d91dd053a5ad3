import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../kit/clock.ts';

/**
 * Sessions and OAuth grants: access tokens (sessions that expire after the org's session timeout
 * of inactivity), refresh tokens, authorization codes, connected apps and user credentials.
 */

export interface Session {
  token: string;
  userId: string;
  clientId: string | null;
  /** The refresh token this session was issued from (revoking it ends the session). */
  refreshToken: string | null;
  issuedAt: number;
  lastUsed: number;
}

export interface RefreshGrant {
  token: string;
  userId: string;
  clientId: string;
  issuedAt: number;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  expiresAt: number;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  name: string;
}

export interface UserCredentials {
  userId: string;
  username: string;
  password: string;
  securityToken: string;
}

export interface AuthSnapshot {
  sessions: Session[];
  refresh: RefreshGrant[];
  apps: ConnectedApp[];
  credentials: UserCredentials[];
}

/** Codes live 15 minutes, as on the platform. */
export const CODE_LIFETIME_MS = 15 * 60 * 1000;

/** A deterministic secret-looking string from a seed (base62). */
export function derived(
  seed: string,
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string {
  let out = '';
  let block = 0;
  while (out.length < length) {
    const bytes = createHash('sha256').update(`${seed}:${block++}`).digest();
    for (const b of bytes) if (out.length < length) out += alphabet[b % alphabet.length];
  }
  return out;
}

function random(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export class AuthStore {
  private sessions = new Map<string, Session>();
  private refresh = new Map<string, RefreshGrant>();
  private codes = new Map<string, AuthCode>();
  private apps = new Map<string, ConnectedApp>();
  private credentials = new Map<string, UserCredentials>();

  constructor(
    private readonly clock: Clock,
    private readonly sessionSeconds: number,
    private readonly orgId15: string,
  ) {}

  /** Registers a connected app (consumer key and secret). */
  addApp(app: ConnectedApp): void {
    this.apps.set(app.clientId, app);
  }

  /** The connected app with this consumer key. */
  app(clientId: string): ConnectedApp | undefined {
    return this.apps.get(clientId);
  }

  /** Registers a user's login credentials. */
  addCredentials(c: UserCredentials): void {
    this.credentials.set(c.username.toLowerCase(), c);
  }

  /** The user for username + password + security token (concatenated), or null. */
  checkPassword(username: string, passwordAndToken: string): UserCredentials | null {
    const c = this.credentials.get(username.toLowerCase());
    if (!c) return null;
    return passwordAndToken === c.password + c.securityToken ? c : null;
  }

  /** A new access token (a session) for a user. */
  issueSession(
    userId: string,
    clientId: string | null,
    refreshToken: string | null,
    token?: string,
  ): Session {
    const now = this.clock.now();
    const s: Session = {
      token: token ?? `${this.orgId15}!AQ${random(94)}`,
      userId,
      clientId,
      refreshToken,
      issuedAt: now,
      lastUsed: now,
    };
    this.sessions.set(s.token, s);
    return s;
  }

  /** A new refresh token for a user and app. */
  issueRefresh(userId: string, clientId: string, token?: string): RefreshGrant {
    const g: RefreshGrant = {
      token: token ?? `5Aep861${random(80)}`,
      userId,
      clientId,
      issuedAt: this.clock.now(),
    };
    this.refresh.set(g.token, g);
    return g;
  }

  /** The live session for a token (use slides its expiry), or null when unknown or timed out. */
  authenticate(token: string): Session | null {
    const s = this.sessions.get(token);
    if (!s) return null;
    const now = this.clock.now();
    if (now - s.lastUsed > this.sessionSeconds * 1000) {
      this.sessions.delete(token);
      return null;
    }
    s.lastUsed = now;
    return s;
  }

  /** Ends a session at once (the expire-token fault, logout). */
  expire(token: string): void {
    this.sessions.delete(token);
  }

  /** The grant for a refresh token, or null. */
  refreshGrant(token: string): RefreshGrant | null {
    return this.refresh.get(token) ?? null;
  }

  /** Revokes an access or refresh token; a refresh token takes its sessions with it. */
  revoke(token: string): boolean {
    if (this.sessions.delete(token)) return true;
    if (!this.refresh.delete(token)) return false;
    for (const [t, s] of this.sessions) if (s.refreshToken === token) this.sessions.delete(t);
    return true;
  }

  /** Stores an authorization code for the web-server flow. */
  issueCode(c: Omit<AuthCode, 'code' | 'expiresAt'>): AuthCode {
    const code: AuthCode = {
      ...c,
      code: `aPrx${random(60)}`,
      expiresAt: this.clock.now() + CODE_LIFETIME_MS,
    };
    this.codes.set(code.code, code);
    return code;
  }

  /** A code's grant without using it up (to decide how the client must authenticate). */
  peekCode(code: string): AuthCode | null {
    return this.codes.get(code) ?? null;
  }

  /** Takes a code (single use); null when unknown or expired. */
  takeCode(code: string): AuthCode | null {
    const c = this.codes.get(code);
    if (!c) return null;
    this.codes.delete(code);
    return c.expiresAt >= this.clock.now() ? c : null;
  }

  /** The token response's signature: base64 HMAC-SHA256 of id + issued_at keyed by the client secret. */
  static signature(secret: string, id: string, issuedAt: string): string {
    return createHmac('sha256', secret)
      .update(id + issuedAt)
      .digest('base64');
  }

  /** Everything that must survive a restart (codes are short-lived and are not kept). */
  snapshot(): AuthSnapshot {
    return {
      sessions: [...this.sessions.values()],
      refresh: [...this.refresh.values()],
      apps: [...this.apps.values()],
      credentials: [...this.credentials.values()],
    };
  }

  /** Restores a snapshot; sessions restart their inactivity clock now. */
  restore(s: AuthSnapshot): void {
    const now = this.clock.now();
    this.sessions = new Map(s.sessions.map((x) => [x.token, { ...x, lastUsed: now }]));
    this.refresh = new Map(s.refresh.map((x) => [x.token, x]));
    this.apps = new Map(s.apps.map((x) => [x.clientId, x]));
    this.credentials = new Map(s.credentials.map((x) => [x.username.toLowerCase(), x]));
  }
}
