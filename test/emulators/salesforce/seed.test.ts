import { describe, expect, it } from 'vitest';
import { Dec } from '../../../emulators/salesforce/decimal.ts';
import { SalesforceOrg } from '../../../emulators/salesforce/org/org.ts';
import { PACKAGE_SCHEMA } from '../../../emulators/salesforce/package-schema.ts';
import { parseCustomSchema } from '../../../emulators/salesforce/schema/custom-schema.ts';
import { Schema } from '../../../emulators/salesforce/schema/registry.ts';
import { seedBase, seedUniverse } from '../../../emulators/salesforce/seed.ts';
import { companies } from '../../../emulators/seed/universe.ts';

function seeded(seed: number | string, records: number) {
  const org = new SalesforceOrg(
    Schema.build([parseCustomSchema(PACKAGE_SCHEMA)]),
    '00DAA0000000001AAA',
    'AA',
  );
  const now = Date.UTC(2026, 0, 15, 12);
  const users = seedBase(org, { username: 'u@example.com', now });
  seedUniverse(org, { seed, records, now, users });
  return { org, now };
}

const rows = (org: SalesforceOrg, t: string) => [...org.tables.get(t)!.rows.values()];

describe('seeding from the universe', () => {
  it('creates an Account and a primary Contact for each company Salesforce knows', () => {
    const { org } = seeded(7, 300);
    const sf = [...companies(7, 300)].filter((c) => c.presence !== 'qbo');
    const accounts = rows(org, 'Account');
    expect(accounts.map((a) => a.Name)).toEqual(sf.map((c) => c.sfName));
    const contacts = rows(org, 'Contact');
    expect(contacts).toHaveLength(sf.length);
    expect(contacts.map((c) => c.Email)).toEqual(sf.map((c) => c.sfEmail));
    expect(contacts.every((c) => accounts.some((a) => a.Id === c.AccountId))).toBe(true);
  });

  it('is deterministic for (seed, records)', () => {
    const strip = (org: SalesforceOrg) =>
      ['Account', 'Opportunity', 'OpportunityLineItem', 'Product2'].map((t) =>
        rows(org, t).map((r) => ({ ...r, CreatedDate: 0, LastModifiedDate: 0, SystemModstamp: 0 })),
      );
    expect(strip(seeded(3, 120).org)).toEqual(strip(seeded(3, 120).org));
    expect(rows(seeded(4, 120).org, 'Account').map((a) => a.Name)).not.toEqual(
      rows(seeded(3, 120).org, 'Account').map((a) => a.Name),
    );
  });

  it('gives opportunities exact line totals and amounts, standard prices for most products, item types for most', () => {
    const { org, now } = seeded(11, 2000);
    const lines = rows(org, 'OpportunityLineItem');
    expect(lines.length).toBeGreaterThan(1000);
    for (const l of lines)
      expect(
        new Dec(l.TotalPrice as string).equals(
          new Dec(l.Quantity as string).times(l.UnitPrice as string).toDecimalPlaces(2),
        ),
      ).toBe(true);
    const byOpp = new Map<string, InstanceType<typeof Dec>>();
    for (const l of lines)
      byOpp.set(
        l.OpportunityId as string,
        (byOpp.get(l.OpportunityId as string) ?? new Dec(0)).plus(l.TotalPrice as string),
      );
    const opps = rows(org, 'Opportunity');
    for (const o of opps) expect(new Dec(o.Amount as string).equals(byOpp.get(o.Id as string)!)).toBe(true);
    const won = opps.filter((o) => o.StageName === 'Closed Won');
    expect(won.some((o) => o.Generate__c === 'Invoice')).toBe(true);
    expect(won.some((o) => o.Generate__c === 'Sales Order')).toBe(true);
    expect(
      opps
        .filter((o) => !o.IsWon)
        .every((o) => o.Generate__c !== 'Invoice' && o.Generate__c !== 'Sales Order'),
    ).toBe(true);
    const products = rows(org, 'Product2');
    const priced = new Set(rows(org, 'PricebookEntry').map((e) => e.Product2Id));
    expect(priced.size).toBeLessThan(products.length);
    expect(priced.size).toBeGreaterThan(products.length * 0.8);
    const typed = products.filter((p) => p.QB_Item_Type__c);
    expect(typed.length).toBeLessThan(products.length);
    expect(typed.length).toBeGreaterThan(products.length * 0.9);
    // Timestamps lie in the past two years, second precision, and some share a second.
    const stamps = rows(org, 'Account').map((a) => a.SystemModstamp as string);
    expect(stamps.every((s) => s.endsWith('.000+0000') && Date.parse(s.replace('+0000', 'Z')) < now)).toBe(
      true,
    );
    expect(new Set(stamps).size).toBeLessThan(stamps.length);
  });

  it('leaves an empty org with users and the standard price book when records is 0', () => {
    const { org } = seeded(1, 0);
    expect(rows(org, 'Account')).toHaveLength(0);
    expect(rows(org, 'User')).toHaveLength(3);
    expect(rows(org, 'Pricebook2').map((p) => p.IsStandard)).toEqual([true]);
  });
});
