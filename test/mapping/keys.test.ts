import { describe, expect, it } from 'vitest';
import { companies, type SeedCompany } from '../../emulators/seed/universe.ts';
import { defaultConfig } from '../../src/config/index.ts';
import { compileFlow, emailKey, fuzzyKey, nameKey, sfId18, canonicalText } from '../../src/mapping/index.ts';
import { catalogs } from './helpers.ts';

describe('matching keys', () => {
  it('name: case, punctuation and spacing do not count', () => {
    expect(nameKey("Amy's Bird Sanctuary")).toBe('amysbirdsanctuary');
    expect(nameKey('AMYS BIRD  SANCTUARY')).toBe('amysbirdsanctuary');
    expect(nameKey('Amy’s Bird Sanctuary.')).toBe('amysbirdsanctuary');
    expect(nameKey('Café Zoë')).toBe('cafezoe');
    expect(nameKey('東京商事')).toBe('東京商事');
    expect(nameKey(' - ')).toBeNull();
    expect(nameKey(null)).toBeNull();
  });

  it('email: trimmed and lower-cased, only when it is one', () => {
    expect(emailKey(' Birds@Intuit.com ')).toBe('birds@intuit.com');
    expect(emailKey('not an email')).toBeNull();
    expect(emailKey(undefined)).toBeNull();
  });

  it('fuzzy: significant words only, sorted', () => {
    expect(fuzzyKey('The Smith & Jones Co. (HQ)')).toBe('jones smith');
    expect(fuzzyKey('Smith and Jones Company')).toBe('jones smith');
    expect(fuzzyKey("Amy's Bird Sanctuary Inc.")).toBe('amys bird sanctuary');
    expect(fuzzyKey('Inc.')).toBeNull();
  });
});

describe('matching over the seed universe', () => {
  // 20,000 companies as both emulators seed them: Salesforce and QuickBooks spell names differently on purpose.
  const seed = 'ledgerbridge';
  const flow = compileFlow(defaultConfig().flows[0]!, catalogs());
  const all: SeedCompany[] = [...companies(seed, 20_000)];
  const sfOf = (c: SeedCompany) => flow.keys('sf', { Name: c.sfName, contact: { Email: c.sfEmail } });
  const qbOf = (c: SeedCompany) =>
    flow.keys('qb', { DisplayName: c.qboName, PrimaryEmailAddr: { Address: c.contact.email }, Active: true });
  const qbByName = new Map<string, SeedCompany[]>();
  for (const c of all) {
    if (c.presence === 'sf') continue;
    const key = qbOf(c).name!;
    qbByName.set(key, [...(qbByName.get(key) ?? []), c]);
  }
  const pairs = all.filter((c) => c.presence === 'both');

  it('has every kind of pair in numbers', () => {
    const kinds = new Map<string, number>();
    for (const c of pairs) kinds.set(c.match, (kinds.get(c.match) ?? 0) + 1);
    for (const kind of ['exact', 'normalized', 'email', 'none'])
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(500);
  });

  it("links every 'exact' and 'normalized' pair by name (exact spelling, then email, breaking the rare tie)", () => {
    let ties = 0;
    for (const c of pairs.filter((p) => p.match === 'exact' || p.match === 'normalized')) {
      const sf = sfOf(c);
      const candidates = qbByName.get(sf.name!) ?? [];
      expect(candidates, c.sfName).toContain(c);
      let chosen = candidates;
      if (chosen.length > 1) {
        ties++;
        const exact = chosen.filter((q) => q.qboName === c.sfName);
        chosen = exact.length ? exact : chosen.filter((q) => qbOf(q).email === sf.email);
      }
      expect(chosen, c.sfName).toEqual([c]);
    }
    expect(ties).toBeLessThan(10);
  });

  it("links the 'email' pairs by email, and never by name", () => {
    for (const c of pairs.filter((p) => p.match === 'email')) {
      expect(sfOf(c).email, c.sfName).toBe(qbOf(c).email);
      expect(sfOf(c).name, c.sfName).not.toBe(qbOf(c).name);
    }
  });

  it("suggests the 'none' pairs by the fuzzy key, which no automatic rule links", () => {
    for (const c of pairs.filter((p) => p.match === 'none')) {
      const sf = sfOf(c);
      const qb = qbOf(c);
      expect(sf.fuzzy, `${c.sfName} / ${c.qboName}`).toBe(qb.fuzzy);
      expect(sf.name).not.toBe(qb.name);
      expect(sf.email).not.toBe(qb.email);
    }
  });
});

describe('hash canonicalization', () => {
  const sf = catalogs().sf;
  const f = (obj: 'Account' | 'Contact', name: string) => sf[obj]!.fields.get(name)!;

  it('treats equivalent values alike', () => {
    expect(canonicalText('', f('Account', 'Name'))).toBeNull();
    expect(canonicalText('  Acme \r\nInc ', f('Account', 'Description'))).toBe('Acme \nInc');
    expect(canonicalText('12.50', f('Account', 'QB_Balance__c'))).toBe('12.5');
    expect(canonicalText({ decimal: '1E+3' }, f('Account', 'QB_Balance__c'))).toBe('1000');
    expect(canonicalText('Bob@Acme.COM', f('Contact', 'Email'))).toBe('bob@acme.com');
    expect(canonicalText(false, f('Contact', 'DoNotCall'))).toBeNull();
    expect(canonicalText(null, f('Contact', 'DoNotCall'))).toBeNull();
    expect(canonicalText('true', f('Contact', 'DoNotCall'))).toBe('true');
    expect(canonicalText('2024-01-31T10:00:00-08:00', f('Account', 'CreatedDate'))).toBe(
      '2024-01-31T18:00:00.000Z',
    );
    expect(canonicalText('2024-01-31T18:00:00.000+0000', f('Account', 'CreatedDate'))).toBe(
      '2024-01-31T18:00:00.000Z',
    );
    expect(canonicalText('2024-01-31T10:00:00Z', f('Contact', 'Birthdate'))).toBe('2024-01-31');
    expect(canonicalText('001D000000IqhSL', f('Account', 'ParentId'))).toBe('001D000000IqhSLIAZ');
  });

  it('converts 15-character Salesforce ids to 18', () => {
    expect(sfId18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(sfId18('001D000000IqhSLIAZ')).toBe('001D000000IqhSLIAZ');
    expect(sfId18('42')).toBe('42');
  });
});
