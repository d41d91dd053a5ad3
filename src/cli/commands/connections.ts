import type { Command } from 'commander';
import { Option } from 'commander';
import { testConnections } from '../../operations/connections.ts';
import { OperationError } from '../../operations/errors.ts';
import {
  connectEmulator,
  connectQboOAuth,
  connectSalesforceOAuth,
  connectSalesforcePassword,
  INTUIT,
} from '../../runtime/connect.ts';
import { print, withRuntime } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';

function show(url: string): void {
  console.log(
    `Open this address in a browser and approve ledgerbridge:\n\n  ${url}\n\nWaiting for the redirect…`,
  );
}

/** `ledgerbridge connections add|list|test|remove`. */
export function addConnectionsCommand(program: Command): void {
  const connections = program
    .command('connections')
    .description('the Salesforce and QuickBooks accounts ledgerbridge syncs');

  const add = connections
    .command('add')
    .description('connect a Salesforce org or a QuickBooks Online company');

  add
    .command('salesforce')
    .description(
      'connect Salesforce: OAuth 2.0 web-server flow, username + password + security token, or a running emulator',
    )
    .option('--id <id>', 'connection id the flows refer to', 'salesforce')
    .option('--emulator <url>', 'a running `ledgerbridge emulate salesforce` (reads its /__emulator/info)')
    .option(
      '--login-url <url>',
      'https://login.salesforce.com, https://test.salesforce.com or your My Domain',
      'https://login.salesforce.com',
    )
    .option('--client-id <id>', 'connected app consumer key')
    .option('--client-secret <secret>', 'connected app consumer secret')
    .option(
      '--redirect-uri <uri>',
      'loopback callback registered on the connected app',
      'http://127.0.0.1:8765/oauth/salesforce/callback',
    )
    .option('--username <user>', 'sign in with a username and password instead of OAuth')
    .option('--password <password>')
    .option('--security-token <token>', "the user's security token (appended to the password)", '')
    .option('--api-version <v>', 'REST API version', '62.0')
    .action(async (o: Record<string, string | undefined>, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        let what: string;
        if (o.emulator) what = await connectEmulator(rt.connections, 'salesforce', o.id!, o.emulator);
        else if (o.username) {
          if (!o.password) throw new UsageError('--password is required with --username');
          what = await connectSalesforcePassword(rt.connections, {
            id: o.id!,
            loginUrl: o.loginUrl!,
            username: o.username,
            password: o.password,
            securityToken: o.securityToken ?? '',
            clientId: o.clientId,
            clientSecret: o.clientSecret,
            apiVersion: o.apiVersion,
          });
        } else {
          if (!o.clientId || !o.clientSecret)
            throw new UsageError(
              'connect Salesforce with --emulator URL, --username/--password, or OAuth with --client-id and --client-secret',
            );
          what = await connectSalesforceOAuth(rt.connections, {
            id: o.id!,
            loginUrl: o.loginUrl!,
            clientId: o.clientId,
            clientSecret: o.clientSecret,
            redirectUri: o.redirectUri!,
            apiVersion: o.apiVersion,
            show,
          });
        }
        console.log(`Connected "${o.id}": ${what}`);
      });
    });

  add
    .command('qbo')
    .description(
      'connect a QuickBooks Online company: OAuth 2.0 authorization-code flow, or a running emulator',
    )
    .option('--id <id>', 'connection id the flows refer to', 'qbo')
    .option('--emulator <url>', 'a running `ledgerbridge emulate qbo` (reads its /__emulator/info)')
    .option('--client-id <id>', 'Intuit app client id')
    .option('--client-secret <secret>', 'Intuit app client secret')
    .addOption(
      new Option('--environment <env>', 'Intuit environment')
        .choices(['production', 'sandbox'])
        .default('production'),
    )
    .option(
      '--redirect-uri <uri>',
      'loopback callback registered on the Intuit app',
      'http://127.0.0.1:8765/oauth/qbo/callback',
    )
    .option('--base-url <url>', 'API base URL (default: by --environment)')
    .option('--authorize-url <url>', 'authorization endpoint', INTUIT.authorizeUrl)
    .option('--token-url <url>', 'token endpoint', INTUIT.tokenUrl)
    .action(async (o: Record<string, string | undefined>, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        let what: string;
        if (o.emulator) what = await connectEmulator(rt.connections, 'qbo', o.id!, o.emulator);
        else {
          if (!o.clientId || !o.clientSecret)
            throw new UsageError(
              'connect QuickBooks with --emulator URL, or OAuth with --client-id and --client-secret',
            );
          const realm = await connectQboOAuth(rt.connections, {
            id: o.id!,
            clientId: o.clientId,
            clientSecret: o.clientSecret,
            redirectUri: o.redirectUri!,
            baseUrl: o.baseUrl ?? INTUIT.baseUrl[o.environment as 'production' | 'sandbox'],
            authorizeUrl: o.authorizeUrl!,
            tokenUrl: o.tokenUrl!,
            revokeUrl: INTUIT.revokeUrl,
            show,
          });
          what = `QuickBooks Online company ${realm}`;
        }
        console.log(`Connected "${o.id}": ${what}`);
      });
    });

  connections
    .command('list')
    .description('configured connections (secrets are never shown)')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const list = await withRuntime(cmd, (rt) => rt.connections.list());
      print(o.json, list, () =>
        table(
          list.map((c) => ({
            id: c.id,
            system: c.system,
            status: c.status,
            label: c.label,
            secrets: c.hasSecrets.join(','),
            note: c.statusMessage ?? '',
          })),
        ),
      );
    });

  connections
    .command('test')
    .description('sign in and make one harmless call per connection')
    .argument('[ids...]', 'connections to test (default: all)')
    .option('--json', 'as JSON')
    .action(async (ids: string[], o: { json?: boolean }, cmd: Command) => {
      const results = await withRuntime(cmd, async (rt) => {
        try {
          return await testConnections(rt, ids);
        } catch (e) {
          throw e instanceof OperationError ? new UsageError(e.message) : e;
        }
      });
      print(o.json, results, () => table(results.map((r) => ({ ...r }))));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  connections
    .command('remove')
    .description('forget a connection')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const removed = await withRuntime(cmd, (rt) => rt.connections.remove(id));
      if (!removed) throw new UsageError(`no connection "${id}"`);
      console.log(`Removed "${id}".`);
    });
}
