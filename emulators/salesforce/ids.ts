/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix, 2-character
 * instance, a reserved '0', a 9-character base-62 counter) or 18 characters, where the last three
 * encode which of the first 15 are upper case so the id survives case-insensitive systems.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_CHARS = /^[0-9A-Za-z]+$/;

/** The 3-character checksum suffix that turns a 15-character id into its 18-character form. */
export function idSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

/** The 18-character form of a 15-character id. */
export function to18(id15: string): string {
  return id15 + idSuffix(id15);
}

/**
 * The canonical 18-character id for any accepted spelling (15 case-sensitive, or 18 in any case),
 * or null when the text cannot be an id at all.
 */
export function normalizeId(text: string): string | null {
  if (typeof text !== 'string') return null;
  if (text.length === 15) return ID_CHARS.test(text) ? to18(text) : null;
  if (text.length !== 18 || !ID_CHARS.test(text)) return null;
  const suffix = text.slice(15).toUpperCase();
  let restored = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX.indexOf(suffix[chunk]!);
    if (bits < 0) return null;
    for (let i = 0; i < 5; i++) {
      const ch = text[chunk * 5 + i]!;
      restored += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  // An upper-case bit on a digit means the suffix does not belong to these characters.
  for (let i = 0; i < 15; i++) {
    const ch = restored[i]!;
    const wantUpper = (SUFFIX.indexOf(suffix[Math.floor(i / 5)]!) & (1 << (i % 5))) !== 0;
    if (wantUpper && !(ch >= 'A' && ch <= 'Z')) return null;
  }
  return restored + suffix;
}

/** The key prefix (first three characters) of an id. */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Issues ids per key prefix from counters, so a seed always yields the same ids. */
export class IdFactory {
  private counters = new Map<string, number>();

  constructor(private readonly instance: string) {}

  /** A new 18-character id with this key prefix. */
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    // Built as one flat string from character codes: an id made by concatenation is a tree of
    // string pieces, several heap objects instead of one (it matters when seeding 100,000s).
    const c = this.codes;
    for (let i = 0; i < 3; i++) c[i] = prefix.charCodeAt(i);
    c[3] = this.instance.charCodeAt(0);
    c[4] = this.instance.charCodeAt(1);
    c[5] = 48; // '0'
    let v = n;
    for (let i = 14; i >= 6; i--) {
      c[i] = BASE62.charCodeAt(v % 62);
      v = Math.floor(v / 62);
    }
    for (let chunk = 0; chunk < 3; chunk++) {
      let bits = 0;
      for (let i = 0; i < 5; i++) {
        const code = c[chunk * 5 + i]!;
        if (code >= 65 && code <= 90) bits |= 1 << i;
      }
      c[15 + chunk] = SUFFIX.charCodeAt(bits);
    }
    return String.fromCharCode.apply(null, c);
  }

  private readonly codes: number[] = new Array<number>(18).fill(0);

  /** Counter state, for the state file. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  /** Restores counters saved by snapshot(). */
  restore(counters: Record<string, number>): void {
    this.counters = new Map(Object.entries(counters));
  }
}

/** A two-character instance code derived from the seed (real ids carry the pod that issued them). */
export function instanceCode(seedHash: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return letters[seedHash % 26]! + letters[Math.floor(seedHash / 26) % 52]!;
}
