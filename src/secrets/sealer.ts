import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Thrown when the secret key is missing, malformed, or not the one a secret was sealed with. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/**
 * Seals secrets (tokens, client secrets, passwords) with AES-256-GCM before they reach the
 * database. The key comes from LEDGERBRIDGE_SECRET_KEY (32 bytes, base64 or hex) or a key file
 * created on first run with mode 0600; it is never stored in the database, so a stolen database
 * dump holds no usable credential.
 */
export class Sealer {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretKeyError(`the secret key must be 32 bytes, got ${key.length}`);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** Encrypts a JSON-serializable value into a self-describing text. */
  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [
      'v1',
      this.keyId,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join(':');
  }

  /** Decrypts what seal() produced; a wrong key or tampered text throws SecretKeyError. */
  open<T = unknown>(sealed: string): T {
    const [version, keyId, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !keyId || !iv || !tag || body === undefined)
      throw new SecretKeyError('a stored secret is not in a known format');
    if (keyId !== this.keyId) {
      throw new SecretKeyError(
        `stored secrets were sealed with key ${keyId}, but the current key is ${this.keyId}: set LEDGERBRIDGE_SECRET_KEY or LEDGERBRIDGE_KEY_FILE to the original key`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
        'utf8',
      );
      return JSON.parse(text) as T;
    } catch {
      throw new SecretKeyError(
        'a stored secret failed its integrity check (tampered, or sealed with another key)',
      );
    }
  }
}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${where} must hold 32 bytes as base64 or 64 hex digits`);
  return key;
}

export interface SealerFromEnvOptions {
  /**
   * The key must be configured (LEDGERBRIDGE_SECRET_KEY, or an explicit LEDGERBRIDGE_KEY_FILE):
   * for a database several workers share (PostgreSQL), where a key file each one created in its
   * own working directory would seal secrets the others cannot open.
   */
  requireEnvKey?: boolean;
}

/** The sealer for this process: key from the environment, else from (or into) the key file. */
export function sealerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  dataDir = env.LEDGERBRIDGE_DATA || '.ledgerbridge',
  opts: SealerFromEnvOptions = {},
): Sealer {
  if (env.LEDGERBRIDGE_SECRET_KEY)
    return new Sealer(parseKey(env.LEDGERBRIDGE_SECRET_KEY, 'LEDGERBRIDGE_SECRET_KEY'));
  if (opts.requireEnvKey && !env.LEDGERBRIDGE_KEY_FILE) {
    const local = resolve(`${dataDir}/secret.key`);
    throw new SecretKeyError(
      'a shared database (PostgreSQL) needs the same secret key in every worker: set LEDGERBRIDGE_SECRET_KEY ' +
        '(32 bytes, base64 or 64 hex digits, e.g. from `openssl rand -base64 32`) or LEDGERBRIDGE_KEY_FILE ' +
        '(a key file all workers read) — a key file created in this directory would seal secrets the others cannot open' +
        (existsSync(local)
          ? `; secrets already stored were likely sealed with ${local}: set LEDGERBRIDGE_KEY_FILE=${local} (or its content as LEDGERBRIDGE_SECRET_KEY)`
          : ''),
    );
  }
  return new Sealer(keyFile(resolve(env.LEDGERBRIDGE_KEY_FILE || `${dataDir}/secret.key`)));
}

/**
 * Reads the key file, creating it first when it does not exist. The key is written to a
 * temporary file and linked into place (link fails if the name exists), so the key file never
 * exists without its whole content, and when two processes race both end with the one that was
 * linked first.
 */
function keyFile(file: string): Buffer {
  const read = () => parseKey(readFileSync(file, 'utf8'), `the key file ${file}`);
  if (existsSync(file)) return read();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(temp, 0o600);
    try {
      linkSync(temp, file);
    } catch (e) {
      // A file system without hard links: exclusive create of the final name (a reader may
      // then, for an instant, find it empty).
      if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((e as NodeJS.ErrnoException).code ?? ''))
        throw e;
      writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
  } catch (e) {
    // Another process created it first: use theirs, or the two would seal with different keys.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw e;
  } finally {
    rmSync(temp, { force: true });
  }
  return key;
}
