import type { Command } from 'commander';
import { Option } from 'commander';
import { OperationError } from '../../operations/errors.ts';
import {
  createUnmatched,
  ignoreUnmatched,
  linkPair,
  retryErrors,
  showRun,
} from '../../operations/records.ts';
import { dismissErrors, listErrors } from '../../store/error-queue.ts';
import { countLinks, listLinks } from '../../store/links.ts';
import { listRuns } from '../../store/runs.ts';
import { listUnmatched } from '../../store/unmatched.ts';
import { print, withRuntime } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatSyncReport, table } from '../format.ts';
import { intOption } from '../options.ts';

/** A shared operation's "no such id" / "not allowed" is a usage error on the command line. */
async function usage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    throw e instanceof OperationError ? new UsageError(e.message) : e;
  }
}

/** `links`, `link`, `unmatched`, `errors`, `runs`: what the engine knows, and the hand-made decisions. */
export function addRecordCommands(program: Command): void {
  program
    .command('links')
    .description('linked record pairs (Salesforce id ↔ QuickBooks id)')
    .option('--flow <name>')
    .option('--limit <n>', 'how many', intOption('--limit', 1), 50)
    .option('--json', 'as JSON')
    .action(async (o: { flow?: string; limit: number; json?: boolean }, cmd: Command) => {
      const { rows, total } = await withRuntime(cmd, async (rt) => ({
        rows: await listLinks(rt.store.db, { flow: o.flow, limit: o.limit }),
        total: await countLinks(rt.store.db, o.flow),
      }));
      print(
        o.json,
        { total, links: rows },
        () =>
          `${total} link(s)${total > rows.length ? `, newest ${rows.length} shown` : ''}\n` +
          table(
            rows.map((r) => ({
              flow: r.flow,
              salesforce: r.sf_id,
              quickbooks: r.qb_id,
              origin: r.origin,
              updated: r.updated_at,
            })),
          ),
      );
    });

  program
    .command('link')
    .description('link a Salesforce record and a QuickBooks record by hand, then sync them')
    .requiredOption('--sf <id>', 'Salesforce record id')
    .requiredOption('--qb <id>', 'QuickBooks record id')
    .option('--flow <name>')
    .option('--json', 'as JSON')
    .action(async (o: { sf: string; qb: string; flow?: string; json?: boolean }, cmd: Command) => {
      const report = await withRuntime(cmd, (rt) =>
        usage(linkPair(rt, { flow: o.flow, sf: o.sf, qb: o.qb, trigger: 'cli:link' })),
      );
      print(o.json, report, () => formatSyncReport(report));
    });

  const unmatched = program
    .command('unmatched')
    .description('records no matching rule could pair (with suggested candidates)');
  unmatched
    .command('list', { isDefault: true })
    .option('--flow <name>')
    .addOption(new Option('--side <side>').choices(['sf', 'qb']))
    .option('--all', 'include linked, created and ignored entries')
    .option('--json', 'as JSON')
    .action(async (o: { flow?: string; side?: 'sf' | 'qb'; all?: boolean; json?: boolean }, cmd: Command) => {
      const rows = await withRuntime(cmd, (rt) =>
        listUnmatched(rt.store.db, {
          flow: o.flow,
          side: o.side,
          status: o.all ? 'all' : 'open',
          limit: 1000,
        }),
      );
      print(o.json, rows, () =>
        table(
          rows.map((r) => ({
            id: r.id,
            side: r.side === 'sf' ? 'Salesforce' : 'QuickBooks',
            record: r.record_id,
            name: r.label,
            status: r.status,
            candidates: r.candidates.map((c) => `${c.label} [${c.id}]`).join('; '),
            why: r.reason,
          })),
        ),
      );
    });
  unmatched
    .command('create')
    .description('create unmatched records on the other side (even with create-missing off)')
    .argument('<ids...>', 'unmatched entry ids')
    .option('--json', 'as JSON')
    .action(async (ids: string[], o: { json?: boolean }, cmd: Command) => {
      const report = await withRuntime(cmd, (rt) => usage(createUnmatched(rt, ids, 'cli:unmatched-create')));
      print(o.json, report, () => formatSyncReport(report));
    });
  unmatched
    .command('ignore')
    .description('stop listing these entries')
    .argument('<ids...>')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      await withRuntime(cmd, (rt) => usage(ignoreUnmatched(rt, ids)));
      console.log(`Ignored ${ids.length} entr${ids.length === 1 ? 'y' : 'ies'}.`);
    });

  const errors = program
    .command('errors')
    .description('the error queue: records that failed or were held back, with why');
  errors
    .command('list', { isDefault: true })
    .option('--flow <name>')
    .addOption(new Option('--status <s>').choices(['open', 'resolved', 'dismissed', 'all']).default('open'))
    .option('--json', 'as JSON (with source and target payloads)')
    .action(
      async (
        o: { flow?: string; status: 'open' | 'resolved' | 'dismissed' | 'all'; json?: boolean },
        cmd: Command,
      ) => {
        const rows = await withRuntime(cmd, (rt) =>
          listErrors(rt.store.db, { flow: o.flow, status: o.status, limit: 1000 }),
        );
        print(o.json, rows, () =>
          table(
            rows.map((r) => ({
              id: r.id,
              flow: r.flow,
              direction: r.direction,
              kind: r.kind,
              salesforce: r.sf_id,
              quickbooks: r.qb_id,
              attempts: r.attempts,
              next: r.next_attempt_at,
              message: r.message,
            })),
          ),
        );
      },
    );
  errors
    .command('retry')
    .description('sync these records again now (re-read from both sides)')
    .argument('[ids...]', 'error ids')
    .option('--all', 'every open error')
    .addOption(
      new Option('--keep <side>', 'for conflicts held for review: which side wins').choices([
        'salesforce',
        'quickbooks',
      ]),
    )
    .option('--json', 'as JSON')
    .action(
      async (
        ids: string[],
        o: { all?: boolean; keep?: 'salesforce' | 'quickbooks'; json?: boolean },
        cmd: Command,
      ) => {
        if (!o.all && ids.length === 0) throw new UsageError('name error ids, or --all');
        const reports = await withRuntime(cmd, (rt) =>
          usage(retryErrors(rt, { ids, all: o.all, keep: o.keep, trigger: 'cli:errors-retry' })),
        );
        print(o.json, reports, () =>
          reports.length ? reports.map(formatSyncReport).join('\n\n') : 'No open errors.',
        );
      },
    );
  errors
    .command('dismiss')
    .description('dismiss errors: kept as dismissed, never retried')
    .argument('<ids...>')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      const n = await withRuntime(cmd, (rt) => dismissErrors(rt.store.db, ids.map(Number)));
      console.log(`Dismissed ${n} error(s).`);
    });

  const runs = program
    .command('runs')
    .description('sync runs: what was read, written, skipped, held, failed');
  runs
    .command('list', { isDefault: true })
    .option('--limit <n>', 'how many', intOption('--limit', 1), 20)
    .option('--json', 'as JSON')
    .action(async (o: { limit: number; json?: boolean }, cmd: Command) => {
      const rows = await withRuntime(cmd, (rt) => listRuns(rt.store.db, { limit: o.limit }));
      print(o.json, rows, () =>
        table(
          rows.map((r) => ({
            id: r.id,
            started: r.started_at,
            mode: r.mode,
            trigger: r.trigger,
            status: r.status,
            seconds: r.finished_at
              ? ((r.finished_at.getTime() - r.started_at.getTime()) / 1000).toFixed(1)
              : '',
            'sf calls': (r.api_calls as { salesforce?: { total?: number } }).salesforce?.total ?? '',
            'qb calls': (r.api_calls as { quickbooks?: { total?: number } }).quickbooks?.total ?? '',
            message: r.message ?? '',
          })),
        ),
      );
    });
  runs
    .command('show')
    .description('one run, with the outcome of every record')
    .argument('<id>')
    .option('--action <a>', 'only outcomes with this action (created, updated, held, failed …)')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { action?: string; json?: boolean }, cmd: Command) => {
      const data = await withRuntime(cmd, (rt) => usage(showRun(rt, id, { action: o.action })));
      print(o.json, data, () =>
        [
          `Run ${data.run.id}: ${data.run.mode}, ${data.run.status}${data.run.message ? ` — ${data.run.message}` : ''}`,
          table(Object.entries(data.counts).map(([k, n]) => ({ outcome: k, records: n }))),
          '',
          table(
            data.outcomes.map((x) => ({
              flow: x.flow,
              direction: x.direction,
              action: x.action,
              salesforce: x.sf_id,
              quickbooks: x.qb_id,
              reason: x.reason ?? '',
            })),
          ),
        ].join('\n'),
      );
    });
}
