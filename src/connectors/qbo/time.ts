import type { QbRecord } from './types.ts';

/** How far back QuickBooks' CDC may look. */
export const CDC_WINDOW_MS = 30 * 24 * 3_600_000;
/** The most objects one CDC response carries. */
export const CDC_MAX_OBJECTS = 1000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * An instant as QuickBooks accepts it in queries and CDC: second precision with an explicit
 * offset (`2024-05-01T17:03:09+00:00`). Milliseconds are dropped downwards, so a bound stays inclusive.
 */
export function qboDateTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`
  );
}

/** Milliseconds of an ISO date-time (with offset or Z); NaN when it is not one. */
export function parseInstant(text: string): number {
  return Date.parse(text);
}

/** When a record last changed (ms), or -Infinity when QuickBooks did not say (deleted stubs may not). */
export function updatedMs(rec: QbRecord): number {
  const t = rec.MetaData?.LastUpdatedTime;
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

function idOrder(a: string, b: string): number {
  const x = /^\d+$/.test(a) && /^\d+$/.test(b);
  if (x) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts records by LastUpdatedTime, then Id (numeric ids in numeric order). */
export function byUpdateThenId(a: QbRecord, b: QbRecord): number {
  return updatedMs(a) - updatedMs(b) || idOrder(String(a.Id), String(b.Id));
}

/**
 * The service's clock as seen through the `time` of its responses: QuickBooks decides whether a
 * CDC start point is inside its 30-day window by its own clock, not ours.
 */
export class ServerClock {
  private skewMs = 0;

  /** Learns the skew from a response's `time` (ISO with offset, or epoch ms in auth faults). */
  observe(time: unknown, localMs = Date.now()): void {
    const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
    if (Number.isFinite(ms)) this.skewMs = ms - localMs;
  }

  /** The service's now, as best known. */
  now(): number {
    return Date.now() + this.skewMs;
  }
}
