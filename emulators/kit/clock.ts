/**
 * The emulator's notion of now. Tests move it forward (token expiry, 30-day CDC windows,
 * per-minute rate limits) without sleeping; it never runs backwards.
 */
export class Clock {
  private offsetMs = 0;
  private last = 0;

  /** Milliseconds since the epoch, never decreasing. */
  now(): number {
    const t = Date.now() + this.offsetMs;
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Moves the clock forward by ms. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms} ms`);
    this.offsetMs += ms;
  }

  /** How far the clock has been moved ahead of real time. */
  get offset(): number {
    return this.offsetMs;
  }
}
