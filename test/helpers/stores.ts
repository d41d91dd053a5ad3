import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openMigratedStore, type Store } from '../../src/store/database.ts';

/** The two kinds of store every store-backed test runs on. */
export const STORE_KINDS = ['pglite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** A fresh, migrated store of the given kind, and how to throw it away. */
export interface TestStore {
  store: Store;
  /** How to open the same store again (another process, or after a simulated crash). */
  location: { dataDir?: string; databaseUrl?: string };
  dispose(): Promise<void>;
}

/** Creates an empty database on the test PostgreSQL server and returns its URL. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = inject('postgresUrl');
  const name = `lb_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Opens a fresh migrated store: PGlite in a temporary data folder, or a new PostgreSQL database. */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'lb-store-'));
    const store = await openMigratedStore({ dataDir: dir });
    return {
      store,
      location: { dataDir: dir },
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const db = await freshPostgresDatabase();
  const store = await openMigratedStore({ databaseUrl: db.url });
  return {
    store,
    location: { databaseUrl: db.url },
    async dispose() {
      await store.close();
      await db.drop();
    },
  };
}
