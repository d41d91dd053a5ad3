import type { Command } from 'commander';
import { runDemo } from '../../demo/demo.ts';
import { formatDemoSummary } from '../../demo/format.ts';
import { globals } from '../context.ts';
import { intOption, portOption } from '../options.ts';
import { progressBars } from '../progress-bars.ts';

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** `ledgerbridge demo`: the main job on the embedded defaults. */
export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'start both emulators and the server, sync, edit each side, sync again, summarise — then keep serving',
    )
    .option('--records <n>', 'companies in the seed data', intOption('--records', 20, 1_000_000), 300)
    .option('--seed <n>', 'seed of the emulators’ data', intOption('--seed'), 1)
    .option('--port <n>', 'port of the ledgerbridge server (default: any free port)', portOption())
    .option('--once', 'exit after the summary instead of serving')
    .option('--json', 'print the summary as JSON (no narration)')
    .action(
      async (
        opts: { records: number; seed: number; port?: number; once?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const say = opts.json ? () => {} : (line: string) => console.log(line);
        const bars = !opts.json && process.stderr.isTTY ? progressBars() : null;
        const demo = await runDemo({
          records: opts.records,
          seed: opts.seed,
          port: opts.port,
          dataDir: globals(cmd).data,
          say: (line) => {
            bars?.stop();
            say(line);
          },
          onProgress: bars?.listener,
        }).finally(() => bars?.stop());
        try {
          if (opts.json) console.log(JSON.stringify(demo.summary, null, 2));
          else console.log(formatDemoSummary(demo.summary));
          if (!demo.summary.ok) process.exitCode = 1;
          if (!opts.once) {
            const s = demo.summary;
            console.log('');
            console.log('Still serving — try:');
            console.log(
              `  curl -s -H 'authorization: Bearer ${s.server.adminToken}' ${s.server.url}/api/runs`,
            );
            console.log(`  curl -s ${s.quickbooks.info}`);
            console.log(`  curl -s ${s.salesforce.url}/__emulator/calls`);
            console.log('Press Ctrl-C to stop.');
            await untilSignal();
          }
        } finally {
          await demo.close();
        }
      },
    );
}
