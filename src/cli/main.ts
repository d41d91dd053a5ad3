import { Command, CommanderError } from 'commander';
import { addQboEmulateCommand } from '../../emulators/qbo/cli.ts';
import { addSalesforceEmulateCommand } from '../../emulators/salesforce/cli.ts';
import { addAdminCommands } from './commands/admin.ts';
import { addBenchCommand } from './commands/bench.ts';
import { addConnectionsCommand } from './commands/connections.ts';
import { addDemoCommand } from './commands/demo.ts';
import { addRecordCommands } from './commands/records.ts';
import { addServeCommand } from './commands/serve.ts';
import { addSyncCommand } from './commands/sync.ts';
import { describeError, exitCodeFor } from './errors.ts';

/** The ledgerbridge command line. */
export function buildProgram(): Command {
  const program = new Command('ledgerbridge')
    .description(
      'Keeps Salesforce and QuickBooks in step — self-hosted, exactly once, on the fewest API calls.',
    )
    .version('0.1.0')
    .option(
      '--config <file>',
      'flows configuration (default: LEDGERBRIDGE_CONFIG, ./ledgerbridge.yaml, else the embedded defaults)',
    )
    .option('--data <dir>', 'PGlite data folder (default: LEDGERBRIDGE_DATA or ./.ledgerbridge)')
    .option('--database-url <url>', 'PostgreSQL instead of PGlite (default: DATABASE_URL)')
    // A usage mistake gets one clear line (with Commander's "did you mean"), not the whole help.
    .exitOverride();

  addDemoCommand(program);
  addSyncCommand(program);
  addConnectionsCommand(program);
  addRecordCommands(program);
  addAdminCommands(program);
  addServeCommand(program);
  addBenchCommand(program);
  const emulate = program
    .command('emulate')
    .description('run a local, faithful emulator of Salesforce or QuickBooks Online');
  addSalesforceEmulateCommand(emulate);
  addQboEmulateCommand(emulate);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed the usage problem (or help/version) already.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(describeError(e));
    process.exitCode = exitCodeFor(e);
  }
}

await main(process.argv);
