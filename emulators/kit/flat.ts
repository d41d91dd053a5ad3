/**
 * Text built by concatenation is, in V8, a tree of pieces (one heap object per `+` once the
 * result is 13 characters or more). Seeding stores 100,000s of such values, and every piece is
 * one more object for the garbage collector to copy while the heap grows. `flat` returns the same
 * text as a single string object.
 */
const codes: number[] = [];

export function flat(text: string): string {
  const n = text.length;
  if (n < 13) return text; // V8 already copies results this short into one string
  codes.length = n;
  for (let i = 0; i < n; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode.apply(null, codes);
}
