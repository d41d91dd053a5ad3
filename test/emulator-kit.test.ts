import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaultSpec } from '../emulators/kit/faults.ts';

describe('fault specs', () => {
  it('parses the text form into rules', () => {
    const rules = parseFaultSpec(
      'action=drop-response,method=post,path=*/batch,rate=0.2; action=503 every=10',
    );
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatchObject({
      method: 'POST',
      path: '*/batch',
      rate: 0.2,
      action: { kind: 'drop-response' },
    });
    expect(rules[1]).toMatchObject({ every: 10, action: { kind: 'status', status: 503 } });
  });

  it('names the rule and field that is wrong', () => {
    expect(() => parseFaultSpec('action=503;action=explode')).toThrow(FaultSpecError);
    expect(() => parseFaultSpec('action=503;action=explode')).toThrow(
      /rule 2, action: unknown action "explode"/,
    );
    expect(() => parseFaultSpec('action=200')).toThrow(/not an error status/);
    expect(() => parseFaultSpec('action=503,rate=2')).toThrow(/rule 1, rate/);
    expect(() => parseFaultSpec('action=503,colour=red')).toThrow(/rule 1/);
    expect(() => parseFaultSpec('action')).toThrow(/not key=value/);
  });

  it('fires every n-th match, after k, at most `times`', () => {
    const f = new FaultInjector(7);
    f.add(parseFaultSpec('action=500,path=/a/*,every=3,after=2,times=2'));
    const fired = Array.from({ length: 20 }, () => f.match('GET', '/a/x') !== null);
    // matches 5 and 8 fire (3rd and 6th after the first two); then `times` is used up
    expect(fired.map((b, i) => (b ? i + 1 : 0)).filter(Boolean)).toEqual([5, 8]);
    expect(f.match('GET', '/b')).toBeNull();
  });

  it('fires a seeded rate reproducibly and close to the rate', () => {
    const run = () => {
      const f = new FaultInjector(42);
      f.add(parseFaultSpec('action=throttle,rate=0.2'));
      return Array.from({ length: 5000 }, () => (f.match('POST', '/x') ? 1 : 0)).join('');
    };
    const a = run();
    expect(run()).toBe(a);
    const share = [...a].filter((c) => c === '1').length / a.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });
});
