/**
 * Matching keys (S5). `name` and `email` link records automatically; `fuzzy` only suggests
 * candidates for a person to confirm, because it deliberately forgets words ("Inc.", "The") that
 * can tell two companies apart.
 */

/** Name key: lower case, letters and digits only ("Amy's Bird Sanctuary" ≡ "AMYS BIRD  SANCTUARY"). */
export function nameKey(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const key = fold(name).replace(/[^\p{L}\p{N}]+/gu, '');
  return key === '' ? null : key;
}

/** Email key: trimmed, lower case; null unless it looks like an address. */
export function emailKey(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const key = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(key) ? key : null;
}

// Legal forms, articles and filler that differ between how CRM and books spell a company.
const NOISE = new Set([
  'the',
  'a',
  'an',
  'and',
  'of',
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'co',
  'corp',
  'corporation',
  'company',
  'companies',
  'group',
  'plc',
  'pc',
  'pllc',
  'gmbh',
  'sa',
  'srl',
  'bv',
  'nv',
  'pty',
  'hq',
  'holdings',
]);

/** Fuzzy key: the significant words, folded and sorted ("The Smith & Jones Co. (HQ)" → "jones smith"). */
export function fuzzyKey(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const words = fold(name)
    .replace(/['’`]/g, '')
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '' && !NOISE.has(w));
  if (!words.length) return null;
  return [...new Set(words)].sort().join(' ');
}

/** Lower case without accents (Café → cafe). */
function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
