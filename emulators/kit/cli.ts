import type { Command } from 'commander';
import { FaultSpecError, parseFaultSpec } from './faults.ts';
import { StateFileError } from './state-file.ts';

/**
 * What the emulators' `emulate` commands share: checking the common flags (each error names its
 * flag), and running an emulator until SIGINT/SIGTERM with the connection info printed as JSON.
 * Bad flags, and start failures a flag caused, exit with code 2 and one line naming the flag.
 */

/** Builds the emulator's own flag error (its class is part of the emulator's API). */
export type FlagErrorClass = new (message: string) => Error;

/** A whole number flag in [min, max], or undefined when the flag is absent. */
export function wholeFlag(
  Err: FlagErrorClass,
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max)
    throw new Err(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return Number(text);
}

export interface CommonFlags {
  port?: string;
  seed?: string;
  records?: string;
  state?: string;
  faults?: string;
}

export interface CommonOptions {
  port?: number;
  seed?: number | string;
  records?: number;
  stateFile?: string;
  faults?: string;
}

/** --port, --seed, --records, --state and --faults, checked; absent flags stay absent. */
export function parseCommonFlags(Err: FlagErrorClass, f: CommonFlags): CommonOptions {
  const opts: CommonOptions = {};
  const port = wholeFlag(Err, '--port', f.port, 0, 65535);
  if (port !== undefined) opts.port = port;
  if (f.seed !== undefined) opts.seed = /^\d+$/.test(f.seed) ? Number(f.seed) : f.seed;
  const records = wholeFlag(Err, '--records', f.records, 0, 10_000_000);
  if (records !== undefined) opts.records = records;
  if (f.state !== undefined) {
    if (!f.state.trim()) throw new Err('--state needs a file path');
    opts.stateFile = f.state;
  }
  if (f.faults !== undefined) {
    try {
      parseFaultSpec(f.faults);
    } catch (e) {
      throw new Err(e instanceof FaultSpecError ? e.message : `--faults: ${String(e)}`);
    }
    opts.faults = f.faults;
  }
  return opts;
}

/** Declares the flags parseCommonFlags reads, and --host; `text` words --records and --state. */
export function commonOptions(cmd: Command, text: { records: string; state: string }): Command {
  return cmd
    .option('--port <n>', 'port to listen on, 0 = any free port', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <s>', 'seed of the demo universe', '1')
    .option('--records <n>', text.records, '200')
    .option('--state <file>', text.state)
    .option(
      '--faults <spec>',
      'inject faults, e.g. "action=503,every=10;action=expire-token,after=50,times=1"',
    );
}

interface Running {
  info: unknown;
  close(): Promise<void>;
}

export interface EmulatorCommand<O extends { port?: number; host?: string; stateFile?: string }, E> {
  /** Flags to options; throws the emulator's flag error. */
  parse(): O;
  start(opts: O): Promise<E>;
  /** Start failures that a flag caused besides address and state file errors (exit code 2). */
  isFlagError?(e: unknown): boolean;
  /** The line printed after the info, before the state-file note. */
  hint(emu: E): string;
}

/** The `action` of an emulate command: parse, start, print, and close (saving state) on a signal. */
export async function runEmulatorCommand<
  O extends { port?: number; host?: string; stateFile?: string },
  E extends Running,
>(cmd: EmulatorCommand<O, E>): Promise<void> {
  let opts: O;
  try {
    opts = cmd.parse();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  let emu: E;
  try {
    emu = await cmd.start(opts);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message =
      err.code === 'EADDRINUSE'
        ? `--port ${opts.port}: address already in use`
        : err.code === 'EADDRNOTAVAIL'
          ? `--host ${opts.host}: address not available`
          : e instanceof StateFileError
            ? `--state: ${err.message}`
            : err.message;
    const usage =
      err.code === 'EADDRINUSE' ||
      err.code === 'EADDRNOTAVAIL' ||
      e instanceof StateFileError ||
      (cmd.isFlagError?.(e) ?? false);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = usage ? 2 : 1;
    return;
  }
  // handlers first: whoever reads the info may signal as soon as it is printed
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emu
      .close()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        process.stderr.write(`error: could not save state: ${(e as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify(emu.info, null, 2)}\n`);
  process.stdout.write(
    `${cmd.hint(emu)}; Ctrl+C to stop${opts.stateFile ? `, state saved to ${opts.stateFile}` : ''}.\n`,
  );
}
