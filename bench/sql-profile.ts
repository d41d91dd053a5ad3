// Developer harness: `npx tsx bench/sql-profile.ts N` — times every SQL statement of one initial sync.
import { PGlite } from '@electric-sql/pglite';

const stats = new Map<string, { n: number; ms: number }>();
const orig = PGlite.prototype.query;
PGlite.prototype.query = async function (this: PGlite, q: string, p?: unknown[], o?: unknown) {
  const t = performance.now();
  try {
    return await orig.call(this, q, p, o as never);
  } finally {
    const k = q
      .replace(/\s+/g, ' ')
      .replace(/\(\$\d+[^)]*\)(, \(\$\d+[^)]*\))+/g, '(…)')
      .slice(0, 160);
    if (performance.now() - t > 1000 && !q.startsWith('explain')) {
      const plan = await orig.call(this, `explain ${q}`, p);
      console.log(
        k,
        '\n',
        (plan.rows as Array<Record<string, string>>).map((r) => r['QUERY PLAN']).join('\n'),
      );
    }
    const s = stats.get(k) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += performance.now() - t;
    stats.set(k, s);
  }
} as typeof orig;
process.argv[3] = process.argv[3] ?? '1';
await import('./profile.ts');
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
  console.log(`${(s.ms / 1000).toFixed(2).padStart(8)} s ${String(s.n).padStart(6)}×  ${k}`);
