import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFaultSpec } from '../../emulators/kit/faults.ts';
import { parseConfig } from '../../src/config/index.ts';
import { stringifyExact as qbStringify } from '../../src/connectors/qbo/json.ts';
import { commitChunk, emptyCommit } from '../../src/engine/apply.ts';
import { exactNumber } from '../../src/engine/values.ts';
import type { QbJournalRequest } from '../../src/engine/write-qbo.ts';
import { retryErrors } from '../../src/operations/records.ts';
import type { ConnectorTuning } from '../../src/runtime/runtime.ts';
import { migrate, openStore } from '../../src/store/database.ts';
import { journalPending, pendingJournal, requestOf } from '../../src/store/journal.ts';
import { startRun } from '../../src/store/runs.ts';
import {
  advance,
  allLinks,
  engineSandbox,
  openErrors,
  qbCustomers,
  qbEdit,
  sfAccounts,
  sfEdit,
  type EngineSandbox,
} from './helpers.ts';

/**
 * Defects that halted, wedged or silently dropped work: a record with two problems in one
 * direction, a batch QuickBooks refused, a batch item QuickBooks did not answer, money through a
 * float.
 */

const SEED = 4;
const RECORDS = 40;
// One quick retry: these tests are about what a failure leaves behind, not about waiting it out.
const TUNING = { qbo: { retries: 1, backoffBaseMs: 10, backoffMaxMs: 20 } } as ConnectorTuning;

let sb: EngineSandbox | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await sb?.dispose();
  sb = undefined;
});

async function journal(s: EngineSandbox): Promise<Array<{ key: string; status: string }>> {
  return s.runtime.store.db
    .selectFrom('write_journal')
    .select(['key', 'status'])
    .orderBy('created_at')
    .execute();
}

describe('a record with two problems in one direction', () => {
  it('is one queue entry with both reasons, and the chunk commits', async () => {
    const store = await openStore({ memory: true });
    try {
      await migrate(store);
      const run = await startRun(store.db, { flows: ['customers'], mode: 'incremental', trigger: 'test' });
      const c = emptyCommit();
      const base = {
        flow: 'customers',
        direction: 'sf->qb' as const,
        sfId: '001000000000001AAA',
        qbId: '42',
        runId: run.id,
      };
      c.errors.push({
        ...base,
        kind: 'prerequisite',
        code: 'unresolved-lookup',
        message: 'parent not linked',
      });
      c.errors.push({
        ...base,
        kind: 'validation',
        code: 'too-long',
        message: 'email too long',
        details: { max: 100 },
      });
      c.outcomes.push({ ...base, action: 'held', reason: 'x' });
      await commitChunk(store.db, 'customers', run.id, c);

      const rows = await store.db.selectFrom('errors').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ kind: 'validation', code: 'unresolved-lookup, too-long' });
      expect(rows[0]!.message).toBe('parent not linked; email too long');
      expect(rows[0]!.details).toEqual({
        problems: [
          { kind: 'prerequisite', code: 'unresolved-lookup', message: 'parent not linked' },
          { kind: 'validation', code: 'too-long', message: 'email too long', details: { max: 100 } },
        ],
      });
      expect(await store.db.selectFrom('outcomes').selectAll().execute()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('does not halt the flow: an unlinked parent and a phone too long for QuickBooks', async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS });
    await sb.sync();
    const linkedSf = new Set((await allLinks(sb)).map((l) => l.sf_id));
    const accounts = sfAccounts(sb.salesforce);
    const unlinked = accounts.find((a) => !linkedSf.has(a.Id))!;
    const child = accounts.find((a) => linkedSf.has(a.Id) && !a.ParentId)!;
    expect(unlinked && child).toBeTruthy();

    advance(sb, 5000);
    sfEdit(sb.salesforce, child.Id, {
      ParentId: unlinked.Id,
      Phone: '+1 (555) 010-0000 ext. 1234567890123',
    });
    const second = await sb.sync();
    expect(second.status).toBe('succeeded');
    expect(second.flows[0]!.counts['sf->qb held']).toBe(2);
    const mine = (await openErrors(sb)).filter((e) => e.sf_id === child.Id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.direction).toBe('sf->qb');
    expect((mine[0]!.details as { problems: unknown[] }).problems).toHaveLength(2);
    // And the next run is not halted either.
    expect((await sb.sync()).status).toBe('succeeded');
  });
});

describe('a batch QuickBooks refuses as a whole', () => {
  it('is abandoned and queued, not replayed forever; a retry plans it afresh', async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS, tuning: TUNING });
    await sb.sync();
    const [a, b] = await allLinks(sb);
    advance(sb, 5000);
    sfEdit(sb.salesforce, a!.sf_id, { Description: 'edited in Salesforce' });
    const [rule] = sb.qbo.kit.faults.add(parseFaultSpec('action=400,method=POST,path=*/batch'));

    const second = await sb.sync();
    expect(second.status).toBe('partial');
    expect(second.flows[0]!.counts['sf->qb failed']).toBe(1);
    const refused = (await journal(sb)).at(-1)!;
    expect(refused.status).toBe('abandoned');
    const errors = (await openErrors(sb)).filter((e) => e.sf_id === a!.sf_id);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'validation', direction: 'sf->qb', qb_id: a!.qb_id });
    expect(errors[0]!.message).toMatch(/refused the whole batch \(HTTP 400\).*6000/);

    // The next runs are not wedged: a QuickBooks-side edit reaches Salesforce.
    advance(sb, 5000);
    qbEdit(sb.qbo, b!.qb_id, { Notes: 'edited in QuickBooks' });
    const third = await sb.sync();
    expect(third.flows[0]!.recovered.batches).toBe(0);
    expect(sfAccounts(sb.salesforce).find((x) => x.Id === b!.sf_id)?.Description).toBe(
      'edited in QuickBooks',
    );

    // Once QuickBooks takes it again, a retry sends the record under a new request id.
    sb.qbo.kit.faults.remove(rule!.id);
    const [retried] = await retryErrors(sb.runtime, { ids: [String(errors[0]!.id)], trigger: 'test' });
    expect(retried!.status).toBe('succeeded');
    expect(qbCustomers(sb.qbo).find((c) => c.Id === a!.qb_id)?.Notes).toBe('edited in Salesforce');
    const after = await journal(sb);
    expect(after.find((j) => j.key === refused.key)?.status).toBe('abandoned');
    expect(after.at(-1)!.key).not.toBe(refused.key);
    expect(after.at(-1)!.status).toBe('applied');
    expect((await openErrors(sb)).filter((e) => e.sf_id === a!.sf_id)).toHaveLength(0);
  });

  it('refused on replay: abandoned with its records queued, and the run goes on', async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS, tuning: TUNING });
    await sb.sync();
    const [a, b] = await allLinks(sb);
    advance(sb, 5000);
    sfEdit(sb.salesforce, a!.sf_id, { Description: 'edited in Salesforce' });
    // Outcome unknown (5xx after the retry): the entry stays pending for the next run to replay.
    const [unknown] = sb.qbo.kit.faults.add(parseFaultSpec('action=500,method=POST,path=*/batch'));
    await sb.sync();
    const pending = (await journal(sb)).at(-1)!;
    expect(pending.status).toBe('pending');

    sb.qbo.kit.faults.remove(unknown!.id);
    sb.qbo.kit.faults.add(parseFaultSpec('action=400,method=POST,path=*/batch'));
    advance(sb, 5000);
    qbEdit(sb.qbo, b!.qb_id, { Notes: 'edited in QuickBooks' });
    const next = await sb.sync();
    expect(next.flows[0]!.status).not.toBe('resumable');
    expect((await journal(sb)).find((j) => j.key === pending.key)?.status).toBe('abandoned');
    const errors = (await openErrors(sb)).filter((e) => e.sf_id === a!.sf_id);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'validation', direction: 'sf->qb' });
    expect(errors[0]!.message).toMatch(/refused the whole batch/);
    expect(sfAccounts(sb.salesforce).find((x) => x.Id === b!.sf_id)?.Description).toBe(
      'edited in QuickBooks',
    );
  });

  it('a replay that fails transiently stays pending and stops the run as resumable', async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS, tuning: TUNING });
    await sb.sync();
    const [a] = await allLinks(sb);
    advance(sb, 5000);
    sfEdit(sb.salesforce, a!.sf_id, { Description: 'edited in Salesforce' });
    const [rule] = sb.qbo.kit.faults.add(parseFaultSpec('action=503,method=POST,path=*/batch'));
    await sb.sync();
    const pending = (await journal(sb)).at(-1)!;
    expect(pending.status).toBe('pending');

    const stopped = await sb.sync();
    expect(stopped.status).toBe('resumable');
    expect(stopped.flows[0]!.status).toBe('resumable');
    expect((await journal(sb)).find((j) => j.key === pending.key)?.status).toBe('pending');

    sb.qbo.kit.faults.remove(rule!.id);
    const resumed = await sb.sync();
    expect(resumed.flows[0]!.recovered.batches).toBe(1);
    expect((await journal(sb)).find((j) => j.key === pending.key)?.status).toBe('applied');
    expect(qbCustomers(sb.qbo).find((c) => c.Id === a!.qb_id)?.Notes).toBe('edited in Salesforce');
  });
});

const CREATE_BOTH_WAYS = parseConfig(
  `flows:
  - name: customers
    extends: baseline/customer-account
    createMissing: { toQuickbooks: true, toSalesforce: true }
`,
  'ledgerbridge.yaml',
);

/** Lets fetch through, but drops one create's item from the first QuickBooks batch answer that has one. */
function dropOneBatchAnswer(qboUrl: string): { dropped: () => string | null } {
  const real = globalThis.fetch.bind(globalThis);
  let dropped: string | null = null;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const res = await real(input, init);
    if (dropped || !url.startsWith(qboUrl) || !/\/batch\?/.test(url) || typeof init?.body !== 'string')
      return res;
    const request = JSON.parse(init.body) as {
      BatchItemRequest: Array<{ bId: string; operation: string; Customer?: { DisplayName?: string } }>;
    };
    const create = request.BatchItemRequest.find((i) => i.operation === 'create');
    if (!create || res.status !== 200) return res;
    const answer = (await res.json()) as { BatchItemResponse: Array<{ bId: string }> };
    answer.BatchItemResponse = answer.BatchItemResponse.filter((r) => r.bId !== create.bId);
    dropped = create.Customer?.DisplayName ?? create.bId;
    return new Response(JSON.stringify(answer), { status: 200, headers: res.headers });
  });
  return { dropped: () => dropped };
}

describe('a batch item QuickBooks did not answer', () => {
  it('is replayed with the same request id next run, so a create that happened gets its link', async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS, config: CREATE_BOTH_WAYS });
    await sb.sync();
    advance(sb, 5000);
    const sfId = sb.salesforce.org.create('Account', { Name: 'Answerless Trading Ltd' });
    const spy = dropOneBatchAnswer(sb.qbo.url);

    const first = await sb.sync();
    expect(spy.dropped()).toBe('Answerless Trading Ltd');
    vi.restoreAllMocks();
    // QuickBooks created it; we do not know that yet.
    expect(qbCustomers(sb.qbo).filter((c) => c.DisplayName === 'Answerless Trading Ltd')).toHaveLength(1);
    expect(first.flows[0]!.counts['sf->qb failed']).toBe(1);
    const errors = (await openErrors(sb)).filter((e) => e.sf_id === sfId);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'transient', code: 'NO_ANSWER' });
    expect((await journal(sb)).at(-1)!.status).toBe('pending');
    expect((await allLinks(sb)).some((l) => l.sf_id === sfId)).toBe(false);

    const second = await sb.sync();
    expect(second.flows[0]!.recovered).toMatchObject({ batches: 1, created: 1 });
    const created = qbCustomers(sb.qbo).filter((c) => c.DisplayName === 'Answerless Trading Ltd');
    expect(created).toHaveLength(1);
    const link = (await allLinks(sb)).find((l) => l.sf_id === sfId);
    expect(link?.qb_id).toBe(created[0]!.Id);
    expect((await journal(sb)).filter((j) => j.status === 'pending')).toHaveLength(0);
    expect(sfAccounts(sb.salesforce).find((x) => x.Id === sfId)?.QBO_Id__c).toBe(created[0]!.Id);
  });
});

describe('money', () => {
  it('the journal gives back a request byte for byte, amounts included', async () => {
    const store = await openStore({ memory: true });
    try {
      await migrate(store);
      const request: QbJournalRequest = {
        entity: 'Customer',
        items: [
          {
            bId: 'b0',
            operation: 'create',
            entity: 'Customer',
            body: {
              DisplayName: 'Exact Ltd',
              Balance: exactNumber('1234567890123456.78'),
              Other: exactNumber('2634.80'),
              Big: exactNumber('1e5'),
              Count: 3,
            },
          },
        ],
      };
      const sent = qbStringify(request);
      expect(sent).toContain('"Balance":1234567890123456.78');
      await journalPending(store.db, {
        key: 'k1',
        flow: 'customers',
        target: 'qb',
        request,
        items: [],
        runId: null,
      });
      const [entry] = await pendingJournal<QbJournalRequest>(store.db, 'customers');
      expect(qbStringify(entry!.request)).toBe(sent);
      // Rows written before requests were kept as text still read back as they were stored.
      expect(requestOf({ entity: 'Customer', items: [] })).toEqual({ entity: 'Customer', items: [] });
    } finally {
      await store.close();
    }
  });

  it('an 18-digit balance crosses both ways exactly', async () => {
    const config = parseConfig(
      `flows:
  - name: customers
    extends: baseline/customer-account
    createMissing: { toQuickbooks: true, toSalesforce: true }
    omitFields: [QB_Balance__c]
    fields:
      - { sf: Opening_Balance__c, qb: Balance, direction: sf->qb, onCreateOnly: true }
      - { sf: Big_Balance__c, qb: Balance, direction: qb->sf }
`,
      'ledgerbridge.yaml',
    );
    sb = await engineSandbox('pglite', {
      seed: SEED,
      records: RECORDS,
      config,
      salesforceOptions: {
        schema: {
          fields: {
            Account: {
              Opening_Balance__c: { type: 'currency', precision: 18, scale: 2 },
              Big_Balance__c: { type: 'currency', precision: 18, scale: 2 },
            },
          },
        },
      },
    });
    await sb.sync();

    // Salesforce → QuickBooks: a new account's balance is the new customer's opening balance.
    advance(sb, 5000);
    const real = globalThis.fetch.bind(globalThis);
    const batches: string[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith(sb!.qbo.url) && /\/batch\?/.test(url) && typeof init?.body === 'string')
        batches.push(init.body);
      return real(input, init);
    });
    sb.salesforce.org.create('Account', {
      Name: 'Exact Amounts Ltd',
      Opening_Balance__c: '1234567890123456.78',
    });
    await sb.sync();
    vi.restoreAllMocks();
    const sent = batches.find((b) => b.includes('Exact Amounts Ltd'));
    expect(sent).toContain('"Balance":1234567890123456.78');
    // What the journal holds is what was sent, to the byte.
    const rows = await sb.runtime.store.db.selectFrom('write_journal').select('request').execute();
    const replays = rows.map((r) => {
      const req = requestOf(r.request) as QbJournalRequest;
      return qbStringify({
        BatchItemRequest: req.items.map((i) => ({ bId: i.bId, operation: i.operation, [i.entity]: i.body })),
      });
    });
    expect(replays).toContain(sent);

    // QuickBooks → Salesforce: 17 digits, the most a QuickBooks amount holds (under 10^15, cents).
    const [a] = await allLinks(sb);
    advance(sb, 5000);
    qbEdit(sb.qbo, a!.qb_id, { Balance: '999999999999999.99' });
    await sb.sync();
    expect(sb.salesforce.org.find('Account', a!.sf_id)?.Big_Balance__c).toBe('999999999999999.99');
  });
});
