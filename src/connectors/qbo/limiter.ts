/**
 * Client-side throttling per realm, so the connector stays inside QuickBooks' limits instead of
 * discovering them through 429s: at most N requests in any sliding minute, at most M in flight,
 * at most B batch requests in any sliding minute.
 */

/** How the limiter reads time and waits (tests pass a manual clock). */
export interface LimiterTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: LimiterTime = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * At most `limit` acquisitions in any `windowMs`: a ring of the last `limit` acquisition times.
 * Waiters are served in arrival order.
 */
export class SlidingWindow {
  private times: number[];
  private next = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    private readonly time: LimiterTime = realTime,
  ) {
    this.times = new Array<number>(Math.max(1, Math.floor(limit))).fill(-Infinity);
  }

  /** Resolves when one more request fits in the window (and records it). */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const wait = this.times[this.next]! + this.windowMs - this.time.now();
      if (wait <= 0) break;
      await this.time.sleep(wait);
    }
    this.times[this.next] = this.time.now();
    this.next = (this.next + 1) % this.times.length;
  }
}

/** At most `size` holders at once; the rest wait in arrival order. */
export class Semaphore {
  private held = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly size: number) {}

  /** Waits for a slot; call the returned function exactly once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.held < this.size) this.held++;
    else await new Promise<void>((r) => this.waiters.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held--;
    };
  }

  /** Requests holding a slot now. */
  get inUse(): number {
    return this.held;
  }
}

/** The resolved limits of one realm. */
export interface RealmLimits {
  perMinute: number;
  concurrent: number;
  batchPerMinute: number;
}

export const DEFAULT_REALM_LIMITS: RealmLimits = { perMinute: 500, concurrent: 10, batchPerMinute: 40 };

// A request is counted when we send it but by QuickBooks when it arrives: a little slack on the
// window keeps network jitter from pushing the 501st request into the previous minute.
const WINDOW_MS = 61_000;

/** The throttle of one realm, shared by every connector of this process that talks to it. */
export class RealmLimiter {
  private readonly minute: SlidingWindow;
  private readonly batches: SlidingWindow;
  private readonly inFlight: Semaphore;

  constructor(
    readonly limits: RealmLimits,
    time: LimiterTime = realTime,
  ) {
    this.minute = new SlidingWindow(limits.perMinute, WINDOW_MS, time);
    this.batches = new SlidingWindow(limits.batchPerMinute, WINDOW_MS, time);
    this.inFlight = new Semaphore(limits.concurrent);
  }

  /** Waits until a request may be sent; returns the function that ends it (frees its in-flight slot). */
  async admit(kind: 'call' | 'batch'): Promise<() => void> {
    if (kind === 'batch') await this.batches.acquire();
    await this.minute.acquire();
    return this.inFlight.acquire();
  }

  /** Requests in flight now. */
  get inFlightCount(): number {
    return this.inFlight.inUse;
  }
}

const registry = new Map<string, RealmLimiter>();

/** The process-wide limiter of a realm (keyed by API base URL), created with these limits on first use. */
export function realmLimiter(key: string, limits: RealmLimits): RealmLimiter {
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = new RealmLimiter(limits);
    registry.set(key, limiter);
  }
  return limiter;
}

/** Resolves limits from options, then settings, then QuickBooks' defaults; rejects nonsense. */
export function resolveLimits(...sources: Array<Partial<RealmLimits> | undefined>): RealmLimits {
  const out: RealmLimits = { ...DEFAULT_REALM_LIMITS };
  for (const key of ['perMinute', 'concurrent', 'batchPerMinute'] as const) {
    for (const s of sources) {
      const v = s?.[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 1) {
        out[key] = Math.floor(v);
        break;
      }
    }
  }
  return out;
}
