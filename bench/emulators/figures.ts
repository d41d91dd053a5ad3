/**
 * One figure of an emulator benchmark, as data: `target` (when the issue sets one) says what it
 * must meet and `ok` whether it did; figures without a target are informational and carry neither.
 */
export interface EmulatorFigure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

/** A target: the value must stay below `below` or reach `atLeast`. */
export type Target = { below: number } | { atLeast: number };

function targetText(t: Target, unit: string): string {
  return 'below' in t ? `< ${t.below} ${unit}` : `>= ${t.atLeast} ${unit}`;
}

/** Builds a figure, judging it against its target if it has one. */
export function figure(name: string, value: number, unit: string, target?: Target): EmulatorFigure {
  if (!target) return { name, value, unit };
  const ok = 'below' in target ? value < target.below : value >= target.atLeast;
  return { name, value, unit, target: targetText(target, unit), ok };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The figures as a printable table (for the run-*.ts scripts). */
export function formatFigures(rows: EmulatorFigure[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map((r) =>
      `${r.name.padEnd(w)}  ${`${r.value} ${r.unit}`.padStart(14)}  ${(r.target ? `target ${r.target}` : '').padEnd(22)} ${r.ok === undefined ? '' : r.ok ? 'ok' : 'MISS'}`.trimEnd(),
    )
    .join('\n');
}
