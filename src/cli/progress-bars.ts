import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../engine/progress.ts';

/** Progress bars on stderr for reads and writes of each flow. */
export function progressBars(): { listener: ProgressListener; stop(): void } {
  const multi = new cliProgress.MultiBar(
    {
      format: ' {label} |{bar}| {value}/{total} {unit}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const bar = (key: string, label: string, unit: string, total: number) => {
    let b = bars.get(key);
    if (!b) {
      b = multi.create(total, 0, { label: label.padEnd(34), unit });
      bars.set(key, b);
    }
    return b;
  };
  const listener = (e: ProgressEvent) => {
    if (e.type === 'read') {
      const b = bar(
        `${e.flow}:read:${e.side}`,
        `${e.flow}: read ${e.side === 'sf' ? 'Salesforce' : 'QuickBooks'}`,
        'records',
        e.records,
      );
      b.setTotal(e.records);
      b.update(e.records);
    } else if (e.type === 'write') {
      const b = bar(`${e.flow}:write`, `${e.flow}: match, write, commit`, 'records', e.total);
      b.setTotal(e.total);
      b.update(e.done);
    }
  };
  return { listener, stop: () => multi.stop() };
}
