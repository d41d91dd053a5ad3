import type { Command } from 'commander';
import { openRuntime, type Runtime, type RuntimeOptions } from '../runtime/runtime.ts';
import type { StoreLocation } from '../store/database.ts';

/** Options every command shares. */
export interface GlobalOptions {
  config?: string;
  data?: string;
  databaseUrl?: string;
}

/** The global options of a (sub)command. */
export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** Where the store is, from the global flags, else the environment. */
export function storeLocation(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (g.databaseUrl) return { databaseUrl: g.databaseUrl };
  if (g.data) return { dataDir: g.data };
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { dataDir: env.LEDGERBRIDGE_DATA || '.ledgerbridge' };
}

/** Opens the runtime for a command, runs it, and always closes the store (and its lock). */
export async function withRuntime<T>(
  cmd: Command,
  fn: (rt: Runtime) => Promise<T>,
  extra: Partial<RuntimeOptions> = {},
): Promise<T> {
  const g = globals(cmd);
  const rt = await openRuntime({ configFile: g.config, location: storeLocation(g), ...extra });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Prints JSON or text. */
export function print(json: boolean | undefined, value: unknown, text: () => string): void {
  if (json) console.log(JSON.stringify(value, null, 2));
  else console.log(text());
}
