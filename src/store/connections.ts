import { sql } from 'kysely';
import type {
  ConnectionCredentials,
  ConnectionSecrets,
  ConnectionSettings,
  CredentialVault,
  Rotation,
} from '../connectors/credentials.ts';
import type { Sealer } from '../secrets/sealer.ts';
import type { Store } from './database.ts';
import type { ConnectionRow } from './schema.ts';

/** Thrown when a connection id is not configured. */
export class UnknownConnectionError extends Error {
  override name = 'UnknownConnectionError';
  constructor(readonly connectionId: string) {
    super(`no connection "${connectionId}" is configured (see: ledgerbridge connections list)`);
  }
}

/** A connection as listed to an admin: never with its secrets. */
export interface ConnectionSummary {
  id: string;
  system: ConnectionRow['system'];
  label: string;
  settings: ConnectionSettings;
  status: string;
  statusMessage: string | null;
  hasSecrets: string[];
  updatedAt: Date;
}

/** Connections in the store, with their secrets sealed; implements the connectors' vault. */
export class ConnectionRepository implements CredentialVault {
  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
  ) {}

  /** Adds or replaces a connection. */
  async save(input: {
    id: string;
    system: ConnectionRow['system'];
    label?: string;
    settings: ConnectionSettings;
    secrets: ConnectionSecrets;
  }): Promise<void> {
    const sealed = this.sealer.seal(input.secrets);
    await this.store.db
      .insertInto('connections')
      .values({
        id: input.id,
        system: input.system,
        label: input.label ?? input.id,
        settings: JSON.stringify(input.settings),
        secrets: sealed,
        status: 'active',
        status_message: null,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          system: input.system,
          label: input.label ?? input.id,
          settings: JSON.stringify(input.settings),
          secrets: sealed,
          status: 'active',
          status_message: null,
          token_version: sql`connections.token_version + 1`,
          updated_at: new Date(),
        }),
      )
      .execute();
  }

  /** All connections, secrets reduced to the names of what is stored. */
  async list(): Promise<ConnectionSummary[]> {
    const rows = await this.store.db.selectFrom('connections').selectAll().orderBy('id').execute();
    return rows.map((r) => this.summary(r));
  }

  /** Removes a connection; returns whether it existed. */
  async remove(id: string): Promise<boolean> {
    const r = await this.store.db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Whether a connection exists. */
  async has(id: string): Promise<boolean> {
    return !!(await this.store.db
      .selectFrom('connections')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst());
  }

  async get(id: string): Promise<ConnectionCredentials> {
    const row = await this.store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new UnknownConnectionError(id);
    return this.credentials(row);
  }

  async rotate(
    id: string,
    fn: (current: ConnectionCredentials, rotation: Rotation) => Promise<ConnectionSecrets | null>,
  ): Promise<ConnectionCredentials> {
    return this.store.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new UnknownConnectionError(id);
      const current = this.credentials(row);
      const changed: { settings?: ConnectionSettings } = {};
      const next = await fn(current, {
        updateSettings: (patch) => {
          changed.settings = { ...(changed.settings ?? current.settings), ...patch };
        },
      });
      if (!next) return current;
      const secrets = { ...current.secrets, ...next };
      const updated = await trx
        .updateTable('connections')
        .set({
          ...(changed.settings ? { settings: JSON.stringify(changed.settings) } : {}),
          secrets: this.sealer.seal(secrets),
          token_version: row.token_version + 1,
          status: 'active',
          status_message: null,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return this.credentials(updated);
    });
  }

  async setStatus(id: string, status: 'active' | 'needs-reauth' | 'error', message?: string): Promise<void> {
    await this.store.db
      .updateTable('connections')
      .set({ status, status_message: message ?? null, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  private credentials(row: ConnectionRow): ConnectionCredentials {
    return {
      id: row.id,
      system: row.system,
      settings: row.settings,
      secrets: row.secrets ? this.sealer.open<ConnectionSecrets>(row.secrets) : {},
      tokenVersion: row.token_version,
    };
  }

  private summary(row: ConnectionRow): ConnectionSummary {
    const secrets = row.secrets ? this.sealer.open<ConnectionSecrets>(row.secrets) : {};
    return {
      id: row.id,
      system: row.system,
      label: row.label,
      settings: row.settings,
      status: row.status,
      statusMessage: row.status_message,
      hasSecrets: Object.keys(secrets).filter((k) => secrets[k] !== undefined && secrets[k] !== ''),
      updatedAt: row.updated_at,
    };
  }
}
