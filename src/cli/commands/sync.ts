import type { Command } from 'commander';
import { runSync } from '../../engine/sync.ts';
import { print, withRuntime } from '../context.ts';
import { formatSyncReport } from '../format.ts';
import { progressBars } from '../progress-bars.ts';

/** `ledgerbridge sync`: run the flows once (or plan them with --dry-run). */
export function addSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('sync now: the first run links and creates, later runs move only what changed')
    .option('--flow <name...>', 'only these flows (default: all, in order)')
    .option('--dry-run', 'show exactly what would be created, changed and linked on each side; write nothing')
    .option('--sf <id...>', 'only these Salesforce records (sync a single record now)')
    .option('--qb <id...>', 'only these QuickBooks records')
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'no progress bars')
    .action(
      async (
        opts: {
          flow?: string[];
          dryRun?: boolean;
          sf?: string[];
          qb?: string[];
          json?: boolean;
          progress: boolean;
        },
        cmd: Command,
      ) => {
        const report = await withRuntime(cmd, async (rt) => {
          const bars = opts.progress && !opts.json && process.stderr.isTTY ? progressBars() : null;
          try {
            return await runSync(rt.engine, {
              flows: opts.flow,
              dryRun: opts.dryRun,
              trigger: 'cli',
              records: opts.sf || opts.qb ? { sf: opts.sf, qb: opts.qb } : undefined,
              onProgress: bars?.listener,
            });
          } finally {
            bars?.stop();
          }
        });
        print(opts.json, report, () => formatSyncReport(report));
        if (report.status === 'failed') process.exitCode = 1;
        else if (report.status !== 'succeeded') process.exitCode = 3;
      },
    );
}
