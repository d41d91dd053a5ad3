import { Decimal } from 'decimal.js';
import { parseWithSource, rawJSON, type SourceReviver } from '../../money/exact-json.ts';

/**
 * JSON to and from Salesforce without binary floats. Currency, percent and double fields arrive as
 * JSON numbers (`1234.5`); they reach the engine as their exact source text. Outgoing decimals
 * (decimal.js values) leave as number tokens whose text is exactly the decimal.
 */

// A number with a fraction or exponent, or one a double cannot hold, keeps its source text.
const exactNumbers: SourceReviver = (_key, value, context) => {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  const src = context.source;
  if (/[.eE]/.test(src) || !Number.isSafeInteger(value)) return src;
  return value;
};

/** Parses a Salesforce response body, keeping non-integer numbers as their exact text. */
export function parseExact(text: string): unknown {
  if (text === '') return null;
  return parseWithSource(text, exactNumbers);
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has already called Decimal#toJSON: read the original from the holder.
  const original = (this as Record<string, unknown> | null)?.[key];
  if (Decimal.isDecimal(original)) {
    const d = original as Decimal;
    if (!d.isFinite()) throw new RangeError(`${key}: ${d.toString()} is not a number Salesforce can store`);
    return rawJSON(d.toFixed());
  }
  return value;
}

/** Serializes a request body; decimal.js values become exact JSON numbers. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** Removes the REST `attributes` envelope from a record and its nested parent/child records. */
export function stripAttributes<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const v of value) stripAttributes(v);
    return value;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    delete o.attributes;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v && typeof v === 'object') stripAttributes(v);
    }
  }
  return value;
}
