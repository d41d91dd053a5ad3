import type { Command } from 'commander';

/** `ledgerbridge bench`: the engine's and the emulators' figures (bench/README.md). */
export function addBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .description('measure sync speed, API calls and memory on the emulators, beside the naive way')
    .option('--sizes <list>', 'pairs per size, comma-separated', '10000,100000')
    .option('--quick', 'a smoke run: 2,000 pairs, no emulator benchmarks')
    .option('--seed <n>', 'seed of both emulators', '7')
    .option('--naive-max <n>', 'naive writes sent per phase before sampling and extrapolating', '4000')
    .option('--no-emulators', "skip the emulators' own benchmarks")
    .option('--json', 'print the report as JSON')
    .action(
      async (flags: {
        sizes: string;
        quick?: boolean;
        seed: string;
        naiveMax: string;
        emulators: boolean;
        json?: boolean;
      }) => {
        const sizes = flags.quick
          ? [2000]
          : flags.sizes.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
        if (sizes.some((n) => !Number.isInteger(n) || n < 100))
          throw new Error(`--sizes: whole numbers of at least 100, comma-separated (got "${flags.sizes}")`);
        // Loaded on demand: the benchmark code is not part of the everyday CLI.
        const { runBench, formatReport } = await import('../../../bench/run.ts');
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const report = await runBench({
          sizes,
          seed: Number(flags.seed),
          naiveMax: Number(flags.naiveMax),
          emulators: flags.quick ? false : flags.emulators,
          log,
        });
        process.stdout.write(
          flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
        );
        const missed = report.figures.filter((f) => f.ok === false);
        if (missed.length > 0 && !flags.json) log(`${missed.length} figure(s) missed their target.`);
      },
    );
}
