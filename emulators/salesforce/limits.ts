import type { Clock } from '../kit/clock.ts';

/**
 * The daily API request allocation: a rolling 24-hour count of calls (kept per minute), as
 * reported in Sforce-Limit-Info and /limits and enforced with REQUEST_LIMIT_EXCEEDED.
 */
export class ApiUsage {
  private buckets = new Map<number, number>();
  private total = 0;

  constructor(
    private readonly clock: Clock,
    readonly max: number,
  ) {}

  private evict(): void {
    const oldest = Math.floor(this.clock.now() / 60_000) - 24 * 60;
    for (const [minute, n] of this.buckets) {
      if (minute > oldest) break;
      this.buckets.delete(minute);
      this.total -= n;
    }
  }

  /** Calls made in the last 24 hours. */
  used(): number {
    this.evict();
    return this.total;
  }

  /** Whether the allocation is used up. */
  exhausted(): boolean {
    return this.used() >= this.max;
  }

  /** Counts one call now. */
  record(): void {
    const minute = Math.floor(this.clock.now() / 60_000);
    this.buckets.set(minute, (this.buckets.get(minute) ?? 0) + 1);
    this.total++;
  }

  /** The `Sforce-Limit-Info` header value. */
  header(): string {
    return `api-usage=${this.used()}/${this.max}`;
  }

  /** Per-minute counts, for the state file. */
  snapshot(): Array<[number, number]> {
    return [...this.buckets];
  }

  /** Restores counts saved by snapshot(). */
  restore(buckets: Array<[number, number]>): void {
    this.buckets = new Map(buckets.sort((a, b) => a[0] - b[0]));
    this.total = [...this.buckets.values()].reduce((a, b) => a + b, 0);
  }
}
