// `npx tsx bench/merge-reports.ts a.json b.json … [--json]`: one table from several `bench --json`
// reports (e.g. sizes run separately); each size and each emulator figure is taken from the last
// report that has it.
import { readFileSync } from 'node:fs';
import { emulatorFigures, figuresOf, formatReport, type BenchReport, type SizeResult } from './run.ts';

const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchReport);
const sizes = new Map<number, SizeResult>();
const emulators = new Map<
  string,
  { section: string; name: string; value: number; unit: string; target?: string }
>();
for (const r of reports) {
  for (const s of r.sizes) sizes.set(s.size, s);
  for (const f of r.figures)
    if (f.section.includes('emulator') && typeof f.value === 'number')
      emulators.set(`${f.section}|${f.name}`, { ...f, value: f.value });
}
const merged: BenchReport = {
  startedAt: reports.map((r) => r.startedAt).join(', '),
  node: reports[0]!.node,
  cpus: reports[0]!.cpus,
  sizes: [...sizes.values()].sort((a, b) => a.size - b.size),
  figures: [],
};
for (const s of merged.sizes) merged.figures.push(...figuresOf(s));
const bySection = new Map<string, Array<{ name: string; value: number; unit: string; target?: string }>>();
for (const f of emulators.values()) bySection.set(f.section, [...(bySection.get(f.section) ?? []), f]);
for (const [section, rows] of bySection) merged.figures.push(...emulatorFigures(section, rows));
process.stdout.write(
  process.argv.includes('--json') ? `${JSON.stringify(merged, null, 2)}\n` : `${formatReport(merged)}\n`,
);
