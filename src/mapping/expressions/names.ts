/**
 * Person names as CRM and accounting data hold them: "Dr. Amy Lauterbach", "Lauterbach, Amy",
 * "Jean-Luc van der Berg Jr.". Honorifics and suffixes are set aside; surname particles (van,
 * de, ...) stay with the last name.
 */

export type NamePart = 'first' | 'middle' | 'last';

const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'sir',
  'rev',
  'fr',
  'hon',
  'madam',
]);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'dds', 'cpa']);
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'der',
  'den',
  'da',
  'di',
  'del',
  'della',
  'du',
  'la',
  'le',
  'st',
  'ter',
  'ten',
  'dos',
  'das',
  'do',
  'bin',
  'ibn',
]);

function bare(token: string): string {
  return token.toLowerCase().replace(/[.,]/g, '');
}

/** One part of a person's name, or null when the name has no such part. */
export function splitName(name: string, part: NamePart): string | null {
  let first: string[];
  let last: string[];
  const comma = name.indexOf(',');
  const tail = comma >= 0 ? name.slice(comma + 1).trim() : '';
  if (comma >= 0 && tail && !SUFFIXES.has(bare(tail))) {
    // "Lauterbach, Amy Jo"
    last = name.slice(0, comma).trim().split(/\s+/).filter(Boolean);
    first = tail.split(/\s+/).filter(Boolean);
  } else {
    let tokens = name.replace(/,/g, ' ').trim().split(/\s+/).filter(Boolean);
    while (tokens.length > 1 && HONORIFICS.has(bare(tokens[0]!))) tokens = tokens.slice(1);
    while (tokens.length > 1 && SUFFIXES.has(bare(tokens[tokens.length - 1]!))) tokens = tokens.slice(0, -1);
    if (!tokens.length) return null;
    if (tokens.length === 1) return part === 'last' ? tokens[0]! : null;
    let start = tokens.length - 1;
    while (start > 1 && PARTICLES.has(bare(tokens[start - 1]!))) start--;
    last = tokens.slice(start);
    first = tokens.slice(0, start);
  }
  while (first.length > 1 && HONORIFICS.has(bare(first[0]!))) first = first.slice(1);
  while (first.length > 1 && SUFFIXES.has(bare(first[first.length - 1]!))) first = first.slice(0, -1);
  const pick = (words: string[]) => (words.length ? words.join(' ') : null);
  if (part === 'last') return pick(last);
  if (part === 'first') return pick(first.slice(0, 1));
  return pick(first.slice(1));
}

/** "AMY'S bird-sanctuary o'neil" → "Amy's Bird-Sanctuary O'Neil". */
export function titleCase(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  for (let i = 0; i < lower.length; i++) {
    const ch = lower[i]!;
    const prev = i > 0 ? lower[i - 1]! : ' ';
    // After an apostrophe only when it follows a single letter: O'Neil, D'Angelo, but Amy's.
    const afterApostrophe =
      (prev === "'" || prev === '’') && i >= 2 && (i < 3 || !/\p{L}/u.test(lower[i - 3]!));
    const start = /[\s\-/(]/.test(prev) || i === 0 || afterApostrophe;
    out += start ? ch.toUpperCase() : ch;
  }
  return out;
}
