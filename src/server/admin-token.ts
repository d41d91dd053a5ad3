import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/database.ts';

/** Where the admin token came from (so `serve` can say how to find it). */
export type AdminTokenSource = 'option' | 'env' | 'file' | 'generated';

export interface AdminToken {
  token: string;
  source: AdminTokenSource;
  /** The file it is kept in (source 'file'). */
  file?: string;
}

/** The file name of the admin token in a PGlite data folder. */
export const ADMIN_TOKEN_FILE = 'admin.token';

/** A new random token (256 bits, URL-safe). */
export function newAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The data folder of a PGlite store on disk, or null (in-memory PGlite, PostgreSQL). */
export function dataDirOf(store: Store): string | null {
  return store.kind === 'pglite' && store.where !== 'memory' ? store.where : null;
}

/**
 * The admin API's token: the option, else LEDGERBRIDGE_ADMIN_TOKEN, else the one kept in the data
 * folder (created on first use, mode 0600), else — no folder to keep it in (memory, PostgreSQL) — a
 * new one for this process.
 */
export function resolveAdminToken(p: {
  option?: string;
  env?: NodeJS.ProcessEnv;
  dataDir?: string | null;
}): AdminToken {
  if (p.option) return { token: p.option, source: 'option' };
  const fromEnv = p.env?.LEDGERBRIDGE_ADMIN_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  if (p.dataDir) {
    const file = join(p.dataDir, ADMIN_TOKEN_FILE);
    try {
      const kept = readFileSync(file, 'utf8').trim();
      if (kept) return { token: kept, source: 'file', file };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const token = newAdminToken();
    mkdirSync(p.dataDir, { recursive: true });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // the umask may have widened it
    return { token, source: 'file', file };
  }
  return { token: newAdminToken(), source: 'generated' };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compares a presented token with the expected one in constant time (lengths included). */
export function tokenMatches(presented: string | undefined | null, expected: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}
