import { table } from '../cli/format.ts';
import type { DemoSummary } from './demo.ts';

/** The demo's summary as readable text. */
export function formatDemoSummary(s: DemoSummary): string {
  const lines: string[] = ['', 'Summary'];
  lines.push(
    table(
      s.runs.map((r) => ({
        run: r.name,
        status: r.status,
        seconds: (r.durationMs / 1000).toFixed(1),
        'read SF/QB': `${r.read.salesforce}/${r.read.quickbooks}`,
        'written SF/QB': `${r.writes.salesforce}/${r.writes.quickbooks}`,
        'API calls SF/QB': `${r.apiCalls.salesforce}/${r.apiCalls.quickbooks}`,
      })),
    ),
  );
  lines.push('');
  lines.push('Edits carried across by the incremental sync:');
  for (const e of s.edits) {
    const where = `${e.expect.system === 'salesforce' ? 'Salesforce' : 'QuickBooks'} ${e.expect.field}`;
    lines.push(
      `  ${e.crossed ? '✓' : '✗'} ${e.what}\n      → ${where} is now ${JSON.stringify(e.seen)}${e.crossed ? '' : ` (expected ${JSON.stringify(e.expect.value)})`}`,
    );
  }
  const unmatched = Object.entries(s.totals.unmatched)
    .map(([side, n]) => `${n} ${side === 'sf' ? 'Salesforce' : 'QuickBooks'}`)
    .join(', ');
  const errors = Object.entries(s.totals.errors)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  lines.push('');
  lines.push(`Linked pairs: ${s.totals.links}. Unmatched, for review: ${unmatched || 'none'}.`);
  lines.push(`Held in the error queue: ${errors || 'nothing'}.`);
  lines.push(s.ok ? 'Everything crossed, and nothing echoed back.' : 'SOMETHING DID NOT CROSS — see above.');
  return lines.join('\n');
}
