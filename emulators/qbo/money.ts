import { Decimal } from 'decimal.js';

/**
 * Exact decimals for amounts and quantities. Values are stored as canonical text and only
 * turned into Decimal for arithmetic; QuickBooks keeps currency to the cent and rounds half up.
 */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Dec = Decimal;

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Larger magnitudes than this are refused: no ledger amount or quantity reaches it. */
const LIMIT = new Dec('1e15');

/** Parses decimal text (as JSON numbers or numeric strings carry it); null when it is not one. */
export function parseDecimal(text: string): Decimal | null {
  const t = text.trim();
  if (!DECIMAL_TEXT.test(t)) return null;
  const d = new Dec(t);
  if (!d.isFinite() || d.abs().gte(LIMIT)) return null;
  return d;
}

/** Currency text as QuickBooks prints it: `0` for zero, otherwise two decimals (`100.00`). */
export function money(d: Decimal | string): string {
  const v = typeof d === 'string' ? new Dec(d) : d;
  const r = v.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return r.isZero() ? '0' : r.toFixed(2);
}

/** Plain decimal text without trailing zeros (`75`, `22.5`, `4.5`): unit prices, quantities. */
export function plain(d: Decimal | string): string {
  const v = typeof d === 'string' ? new Dec(d) : d;
  if (v.isZero()) return '0';
  const s = v.toFixed();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Rounds to cents, half up. */
export function cents(d: Decimal): Decimal {
  return d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** A Decimal from stored text (already validated), 0 when absent. */
export function dec(text: string | number | undefined | null): Decimal {
  return new Dec(text ?? 0);
}

/** `1,861.07`, `1,000`: how QuickBooks echoes a supplied amount in validation messages. */
export function grouped(d: Decimal): string {
  const s = plain(d);
  const neg = s.startsWith('-');
  const [int, frac] = (neg ? s.slice(1) : s).split('.');
  const withCommas = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${withCommas}${frac ? `.${frac}` : ''}`;
}

/**
 * Whole cents as a BigInt from canonical currency text (`656.60`, `0`, `-12.5`): exact, and much
 * lighter than Decimal when summing many stored amounts.
 */
export function toCents(text: string | undefined): bigint {
  if (!text) return 0n;
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const [int = '0', frac = ''] = body.split('.');
  const cents = BigInt(int + (frac + '00').slice(0, 2));
  return neg ? -cents : cents;
}

/** Canonical currency text from whole cents: `0` for zero, otherwise two decimals. */
export function centsText(cents: bigint | number): string {
  const c = BigInt(cents);
  if (c === 0n) return '0';
  const neg = c < 0n;
  const s = (neg ? -c : c).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}
