import { Decimal } from 'decimal.js';

// Money never goes through a binary float: 34 significant digits, banker-free half-up rounding
// as accountants and both APIs expect.
const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });

/** A decimal value (money, quantity, rate). */
export type Dec = InstanceType<typeof D>;

/** Thrown for text that is not a decimal number. */
export class InvalidDecimalError extends Error {
  override name = 'InvalidDecimalError';
}

/** Parses a decimal from text, a JSON number's text or a Dec; rejects NaN, Infinity and junk. */
export function dec(value: string | number | Dec): Dec {
  if (value instanceof D) return value;
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text))
    throw new InvalidDecimalError(`"${String(value)}" is not a decimal number`);
  return new D(text);
}

/** Sum of decimals, exact. */
export function sum(values: Iterable<string | number | Dec>): Dec {
  let total = new D(0);
  for (const v of values) total = total.plus(dec(v));
  return total;
}

/** Rounds to cents (or another scale) half-up, as an invoice total is. */
export function round(value: string | number | Dec, scale = 2): Dec {
  return dec(value).toDecimalPlaces(scale, D.ROUND_HALF_UP);
}

/** Canonical text: no exponent, no trailing zeros ("12.50" → "12.5", "-0" → "0"). */
export function canonical(value: string | number | Dec): string {
  const d = dec(value);
  if (d.isZero()) return '0';
  return d.toFixed();
}

/** Fixed-scale text ("12.5" → "12.50"), for display and APIs that want cents. */
export function fixed(value: string | number | Dec, scale = 2): string {
  return round(value, scale).toFixed(scale);
}

/** Whether two decimals are equal as numbers (12.5 = 12.50). */
export function same(a: string | number | Dec, b: string | number | Dec): boolean {
  return dec(a).equals(dec(b));
}
