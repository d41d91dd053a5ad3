/** Per-realm API limits: requests per minute, requests in flight, batch requests per minute. */
export interface Limits {
  perMinute: number;
  concurrent: number;
  batchPerMinute: number;
}

export const DEFAULT_LIMITS: Limits = { perMinute: 500, concurrent: 10, batchPerMinute: 40 };

/**
 * At most `limit` events in any `windowMs`: a queue of the event times still inside the window
 * (memory follows the traffic, not the limit, so a huge limit costs nothing).
 */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an event at `now` if the window has room; false when it is full. */
  take(now: number): boolean {
    while (this.head < this.times.length && now - this.times[this.head]! >= this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= this.limit) return false;
    this.times.push(now);
    return true;
  }
}

/** The throttle of one realm (QuickBooks counts per realm and app). */
export class RealmLimiter {
  private inFlight = 0;
  private minute: SlidingWindow;
  private batch: SlidingWindow;

  constructor(
    readonly limits: Limits,
    private readonly now: () => number,
  ) {
    this.minute = new SlidingWindow(limits.perMinute, 60_000);
    this.batch = new SlidingWindow(limits.batchPerMinute, 60_000);
  }

  /** A request arrives: admitted when fewer than `concurrent` are in flight. */
  admit(): boolean {
    if (this.inFlight >= this.limits.concurrent) return false;
    this.inFlight++;
    return true;
  }

  /** An admitted request has finished. */
  release(): void {
    if (this.inFlight > 0) this.inFlight--;
  }

  /** Counts one request against the per-minute limit; false when it is spent. */
  takeRequest(): boolean {
    return this.minute.take(this.now());
  }

  /** Counts one batch request against the batch-per-minute limit. */
  takeBatch(): boolean {
    return this.batch.take(this.now());
  }
}
