import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/runtime.ts';
import { SecretKeyError, sealerFromEnv } from '../../src/secrets/sealer.ts';

const SEALER = fileURLToPath(new URL('../../src/secrets/sealer.ts', import.meta.url));

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lb-sealer-'));
  dirs.push(d);
  return d;
}

describe('sealerFromEnv', () => {
  it('creates a key file on first run (mode 0600, whole key, no temporary file left) and reads it after', () => {
    const dir = tempDir();
    const first = sealerFromEnv({}, join(dir, 'data'));
    const file = join(dir, 'data', 'secret.key');
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'data'))).toEqual(['secret.key']);
    const again = sealerFromEnv({}, join(dir, 'data'));
    expect(again.keyId).toBe(first.keyId);
    expect(again.open(first.seal({ token: 't' }))).toEqual({ token: 't' });
  });

  it('with requireEnvKey, refuses to create a key file of its own and says what to set', () => {
    const dir = tempDir();
    const err = (() => {
      try {
        sealerFromEnv({}, dir, { requireEnvKey: true });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SecretKeyError);
    expect((err as Error).message).toMatch(/LEDGERBRIDGE_SECRET_KEY/);
    expect((err as Error).message).toMatch(/LEDGERBRIDGE_KEY_FILE/);
    expect(readdirSync(dir)).toEqual([]);

    const key = randomBytes(32).toString('base64');
    expect(sealerFromEnv({ LEDGERBRIDGE_SECRET_KEY: key }, dir, { requireEnvKey: true }).keyId).toBe(
      sealerFromEnv({ LEDGERBRIDGE_SECRET_KEY: key }).keyId,
    );
    // An explicit key file (one all workers read) is a configured key.
    const shared = join(dir, 'shared', 'cluster.key');
    const a = sealerFromEnv({ LEDGERBRIDGE_KEY_FILE: shared }, dir, { requireEnvKey: true });
    const b = sealerFromEnv({ LEDGERBRIDGE_KEY_FILE: shared }, join(dir, 'elsewhere'), {
      requireEnvKey: true,
    });
    expect(b.keyId).toBe(a.keyId);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);

    // A key file left from before (the default place): the error says how to keep using it.
    sealerFromEnv({}, dir);
    expect(() => sealerFromEnv({}, dir, { requireEnvKey: true })).toThrow(
      `LEDGERBRIDGE_KEY_FILE=${join(dir, 'secret.key')}`,
    );
  });

  it('openRuntime on PostgreSQL without a configured key fails before touching the database', async () => {
    const dir = tempDir();
    const err = await openRuntime({
      location: { databaseUrl: 'postgres://nobody:secret@127.0.0.1:1/none' },
      configFile: null,
      env: { LEDGERBRIDGE_DATA: dir, LEDGERBRIDGE_LOG: 'silent' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretKeyError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('processes racing to create the key file all end with the one key', async () => {
    const dir = tempDir();
    const file = join(dir, 'keys', 'secret.key');
    const script = `const { sealerFromEnv } = await import(${JSON.stringify(SEALER)});
      process.stdout.write(sealerFromEnv({ LEDGERBRIDGE_KEY_FILE: ${JSON.stringify(file)} }).keyId);`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
      });
    const ids = await Promise.all(Array.from({ length: 8 }, run));
    expect(new Set(ids).size).toBe(1);
    expect(sealerFromEnv({ LEDGERBRIDGE_KEY_FILE: file }).keyId).toBe(ids[0]);
    expect(readdirSync(join(dir, 'keys'))).toEqual(['secret.key']);
  }, 30_000);
});
