import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An emulator in its own child process (`ledgerbridge emulate salesforce|qbo`), so the memory and
 * CPU the benchmark reports for ledgerbridge are ledgerbridge's alone.
 */
export interface EmulatorProcess {
  system: 'salesforce' | 'qbo';
  url: string;
  info: Record<string, unknown> & { accessToken: string };
  pid: number;
  /** Moves the emulator's clock forward (time passing between scheduled syncs). */
  advanceClock(ms: number): Promise<void>;
  /** Peak RSS of the emulator process in MB (from /proc, Linux only; null elsewhere). */
  peakRssMb(): Promise<number | null>;
  close(): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Generous limits: the figures measure the engine, not a throttle (QuickBooks keeps 10 in flight). */
export const BENCH_QBO_LIMITS = { perMinute: 100_000, concurrent: 10, batchPerMinute: 100_000 };

/** Starts an emulator child and waits for the connection info it prints. */
export async function startEmulatorProcess(
  system: 'salesforce' | 'qbo',
  opts: { records: number; seed: number },
): Promise<EmulatorProcess> {
  const args = [
    join(root, 'bin', 'ledgerbridge.js'),
    'emulate',
    system,
    '--port',
    '0',
    '--records',
    String(opts.records),
    '--seed',
    String(opts.seed),
    ...(system === 'salesforce'
      ? ['--daily-api-limit', '100000000', '--session-seconds', '86400']
      : [
          '--limits',
          `perMinute=${BENCH_QBO_LIMITS.perMinute},concurrent=1000,batchPerMinute=${BENCH_QBO_LIMITS.batchPerMinute}`,
        ]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim(),
    },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${system} emulator exited (${code}) before it was ready: ${err.trim()}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf('\n}\n');
      if (end < 0) return;
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      try {
        resolve(JSON.parse(out.slice(0, end + 2)) as Record<string, unknown>);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
  const url = String(system === 'salesforce' ? info.instanceUrl : info.baseUrl).replace(/\/$/, '');
  return {
    system,
    url,
    info: info as EmulatorProcess['info'],
    pid: child.pid!,
    async advanceClock(ms) {
      const r = await fetch(`${url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: ms }),
      });
      if (!r.ok) throw new Error(`${system} emulator clock: ${r.status} ${await r.text()}`);
    },
    async peakRssMb() {
      try {
        const { readFile } = await import('node:fs/promises');
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(status);
        return m ? Math.round(Number(m[1]) / 1024) : null;
      } catch {
        return null;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A Salesforce and a QuickBooks emulator process seeded alike, started together. */
export async function startEmulatorPair(
  size: number,
  seed: number,
): Promise<[EmulatorProcess, EmulatorProcess]> {
  return Promise.all([
    startEmulatorProcess('salesforce', { records: size, seed }),
    startEmulatorProcess('qbo', { records: size, seed }),
  ]);
}
