import { canonical } from '../../money/decimal.ts';
import { JSON_NUMBER, parseWithSource, rawJSON, type SourceReviver } from '../../money/exact-json.ts';

/**
 * JSON to and from QuickBooks without binary floats: money arrives as JSON numbers (`2634.80`)
 * and must reach the engine as exact text, and amounts we send must leave as JSON numbers whose
 * text is exactly the decimal we hold.
 */

/** Keys whose values are decimals in QuickBooks entities (amounts, quantities, rates). */
export const DECIMAL_KEYS: ReadonlySet<string> = new Set([
  'Amount',
  'AvgCost',
  'Balance',
  'BalanceWithJobs',
  'CreditLimit',
  'CurrentBalance',
  'CurrentBalanceWithSubAccounts',
  'Deposit',
  'DiscountAmt',
  'DiscountPercent',
  'DiscountRate',
  'ExchangeRate',
  'HomeBalance',
  'HomeTotalAmt',
  'NetAmountTaxable',
  'OpeningBalance',
  'PurchaseCost',
  'Qty',
  'QtyOnHand',
  'RatePercent',
  'RemainingCredit',
  'ReorderPoint',
  'TaxInclusiveAmt',
  'TaxPercent',
  'TotalAmt',
  'TotalTax',
  'UnappliedAmt',
  'UnitPrice',
]);

// Decimal keys always become strings; any other non-integer number too (it would lose digits).
const exactNumbers: SourceReviver = (key, value, context) => {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  if (DECIMAL_KEYS.has(key) || !Number.isSafeInteger(value)) return context.source;
  return value;
};

/** Parses a QuickBooks response body, keeping decimals as their exact source text. */
export function parseExact(text: string): unknown {
  return parseWithSource(text, exactNumbers);
}

function decimalReplacer(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !DECIMAL_KEYS.has(key)) return value;
  const text = value.trim();
  if (JSON_NUMBER.test(text)) return rawJSON(text);
  try {
    // "12.", ".5", "+3", "007": same value, written as a valid JSON number
    return rawJSON(canonical(text));
  } catch {
    return value;
  }
}

/** Serializes a request body, writing decimal-keyed strings (and decimal.js values) as exact JSON numbers. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, decimalReplacer);
}
