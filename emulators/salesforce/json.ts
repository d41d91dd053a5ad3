/**
 * JSON in and out with exact numbers: request bodies keep each number's source text (so 0.1 or a
 * 20-digit amount reaches the decimal code untouched), and responses write stored decimals as
 * number tokens with exactly their text.
 */

/** A number from a request body, with the text it was written as. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** The value as a double, for places where exactness does not matter (sizes, flags). */
  valueOf(): number {
    return Number(this.text);
  }
}

/** Thrown by parseJson with a message shaped like the real parser's. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

/** Parses JSON text, turning every number into a JsonNumber. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, function (_key, value, context?: { source?: string }) {
      if (typeof value === 'number') return new JsonNumber(context?.source ?? String(value));
      return value;
    });
  } catch (e) {
    throw new JsonSyntaxError(jacksonStyle(text, e as Error));
  }
}

/** A message like the Jackson parser behind the real API writes, with line and column. */
function jacksonStyle(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  const pos = m ? Number(m[1]) : text.length;
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  if (pos >= text.length)
    return `Unexpected end-of-input: expected close marker for OBJECT at [line:${line}, column:${col}]`;
  const ch = text[pos]!;
  return `Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): expected a valid value (number, String, array, object, 'true', 'false' or 'null') at [line:${line}, column:${col}]`;
}

/** A plain number or JsonNumber as a double; anything else as NaN. */
export function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof JsonNumber) return Number(v.text);
  return NaN;
}

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** A value JSON.stringify writes as the number token `text`, verbatim. */
export function rawNumber(text: string): unknown {
  return rawJSON(text);
}
