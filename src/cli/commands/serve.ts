import type { Command } from 'commander';
import pino from 'pino';
import { openRuntime, type Runtime } from '../../runtime/runtime.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { globals, storeLocation } from '../context.ts';
import { UsageError } from '../errors.ts';
import { portOption } from '../options.ts';

function tokenHint(server: RunningServer): string {
  switch (server.adminTokenSource) {
    case 'option':
      return 'the one given with --admin-token';
    case 'env':
      return 'the one in LEDGERBRIDGE_ADMIN_TOKEN';
    case 'file':
      return `kept in ${server.adminTokenFile} (readable by you only)`;
    case 'generated':
      return `${server.adminToken}  (made for this process: set LEDGERBRIDGE_ADMIN_TOKEN to keep one)`;
  }
}

/** Resolves at the first SIGINT or SIGTERM (a second one ends the process the default way). */
function stopSignal(): {
  stopped: Promise<NodeJS.Signals>;
  received(): NodeJS.Signals | null;
  cancel(): void;
} {
  let received: NodeJS.Signals | null = null;
  let cancel = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      cancel();
      received = signal;
      resolve(signal);
    };
    cancel = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { stopped, received: () => received, cancel };
}

/** `ledgerbridge serve`: the HTTP server (admin API, OAuth callbacks, QuickBooks webhooks) until stopped. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server: admin API, OAuth sign-in for both systems, QuickBooks webhooks')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', portOption('--port'), 8080)
    .option(
      '--admin-token <token>',
      'token the admin API requires (default: LEDGERBRIDGE_ADMIN_TOKEN, else one kept in the data folder, else a new one per process)',
    )
    .option(
      '--public-url <url>',
      'address OAuth providers and QuickBooks webhooks reach this server at (default: LEDGERBRIDGE_PUBLIC_URL, else the listen address)',
    )
    .action(
      async (o: { host: string; port: number; adminToken?: string; publicUrl?: string }, cmd: Command) => {
        if (o.publicUrl && !/^https?:\/\/[^/]+/.test(o.publicUrl))
          throw new UsageError(`--public-url must be an http(s) address, got "${o.publicUrl}"`);
        const g = globals(cmd);
        // listening for the signals from the start: a stop during startup still closes the store cleanly
        const signals = stopSignal();
        const logger = pino({ level: process.env.LEDGERBRIDGE_LOG ?? 'info' });
        let rt: Runtime;
        try {
          rt = await openRuntime({ configFile: g.config, location: storeLocation(g), logger });
        } catch (e) {
          signals.cancel();
          throw e;
        }
        let server: RunningServer;
        try {
          server = await startServer({
            runtime: rt,
            host: o.host,
            port: o.port,
            adminToken: o.adminToken,
            publicUrl: o.publicUrl,
            logger,
          });
        } catch (e) {
          signals.cancel();
          await rt.close();
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
            throw new UsageError(
              `cannot listen on ${o.host}:${o.port} (${code}): ${code === 'EADDRINUSE' ? 'the port is in use; pick another with --port' : (e as Error).message}`,
            );
          throw e;
        }
        const base = server.publicUrl;
        if (!signals.received())
          console.log(
            [
              `ledgerbridge is serving on ${server.url}  (store: ${rt.store.where})`,
              `  admin API    ${server.url}/api/…  with  Authorization: Bearer <admin token>`,
              `  admin token  ${tokenHint(server)}`,
              `  sign in      ${base}/oauth/salesforce/start   ${base}/oauth/qbo/start`,
              `  webhooks     ${base}/webhooks/qbo  (register it in the Intuit app)`,
              'Press Ctrl-C to stop.',
            ].join('\n'),
          );
        const signal = await signals.stopped;
        console.log(`\n${signal}: stopping (a second Ctrl-C stops at once)…`);
        try {
          await server.close();
        } finally {
          await rt.close();
        }
        console.log('Stopped.');
      },
    );
}
