/**
 * Dates as both systems write them, and as admins want them formatted.
 * Salesforce: `2024-01-31` (date), `2013-05-20T20:49:32.000+0000` (datetime, UTC).
 * QuickBooks Online: `2024-01-31` (date), `2020-09-29T06:02:35-07:00` (datetime, company offset).
 * Also accepted: ISO with `Z` or without a zone (taken as UTC), and US `MM/DD/YYYY`.
 */

/** A calendar date, or an instant that remembers the offset it was written with. */
export class DateValue {
  private constructor(
    /** The calendar date, YYYY-MM-DD (for an instant: as seen at its own offset). */
    readonly date: string,
    /** Milliseconds since the epoch, or null for a plain date. */
    readonly instant: number | null,
    /** Minutes east of UTC the instant was written with. */
    readonly offset: number,
  ) {}

  /** A plain calendar date. */
  static ofDate(y: number, m: number, d: number): DateValue {
    return new DateValue(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`, null, 0);
  }

  /** An instant, displayed at the given offset (minutes east of UTC). */
  static ofInstant(ms: number, offset = 0): DateValue {
    const local = new Date(ms + offset * 60_000);
    return new DateValue(
      `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`,
      ms,
      offset,
    );
  }

  /** The date's local parts (for an instant, at its offset). */
  parts(): { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number } {
    if (this.instant === null) {
      const [y, mo, d] = this.date.split('-').map(Number) as [number, number, number];
      return { y, mo, d, h: 0, mi: 0, s: 0, ms: 0 };
    }
    const t = new Date(this.instant + this.offset * 60_000);
    return {
      y: t.getUTCFullYear(),
      mo: t.getUTCMonth() + 1,
      d: t.getUTCDate(),
      h: t.getUTCHours(),
      mi: t.getUTCMinutes(),
      s: t.getUTCSeconds(),
      ms: t.getUTCMilliseconds(),
    };
  }

  /** Canonical text: YYYY-MM-DD for a date, UTC ISO with milliseconds for an instant. */
  toString(): string {
    return this.instant === null ? this.date : new Date(this.instant).toISOString();
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** Parses a date or datetime in either system's format; null when the text is not a date. */
export function parseDate(text: string): DateValue | null {
  const s = text.trim();
  const iso = ISO.exec(s);
  if (iso) {
    const [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (!validDate(y, mo, d)) return null;
    if (iso[4] === undefined) return DateValue.ofDate(y, mo, d);
    const [h, mi, sec] = [Number(iso[4]), Number(iso[5]), Number(iso[6] ?? 0)];
    if (h > 23 || mi > 59 || sec > 59) return null;
    const ms = Number((iso[7] ?? '0').padEnd(3, '0').slice(0, 3));
    let offset = 0;
    const zone = iso[8];
    if (zone && zone.toUpperCase() !== 'Z') {
      const digits = zone.replace(':', '');
      const sign = digits[0] === '-' ? -1 : 1;
      offset = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    }
    const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset * 60_000;
    return DateValue.ofInstant(utc, offset);
  }
  const us = US.exec(s);
  if (us) {
    const [mo, d, y] = [Number(us[1]), Number(us[2]), Number(us[3])];
    return validDate(y, mo, d) ? DateValue.ofDate(y, mo, d) : null;
  }
  return null;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// Longest first, so YYYY wins over YY and MMMM over MM.
const TOKENS = [
  'YYYY',
  'YY',
  'MMMM',
  'MMM',
  'MM',
  'M',
  'DD',
  'D',
  'HH',
  'H',
  'hh',
  'h',
  'mm',
  'ss',
  'SSS',
  'A',
  'Z',
];

type Piece = { token: string } | { text: string };

/** Thrown for a format pattern that cannot be right. */
export class DatePatternError extends Error {
  override name = 'DatePatternError';
}

/** Splits a pattern ('YYYY-MM-DD', 'MMM D, YYYY', "DD [de] MMMM") into tokens and literal text. */
export function parsePattern(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let literal = '';
  const flush = () => {
    if (literal) pieces.push({ text: literal });
    literal = '';
  };
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new DatePatternError(`unclosed '[' in the date pattern`);
      literal += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    const token = TOKENS.find((t) => pattern.startsWith(t, i));
    if (token) {
      flush();
      pieces.push({ token });
      i += token.length;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      const run = /^[A-Za-z]+/.exec(pattern.slice(i))![0];
      const hint =
        run.toLowerCase() === 'dd' || run === 'd'
          ? ' (use DD for the day)'
          : run === 'yyyy' || run === 'yy'
            ? ' (use YYYY for the year)'
            : '';
      throw new DatePatternError(
        `unknown date part '${run}' in the pattern${hint || ' (put literal text in [brackets])'}`,
      );
    }
    literal += ch;
    i++;
  }
  flush();
  const tokens = pieces.flatMap((p) => ('token' in p ? [p.token] : []));
  if (!tokens.length) throw new DatePatternError(`the date pattern has no date parts (YYYY, MM, DD, ...)`);
  if (tokens.includes('mm') && !tokens.some((t) => t.startsWith('H') || t.startsWith('h')))
    throw new DatePatternError(`'mm' in a date pattern means minutes; use MM for the month`);
  return pieces;
}

/** Formats a date with a pattern of YYYY YY MMMM MMM MM M DD D HH H hh h mm ss SSS A Z tokens. */
export function formatDate(value: DateValue, pattern: string): string {
  const p = value.parts();
  const h12 = p.h % 12 === 0 ? 12 : p.h % 12;
  const out: string[] = [];
  for (const piece of parsePattern(pattern)) {
    if ('text' in piece) {
      out.push(piece.text);
      continue;
    }
    switch (piece.token) {
      case 'YYYY':
        out.push(pad(p.y, 4));
        break;
      case 'YY':
        out.push(pad(p.y % 100, 2));
        break;
      case 'MMMM':
        out.push(MONTHS[p.mo - 1]!);
        break;
      case 'MMM':
        out.push(MONTHS[p.mo - 1]!.slice(0, 3));
        break;
      case 'MM':
        out.push(pad(p.mo, 2));
        break;
      case 'M':
        out.push(String(p.mo));
        break;
      case 'DD':
        out.push(pad(p.d, 2));
        break;
      case 'D':
        out.push(String(p.d));
        break;
      case 'HH':
        out.push(pad(p.h, 2));
        break;
      case 'H':
        out.push(String(p.h));
        break;
      case 'hh':
        out.push(pad(h12, 2));
        break;
      case 'h':
        out.push(String(h12));
        break;
      case 'mm':
        out.push(pad(p.mi, 2));
        break;
      case 'ss':
        out.push(pad(p.s, 2));
        break;
      case 'SSS':
        out.push(pad(p.ms, 3));
        break;
      case 'A':
        out.push(p.h < 12 ? 'AM' : 'PM');
        break;
      case 'Z': {
        const o = value.offset;
        const sign = o < 0 ? '-' : '+';
        out.push(`${sign}${pad(Math.floor(Math.abs(o) / 60), 2)}:${pad(Math.abs(o) % 60, 2)}`);
        break;
      }
    }
  }
  return out.join('');
}
