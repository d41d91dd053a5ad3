import { pathToFileURL } from 'node:url';
import { Command, type CommanderError } from 'commander';
import { commonOptions, parseCommonFlags, runEmulatorCommand, wholeFlag } from '../kit/cli.ts';
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
  const opts: QboEmulatorOptions = parseCommonFlags(QboFlagError, f);
  if (f.host !== undefined) {
    if (!f.host.trim()) throw new QboFlagError('--host needs an address');
    opts.host = f.host;
  }
  const realms = wholeFlag(QboFlagError, '--realms', f.realms, 1, 100);
  if (realms !== undefined) opts.realms = realms;
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
  const command = emulate
    .command('qbo')
    .description(
      'run a local QuickBooks Online company (Accounting API v3, OAuth 2.0, webhooks) seeded from the demo universe',
    );
  return commonOptions(command, {
    records: 'companies of the universe to seed (0 = empty company)',
    state: 'load the companies from FILE if it exists; save them there on exit',
  })
    .option('--realms <n>', 'QuickBooks companies (realms) to host', '1')
    .option('--limits <spec>', 'per-realm limits, e.g. perMinute=500,concurrent=10,batchPerMinute=40')
    .option('--webhook <url>', 'deliver webhooks to URL (repeatable)', collect)
    .option('--webhook-format <format>', 'cloudevents (default) or legacy')
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action((flags: QboEmulateFlags) =>
      runEmulatorCommand({
        parse: () => parseQboFlags(flags),
        start: startQboEmulator,
        hint: (emu: RunningQboEmulator) =>
          `QuickBooks Online emulator on ${emu.url} (API at ${emu.url}/v3/company/${emu.info.realmId})`,
      }),
    );
}

// Run directly (`npx tsx emulators/qbo/cli.ts qbo --port 4001`) without the full ledgerbridge CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = new Command('qbo-emulator');
  addQboEmulateCommand(program);
  await program.parseAsync(process.argv);
}
