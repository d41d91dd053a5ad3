import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAdminToken, tokenMatches } from '../../src/server/admin-token.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the admin token', () => {
  it('comes from the option, else the environment, else the data folder (kept, 0600), else is made per process', async () => {
    const folder = join(dir, 'tokens');
    expect(
      resolveAdminToken({ option: 'opt', env: { LEDGERBRIDGE_ADMIN_TOKEN: 'env' }, dataDir: folder }),
    ).toEqual({
      token: 'opt',
      source: 'option',
    });
    expect(resolveAdminToken({ env: { LEDGERBRIDGE_ADMIN_TOKEN: ' env ' }, dataDir: folder })).toEqual({
      token: 'env',
      source: 'env',
    });
    const first = resolveAdminToken({ env: {}, dataDir: folder });
    expect(first.source).toBe('file');
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(resolveAdminToken({ env: {}, dataDir: folder })).toEqual(first);
    const a = resolveAdminToken({ env: {}, dataDir: null });
    const b = resolveAdminToken({ env: {}, dataDir: null });
    expect(a.source).toBe('generated');
    expect(a.token).not.toBe(b.token);
  });

  it('is compared in full', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });
});

describe('ledgerbridge serve', () => {
  it('serves on the data folder with a kept admin token, and stops cleanly on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', LEDGERBRIDGE_LOG: 'warn' };
    delete env.LEDGERBRIDGE_ADMIN_TOKEN;
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--data', dir, 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)),
          45_000,
        );
        const look = () => {
          const m = /serving on (http:\/\/\S+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child.stdout.on('data', look);
        void exit.then((code) => reject(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`)));
      });
      const file = join(dir, 'admin.token');
      expect(stdout).toContain(`kept in ${file}`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = (await readFile(file, 'utf8')).trim();
      expect(token.length).toBeGreaterThanOrEqual(40);
      expect(stdout).not.toContain(token);

      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/api/runs`)).status).toBe(401);
      const runs = await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
      expect(runs.status).toBe(200);
      expect(await runs.json()).toEqual([]);
      expect(existsSync(join(dir, 'ledgerbridge.lock'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    expect(stdout).toContain('Stopped.');
    expect(existsSync(join(dir, 'ledgerbridge.lock'))).toBe(false);
  });
});
