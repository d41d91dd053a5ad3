/**
 * "Did you mean" suggestions for names an admin typed: field names, keys, functions, packs.
 * A case-insensitive exact match wins outright; otherwise the candidates within a small edit
 * distance (transpositions count as one edit, as in "Stret" for "Street") are offered.
 */

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/** The candidates closest to `input` (at most three, best first), or none when nothing is close. */
export function closest(input: string, candidates: Iterable<string>): string[] {
  const list = [...new Set(candidates)];
  const lower = input.toLowerCase();
  const exact = list.filter((c) => c.toLowerCase() === lower);
  if (exact.length) return exact.slice(0, 1);
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  const scored = list
    .map((c) => ({ c, d: editDistance(input, c) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  // Only the closest: "Stret" suggests Street, not State as well.
  if (scored.length)
    return scored
      .filter((x) => x.d === scored[0]!.d)
      .slice(0, 3)
      .map((x) => x.c);
  // A typed prefix or a missing prefix/suffix ("Street" for "BillingStreet") is still a good hint.
  const contained = list.filter((c) => {
    const cl = c.toLowerCase();
    return (
      lower.length >= 4 &&
      (cl.includes(lower) || lower.includes(cl)) &&
      Math.abs(cl.length - lower.length) <= 10
    );
  });
  return contained.sort((x, y) => x.length - y.length).slice(0, 3);
}

/** " (did you mean X?)", " (did you mean X or Y?)" or "" — ready to append to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const best = closest(input, candidates);
  if (!best.length) return '';
  const list = best.length === 1 ? best[0]! : `${best.slice(0, -1).join(', ')} or ${best[best.length - 1]!}`;
  return ` (did you mean ${list}?)`;
}
