import { describe, expect, it } from 'vitest';
import { IdFactory, idSuffix, normalizeId, to18 } from '../../../emulators/salesforce/ids.ts';

describe('record ids', () => {
  it('computes the case-safe suffix of real ids', () => {
    // The example of Salesforce's own documentation.
    expect(to18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    // Each suffix character encodes which of five characters are upper case (bit i = char i).
    expect(idSuffix('000000000000000')).toBe('AAA');
    expect(idSuffix('AAAAAAAAAAAAAAA')).toBe('555');
    expect(idSuffix('0000000000B0000')).toBe('AAB');
    expect(idSuffix('00000000000000Z')).toBe('AAQ');
    expect(idSuffix('0A000000000000Z')).toBe('CAQ');
  });

  it('normalises 15- and 18-character spellings, rejecting what cannot be an id', () => {
    expect(normalizeId('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(normalizeId('001d000000iqhsliaz')).toBe('001D000000IqhSLIAZ');
    expect(normalizeId('001D000000IQHSLIAZ')).toBe('001D000000IqhSLIAZ');
    expect(normalizeId('001D000000IqhSL'.toLowerCase())).not.toBe('001D000000IqhSLIAZ');
    expect(normalizeId('abc')).toBeNull();
    expect(normalizeId('001D000000IqhS!IAZ')).toBeNull();
    expect(normalizeId('0010000000000009AA')).toBeNull();
  });

  it('issues ids per key prefix, in order, with valid suffixes', () => {
    const f = new IdFactory('Ab');
    const a = f.next('001');
    const b = f.next('001');
    const c = f.next('003');
    expect(a).toMatch(/^001Ab0[0-9A-Za-z]{12}$/);
    expect(b > a).toBe(true);
    expect(c.slice(0, 3)).toBe('003');
    for (const id of [a, b, c]) expect(normalizeId(id)).toBe(id);
  });
});
