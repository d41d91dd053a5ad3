import { describe, expect, it } from 'vitest';
import { flat } from '../../../emulators/kit/flat.ts';
import { formatDateTime } from '../../../emulators/salesforce/datetime.ts';
import { IdFactory, to18 } from '../../../emulators/salesforce/ids.ts';

// Ids and stamps are built from character codes (one flat string each, for seeding); these pin
// them to the plain concatenations they replace.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function concatenatedId(prefix: string, instance: string, n: number): string {
  let counter = '';
  for (let i = 0, v = n; i < 9; i++, v = Math.floor(v / 62)) counter = BASE62[v % 62] + counter;
  return to18(`${prefix}${instance}0${counter}`);
}

function concatenatedStamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

describe('flat strings', () => {
  it('keeps the text of whatever it flattens', () => {
    for (const s of ['', 'short', 'Ünïcødé ’quotes’ and more text', `${'a'.repeat(20)}${'b'.repeat(30)}`])
      expect(flat(s)).toBe(s);
  });

  it('issues the same ids as the concatenated form', () => {
    const ids = new IdFactory('Ab');
    for (let n = 1; n <= 5000; n++) expect(ids.next('001')).toBe(concatenatedId('001', 'Ab', n));
    const other = new IdFactory('zQ');
    for (let n = 1; n <= 100; n++) other.next('00k');
    expect(other.next('00k')).toBe(concatenatedId('00k', 'zQ', 101));
  });

  it('formats date-times like the concatenated form, also outside four-digit years', () => {
    const instants = [0, -1, Date.UTC(2024, 4, 20, 20, 49, 32, 123), Date.UTC(999, 11, 31, 23, 59, 59, 999)];
    instants.push(Date.UTC(10000, 0, 1), Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999));
    for (let i = 0; i < 2000; i++) instants.push(Date.UTC(1970, 0, 1) + i * 7_919_113_457);
    for (const ms of instants) expect(formatDateTime(ms)).toBe(concatenatedStamp(ms));
  });
});
