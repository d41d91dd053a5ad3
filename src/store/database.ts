import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFolderLock } from './data-lock.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Schema } from './schema.ts';
import { pgliteDialect } from './pglite-dialect.ts';

/** Where the store lives: a PGlite data folder (default) or a PostgreSQL server. */
export interface StoreLocation {
  /** PGlite data folder; default LEDGERBRIDGE_DATA or ./.ledgerbridge */
  dataDir?: string;
  /** PostgreSQL connection string; default DATABASE_URL. Wins over dataDir when set. */
  databaseUrl?: string;
  /** An in-memory PGlite (tests): no folder, no lock. */
  memory?: boolean;
}

/** An open store: the typed query builder and how to close it. */
export interface Store {
  db: Kysely<Schema>;
  kind: 'pglite' | 'postgres';
  /** The data folder (PGlite) or the server (PostgreSQL, password hidden). */
  where: string;
  /** Bytes of WebAssembly memory PGlite holds (it grows and never shrinks); 0 on PostgreSQL. */
  engineMemory(): number;
  close(): Promise<void>;
}

/** Thrown when the database cannot be opened or migrated; the message says which and why. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The location the environment asks for. */
export function locationFromEnv(env: NodeJS.ProcessEnv = process.env): StoreLocation {
  return env.DATABASE_URL
    ? { databaseUrl: env.DATABASE_URL }
    : { dataDir: env.LEDGERBRIDGE_DATA || '.ledgerbridge' };
}

// int8 (counts, identities) as JS numbers; numeric stays a string so money is never a float.
const INT8 = 20;

/**
 * PGlite's server settings. Its shared buffers live in the WebAssembly heap and are touched when
 * the server starts, so PostgreSQL's default 128 MB was resident before the first query (PGlite
 * alone ~290 MB of RSS, ~170 MB with 16 MB). A page not in them is read from the data folder's
 * files, which the operating system caches anyway (bench/mem.ts showed no slowdown at 100,000 pairs).
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
const pgliteOptions = { parsers: { [INT8]: Number }, startParams: PGLITE_START_PARAMS };

/** PGlite's WebAssembly heap size, read from its Emscripten module (not part of its typed API). */
function wasmBytes(lite: PGlite): number {
  const mod = (lite as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod;
  return mod?.HEAPU8?.byteLength ?? 0;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the DATABASE_URL server';
  }
}

/** Opens the store (without migrating). PGlite takes the data folder's lock first. */
export async function openStore(location: StoreLocation = locationFromEnv()): Promise<Store> {
  if (location.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: location.databaseUrl,
      max: 10,
      types: { getTypeParser: pgTypeParser },
    });
    const where = redact(location.databaseUrl);
    try {
      const client = await pool.connect();
      client.release();
    } catch (e) {
      await pool.end().catch(() => {});
      throw new StoreError(`cannot connect to PostgreSQL at ${where}: ${(e as Error).message}`);
    }
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', where, engineMemory: () => 0, close: () => db.destroy() };
  }
  if (location.memory) {
    const lite = await PGlite.create(pgliteOptions);
    const db = new Kysely<Schema>({ dialect: pgliteDialect(lite) });
    return {
      db,
      kind: 'pglite',
      where: 'memory',
      engineMemory: () => wasmBytes(lite),
      close: async () => lite.close(),
    };
  }
  const dataDir = resolve(location.dataDir ?? '.ledgerbridge');
  const lock = DataFolderLock.acquire(dataDir);
  let lite: PGlite;
  try {
    initializeInChild(`${dataDir}/pgdata`);
    lite = await PGlite.create(`${dataDir}/pgdata`, pgliteOptions);
  } catch (e) {
    lock.release();
    throw new StoreError(`cannot open the database in ${dataDir}: ${(e as Error).message}`);
  }
  const db = new Kysely<Schema>({ dialect: pgliteDialect(lite) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    where: dataDir,
    engineMemory: () => wasmBytes(lite),
    async close() {
      if (closed) return;
      closed = true;
      await lite.close();
      lock.release();
    },
  };
}

/**
 * Creates a new PGlite data folder in a short-lived child process. PGlite's initdb runs a second
 * WebAssembly instance and copies the server's 128 MB heap; none of it is ever returned, so
 * initializing in-process left the first run ~100 MB of RSS heavier (about 510 MB against 420 MB for
 * the same empty store reopened). Best effort: if the child cannot do it, PGlite.create does it here.
 */
function initializeInChild(pgdata: string): void {
  if (existsSync(join(pgdata, 'PG_VERSION'))) return;
  try {
    const url = import.meta.resolve('@electric-sql/pglite');
    const script = `const { PGlite } = await import(${JSON.stringify(url)}); const p = await PGlite.create(${JSON.stringify(pgdata)}); await p.close();`;
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // PGlite.create initializes the folder itself.
  }
}

function pgTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8) return Number;
  return pg.types.getTypeParser(oid, format as 'text');
}

/** Brings the schema up to date; concurrent callers serialize on Kysely's advisory lock. */
export async function migrate(store: Store): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider,
    migrationTableName: 'ledgerbridge_migrations',
    migrationLockTableName: 'ledgerbridge_migrations_lock',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(
      `migration ${failed} failed: ${(result.error as Error).message ?? String(result.error)}`,
    );
  }
  return result;
}

/** Opens and migrates: what every command that needs the store does first. */
export async function openMigratedStore(location?: StoreLocation): Promise<Store> {
  const store = await openStore(location);
  try {
    await migrate(store);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
