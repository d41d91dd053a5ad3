import type { Command } from 'commander';
import { loadConfig, defaultConfig } from '../../config/index.ts';
import { configPath } from '../../runtime/runtime.ts';
import { migrate, openStore } from '../../store/database.ts';
import { globals, print, storeLocation } from '../context.ts';

/** `ledgerbridge migrate` and `ledgerbridge config check`. */
export function addAdminCommands(program: Command): void {
  program
    .command('migrate')
    .description('create or update the database schema (PGlite data folder, or PostgreSQL with DATABASE_URL)')
    .action(async (_o: unknown, cmd: Command) => {
      const store = await openStore(storeLocation(globals(cmd)));
      try {
        const result = await migrate(store);
        const applied = (result.results ?? [])
          .filter((r) => r.status === 'Success')
          .map((r) => r.migrationName);
        console.log(
          applied.length
            ? `Applied ${applied.join(', ')} on ${store.where}.`
            : `${store.where} is up to date.`,
        );
      } finally {
        await store.close();
      }
    });

  const config = program.command('config').description('the flows configuration');
  config
    .command('check')
    .description(
      'validate a configuration file (structure and expressions; field names are checked against the live systems at sync time)',
    )
    .argument(
      '[file]',
      'default: --config, LEDGERBRIDGE_CONFIG, ./ledgerbridge.yaml, else the embedded defaults',
    )
    .option('--json', 'print the resolved flows as JSON')
    .action(async (file: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const path = file ?? configPath(globals(cmd).config);
      const cfg = path ? await loadConfig(path) : defaultConfig();
      print(
        o.json,
        cfg.flows.map(({ loc: _loc, ...f }) => ({ ...f, fields: f.fields.map(({ loc: _l, ...x }) => x) })),
        () =>
          `${path ?? 'embedded defaults'}: OK — ${cfg.flows.length} flow(s): ${cfg.flows.map((f) => `${f.name} (${f.salesforce.object} ↔ ${f.quickbooks.entity}, ${f.direction}, ${f.fields.length} fields)`).join(', ')}`,
      );
    });
}
