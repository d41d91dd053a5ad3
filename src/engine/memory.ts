import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How far the V8 heap may grow past what the last collection left before the engine collects. */
export const HEAP_SLACK_BYTES = 32 * 2 ** 20;

let gc: (() => void) | null | undefined;
let floor = 0;
const spent = { collections: 0, ms: 0 };

/** How many collections trimHeap made in this process, and the time they took (for the benchmark). */
export function heapTrims(): { collections: number; ms: number } {
  return { ...spent };
}

/**
 * Keeps the V8 heap near what is live during a large run: a full collection once the heap has grown
 * by HEAP_SLACK_BYTES since the last one. V8 otherwise lets a busy heap grow to several times what
 * is live, and pages it once used stay resident in its page pool: at 100,000 pairs, ~130 MB live
 * peaked at ~650 MB of RSS. Called between pages, slices and chunks; a small run never reaches the
 * slack and never pays for a collection. A no-op when the runtime does not allow it.
 */
export function trimHeap(): void {
  const used = process.memoryUsage().heapUsed;
  if (used - floor < HEAP_SLACK_BYTES) return;
  const t0 = performance.now();
  collectGarbage();
  spent.collections++;
  spent.ms += performance.now() - t0;
  floor = process.memoryUsage().heapUsed;
}

function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
