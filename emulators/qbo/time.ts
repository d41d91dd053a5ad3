/**
 * Time as QuickBooks Online writes it. Sandbox and US companies answer in US Pacific time:
 * MetaData carries second precision with an offset (`2015-07-24T10:33:39-07:00`), the response
 * `time` carries milliseconds, dates are local `YYYY-MM-DD`. The offset follows US daylight
 * saving (second Sunday of March to first Sunday of November), computed here rather than through
 * Intl because seeding formats hundreds of thousands of timestamps.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dstCache = new Map<number, [number, number]>();

/** UTC instants at which Pacific daylight time starts and ends in a year. */
function dstBounds(year: number): [number, number] {
  const cached = dstCache.get(year);
  if (cached) return cached;
  const nthSunday = (month: number, n: number): number => {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + (n - 1) * 7;
  };
  // 02:00 PST = 10:00 UTC; 02:00 PDT = 09:00 UTC
  const start = Date.UTC(year, 2, nthSunday(2, 2), 10);
  const end = Date.UTC(year, 10, nthSunday(10, 1), 9);
  const bounds: [number, number] = [start, end];
  dstCache.set(year, bounds);
  return bounds;
}

/** The Pacific offset from UTC in minutes (-420 or -480) at an instant. */
export function pacificOffsetMinutes(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  const [start, end] = dstBounds(year);
  return ms >= start && ms < end ? -420 : -480;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function localParts(ms: number): { d: Date; off: number } {
  const off = pacificOffsetMinutes(ms);
  return { d: new Date(ms + off * 60_000), off };
}

/** MetaData form: second precision, Pacific offset. */
export function formatDateTime(ms: number): string {
  const { d, off } = localParts(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offsetText(off)}`
  );
}

/** The `time` field of every response: millisecond precision, Pacific offset. */
export function formatResponseTime(ms: number): string {
  const { d, off } = localParts(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}${offsetText(off)}`
  );
}

/** The local (Pacific) calendar date of an instant, `YYYY-MM-DD`. */
export function formatDate(ms: number): string {
  const { d } = localParts(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Drops the milliseconds: QuickBooks stores modification times to the second. */
export function toSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

function validCalendar(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** True for a real calendar date in `YYYY-MM-DD` form. */
export function isDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  return m !== null && validCalendar(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Parses a date or date-time as QuickBooks accepts them in queries and CDC: a date, or a
 * date-time with `Z`, an offset, or none (then Pacific local time). NaN when it is not one.
 */
export function parseDateTime(text: string): number {
  const t = text.trim();
  const dm = DATE_RE.exec(t);
  if (dm) {
    const [y, mo, d] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
    if (!validCalendar(y, mo, d)) return NaN;
    return localToUtc(Date.UTC(y, mo - 1, d));
  }
  const m = DATETIME_RE.exec(t);
  if (!m) return NaN;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  if (!validCalendar(y, mo, d) || h > 23 || mi > 59) return NaN;
  const s = Number(m[6] ?? 0);
  if (s > 59) return NaN;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s) + Math.floor(frac);
  const zone = m[8];
  if (!zone) return localToUtc(wall);
  if (zone === 'Z') return wall;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const minutes = (Number(zm[2]) * 60 + Number(zm[3])) * (zm[1] === '-' ? -1 : 1);
  return wall - minutes * 60_000;
}

/** Converts a Pacific wall-clock instant (expressed as if UTC) to the real UTC instant. */
function localToUtc(wall: number): number {
  const guess = wall + 480 * 60_000;
  return wall - pacificOffsetMinutes(guess) * 60_000;
}

/** Adds days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const m = DATE_RE.exec(date);
  if (!m) return date;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * DAY;
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO-8601 in UTC with milliseconds, as webhook payloads carry it. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString();
}
