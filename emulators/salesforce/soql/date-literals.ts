import { DAY_MS, startOfDay } from '../datetime.ts';

/**
 * SOQL date literals (TODAY, LAST_N_DAYS:30, THIS_QUARTER, ...) as [start, end) instants, in the
 * org's time zone, which for the emulator is UTC. Weeks start on Sunday (en_US locale).
 */

function monthStart(y: number, m: number): number {
  return Date.UTC(y, m, 1);
}

/** The half-open range of instants a date literal covers at `now`. */
export function dateLiteralRange(name: string, n: number | null, now: number): [number, number] {
  const today = startOfDay(now);
  const d = new Date(today);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const week = today - d.getUTCDay() * DAY_MS;
  const q = Math.floor(m / 3) * 3;
  const k = n ?? 0;
  const days = (a: number, b: number): [number, number] => [today + a * DAY_MS, today + b * DAY_MS];
  const weeks = (a: number, b: number): [number, number] => [week + a * 7 * DAY_MS, week + b * 7 * DAY_MS];
  const months = (a: number, b: number): [number, number] => [monthStart(y, m + a), monthStart(y, m + b)];
  const quarters = (a: number, b: number): [number, number] => [
    monthStart(y, q + 3 * a),
    monthStart(y, q + 3 * b),
  ];
  const years = (a: number, b: number): [number, number] => [Date.UTC(y + a, 0, 1), Date.UTC(y + b, 0, 1)];
  switch (name) {
    case 'YESTERDAY':
      return days(-1, 0);
    case 'TODAY':
      return days(0, 1);
    case 'TOMORROW':
      return days(1, 2);
    case 'LAST_WEEK':
      return weeks(-1, 0);
    case 'THIS_WEEK':
      return weeks(0, 1);
    case 'NEXT_WEEK':
      return weeks(1, 2);
    case 'LAST_MONTH':
      return months(-1, 0);
    case 'THIS_MONTH':
      return months(0, 1);
    case 'NEXT_MONTH':
      return months(1, 2);
    case 'LAST_90_DAYS':
      return days(-90, 1);
    case 'NEXT_90_DAYS':
      return days(1, 91);
    case 'THIS_QUARTER':
      return quarters(0, 1);
    case 'LAST_QUARTER':
      return quarters(-1, 0);
    case 'NEXT_QUARTER':
      return quarters(1, 2);
    case 'THIS_YEAR':
      return years(0, 1);
    case 'LAST_YEAR':
      return years(-1, 0);
    case 'NEXT_YEAR':
      return years(1, 2);
    case 'LAST_N_DAYS':
      return days(-k, 1);
    case 'NEXT_N_DAYS':
      return days(1, k + 1);
    case 'N_DAYS_AGO':
      return days(-k, -k + 1);
    case 'LAST_N_WEEKS':
      return weeks(-k, 0);
    case 'NEXT_N_WEEKS':
      return weeks(1, k + 1);
    case 'N_WEEKS_AGO':
      return weeks(-k, -k + 1);
    case 'LAST_N_MONTHS':
      return months(-k, 0);
    case 'NEXT_N_MONTHS':
      return months(1, k + 1);
    case 'N_MONTHS_AGO':
      return months(-k, -k + 1);
    case 'LAST_N_QUARTERS':
      return quarters(-k, 0);
    case 'NEXT_N_QUARTERS':
      return quarters(1, k + 1);
    case 'N_QUARTERS_AGO':
      return quarters(-k, -k + 1);
    case 'LAST_N_YEARS':
      return years(-k, 0);
    case 'NEXT_N_YEARS':
      return years(1, k + 1);
    case 'N_YEARS_AGO':
      return years(-k, -k + 1);
    default:
      throw new RangeError(`unknown date literal ${name}`);
  }
}
