import { Decimal } from 'decimal.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SalesforceConnectorWithIdentity, SfRecord } from '../../../src/connectors/salesforce/index.ts';
import { countOf, harness, pages, type Harness } from './helpers.ts';

let h: Harness;
let c: SalesforceConnectorWithIdentity;

beforeAll(async () => {
  h = await harness({ records: 20 });
  await h.saveConnection();
  c = await h.connector();
});
afterAll(async () => {
  vi.useRealTimers();
  await h.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Freezes the process clock at the present (the in-process emulator stamps records with it, plus
 * its own offset), and returns the emulator's now.
 */
async function freeze(): Promise<Date> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now());
  return h.now();
}

async function createAccounts(n: number, prefix: string): Promise<string[]> {
  const results = await c.create(
    'Account',
    Array.from({ length: n }, (_, k) => ({ Name: `${prefix} ${k}` })),
  );
  expect(results.every((r) => r.success)).toBe(true);
  return results.map((r) => r.id!);
}

function key(r: SfRecord): string {
  return `${r.SystemModstamp}|${r.Id}`;
}

describe('readChanges', () => {
  const created: string[] = [];
  let start = 0;

  it('reads > 4,000 records sharing two SystemModstamp seconds with no loss and no repeat', async () => {
    start = (await freeze()).getTime();
    created.push(...(await createAccounts(2_100, 'Bulk A')));
    vi.setSystemTime(Date.now() + 1_000);
    created.push(...(await createAccounts(2_100, 'Bulk B')));
    vi.useRealTimers();

    const before = c.stats.snapshot();
    const got = await pages(
      c.readChanges({
        object: 'Account',
        fields: ['Name'],
        since: new Date(start).toISOString(),
        overlapSeconds: 0,
      }),
    );
    const records = got.flat();
    expect(got.map((p) => p.length)).toEqual([2000, 2000, 200]);
    expect(records).toHaveLength(4_200);
    expect(new Set(records.map((r) => r.Id)).size).toBe(4_200);
    expect(new Set(records.map((r) => r.Id))).toEqual(new Set(created));
    // Pages break inside a group of records that share one second.
    expect(records[1999]!.SystemModstamp).toBe(records[2000]!.SystemModstamp);
    const keys = records.map(key);
    expect([...keys].sort()).toEqual(keys);
    // One query and two follow-ups: 2,000 records a call.
    expect((c.stats.snapshot()['GET query'] ?? 0) - (before['GET query'] ?? 0)).toBe(1);
    expect((c.stats.snapshot()['GET query more'] ?? 0) - (before['GET query more'] ?? 0)).toBe(2);
  });

  it('resumes after the last record read when the query cursor expires mid-read', async () => {
    const seen: string[] = [];
    let n = 0;
    const queriesBefore = c.stats.snapshot()['GET query'] ?? 0;
    for await (const page of c.readChanges({
      object: 'Account',
      fields: ['Name'],
      since: new Date(start).toISOString(),
      overlapSeconds: 0,
    })) {
      seen.push(...page.map((r) => r.Id));
      // Idle longer than the 15 minutes a cursor lives: its locator is gone.
      if (++n === 1) await h.advance(16 * 60_000);
    }
    expect(seen).toHaveLength(4_200);
    expect(new Set(seen)).toEqual(new Set(created));
    // The first query, then a fresh one from the last record read (keyset) after INVALID_QUERY_LOCATOR.
    expect((c.stats.snapshot()['GET query'] ?? 0) - queriesBefore).toBe(2);
  });

  it('reads from `since` minus the overlap window', async () => {
    const [early] = await createAccounts(1, 'Overlap early');
    await h.advance(100_000);
    const [late] = await createAccounts(1, 'Overlap late');
    const stamps = await c.retrieve({ object: 'Account', ids: [early!, late!], fields: ['SystemModstamp'] });
    const tE = Date.parse(stamps[0]!.SystemModstamp!.replace('+0000', 'Z'));
    expect(Date.parse(stamps[1]!.SystemModstamp!.replace('+0000', 'Z')) - tE).toBeGreaterThanOrEqual(100_000);
    const read = async (since: number, overlapSeconds?: number) =>
      (
        await pages(
          c.readChanges({
            object: 'Account',
            fields: ['Name'],
            since: new Date(since).toISOString(),
            where: "Name LIKE 'Overlap%'",
            ...(overlapSeconds !== undefined ? { overlapSeconds } : {}),
          }),
        )
      )
        .flat()
        .map((r) => r.Id);
    // The default overlap is 60 s; the window's lower bound is inclusive.
    expect(await read(tE + 130_000)).toEqual([late]);
    expect(await read(tE + 130_000, 0)).toEqual([]);
    expect(await read(tE + 30_000)).toEqual([early, late]);
    expect(await read(tE + 30_000, 0)).toEqual([late]);
    expect(await read(tE + 130_000, 130)).toEqual([early, late]);
    // SOQL compares whole seconds: the bound is rounded down, so the window never gets narrower.
    expect(await read(tE + 130_500, 130)).toEqual([early, late]);
    expect(await read(tE + 131_000, 130)).toEqual([late]);
  });

  it('includes deleted records (IsDeleted = true) only when asked, and lists them in the delete log', async () => {
    const victims = created.slice(0, 3);
    const res = await c.destroy(victims);
    expect(res.every((r) => r.success)).toBe(true);
    const since = new Date(start).toISOString();
    const live = (
      await pages(c.readChanges({ object: 'Account', fields: ['Name'], since, overlapSeconds: 0 }))
    ).flat();
    expect(live.map((r) => r.Id)).not.toContain(victims[0]);
    const all = (
      await pages(
        c.readChanges({
          object: 'Account',
          fields: ['Name'],
          since,
          overlapSeconds: 0,
          includeDeleted: true,
        }),
      )
    ).flat();
    const deleted = all.filter((r) => r.IsDeleted === true).map((r) => r.Id);
    expect(deleted.sort()).toEqual([...victims].sort());
    expect(all).toHaveLength(live.length + 3);
    expect(c.stats.snapshot()['GET queryAll']).toBeGreaterThanOrEqual(1);

    // The delete log covers the whole minutes that have passed.
    const now = await h.advance(2 * 60_000);
    const log = await c.deleted('Account', new Date(now.getTime() - 10 * 60_000), now);
    expect(log.map((d) => d.id).sort()).toEqual([...victims].sort());
    expect(log.every((d) => Number.isFinite(Date.parse(d.deletedDate.replace('+0000', 'Z'))))).toBe(true);
  });
});

describe('related records and parents', () => {
  let accountId = '';
  let lonelyId = '';
  let firstContact = '';
  let secondContact = '';
  let mark = 0;

  it('attaches the first-created or last-modified child, or null', async () => {
    const t = (await h.now()).getTime();
    [accountId, lonelyId] = (await c.create('Account', [{ Name: 'Parent Co' }, { Name: 'Lonely Co' }])).map(
      (r) => r.id!,
    ) as [string, string];
    [firstContact] = (await c.create('Contact', [{ LastName: 'First', AccountId: accountId }])).map(
      (r) => r.id!,
    ) as [string];
    await h.advance(5_000);
    [secondContact] = (await c.create('Contact', [{ LastName: 'Second', AccountId: accountId }])).map(
      (r) => r.id!,
    ) as [string];
    mark = (await h.advance(5_000)).getTime();
    expect((await c.update('Contact', [{ Id: firstContact, Title: 'Boss' }]))[0]!.success).toBe(true);

    const related = (pick: 'first-created' | 'last-modified') => [
      {
        name: 'PrimaryContact',
        object: 'Contact',
        relationship: 'Contacts',
        parentField: 'AccountId',
        fields: ['LastName', 'Title'],
        pick,
      },
    ];
    const read = async (pick: 'first-created' | 'last-modified') =>
      (
        await pages(
          c.readChanges({
            object: 'Account',
            fields: ['Name'],
            since: new Date(t).toISOString(),
            overlapSeconds: 0,
            related: related(pick),
          }),
        )
      ).flat();
    const first = await read('first-created');
    const parent = first.find((r) => r.Id === accountId)!;
    expect(parent.PrimaryContact).toMatchObject({ Id: firstContact, LastName: 'First', Title: 'Boss' });
    expect(parent).not.toHaveProperty('Contacts');
    expect(first.find((r) => r.Id === lonelyId)!.PrimaryContact).toBeNull();

    // Touch the second contact last: it becomes the last-modified one.
    await h.advance(5_000);
    await c.update('Contact', [{ Id: secondContact, Title: 'Newest' }]);
    const last = await read('last-modified');
    expect(last.find((r) => r.Id === accountId)!.PrimaryContact).toMatchObject({
      Id: secondContact,
      Title: 'Newest',
    });

    const byId = await c.retrieve({
      object: 'Account',
      ids: [lonelyId, accountId],
      fields: ['Name'],
      related: related('first-created'),
    });
    expect(byId.map((r) => r.Id)).toEqual([lonelyId, accountId]);
    expect(byId[1]!.PrimaryContact).toMatchObject({ Id: firstContact });
  });

  it('lists the parents whose children changed', async () => {
    const parents = await c.changedParents({
      object: 'Contact',
      parentField: 'AccountId',
      since: new Date(mark).toISOString(),
      overlapSeconds: 0,
    });
    expect(parents).toEqual([accountId]);
    // Both children changed since then: their parent is listed once.
    expect(
      await c.changedParents({
        object: 'Contact',
        parentField: 'AccountId',
        since: new Date(mark - 9_000).toISOString(),
        overlapSeconds: 0,
      }),
    ).toEqual([accountId]);
  });
});

describe('retrieve and describe', () => {
  it('looks up 1,300 ids in one sObject Collections call, in input order, leaving out unknown ids', async () => {
    const ids = (await createAccounts(1_300, 'Lookup')).reverse();
    const unknown = `${ids[0]!.slice(0, 9)}ZZZZZZ`;
    await h.resetCalls();
    const before = c.stats.total;
    const recs = await c.retrieve({ object: 'Account', ids: [...ids, unknown], fields: ['Name'] });
    expect(recs.map((r) => r.Id)).toEqual(ids);
    expect(c.stats.total - before).toBe(1);
    expect((await h.calls()).total).toBe(1);

    // With a child subquery SOQL is needed: as many ids per query as a URL holds.
    const before2 = c.stats.snapshot()['GET query'] ?? 0;
    const withRelated = await c.retrieve({
      object: 'Account',
      ids,
      fields: ['Name'],
      related: [
        {
          name: 'PrimaryContact',
          object: 'Contact',
          relationship: 'Contacts',
          parentField: 'AccountId',
          fields: ['LastName'],
          pick: 'first-created',
        },
      ],
    });
    expect(withRelated.map((r) => r.Id)).toEqual(ids);
    const queries = (c.stats.snapshot()['GET query'] ?? 0) - before2;
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(queries).toBeLessThanOrEqual(3);
  });

  it('caches describe per connector', async () => {
    await h.resetCalls();
    const [a, b] = await Promise.all([c.describe('Account'), c.describe('account')]);
    expect(a.name).toBe('Account');
    expect(b).toBe(a);
    expect(a.fields.some((f) => f.name === 'QBO_Id__c' && f.externalId)).toBe(true);
    expect(countOf(await h.calls(), 'GET', 'describe')).toBe(1);
  });

  it('keeps money exact both ways (no binary floats)', async () => {
    const amount = '98765432109876.54'; // 16 digits: a double cannot hold it
    expect(String(Number(amount))).not.toBe(amount);
    const [res] = await c.upsert('Account', 'QBO_Id__c', [
      { QBO_Id__c: 'EXACT-1', Name: 'Exact Co', QB_Balance__c: new Decimal(amount) },
    ]);
    expect(res!.success).toBe(true);
    const [rec] = await c.retrieve({
      object: 'Account',
      ids: [res!.id!],
      fields: ['QB_Balance__c', 'NumberOfEmployees'],
    });
    expect(rec!.QB_Balance__c).toBe(amount);
  });

  it('runs any SOQL page by page', async () => {
    const rows = await pages(
      c.query<SfRecord & { Name: string }>("SELECT Id, Name FROM Account WHERE Name LIKE 'Bulk A%'", {
        batchSize: 500,
      }),
    );
    expect(rows.map((p) => p.length)).toEqual([500, 500, 500, 500, 97]);
    expect(rows.flat().every((r) => r.Name.startsWith('Bulk A') && !('attributes' in r))).toBe(true);
  });
});
