import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFolderLockedError } from '../../src/store/data-lock.ts';
import { migrate, openMigratedStore, openStore, StoreError } from '../../src/store/database.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { freshPostgresDatabase, openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.ts';

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => t.dispose());

  it('creates every table, and migrating again changes nothing', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      t.store.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'connections',
        'cursors',
        'directory',
        'errors',
        'links',
        'outcomes',
        'runs',
        'unmatched',
        'write_journal',
      ]),
    );
    const again = await migrate(t.store);
    expect(again.results).toEqual([]);
  });

  it('keeps one link per record on each side of a flow', async () => {
    const { db } = t.store;
    await db
      .insertInto('links')
      .values({
        flow: 'f',
        sf_id: 'S1',
        qb_id: 'Q1',
        origin: 'test',
        sf_state: {},
        qb_state: {},
        sf_related: {},
      })
      .execute();
    await expect(
      db
        .insertInto('links')
        .values({
          flow: 'f',
          sf_id: 'S1',
          qb_id: 'Q2',
          origin: 'test',
          sf_state: {},
          qb_state: {},
          sf_related: {},
        })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
    await expect(
      db
        .insertInto('links')
        .values({
          flow: 'f',
          sf_id: 'S2',
          qb_id: 'Q1',
          origin: 'test',
          sf_state: {},
          qb_state: {},
          sf_related: {},
        })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it('rolls a failed transaction back completely', async () => {
    const { db } = t.store;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('cursors')
          .values({ flow: 'tx', side: 'sf', stream: 'Account', position: { since: 'x' } })
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await db.selectFrom('cursors').where('flow', '=', 'tx').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('returns numbers for identities and parsed JSON', async () => {
    const { db } = t.store;
    const run = await db
      .insertInto('runs')
      .values({ flows: ['a', 'b'], mode: 'initial', trigger: 'test', status: 'running', stats: { read: 3 } })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(typeof run.id).toBe('number');
    expect(run.flows).toEqual(['a', 'b']);
    expect(run.stats).toEqual({ read: 3 });
    expect(run.started_at).toBeInstanceOf(Date);
  });
});

describe('PGlite data folder lock', () => {
  it('refuses a second process, naming the holder pid, and frees the folder on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-lock-'));
    const store = await openMigratedStore({ dataDir: dir });
    const script = join(dir, 'second.mts');
    await writeFile(
      script,
      `import { openStore } from ${JSON.stringify(join(process.cwd(), 'src/store/database.ts'))};
       try { await openStore({ dataDir: ${JSON.stringify(dir)} }); console.log('OPENED'); }
       catch (e) { console.log(e.name + ': ' + e.message); }`,
    );
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('npx', ['tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(out).toContain('DataFolderLockedError');
    expect(out).toContain(`in use by process ${process.pid}`);
    // In the same process too: never a silent second writer.
    await expect(openStore({ dataDir: dir })).rejects.toBeInstanceOf(DataFolderLockedError);
    await store.close();
    const again = await openStore({ dataDir: dir });
    await again.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-lock-'));
    await writeFile(
      join(dir, 'ledgerbridge.lock'),
      JSON.stringify({ pid: 999_999_9, host: (await import('node:os')).hostname() }),
    );
    const store = await openStore({ dataDir: dir });
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('PostgreSQL', () => {
  it('lets several processes migrate at once (advisory lock), each seeing one schema', async () => {
    const db = await freshPostgresDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: db.url })));
    const results = await Promise.all(stores.map((s) => migrate(s)));
    // Each migration applied exactly once, by whichever process got the lock first.
    const applied = results.flatMap((r) => r.results ?? []).filter((r) => r.status === 'Success');
    expect(applied.map((r) => r.migrationName).sort()).toEqual(Object.keys(migrations).sort());
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  });

  it('says which server it could not reach, without the password', async () => {
    const err = await openStore({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(
      /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/,
    );
    expect((err as Error).message).not.toContain('secret');
  });
});
