import type { Command } from 'commander';
import { commonOptions, parseCommonFlags, runEmulatorCommand, wholeFlag } from '../kit/cli.ts';
import { FaultSpecError } from '../kit/faults.ts';
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

/** Turns command-line flags into emulator options, checking each (FlagError names the flag). */
export function parseSalesforceFlags(f: SalesforceEmulateFlags): SalesforceEmulatorOptions {
  const opts: SalesforceEmulatorOptions = parseCommonFlags(FlagError, f);
  if (f.host !== undefined) opts.host = f.host;
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
  const limit = wholeFlag(FlagError, '--daily-api-limit', f.dailyApiLimit, 1, 1_000_000_000);
  if (limit !== undefined) opts.dailyApiLimit = limit;
  const seconds = wholeFlag(FlagError, '--session-seconds', f.sessionSeconds, 1, 31_536_000);
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
  const command = emulate
    .command('salesforce')
    .description(
      'run a local Salesforce org (REST API, OAuth 2.0, SOAP login) seeded from the demo universe',
    );
  return commonOptions(command, {
    records: 'companies to seed (0 = empty org)',
    state: 'load the org from FILE if it exists; save it there on exit',
  })
    .option('--schema <file>', 'custom objects and fields (JSON)')
    .option('--daily-api-limit <n>', 'daily API request allocation', '100000')
    .option('--session-seconds <n>', 'session timeout in seconds', '7200')
    .option('--api-version <v>', 'API version advertised in the info', '62.0')
    .action((flags: SalesforceEmulateFlags) =>
      runEmulatorCommand({
        parse: () => parseSalesforceFlags(flags),
        start: startSalesforceEmulator,
        isFlagError: (e) =>
          e instanceof CustomSchemaError ||
          e instanceof SalesforceEmulatorOptionError ||
          e instanceof FaultSpecError,
        hint: (emu: RunningSalesforceEmulator) =>
          `Salesforce emulator on ${emu.url} (login and instance URL)`,
      }),
    );
}
