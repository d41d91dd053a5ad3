import type { Command } from 'commander';
import { FaultSpecError, parseFaultSpec } from '../kit/faults.ts';
import { StateFileError } from '../kit/state-file.ts';
import {
  SalesforceEmulatorOptionError,
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from './index.ts';
import { CustomSchemaError, loadCustomSchemaFile } from './schema/custom-schema.ts';

/**
 * `ledgerbridge emulate salesforce`: runs the emulator until SIGINT/SIGTERM, printing the
 * connection info as JSON. Bad flags exit with code 2 and one line naming the flag.
 */

/** A flag that cannot be used; the message names it. */
export class FlagError extends Error {
  override name = 'FlagError';
}

export interface SalesforceEmulateFlags {
  port?: string;
  host?: string;
  seed?: string;
  records?: string;
  state?: string;
  faults?: string;
  schema?: string;
  dailyApiLimit?: string;
  sessionSeconds?: string;
  apiVersion?: string;
}

function whole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max)
    throw new FlagError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  return Number(text);
}

/** Turns command-line flags into emulator options, checking each (FlagError names the flag). */
export function parseSalesforceFlags(f: SalesforceEmulateFlags): SalesforceEmulatorOptions {
  const opts: SalesforceEmulatorOptions = {};
  const port = whole('--port', f.port, 0, 65535);
  if (port !== undefined) opts.port = port;
  if (f.host !== undefined) opts.host = f.host;
  if (f.seed !== undefined) opts.seed = /^\d+$/.test(f.seed) ? Number(f.seed) : f.seed;
  const records = whole('--records', f.records, 0, 10_000_000);
  if (records !== undefined) opts.records = records;
  if (f.state !== undefined) {
    if (!f.state.trim()) throw new FlagError('--state needs a file path');
    opts.stateFile = f.state;
  }
  if (f.faults !== undefined) {
    try {
      parseFaultSpec(f.faults);
    } catch (e) {
      throw new FlagError(e instanceof FaultSpecError ? e.message : `--faults: ${String(e)}`);
    }
    opts.faults = f.faults;
  }
  if (f.schema !== undefined) {
    try {
      loadCustomSchemaFile(f.schema);
    } catch (e) {
      throw new FlagError(
        `--schema: ${e instanceof Error ? e.message.replace(/^schema:?\s*/, '') : String(e)}`,
      );
    }
    opts.schema = f.schema;
  }
  const limit = whole('--daily-api-limit', f.dailyApiLimit, 1, 1_000_000_000);
  if (limit !== undefined) opts.dailyApiLimit = limit;
  const seconds = whole('--session-seconds', f.sessionSeconds, 1, 31_536_000);
  if (seconds !== undefined) opts.sessionSeconds = seconds;
  if (f.apiVersion !== undefined) {
    if (!/^\d+\.0$/.test(f.apiVersion))
      throw new FlagError(`--api-version must look like 62.0 (got "${f.apiVersion}")`);
    opts.apiVersion = f.apiVersion;
  }
  return opts;
}

/** Adds `salesforce` under the `emulate` command. */
export function addSalesforceEmulateCommand(emulate: Command): Command {
  return emulate
    .command('salesforce')
    .description('run a local Salesforce org (REST API, OAuth 2.0, SOAP login) seeded from the demo universe')
    .option('--port <n>', 'port to listen on, 0 = any free port', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <s>', 'seed of the demo universe', '1')
    .option('--records <n>', 'companies to seed (0 = empty org)', '200')
    .option('--state <file>', 'load the org from FILE if it exists; save it there on exit')
    .option(
      '--faults <spec>',
      'inject faults, e.g. "action=503,every=10;action=expire-token,after=50,times=1"',
    )
    .option('--schema <file>', 'custom objects and fields (JSON)')
    .option('--daily-api-limit <n>', 'daily API request allocation', '100000')
    .option('--session-seconds <n>', 'session timeout in seconds', '7200')
    .option('--api-version <v>', 'API version advertised in the info', '62.0')
    .action(async (flags: SalesforceEmulateFlags) => {
      let opts: SalesforceEmulatorOptions;
      try {
        opts = parseSalesforceFlags(flags);
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let emu: RunningSalesforceEmulator;
      try {
        emu = await startSalesforceEmulator(opts);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const flagLike =
          e instanceof CustomSchemaError ||
          e instanceof SalesforceEmulatorOptionError ||
          e instanceof FaultSpecError;
        const message =
          err.code === 'EADDRINUSE'
            ? `--port ${opts.port}: address already in use`
            : e instanceof StateFileError
              ? `--state: ${err.message}`
              : err.message;
        process.stderr.write(`error: ${message}\n`);
        process.exitCode = flagLike || e instanceof StateFileError || err.code === 'EADDRINUSE' ? 2 : 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(emu.info, null, 2)}\n`);
      process.stdout.write(
        `Salesforce emulator on ${emu.url} (login and instance URL); Ctrl+C to stop${opts.stateFile ? `, state saved to ${opts.stateFile}` : ''}.\n`,
      );
      let stopping = false;
      const stop = () => {
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
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
