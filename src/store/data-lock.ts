import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Thrown when another live process holds the data folder. */
export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    readonly holderHost: string,
  ) {
    super(
      `the data folder ${dataDir} is in use by process ${holderPid} on ${holderHost}; ` +
        `stop that process, or point LEDGERBRIDGE_DATA at another folder (or use DATABASE_URL for several processes)`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on a data folder: PGlite itself does not stop a second process from opening the
 * same files, and two writers would corrupt them. The lock file holds the owner's pid; a lock left
 * by a process that has died is taken over.
 */
export class DataFolderLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock or throws DataFolderLockedError naming the holder. */
  static acquire(dataDir: string): DataFolderLock {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'ledgerbridge.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        writeSync(
          fd,
          JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
        );
        closeSync(fd);
        return new DataFolderLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let holder: { pid?: unknown; host?: unknown } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // A half-written or foreign lock file: treat it as stale.
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : 0;
      const host = typeof holder.host === 'string' ? holder.host : 'unknown host';
      if (pid > 0 && pid !== process.pid && host === hostname() && alive(pid)) {
        throw new DataFolderLockedError(dataDir, pid, host);
      }
      if (pid === process.pid) throw new DataFolderLockedError(dataDir, pid, host);
      if (pid > 0 && host !== hostname()) throw new DataFolderLockedError(dataDir, pid, host);
      rmSync(file, { force: true });
    }
    throw new Error(`could not take the lock on ${dataDir}`);
  }

  /** Releases the lock (idempotent). */
  release(): void {
    rmSync(this.file, { force: true });
  }
}
