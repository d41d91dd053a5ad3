import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerInput, WorkerOutput } from './engine-worker.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The worker's input for one size: its store, logs and figures in the scratch folder `dir`. */
export function workerInput(
  size: number,
  urls: { sf: string; qb: string },
  dir: string,
  extra: Partial<WorkerInput> = {},
): WorkerInput {
  return {
    size,
    sfUrl: urls.sf,
    qbUrl: urls.qb,
    dataDir: join(dir, 'data'),
    logDir: dir,
    out: join(dir, 'worker.json'),
    intervalMs: 10 * 60_000,
    settleWaitMs: 61_000,
    ...extra,
  };
}

/**
 * Runs the ledgerbridge worker (engine-worker.ts) in a process of its own, so its peak RSS is ours
 * alone, and returns its figures. Its stderr lines go to `log`.
 */
export async function runWorker(input: WorkerInput, log: (line: string) => void): Promise<WorkerOutput> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'engine-worker.ts'), JSON.stringify(input)],
    { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, LEDGERBRIDGE_SECRET_KEY: '' } },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    const s = d.toString();
    err += s;
    for (const line of s.split('\n')) if (line.trim()) log(line);
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0 || !existsSync(input.out))
    throw new Error(`the ledgerbridge worker for ${input.size} failed (${code}): ${err.slice(-2000)}`);
  return JSON.parse(readFileSync(input.out, 'utf8')) as WorkerOutput;
}
