/**
 * Dates and date-times the way Salesforce writes them: `2024-05-20` and
 * `2024-05-20T20:49:32.000+0000` (always UTC, milliseconds shown). Stored values use the same
 * text, so they compare correctly as strings.
 */

const DAY_MS = 86_400_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

const STAMP = Array.from('0000-00-00T00:00:00.000+0000', (ch) => ch.charCodeAt(0));

function digits(codes: number[], at: number, n: number, width: number): void {
  for (let i = at + width - 1; i >= at; i--, n = Math.floor(n / 10)) codes[i] = 48 + (n % 10);
}

/** `2024-05-20T20:49:32.123+0000` for an epoch-ms instant. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9999)
    return (
      `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
      `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
    );
  // One flat string from character codes (concatenation would leave a tree of pieces on the
  // heap for every stored stamp: seeding stores 100,000s of them).
  digits(STAMP, 0, year, 4);
  digits(STAMP, 5, d.getUTCMonth() + 1, 2);
  digits(STAMP, 8, d.getUTCDate(), 2);
  digits(STAMP, 11, d.getUTCHours(), 2);
  digits(STAMP, 14, d.getUTCMinutes(), 2);
  digits(STAMP, 17, d.getUTCSeconds(), 2);
  digits(STAMP, 20, d.getUTCMilliseconds(), 3);
  return String.fromCharCode.apply(null, STAMP);
}

/** Like formatDateTime, truncated to the second (system audit fields have second precision). */
export function formatSecond(ms: number): string {
  return formatDateTime(Math.floor(ms / 1000) * 1000);
}

/** `2024-05-20` for an epoch-ms instant (UTC). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Epoch ms of a `YYYY-MM-DD` date (midnight UTC), or null when it is not a real date. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validYmd(y, mo, d)) return null;
  return Date.UTC(y, mo - 1, d);
}

/**
 * Epoch ms of an ISO-8601 date-time as the API accepts it (`Z`, `+0000`, `+00:00`, fractional
 * seconds, or no zone = UTC), or null.
 */
export function parseDateTime(text: string, requireZone = false): number | null {
  const m = DATETIME_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  const zone = m[8];
  if (!zone && requireZone) return null;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 14 || om > 59) return null;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

/** Start of the UTC day containing ms. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Epoch ms of a stored date-time text (our own canonical format). */
export function storedDateTimeMs(text: string): number {
  return parseDateTime(text) ?? NaN;
}

export { DAY_MS };
