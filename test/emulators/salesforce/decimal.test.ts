import { describe, expect, it } from 'vitest';
import {
  Dec,
  compareDecimal,
  jsonNumberText,
  parseDecimal,
  percentOf,
  toStored,
} from '../../../emulators/salesforce/decimal.ts';
import { Rng } from '../../../emulators/kit/rng.ts';

describe('exact decimals', () => {
  it('rounds half up to the field scale and checks the integer digits', () => {
    expect(toStored(parseDecimal('10.005')!, 18, 2)).toBe('10.01');
    expect(toStored(parseDecimal('-10.005')!, 18, 2)).toBe('-10.01');
    expect(toStored(parseDecimal('0.1')!, 18, 2)).toBe('0.10');
    expect(toStored(parseDecimal('-0.001')!, 18, 2)).toBe('0.00');
    expect(toStored(parseDecimal('1234567890123456.78')!, 18, 2)).toBe('1234567890123456.78');
    expect(toStored(parseDecimal('12345678901234567')!, 18, 2)).toBeNull();
    expect(toStored(parseDecimal('250.5')!, 18, 0)).toBe('251');
    expect(parseDecimal('1e3')!.toFixed()).toBe('1000');
    expect(parseDecimal('abc')).toBeNull();
  });

  it('writes JSON number text exactly, with a decimal place for fractional types', () => {
    expect(jsonNumberText('1500.00', true)).toBe('1500.0');
    expect(jsonNumberText('1234.50', true)).toBe('1234.5');
    expect(jsonNumberText('0.10', true)).toBe('0.1');
    expect(jsonNumberText('251', true)).toBe('251.0');
    expect(jsonNumberText('-0.00', true)).toBe('0.0');
  });

  it('compares beyond double precision', () => {
    expect(compareDecimal('12345678901234567.01', '12345678901234567.02')).toBe(-1);
    expect(compareDecimal('2.50', '2.5')).toBe(0);
    expect(compareDecimal('-1', '0.5')).toBe(-1);
  });

  it('computes percentages like Decimal, half up, on its integer fast path too', () => {
    const rng = new Rng('percent');
    for (let i = 0; i < 5000; i++) {
      const amount = (((rng.chance(0.5) ? -1 : 1) * rng.int(0, 1e9)) / 100).toFixed(2);
      const p = String(rng.int(0, 100));
      const expected = new Dec(amount).times(p).dividedBy(100).toDecimalPlaces(2).toFixed(2);
      expect(percentOf(amount, p), `${amount} × ${p}%`).toBe(expected);
    }
    expect(percentOf('0.01', '50')).toBe('0.01');
    expect(percentOf('-0.01', '50')).toBe('-0.01');
    expect(percentOf('1.5', '33.3')).toBe('0.50');
  });
});
