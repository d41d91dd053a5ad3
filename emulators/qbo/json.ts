/**
 * JSON in and out without floating point. Request bodies are parsed keeping each number's
 * source text (Node 21+ reviver context, so `0.1` stays `"0.1"`); stored entities keep decimals
 * as canonical strings and are written back as JSON numbers with exactly that text.
 */

type SourceReviver = (key: string, value: unknown, context: { source?: string }) => unknown;

/** Keys whose values are decimals in every QuickBooks entity (and never anything else). */
export const DECIMAL_KEYS: ReadonlySet<string> = new Set([
  'Amount',
  'Balance',
  'BalanceWithJobs',
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
  'CreditLimit',
  'AvgCost',
  'NumberValue',
]);

/** The outcome of parsing a request body. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

const keepNumberText: SourceReviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? context.source : value;

/** Parses JSON, turning every number into its source text. */
export function parseJsonExact(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text, keepNumberText as Parameters<typeof JSON.parse>[1]) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const DECIMAL_VALUE = new RegExp(`("(?:${[...DECIMAL_KEYS].join('|')})":)"(-?\\d+(?:\\.\\d+)?)"`, 'g');

/**
 * Serializes a value, writing decimal-keyed strings as exact JSON numbers. Native stringify, then
 * the quotes around those values are dropped: inside a JSON string every quote is escaped, so the
 * pattern `"Key":"123.45"` can only be a property of the document itself.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(DECIMAL_VALUE, '$1$2');
}
