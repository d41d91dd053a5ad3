import type { SyncReport } from '../engine/sync.ts';

/** A plain text table: the widest value sets each column, numbers right-aligned. */
export function table(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]!);
  const text = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  const cells = rows.map((r) => cols.map((c) => text(r[c])));
  const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const numeric = cols.map((_, i) => cells.every((row) => row[i] === '' || /^-?\d+(\.\d+)?$/.test(row[i]!)));
  const fmt = (vals: string[]) =>
    vals
      .map((v, i) => {
        const cut = v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v;
        return numeric[i] ? cut.padStart(widths[i]!) : cut.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [fmt(cols), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}

const ACTION_ORDER = [
  'linked',
  'created',
  'updated',
  'deactivated',
  'deleted',
  'unchanged',
  'skipped',
  'conflict',
  'held',
  'unmatched',
  'failed',
];

/** A readable summary of a sync. */
export function formatSyncReport(r: SyncReport): string {
  const lines: string[] = [];
  lines.push(
    `Run ${r.runId} (${r.mode}): ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s${r.message ? ` — ${r.message}` : ''}`,
  );
  for (const f of r.flows) {
    lines.push('');
    lines.push(
      `Flow ${f.flow}: read ${f.read.sf} from Salesforce, ${f.read.qb} from QuickBooks${f.recovered.batches ? `; recovered ${f.recovered.batches} interrupted batch(es)` : ''}`,
    );
    const rows: Array<Record<string, unknown>> = [];
    for (const dir of ['link', 'sf->qb', 'qb->sf']) {
      const row: Record<string, unknown> = {
        direction:
          dir === 'link' ? 'pairs' : dir === 'sf->qb' ? 'Salesforce → QuickBooks' : 'QuickBooks → Salesforce',
      };
      let any = false;
      for (const a of ACTION_ORDER) {
        const n = f.counts[`${dir} ${a}`];
        if (n) {
          row[a] = n;
          any = true;
        }
      }
      if (any) rows.push(row);
    }
    const cols = ['direction', ...ACTION_ORDER.filter((a) => rows.some((row) => row[a] !== undefined))];
    lines.push(rows.length ? table(rows, cols) : 'nothing to do');
    if (f.plan) {
      lines.push('');
      lines.push(`Dry run — ${f.plan.length} planned change(s), nothing written:`);
      for (const p of f.plan.slice(0, 200)) {
        const ids = [p.sfId && `sf ${p.sfId}`, p.qbId && `qb ${p.qbId}`].filter(Boolean).join(', ');
        lines.push(
          `  ${p.action.padEnd(10)} ${p.target.padEnd(10)} ${p.label} (${ids})${p.reason ? ` — ${p.reason}` : ''}`,
        );
        for (const c of p.changes.slice(0, 30))
          lines.push(`      ${c.field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
      }
      if (f.plan.length > 200) lines.push(`  … and ${f.plan.length - 200} more (use --json for all)`);
    }
  }
  lines.push('');
  lines.push(
    `API calls: Salesforce ${r.apiCalls.salesforce.total}, QuickBooks ${r.apiCalls.quickbooks.total}`,
  );
  return lines.join('\n');
}
