import { pathToFileURL } from 'node:url';
import { Command, type CommanderError } from 'commander';
import { FaultSpecError, parseFaultSpec } from '../kit/faults.ts';
import { StateFileError } from '../kit/state-file.ts';
import { startQboEmulator, type QboEmulatorOptions, type RunningQboEmulator } from './index.ts';
import type { Limits } from './limits.ts';

/**
 * `ledgerbridge emulate qbo`: runs the QuickBooks Online emulator until SIGINT/SIGTERM, printing
 * the connection info as JSON and a one-line hint. Bad flags exit with code 2 and one line
 * naming the flag.
 */

/** A flag that cannot be used; the message names it. */
export class QboFlagError extends Error {
  override name = 'QboFlagError';
}

export interface QboEmulateFlags {
  port?: string;
  host?: string;
  seed?: string;
  records?: string;
  realms?: string;
  state?: string;
  faults?: string;
  limits?: string;
  webhook?: string[];
  webhookFormat?: string;
}

function whole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new QboFlagError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return Number(text);
}

/** Parses `perMinute=500,concurrent=10,batchPerMinute=40` (any subset). */
export function parseLimits(text: string): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(perMinute|concurrent|batchPerMinute)=(\d+)$/.exec(part);
    if (!m || Number(m[2]) < 1) {
      throw new QboFlagError(
        `--limits: "${part}" is not perMinute=N, concurrent=N or batchPerMinute=N with N ≥ 1`,
      );
    }
    out[m[1] as keyof Limits] = Number(m[2]);
  }
  return out;
}

/** Turns command-line flags into emulator options, checking each (QboFlagError names the flag). */
export function parseQboFlags(f: QboEmulateFlags): QboEmulatorOptions {
  const opts: QboEmulatorOptions = {};
  const port = whole('--port', f.port, 0, 65535);
  if (port !== undefined) opts.port = port;
  if (f.host !== undefined) {
    if (!f.host.trim()) throw new QboFlagError('--host needs an address');
    opts.host = f.host;
  }
  if (f.seed !== undefined) opts.seed = /^\d+$/.test(f.seed) ? Number(f.seed) : f.seed;
  const records = whole('--records', f.records, 0, 10_000_000);
  if (records !== undefined) opts.records = records;
  const realms = whole('--realms', f.realms, 1, 100);
  if (realms !== undefined) opts.realms = realms;
  if (f.state !== undefined) {
    if (!f.state.trim()) throw new QboFlagError('--state needs a file path');
    opts.stateFile = f.state;
  }
  if (f.faults !== undefined) {
    try {
      parseFaultSpec(f.faults);
    } catch (e) {
      throw new QboFlagError(e instanceof FaultSpecError ? e.message : `--faults: ${String(e)}`);
    }
    opts.faults = f.faults;
  }
  if (f.limits !== undefined) opts.limits = parseLimits(f.limits);
  const webhooks: NonNullable<QboEmulatorOptions['webhooks']> = {};
  for (const url of f.webhook ?? []) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new QboFlagError(`--webhook must be an http(s) URL (got "${url}")`);
    webhooks.urls = [...(webhooks.urls ?? []), url];
  }
  if (f.webhookFormat !== undefined) {
    if (f.webhookFormat !== 'cloudevents' && f.webhookFormat !== 'legacy') {
      throw new QboFlagError(`--webhook-format must be cloudevents or legacy (got "${f.webhookFormat}")`);
    }
    webhooks.format = f.webhookFormat;
  }
  if (webhooks.urls || webhooks.format) opts.webhooks = webhooks;
  return opts;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `qbo` under the `emulate` command. */
export function addQboEmulateCommand(emulate: Command): Command {
  return emulate
    .command('qbo')
    .description(
      'run a local QuickBooks Online company (Accounting API v3, OAuth 2.0, webhooks) seeded from the demo universe',
    )
    .option('--port <n>', 'port to listen on, 0 = any free port', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <s>', 'seed of the demo universe', '1')
    .option('--records <n>', 'companies of the universe to seed (0 = empty company)', '200')
    .option('--realms <n>', 'QuickBooks companies (realms) to host', '1')
    .option('--state <file>', 'load the companies from FILE if it exists; save them there on exit')
    .option(
      '--faults <spec>',
      'inject faults, e.g. "action=503,every=10;action=expire-token,after=50,times=1"',
    )
    .option('--limits <spec>', 'per-realm limits, e.g. perMinute=500,concurrent=10,batchPerMinute=40')
    .option('--webhook <url>', 'deliver webhooks to URL (repeatable)', collect)
    .option('--webhook-format <format>', 'cloudevents (default) or legacy')
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (flags: QboEmulateFlags) => {
      let opts: QboEmulatorOptions;
      try {
        opts = parseQboFlags(flags);
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let emu: RunningQboEmulator;
      try {
        emu = await startQboEmulator(opts);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const usage =
          e instanceof StateFileError || err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL';
        const message =
          err.code === 'EADDRINUSE'
            ? `--port ${opts.port}: address already in use`
            : err.code === 'EADDRNOTAVAIL'
              ? `--host ${opts.host}: address not available`
              : e instanceof StateFileError
                ? `--state: ${err.message}`
                : err.message;
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
        `QuickBooks Online emulator on ${emu.url} (API at ${emu.url}/v3/company/${emu.info.realmId}); Ctrl+C to stop${opts.stateFile ? `, state saved to ${opts.stateFile}` : ''}.\n`,
      );
    });
}

// Run directly (`npx tsx emulators/qbo/cli.ts qbo --port 4001`) without the full ledgerbridge CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = new Command('qbo-emulator');
  addQboEmulateCommand(program);
  await program.parseAsync(process.argv);
}
