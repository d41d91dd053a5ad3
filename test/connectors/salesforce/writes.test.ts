import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AmbiguousWriteError, ConnectorError } from '../../../src/connectors/errors.ts';
import {
  completedResults,
  type SalesforceConnectorWithIdentity,
  type SfRecord,
} from '../../../src/connectors/salesforce/index.ts';
import { countOf, harness, pages, type Harness } from './helpers.ts';

let h: Harness;
let c: SalesforceConnectorWithIdentity;

beforeAll(async () => {
  h = await harness({ records: 10 });
  await h.saveConnection();
  c = await h.connector();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await fetch(`${h.emu.url}/__emulator/faults`, { method: 'DELETE' });
  await h.resetCalls();
  c.stats.reset();
  h.sleeps.length = 0;
});

async function accountsWithKeyPrefix(prefix: string): Promise<SfRecord[]> {
  return (
    await pages(c.query(`SELECT Id, Name, QBO_Id__c FROM Account WHERE QBO_Id__c LIKE '${prefix}%'`))
  ).flat();
}

describe('composite writes', () => {
  it('upserts 450 records in 3 calls on the external id, then matches them on a second run', async () => {
    const records = Array.from({ length: 450 }, (_, k) => ({ QBO_Id__c: `UP-${k}`, Name: `Upsert Co ${k}` }));
    const first = await c.upsert('Account', 'QBO_Id__c', records);
    expect(first).toHaveLength(450);
    expect(first.every((r) => r.success && r.created === true && r.id)).toBe(true);
    expect(c.stats.snapshot()['PATCH composite/sobjects upsert']).toBe(3);
    expect(c.stats.total).toBe(3);
    const calls = await h.calls();
    expect(countOf(calls, 'PATCH', 'composite/sobjects')).toBe(3);
    expect(calls.total).toBe(3);

    const again = await c.upsert(
      'Account',
      'QBO_Id__c',
      records.map((r) => ({ ...r, Name: `${r.Name} (renamed)` })),
    );
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(again.every((r) => r.success && r.created === false)).toBe(true);
    const stored = await accountsWithKeyPrefix('UP-');
    expect(stored).toHaveLength(450);
    expect(stored.every((r) => String(r.Name).endsWith('(renamed)'))).toBe(true);
  });

  it('returns record-level errors in input order instead of throwing', async () => {
    await c.upsert('Account', 'QBO_Id__c', [{ QBO_Id__c: 'DUP-1', Name: 'Taken' }]);
    const created = await c.create('Account', [
      { Name: 'Fine 1' },
      { Name: 'Copy', QBO_Id__c: 'DUP-1' },
      { Description: 'no name' },
      { Name: 'Fine 2' },
    ]);
    expect(created.map((r) => r.success)).toEqual([true, false, false, true]);
    expect(created[1]!.errors[0]).toMatchObject({ statusCode: 'DUPLICATE_VALUE', fields: ['QBO_Id__c'] });
    expect(created[1]!.id).toBeNull();
    expect(created[2]!.errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });

    const upserted = await c.upsert('Account', 'QBO_Id__c', [
      { QBO_Id__c: 'REQ-1', Description: 'no name' },
      { Name: 'no key' },
    ]);
    expect(upserted[0]!.errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
    // A record without its external id is answered locally: it could never be matched.
    expect(upserted[1]!.errors[0]).toMatchObject({
      statusCode: 'REQUIRED_FIELD_MISSING',
      fields: ['QBO_Id__c'],
    });
    expect(c.stats.snapshot()['PATCH composite/sobjects upsert']).toBe(2);
  });

  it('updates and deletes by id, 200 per call', async () => {
    const made = await c.create(
      'Account',
      Array.from({ length: 250 }, (_, k) => ({ Name: `Temp ${k}` })),
    );
    const ids = made.map((r) => r.id!);
    c.stats.reset();
    const updated = await c.update(
      'Account',
      ids.map((Id) => ({ Id, Phone: '555-0100' })),
    );
    expect(updated.every((r) => r.success)).toBe(true);
    expect(c.stats.snapshot()['PATCH composite/sobjects']).toBe(2);
    const deleted = await c.destroy([...ids, '001000000000000AAA']);
    expect(deleted.slice(0, 250).every((r) => r.success)).toBe(true);
    expect(deleted[250]!.success).toBe(false);
    expect(c.stats.snapshot()['DELETE composite/sobjects']).toBe(2);
    const left = await c.retrieve({ object: 'Account', ids, fields: ['Name'] });
    expect(left).toEqual([]);
  });
});

describe('transient failures', () => {
  it('retries 503 and 500 on reads and idempotent writes', async () => {
    await h.fault({ action: '503', path: '*/query', times: 2 });
    const rows = (await pages(c.query('SELECT Id FROM Account LIMIT 5'))).flat();
    expect(rows).toHaveLength(5);
    expect(c.stats.snapshot()['GET query']).toBe(3);
    expect(h.sleeps).toHaveLength(2);
    expect(h.sleeps[1]!).toBeGreaterThanOrEqual(h.sleeps[0]! / 2);

    await h.fault({ action: '500', method: 'PATCH', times: 1 });
    const res = await c.upsert('Account', 'QBO_Id__c', [{ QBO_Id__c: 'RETRY-500', Name: 'Retried' }]);
    expect(res[0]!.success).toBe(true);
    expect(c.stats.snapshot()['PATCH composite/sobjects upsert']).toBe(2);
    expect(await accountsWithKeyPrefix('RETRY-500')).toHaveLength(1);
  });

  it('gives up after the configured retries with a transient ConnectorError', async () => {
    const fragile = await h.connector({ retries: 2 });
    await h.fault({ action: '503', path: '*/query' });
    const err = await pages(fragile.query('SELECT Id FROM Account LIMIT 1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ status: 503, transient: true });
    expect(fragile.stats.snapshot()['GET query']).toBe(3);
  });

  it('does not repeat a create whose answer was lost, and says the outcome is unknown', async () => {
    await h.fault({ action: 'drop-response', method: 'POST', path: '*/composite/sobjects', times: 1 });
    const err = await c
      .create('Account', [{ Name: 'Lost Answer 1' }, { Name: 'Lost Answer 2' }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(c.stats.snapshot()['POST composite/sobjects']).toBe(1);
    expect(countOf(await h.calls(), 'POST', 'composite/sobjects')).toBe(1);
    // Salesforce did save them: a retry would have duplicated both.
    const saved = (await pages(c.query("SELECT Id FROM Account WHERE Name LIKE 'Lost Answer%'"))).flat();
    expect(saved).toHaveLength(2);
  });

  it('calls a create that timed out ambiguous, and repeats a read that timed out', async () => {
    const impatient = await h.connector({ timeoutMs: 300 });
    await h.fault({ action: 'delay:1500', method: 'POST', path: '*/composite/sobjects', times: 1 });
    const err = await impatient.create('Account', [{ Name: 'Slow Answer' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    expect(impatient.stats.snapshot()['POST composite/sobjects']).toBe(1);

    await h.fault({ action: 'delay:1500', path: '*/query', times: 1 });
    expect((await pages(impatient.query('SELECT Id FROM Account LIMIT 2'))).flat()).toHaveLength(2);
    expect(impatient.stats.snapshot()['GET query']).toBe(2);
  });

  it('keeps the results of the calls that completed when a later create call is ambiguous', async () => {
    await h.fault({
      action: 'drop-response',
      method: 'POST',
      path: '*/composite/sobjects',
      after: 1,
      times: 1,
    });
    const err = await c
      .create(
        'Account',
        Array.from({ length: 300 }, (_, k) => ({ Name: `Partial ${k}` })),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    const done = completedResults(err)!;
    expect(done).toHaveLength(200);
    expect(done.every((r) => r.success && r.id)).toBe(true);
  });

  it('retries an upsert whose answer was lost, and the record exists once', async () => {
    await h.fault({
      action: 'drop-response',
      method: 'PATCH',
      path: '*/composite/sobjects/Account/QBO_Id__c',
      times: 1,
    });
    const res = await c.upsert('Account', 'QBO_Id__c', [
      { QBO_Id__c: 'DROP-1', Name: 'Dropped 1' },
      { QBO_Id__c: 'DROP-2', Name: 'Dropped 2' },
    ]);
    expect(res.every((r) => r.success)).toBe(true);
    // The first attempt created them; the repeat matched them.
    expect(res.every((r) => r.created === false)).toBe(true);
    expect(c.stats.snapshot()['PATCH composite/sobjects upsert']).toBe(2);
    const stored = await accountsWithKeyPrefix('DROP-');
    expect(stored.map((r) => r.QBO_Id__c).sort()).toEqual(['DROP-1', 'DROP-2']);
    expect(stored.map((r) => r.Id).sort()).toEqual(res.map((r) => r.id).sort());
  });

  it('repeats a delete whose answer was lost and counts "already deleted" as done', async () => {
    const ids = (await c.create('Account', [{ Name: 'Gone 1' }, { Name: 'Gone 2' }])).map((r) => r.id!);
    await h.fault({ action: 'drop-response', method: 'DELETE', path: '*/composite/sobjects', times: 1 });
    const res = await c.destroy(ids);
    expect(res).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(c.stats.snapshot()['DELETE composite/sobjects']).toBe(2);
  });
});
