import { Decimal } from 'decimal.js';

/**
 * Exact decimals for currency, double, percent and int fields. Values are stored as decimal text
 * rounded to the field's scale (Salesforce rounds half up on save) and written back to JSON as
 * number tokens whose text is exact.
 */

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 });

/** Parses decimal text (JSON number source or SOQL literal); null when it is not a finite number. */
export function parseDecimal(text: string): Decimal | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return null;
  const d = new Dec(text.trim());
  return d.isFinite() ? d : null;
}

/** Rounds to `scale` places (half up) and returns the stored text, or null when the integer part
 * needs more than precision - scale digits. */
export function toStored(d: Decimal, precision: number, scale: number): string | null {
  let r = new Dec(d).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
  if (r.isZero()) r = r.abs();
  const intPart = r.abs().trunc();
  const intDigits = intPart.isZero() ? 0 : intPart.toFixed(0).length;
  if (intDigits > precision - scale) return null;
  return r.toFixed(scale);
}

/** Exact product of two stored decimals, rounded to scale. */
export function multiply(a: string, b: string, scale: number): string {
  return new Dec(a).times(new Dec(b)).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).toFixed(scale);
}

/** Exact quotient rounded to scale. */
export function divide(a: string, b: string, scale: number): string {
  return new Dec(a).dividedBy(new Dec(b)).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).toFixed(scale);
}

/** Exact sum of stored decimals, with the given scale. */
export function sum(values: Iterable<string>, scale: number): string {
  let total = new Dec(0);
  for (const v of values) total = total.plus(new Dec(v));
  return total.toFixed(scale);
}

/**
 * amount × percent / 100 rounded half up to two places (Opportunity.ExpectedRevenue). Amounts with
 * two decimals and whole percents take an exact integer path; anything else goes through Decimal.
 */
export function percentOf(amount: string, percent: string): string {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (m && /^\d+$/.test(percent) && m[2]!.length <= 12) {
    const product = Number(m[2]! + m[3]!) * Number(percent);
    if (Number.isSafeInteger(product)) {
      let cents = Math.floor(product / 100);
      if (product - cents * 100 >= 50) cents++;
      const text = String(cents).padStart(3, '0');
      const neg = m[1] === '-' && cents !== 0 ? '-' : '';
      return `${neg}${text.slice(0, -2)}.${text.slice(-2)}`;
    }
  }
  return new Dec(amount)
    .times(new Dec(percent))
    .dividedBy(100)
    .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    .toFixed(2);
}

/** Whether a stored decimal is zero. */
export function isZero(a: string): boolean {
  return new Dec(a).isZero();
}

const SAFE_DIGITS = 15;

function significantDigits(text: string): number {
  return text.replace(/^[-+]?0*\.?0*/, '').replace('.', '').length;
}

/** Compares two decimal texts exactly (fast path through doubles when both are short). */
export function compareDecimal(a: string, b: string): number {
  if (significantDigits(a) <= SAFE_DIGITS && significantDigits(b) <= SAFE_DIGITS) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return new Dec(a).comparedTo(new Dec(b));
}

/**
 * The JSON number text Salesforce writes for a stored decimal: trailing zeros dropped, and for
 * fractional field types at least one decimal place (`1500.0`, `2.5`, `0.1`), like the real API.
 */
export function jsonNumberText(stored: string, fractional: boolean): string {
  if (!stored.includes('.')) return fractional ? `${stored}.0` : stored;
  let t = stored.replace(/0+$/, '');
  if (t.endsWith('.')) t = fractional ? `${t}0` : t.slice(0, -1);
  return t === '-0' || t === '-0.0' ? t.slice(1) : t;
}

export { Dec };
