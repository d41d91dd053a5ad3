import { canonical, dec, type Dec } from '../../money/decimal.ts';
import { DateValue, parseDate } from './dates.ts';
import { ExpressionRuntimeError } from './errors.ts';

/**
 * Values an expression computes with. Numbers are exact decimals (never binary floats), so
 * money passes through expressions to the cent; dates keep whether they are a plain date or an
 * instant.
 */
export type ExprValue = null | string | boolean | Dec | DateValue;

/** Static types the compiler checks: 'any' is a field of unknown type or a null literal. */
export type ExprType = 'text' | 'number' | 'boolean' | 'date' | 'any';

/** Whether a value is a decimal number. */
export function isDec(v: unknown): v is Dec {
  return v instanceof DEC_CLASS;
}

const DEC_CLASS = dec(0).constructor;

/** Null, or text that is only whitespace: what both systems treat as "no value". */
export function isEmpty(v: ExprValue): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '');
}

/** The text of a value: decimals without exponent or trailing zeros, dates canonical, booleans true/false. */
export function toText(v: ExprValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof DateValue) return v.toString();
  return canonical(v);
}

/** A decimal from a number or numeric text (thousands separators and currency signs tolerated). */
export function toNumber(v: ExprValue): Dec | null {
  if (v === null) return null;
  if (isDec(v)) return v;
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    const cleaned = v.trim().replace(/^\$/, '').replace(/,/g, '');
    try {
      return dec(cleaned);
    } catch {
      throw new ExpressionRuntimeError(`'${v}' is not a number`);
    }
  }
  throw new ExpressionRuntimeError(`${typeof v === 'boolean' ? String(v) : toText(v)} is not a number`);
}

/** A boolean from a boolean or from true/false/yes/no/1/0 text. */
export function toBoolean(v: ExprValue): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === '') return null;
    if (['true', 'yes', 'y', '1'].includes(s)) return true;
    if (['false', 'no', 'n', '0'].includes(s)) return false;
    throw new ExpressionRuntimeError(`'${v}' is not true or false`);
  }
  if (isDec(v)) {
    if (v.isZero()) return false;
    if (v.equals(1)) return true;
  }
  throw new ExpressionRuntimeError(`${toText(v)} is not true or false`);
}

/** A date from a date or from date text in either system's format. */
export function toDate(v: ExprValue): DateValue | null {
  if (v === null || v instanceof DateValue) return v;
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    const d = parseDate(v);
    if (!d) throw new ExpressionRuntimeError(`'${v}' is not a date`);
    return d;
  }
  throw new ExpressionRuntimeError(`${toText(v)} is not a date`);
}

/** The static type of a runtime value (for literals). */
export function typeOf(v: ExprValue): ExprType {
  if (v === null) return 'any';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof DateValue) return 'date';
  return 'number';
}

/** Equality as an admin means it: numbers by value, dates by canonical text, '' equal to null. */
export function looselyEqual(a: ExprValue, b: ExprValue): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (isDec(a) || isDec(b)) {
    try {
      const x = toNumber(a);
      const y = toNumber(b);
      return x !== null && y !== null && x.equals(y);
    } catch {
      return false;
    }
  }
  return toText(a) === toText(b);
}
