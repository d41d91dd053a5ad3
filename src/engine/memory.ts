import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Records read in a run from which its phases hand back the memory they leave behind. */
export const LARGE_RUN = 20_000;

let gc: (() => void) | null | undefined;

/**
 * A full garbage collection, between the phases of a large run. V8 lets the heap grow to a few
 * times what is live before it collects the old generation: a 100,000-pair run with ~400 MB live
 * peaked at ~1.5 GB of garbage-inflated RSS. Collecting when a phase (or a chunk) has let go of
 * its data keeps the heap near what is live; it costs a fraction of a second each time. A no-op
 * when the runtime does not allow it.
 */
export function collectGarbage(): void {
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
