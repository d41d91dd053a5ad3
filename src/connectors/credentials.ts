/** Non-secret settings of a connection (URLs, ids, versions, limits). */
export type ConnectionSettings = Record<string, unknown>;

/** Secret material of a connection: tokens, client secret, password (sealed at rest). */
export interface ConnectionSecrets {
  accessToken?: string;
  refreshToken?: string;
  /** When the access token stops working (ISO), when the service says so. */
  accessTokenExpiresAt?: string;
  refreshTokenExpiresAt?: string;
  clientSecret?: string;
  password?: string;
  securityToken?: string;
  [key: string]: unknown;
}

/** A connection's credentials as loaded from the store. */
export interface ConnectionCredentials {
  id: string;
  system: 'salesforce' | 'qbo' | 'qbd';
  settings: ConnectionSettings;
  secrets: ConnectionSecrets;
  /** Bumped by every token change: tells a refresher whether someone else already rotated. */
  tokenVersion: number;
}

/** What a rotation may change besides the secrets, committed with them. */
export interface Rotation {
  /**
   * Merges these settings into the connection's (e.g. the instance URL a Salesforce refresh
   * answered); committed only when the rotation returns new secrets.
   */
  updateSettings(patch: ConnectionSettings): void;
}

/**
 * Where connectors keep tokens. `rotate` runs its callback while holding the connection's row
 * lock and commits what it returns before returning: a rotated refresh token is durable before
 * anyone uses the new access token (a lost rotated token is the most common failure in this field),
 * and two workers never refresh the same token at once.
 */
export interface CredentialVault {
  /** Loads the current credentials. */
  get(connectionId: string): Promise<ConnectionCredentials>;
  /**
   * Under the connection's lock: calls `fn` with the current credentials; if it returns new
   * secrets they are merged, sealed and committed (tokenVersion + 1) before `rotate` resolves.
   */
  rotate(
    connectionId: string,
    fn: (current: ConnectionCredentials, rotation: Rotation) => Promise<ConnectionSecrets | null>,
  ): Promise<ConnectionCredentials>;
  /** Records the connection's health (e.g. 'needs-reauth' after invalid_grant) for the admin to see. */
  setStatus(
    connectionId: string,
    status: 'active' | 'needs-reauth' | 'error',
    message?: string,
  ): Promise<void>;
}
