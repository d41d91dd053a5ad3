import { beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../emulators/kit/clock.ts';
import { Rng } from '../../../emulators/kit/rng.ts';
import { SalesforceOrg } from '../../../emulators/salesforce/org/org.ts';
import { PACKAGE_SCHEMA } from '../../../emulators/salesforce/package-schema.ts';
import { parseCustomSchema } from '../../../emulators/salesforce/schema/custom-schema.ts';
import { Schema } from '../../../emulators/salesforce/schema/registry.ts';
import { seedBase } from '../../../emulators/salesforce/seed.ts';
import { QueryService } from '../../../emulators/salesforce/soql/query-service.ts';

/**
 * The query paths that use indexes (Id / lookup / external-id look-ups, IN lists as hash sets,
 * sorted views built by a single key) give exactly what a plain scan and a full sort give: each
 * indexed query is compared with an equivalent one that cannot use the index, before and after
 * writes that move rows in the cached views.
 */

let org: SalesforceOrg;
let queries: QueryService;
let userId: string;
const clock = new Clock();
const accounts: string[] = [];
const contacts: string[] = [];

function ids(soql: string, scanAll = false): string[] {
  const page = queries.run(soql, { scanAll, version: '62.0', userId, batchSize: 2000 });
  expect(page.done).toBe(true);
  return (page.records as Array<{ Id: string }>).map((r) => r.Id);
}

function quoted(list: string[]): string {
  return list.map((x) => `'${x}'`).join(',');
}

beforeAll(() => {
  org = new SalesforceOrg(Schema.build([parseCustomSchema(PACKAGE_SCHEMA)]), '00DAA0000000001AAA', 'AA');
  userId = seedBase(org, { username: 'u@example.com', now: clock.now() }).integrationUserId;
  queries = new QueryService(org, clock);
  const rng = new Rng(7);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 150; i++) {
    // Timestamps repeat (one per 40 s, clock steps of 0–2 ticks), so ties are broken by Id.
    const ctx = { userId, now: start + Math.floor(i / 3) * 40_000 };
    accounts.push(
      org.create(
        'Account',
        {
          Name: `${rng.next() < 0.5 ? 'acme' : 'Acme'} ${String(rng.int(0, 40)).padStart(2, '0')}`,
          Phone: rng.next() < 0.3 ? null : `555-${rng.int(100, 999)}`,
          NumberOfEmployees: rng.next() < 0.3 ? null : rng.int(0, 20),
          QBO_Id__c: rng.next() < 0.2 ? null : `Q${i}x`,
        },
        ctx,
      ),
    );
  }
  for (let i = 0; i < 220; i++) {
    const ctx = { userId, now: start + 10_000_000 + i * 1000 };
    contacts.push(
      org.create(
        'Contact',
        {
          LastName: `C${i}`,
          AccountId: rng.next() < 0.1 ? null : accounts[rng.int(0, accounts.length - 1)]!,
          Email: `c${i}@example.com`,
        },
        ctx,
      ),
    );
  }
  // Deletions, so queryAll and query differ.
  const ctx = { userId, now: start + 20_000_000 };
  for (let i = 0; i < 220; i += 9) org.delete('Contact', contacts[i]!, ctx);
  for (let i = 3; i < 150; i += 17) org.delete('Account', accounts[i]!, ctx);
});

const ORDERS = [
  'Name',
  'Name DESC',
  'Phone NULLS LAST',
  'Phone DESC NULLS FIRST',
  'Phone DESC',
  'NumberOfEmployees',
  'NumberOfEmployees DESC NULLS LAST',
  'SystemModstamp, Id',
  'SystemModstamp ASC, Id ASC',
  'CreatedDate DESC, Id DESC',
  'Id DESC',
  'QBO_Id__c',
];

function checkOrders(): void {
  for (const scanAll of [false, true]) {
    const all = ids('SELECT Id FROM Account', scanAll);
    for (const order of ORDERS) {
      // Through the cached sorted view (built by one key) ...
      const viaView = ids(`SELECT Id FROM Account ORDER BY ${order}`, scanAll);
      // ... and through the id index, which sorts the candidates with the full comparator.
      const viaSeek = ids(`SELECT Id FROM Account WHERE Id IN (${quoted(all)}) ORDER BY ${order}`, scanAll);
      expect(viaView, `${order} (queryAll: ${scanAll})`).toEqual(viaSeek);
      expect(viaView.length).toBe(all.length);
    }
  }
}

describe('indexed SOQL paths', () => {
  it('orders through sorted views exactly as the full comparator does, also after writes', () => {
    checkOrders();
    const ctx = { userId, now: Date.parse('2026-03-01T00:00:00Z') };
    org.update('Account', accounts[10]!, { Phone: null, NumberOfEmployees: 99 }, ctx);
    org.update('Account', accounts[21]!, { Name: 'AAA first', QBO_Id__c: 'q20X' }, ctx);
    org.delete('Account', accounts[30]!, ctx);
    org.create('Account', { Name: 'zz new', Phone: '555-000' }, ctx);
    checkOrders();
  });

  it('answers Id = and Id IN (15- or 18-character ids) like a scan', () => {
    const some = accounts.filter((_, i) => i % 4 === 0);
    const as15 = some.map((x, i) => (i % 2 ? x.slice(0, 15) : x));
    const orChain = some.map((x) => `Id = '${x}'`).join(' OR ');
    for (const scanAll of [false, true]) {
      expect(ids(`SELECT Id FROM Account WHERE Id IN (${quoted(as15)}) ORDER BY Name, Id`, scanAll)).toEqual(
        ids(`SELECT Id FROM Account WHERE ${orChain} ORDER BY Name, Id`, scanAll),
      );
      expect(ids(`SELECT Id FROM Account WHERE Id = '${some[1]!.slice(0, 15)}'`, scanAll)).toEqual([some[1]]);
    }
    // Deleted rows come only from queryAll; NOT IN and further conjuncts still apply.
    const deleted = accounts[3]!;
    expect(ids(`SELECT Id FROM Account WHERE Id = '${deleted}'`)).toEqual([]);
    expect(ids(`SELECT Id FROM Account WHERE Id = '${deleted}'`, true)).toEqual([deleted]);
    expect(
      ids(`SELECT Id FROM Account WHERE Id IN (${quoted(some)}) AND Phone != null ORDER BY Id`).length,
    ).toBe(ids(`SELECT Id FROM Account WHERE (${orChain}) AND Phone != null`).length);
    const notIn = ids(`SELECT Id FROM Account WHERE Id NOT IN (${quoted(some)})`);
    expect(notIn.some((x) => some.includes(x))).toBe(false);
    expect(ids(`SELECT COUNT() FROM Account WHERE Id IN (${quoted(some)})`).length).toBe(0);
    expect(
      queries.run(`SELECT COUNT() FROM Account WHERE Id IN (${quoted(some)})`, {
        scanAll: false,
        version: '62.0',
        userId,
      }).totalSize,
    ).toBe(ids(`SELECT Id FROM Account WHERE ${orChain}`).length);
  });

  it('answers lookup IN / = through the child index like a scan', () => {
    const parents = accounts.filter((_, i) => i % 3 === 0);
    const orChain = parents.map((x) => `AccountId = '${x}'`).join(' OR ');
    for (const scanAll of [false, true]) {
      expect(
        ids(
          `SELECT Id FROM Contact WHERE AccountId IN (${quoted(parents)}) ORDER BY SystemModstamp, Id`,
          scanAll,
        ),
      ).toEqual(ids(`SELECT Id FROM Contact WHERE ${orChain} ORDER BY SystemModstamp, Id`, scanAll));
      expect(ids(`SELECT Id FROM Contact WHERE AccountId = null ORDER BY Id`, scanAll)).toEqual(
        ids(`SELECT Id FROM Contact WHERE AccountId = null OR LastName = 'never' ORDER BY Id`, scanAll),
      );
    }
    // Reparenting moves a contact between parents in the index.
    const c = contacts.find((x, i) => i % 9 !== 0 && x)!;
    const to = accounts[1]!;
    org.update('Contact', c, { AccountId: to }, { userId, now: clock.now() });
    expect(ids(`SELECT Id FROM Contact WHERE AccountId = '${to}'`)).toContain(c);
  });

  it('answers external-id = / IN case-insensitively, live rows only', () => {
    expect(ids(`SELECT Id FROM Account WHERE QBO_Id__c = 'q5X'`)).toEqual(
      ids(`SELECT Id FROM Account WHERE QBO_Id__c = 'q5X' OR Name = 'never'`),
    );
    const vals = ['q1x', 'Q2X', 'q4x', 'nope', 'Q20x'];
    for (const scanAll of [false, true])
      expect(ids(`SELECT Id FROM Account WHERE QBO_Id__c IN (${quoted(vals)}) ORDER BY Id`, scanAll)).toEqual(
        ids(
          `SELECT Id FROM Account WHERE ${vals.map((v) => `QBO_Id__c = '${v}'`).join(' OR ')} ORDER BY Id`,
          scanAll,
        ),
      );
  });

  it('keeps IN on text case-insensitive and IN with null matching nulls', () => {
    expect(ids(`SELECT Id FROM Account WHERE Phone IN (null, '555-123') ORDER BY Id`)).toEqual(
      ids(`SELECT Id FROM Account WHERE Phone = null OR Phone = '555-123' ORDER BY Id`),
    );
    expect(ids(`SELECT Id FROM Account WHERE Name IN ('ACME 01', 'acme 02') ORDER BY Id`)).toEqual(
      ids(`SELECT Id FROM Account WHERE Name = 'acme 01' OR Name = 'ACME 02' ORDER BY Id`),
    );
    expect(ids(`SELECT Id FROM Account WHERE Name NOT IN ('ACME 01') ORDER BY Id`)).toEqual(
      ids(`SELECT Id FROM Account WHERE Name != 'acme 01' ORDER BY Id`),
    );
  });
});
