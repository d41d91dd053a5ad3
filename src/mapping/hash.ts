import { createHash, hash } from 'node:crypto';
import { canonical, dec } from '../money/decimal.ts';
import type { FieldInfo } from './catalog.ts';
import { parseDate } from './expressions/index.ts';

/**
 * Per-field hashes of values, normalized so that equivalent values agree across the two systems
 * and across runs: '' ≡ null, text trimmed (line breaks as \n, Unicode NFC), 12.50 ≡ 12.5,
 * emails ignoring case, dates as YYYY-MM-DD, datetimes as the UTC instant, unchecked ≡ null for
 * checkboxes, 15- and 18-character Salesforce ids alike. The engine compares these to tell a real
 * change from its own echo. SHA-256 keeps them stable across processes and Node versions.
 */

type Obj = Record<string, unknown>;

const ASCII_LINE = /^[\x20-\x7e]*$/;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SF_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character form of a 15-character Salesforce id (other text unchanged). */
export function sfId18(id: string): string {
  if (!/^[a-zA-Z0-9]{15}$/.test(id)) return id;
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id[block * 5 + i]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SF_ID_CHARS[bits];
  }
  return id + suffix;
}

function unwrap(raw: unknown): unknown {
  if (!isObj(raw)) return raw;
  if (typeof raw.decimal === 'string') return raw.decimal;
  if (typeof raw.ref === 'string') return raw.ref;
  if ('value' in raw) return raw.value;
  return null;
}

/** The canonical text of a value for a field of this type; null for "no value". */
export function canonicalText(raw: unknown, info: FieldInfo): string | null {
  const v = unwrap(raw);
  if (info.type === 'boolean') {
    if (v === true || v === 'true') return 'true';
    // Both systems show an unset checkbox as unchecked.
    if (v === false || v === 'false' || v === null || v === undefined || v === '') return null;
  }
  if (v === null || v === undefined) return null;
  let text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  if (text === null) return null;
  // Most values are plain ASCII on one line: skip the costlier normalizations for them.
  if (!ASCII_LINE.test(text)) text = text.normalize('NFC').replace(/\r\n?/g, '\n');
  text = text.trim();
  if (text === '') return null;
  switch (info.type) {
    case 'currency':
    case 'decimal':
    case 'integer':
      try {
        return canonical(dec(text));
      } catch {
        return text;
      }
    case 'date': {
      const d = parseDate(text);
      return d ? d.date : text;
    }
    case 'datetime': {
      const d = parseDate(text);
      return d ? d.toString() : text;
    }
    case 'email':
      return text.toLowerCase();
    case 'reference':
    case 'id':
      return info.referenceTo?.length || info.type === 'id' ? sfId18(text) : text;
    default:
      return text;
  }
}

/** The hash of a value as a field of this type holds it (what the engine stores and compares). */
export function hashValue(raw: unknown, info: FieldInfo): string {
  const text = canonicalText(raw, info);
  return text === null ? NULL_HASH : digest(`v:${text}`);
}

function digest(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 22);
}

const NULL_HASH = digest('\u0000null');

/** One hash over a record's per-field hashes (keys sorted), for storing a whole side at once. */
export function hashState(state: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(state).sort()) h.update(`${k}\u0000${state[k]}\u0001`);
  return h.digest('base64url').slice(0, 22);
}
