import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type LedgerbridgeConfig } from '../../src/config/index.ts';
import type { PlannedChange } from '../../src/engine/run-flow.ts';
import { getCursors } from '../../src/store/cursors.ts';
import { listOutcomes } from '../../src/store/outcomes.ts';
import type { LinkRow } from '../../src/store/schema.ts';
import { listUnmatched } from '../../src/store/unmatched.ts';
import { STORE_KINDS } from '../helpers/stores.ts';
import {
  advance,
  allLinks,
  callMark,
  duplicates,
  engineSandbox,
  openErrors,
  qbCustomers,
  qbEdit,
  seedTruth,
  sfAccounts,
  sfContacts,
  sfEdit,
  writeCounts,
  writesAfter,
  type EngineSandbox,
  type Truth,
} from './helpers.ts';

const SEED = 1;
const RECORDS = 200;

/** The baseline flow with extra YAML under it (indented as flow keys). */
function variant(extra: string, file = 'ledgerbridge.yaml'): LedgerbridgeConfig {
  return parseConfig(`flows:\n  - name: customers\n    extends: baseline/customer-account\n${extra}`, file);
}

const configWith = (conflict: string) => variant(`    conflict: ${conflict}\n`, `conflict-${conflict}.yaml`);

// The contact's last name without the pack's fallback to the display name: a QuickBooks customer
// with no family name then lacks a field Salesforce requires (Contact.LastName).
const STRICT = variant(`    fields:\n      - { sf: contact.LastName, qb: FamilyName, truncate: true }\n`);

const SF_PHONE = '(212) 555-0101';
const QB_PHONE = '(212) 555-0202';

/** Salesforce edits first, QuickBooks two seconds later (or the other way round). */
function bothEdit(sb: EngineSandbox, link: LinkRow, later: 'salesforce' | 'quickbooks'): void {
  const sf = () => sfEdit(sb.salesforce, link.sf_id, { Phone: SF_PHONE });
  const qb = () => qbEdit(sb.qbo, link.qb_id, { PrimaryPhone: { FreeFormNumber: QB_PHONE } });
  advance(sb, 2000);
  if (later === 'quickbooks') sf();
  else qb();
  advance(sb, 2000);
  if (later === 'quickbooks') qb();
  else sf();
}

function phones(sb: EngineSandbox, link: LinkRow): { sf: string | null; qb: string | undefined } {
  return {
    sf: sfAccounts(sb.salesforce).find((a) => a.Id === link.sf_id)!.Phone,
    qb: qbCustomers(sb.qbo).find((c) => c.Id === link.qb_id)!.PrimaryPhone?.FreeFormNumber,
  };
}

async function conflictOutcomes(sb: EngineSandbox, runId: number) {
  return (await listOutcomes(sb.runtime.store.db, { runId, limit: 10_000 })).filter(
    (o) => o.action === 'conflict',
  );
}

/**
 * One user's life with the baseline flow, on one sandbox per store: the dry run and the first sync
 * on the overlapping seed, the runs after it, edits on both sides, conflicts under each policy, a
 * bad configuration and bad records. Tests run in order and share the sandbox (each picks its own
 * records).
 */
describe.each(STORE_KINDS)('the baseline flow from the first sync on (%s)', (kind) => {
  let sb: EngineSandbox;
  let truth: Truth;
  let qbBefore: number;
  let sfBefore: number;
  let dryPlan: PlannedChange[];
  let matched: LinkRow[];

  beforeAll(async () => {
    sb = await engineSandbox(kind, { seed: SEED, records: RECORDS });
    truth = seedTruth(sb, SEED, RECORDS);
    qbBefore = qbCustomers(sb.qbo).length;
    sfBefore = sfAccounts(sb.salesforce).length;
  });
  afterAll(async () => {
    await sb?.dispose();
  });

  it('dry run: lists the exact creates, updates and links with field-level diffs, and writes nothing', async () => {
    const mark = callMark(sb);
    const report = await sb.sync({ dryRun: true });
    expect(report.mode).toBe('dry-run');
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
    expect(await allLinks(sb)).toHaveLength(0);
    expect((await getCursors(sb.runtime.store.db, 'customers')).size).toBe(0);
    expect(qbCustomers(sb.qbo)).toHaveLength(qbBefore);
    expect(sfAccounts(sb.salesforce)).toHaveLength(sfBefore);

    dryPlan = report.flows[0]!.plan!;
    const links = dryPlan.filter((p) => p.action === 'link');
    // Every matchable pair is planned as a link, and nothing else is.
    expect(links.map((l) => `${l.sfId}|${l.qbId}`).sort()).toEqual(
      truth.matchable.map((c) => `${truth.sfIdByKey.get(c.key)}|${truth.qbIdByKey.get(c.key)}`).sort(),
    );
    // A pair spelled differently takes the QuickBooks name (onFirstLink: quickbooks), field by field.
    const normalized = truth.matchable.find((c) => c.match === 'normalized')!;
    const rename = dryPlan.find(
      (p) =>
        p.action === 'update' && p.target === 'salesforce' && p.sfId === truth.sfIdByKey.get(normalized.key),
    );
    expect(rename?.changes).toContainEqual({
      field: 'Name',
      from: normalized.sfName,
      to: normalized.qboName,
    });
    // Creates carry every value they will write.
    const creates = dryPlan.filter((p) => p.action === 'create');
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((p) => p.target === 'salesforce')).toBe(true);
    for (const c of creates) expect(c.changes.find((x) => x.field === 'Name')?.to).toBe(c.label);
    // Salesforce-only accounts are listed, never planned for creation in QuickBooks.
    const sfOnly = truth.companies.filter((c) => c.presence === 'sf').map((c) => truth.sfIdByKey.get(c.key));
    for (const id of sfOnly)
      expect(dryPlan.find((p) => p.sfId === id)).toMatchObject({ action: 'unmatched', target: 'quickbooks' });
  });

  it('links every matchable pair, duplicates nothing, creates only QuickBooks-only customers, lists the unmatched', async () => {
    const mark = callMark(sb);
    const report = await sb.sync();
    expect(report.status).toBe('succeeded');
    expect(report.mode).toBe('initial');
    expect(writesAfter(sb, mark).qb).toBeGreaterThan(0);
    // The records the run read were staged in the store, and let go of when it ended.
    const staged = await sb.runtime.store.db
      .selectFrom('staged_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(staged.n)).toBe(0);

    const links = await allLinks(sb);
    const bySf = new Map(links.map((l) => [l.sf_id, l]));
    const byQb = new Map(links.map((l) => [l.qb_id, l]));
    expect(bySf.size).toBe(links.length);
    expect(byQb.size).toBe(links.length);

    // Every pair a rule can match is linked, to the right record.
    for (const c of truth.matchable) {
      const link = bySf.get(truth.sfIdByKey.get(c.key)!);
      expect(link?.qb_id, `${c.key} ${c.match} "${c.sfName}" / "${c.qboName}"`).toBe(
        truth.qbIdByKey.get(c.key),
      );
    }
    // A pair no rule can see is never guessed.
    for (const c of truth.companies.filter((x) => x.presence === 'both' && x.match === 'none'))
      expect(bySf.get(truth.sfIdByKey.get(c.key)!)?.qb_id).not.toBe(truth.qbIdByKey.get(c.key));

    // QuickBooks: nothing created (createMissing.toQuickbooks is off), nothing duplicated.
    const qb = qbCustomers(sb.qbo);
    expect(qb).toHaveLength(qbBefore);
    expect(duplicates(qb.map((c) => c.DisplayName))).toEqual([]);
    for (const c of truth.companies.filter((x) => x.presence === 'sf'))
      expect(qb.some((q) => q.DisplayName.toLowerCase() === c.sfName.toLowerCase())).toBe(false);

    // Salesforce: one new account per QuickBooks customer created, no name or QuickBooks id twice.
    const sf = sfAccounts(sb.salesforce);
    const created = report.flows[0]!.counts['qb->sf created'] ?? 0;
    expect(created).toBeGreaterThan(0);
    expect(sf).toHaveLength(sfBefore + created);
    expect(duplicates(sf.map((a) => a.Name))).toEqual([]);
    expect(duplicates(sf.map((a) => a.QBO_Id__c))).toEqual([]);
    // Linked accounts carry their QuickBooks id.
    const sfById = new Map(sf.map((a) => [a.Id, a]));
    for (const l of links) expect(sfById.get(l.sf_id)?.QBO_Id__c).toBe(l.qb_id);

    // Unmatched: every Salesforce account without a counterpart is listed with why, and stays put.
    const unmatched = await listUnmatched(sb.runtime.store.db, { status: 'open', limit: 10_000 });
    const listedSf = new Set(unmatched.filter((u) => u.side === 'sf').map((u) => u.record_id));
    for (const c of truth.companies.filter((x) => x.presence === 'sf' || x.match === 'none')) {
      if (c.presence === 'qbo') continue;
      const id = truth.sfIdByKey.get(c.key)!;
      expect(listedSf.has(id), `${c.key} "${c.sfName}" listed`).toBe(true);
      expect(bySf.has(id)).toBe(false);
    }
    for (const u of unmatched) expect(u.reason).not.toBe('');

    // QuickBooks-only customers: created in Salesforce and linked, or listed with candidates when a
    // similar name exists (never guessed).
    const listedQb = new Map(unmatched.filter((u) => u.side === 'qb').map((u) => [u.record_id, u]));
    const errors = await openErrors(sb);
    for (const c of truth.companies.filter((x) => x.presence === 'qbo')) {
      const id = truth.qbIdByKey.get(c.key)!;
      const link = byQb.get(id);
      if (link) {
        expect(link.origin).toBe('created:salesforce');
        expect(sfById.get(link.sf_id)?.Name).toBe(c.qboName);
      } else expect(listedQb.get(id)?.candidates.length, `${c.key} "${c.qboName}"`).toBeGreaterThan(0);
    }

    // Sub-customers: created under their linked parent; one whose parent is not linked waits in the
    // error queue (never created without its parent, never detached from it).
    const subs = qb.filter((c) => c.ParentRef?.value);
    expect(subs.length).toBeGreaterThan(0);
    let waiting = 0;
    for (const s of subs) {
      const parentLink = byQb.get(s.ParentRef!.value);
      const link = byQb.get(s.Id);
      if (parentLink) {
        expect(link, `sub-customer ${s.Id} linked`).toBeDefined();
        expect(sfById.get(link!.sf_id)?.ParentId).toBe(parentLink.sf_id);
      } else {
        waiting++;
        expect(link).toBeUndefined();
        expect(sf.some((a) => a.Name === s.DisplayName)).toBe(false);
        expect(errors.find((e) => e.qb_id === s.Id)).toMatchObject({
          kind: 'prerequisite',
          direction: 'qb->sf',
          code: 'unresolved-lookup',
        });
      }
      // QuickBooks keeps the parent whatever Salesforce knows.
      expect(s.ParentRef?.value).toBeTruthy();
    }
    expect(waiting).toBeGreaterThan(0);
    // Nothing else is in the error queue.
    expect(errors.filter((e) => e.kind !== 'prerequisite')).toEqual([]);

    // The dry run showed exactly these creates and links.
    const outcomes = await listOutcomes(sb.runtime.store.db, { runId: report.runId, limit: 100_000 });
    const done = (action: string, direction: string) =>
      outcomes
        .filter((o) => o.action === action && o.direction === direction)
        .map((o) => `${o.qb_id}`)
        .sort();
    expect(
      dryPlan
        .filter((p) => p.action === 'create')
        .map((p) => `${p.qbId}`)
        .sort(),
    ).toEqual(done('created', 'qb->sf'));
    expect(
      dryPlan
        .filter((p) => p.action === 'link')
        .map((p) => `${p.qbId}`)
        .sort(),
    ).toEqual(done('linked', 'link'));
  });

  it('a second run reads our own writes back and writes nothing (no loop)', async () => {
    for (let run = 0; run < 2; run++) {
      const mark = callMark(sb);
      const report = await sb.sync();
      expect(report.status).toBe('succeeded');
      expect(report.mode).toBe('incremental');
      expect(writeCounts(report)).toEqual({});
      expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
      // The records the first run wrote on both sides come back as changes, and are recognised.
      expect(report.flows[0]!.read.sf).toBeGreaterThan(0);
      expect(report.flows[0]!.read.qb).toBeGreaterThan(0);
    }
  });

  it('an edit on either side crosses once, and its echo is not written back (both directions)', async () => {
    matched = (await allLinks(sb)).filter((l) => l.origin.startsWith('matched'));
    const [a, b] = matched;
    advance(sb, 2000);

    // Salesforce → QuickBooks.
    sfEdit(sb.salesforce, a!.sf_id, { Phone: '(415) 555-0101' });
    let mark = callMark(sb);
    let report = await sb.sync();
    expect(writeCounts(report)).toEqual({ 'sf->qb updated': 1 });
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 1 });
    expect(qbCustomers(sb.qbo).find((c) => c.Id === a!.qb_id)?.PrimaryPhone?.FreeFormNumber).toBe(
      '(415) 555-0101',
    );
    mark = callMark(sb);
    report = await sb.sync();
    expect(report.flows[0]!.read.qb).toBeGreaterThan(0);
    expect(writeCounts(report)).toEqual({});
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });

    // QuickBooks → Salesforce.
    advance(sb, 2000);
    qbEdit(sb.qbo, b!.qb_id, { Notes: 'Moved to net 45' });
    mark = callMark(sb);
    report = await sb.sync();
    expect(writeCounts(report)).toEqual({ 'qb->sf updated': 1 });
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 1, qb: 0 });
    expect(sfAccounts(sb.salesforce).find((x) => x.Id === b!.sf_id)?.Description).toBe('Moved to net 45');
    mark = callMark(sb);
    report = await sb.sync();
    expect(report.flows[0]!.read.sf).toBeGreaterThan(0);
    expect(writeCounts(report)).toEqual({});
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
  });

  // Conflicts: the policy changes between runs, as a person editing ledgerbridge.yaml would.
  const cases = [
    { policy: 'salesforce-wins', later: 'quickbooks', winner: 'salesforce' },
    { policy: 'quickbooks-wins', later: 'salesforce', winner: 'quickbooks' },
    { policy: 'last-writer-wins', later: 'quickbooks', winner: 'quickbooks' },
    { policy: 'last-writer-wins', later: 'salesforce', winner: 'salesforce' },
  ] as const;

  it.each(cases.map((c, i) => ({ ...c, i })))(
    '$policy, $later edits last: $winner wins on both sides, the outcome records it, nothing moves afterwards',
    async ({ policy, later, winner, i }) => {
      await sb.reopen(configWith(policy));
      const link = matched[2 + i]!;
      bothEdit(sb, link, later);
      const mark = callMark(sb);
      const report = await sb.sync();
      const want = winner === 'salesforce' ? SF_PHONE : QB_PHONE;
      expect(phones(sb, link)).toEqual({ sf: want, qb: want });
      expect(writeCounts(report)).toEqual(
        winner === 'salesforce' ? { 'sf->qb updated': 1 } : { 'qb->sf updated': 1 },
      );
      expect(writesAfter(sb, mark)).toMatchObject(
        winner === 'salesforce' ? { sf: 0, qb: 1 } : { sf: 1, qb: 0 },
      );
      const conflicts = await conflictOutcomes(sb, report.runId);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ sf_id: link.sf_id, qb_id: link.qb_id, direction: 'link' });
      expect(conflicts[0]!.reason).toContain('Phone');
      expect(conflicts[0]!.reason).toContain(`${policy} → ${winner} wins`);
      expect((await openErrors(sb)).filter((e) => e.kind !== 'prerequisite')).toEqual([]);

      const again = await sb.sync();
      expect(writeCounts(again)).toEqual({});
      expect(await conflictOutcomes(sb, again.runId)).toEqual([]);
    },
  );

  it('hold for review: leaves both sides untouched, lists the conflict, and applies the reviewed choice on retry', async () => {
    await sb.reopen(configWith('hold'));
    const link = matched[2 + cases.length]!;
    bothEdit(sb, link, 'quickbooks');
    const mark = callMark(sb);
    const report = await sb.sync();
    expect(phones(sb, link)).toEqual({ sf: SF_PHONE, qb: QB_PHONE });
    expect(writeCounts(report)).toEqual({});
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
    expect(report.flows[0]!.counts['link conflict']).toBe(1);
    const conflicts = await conflictOutcomes(sb, report.runId);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.reason).toMatch(/held for review/);

    const held = (await openErrors(sb)).filter((e) => e.kind === 'conflict');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ sf_id: link.sf_id, qb_id: link.qb_id, code: 'CONFLICT' });
    expect(held[0]!.message).toContain('Phone');
    expect(JSON.stringify(held[0]!.details)).toContain(SF_PHONE);
    expect(JSON.stringify(held[0]!.details)).toContain(QB_PHONE);

    // Another run neither writes nor forgets it.
    const quiet = await sb.sync();
    expect(writeCounts(quiet)).toEqual({});
    expect(phones(sb, link)).toEqual({ sf: SF_PHONE, qb: QB_PHONE });
    expect((await openErrors(sb)).filter((e) => e.kind === 'conflict')).toHaveLength(1);

    // A person keeps the Salesforce value (`ledgerbridge errors retry <id> --keep salesforce`).
    const retry = await sb.sync({
      trigger: 'cli:errors-retry',
      records: { sf: [link.sf_id], qb: [link.qb_id], keep: 'salesforce' },
    });
    expect(writeCounts(retry)).toEqual({ 'sf->qb updated': 1 });
    expect(phones(sb, link)).toEqual({ sf: SF_PHONE, qb: SF_PHONE });
    expect((await openErrors(sb)).filter((e) => e.kind === 'conflict')).toEqual([]);
    const after = await sb.sync();
    expect(writeCounts(after)).toEqual({});
  });

  it.each([
    {
      what: 'an unknown Salesforce field',
      yaml: `    fields:\n      - { sf: Nmae, qb: AlternatePhone.FreeFormNumber }\n`,
      field: /Nmae/,
      message: /Name/,
    },
    {
      what: 'a bad expression',
      yaml: `    fields:\n      - { qb: AlternatePhone.FreeFormNumber, toQuickbooks: "concat(Phone, ' '" }\n`,
      field: /AlternatePhone/,
      message: /expected/,
    },
    {
      what: 'an impossible direction (QuickBooks computes Balance)',
      yaml: `    fields:\n      - { sf: AnnualRevenue, qb: Balance, direction: sf->qb }\n`,
      field: /Balance/,
      message: /can only be set when a record is created|read-only/i,
    },
  ])(
    '$what: a ConfigError with file, flow and field, before anything is written',
    async ({ yaml, field, message }) => {
      // A change is waiting to be synced: a usable configuration would write it.
      advance(sb, 1000);
      sfEdit(sb.salesforce, matched.at(-3)!.sf_id, { Phone: `(303) 555-01${String(yaml.length).slice(-2)}` });
      const mark = callMark(sb);
      const linksBefore = (await allLinks(sb)).length;
      let error: unknown;
      try {
        await sb.reopen(variant(yaml, 'bad.yaml'));
        await sb.sync();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const issue = (error as ConfigError).issues[0]!;
      expect(issue.file).toBe('bad.yaml');
      expect(issue.line).toBeGreaterThan(0);
      expect(issue.flow).toBe('customers');
      expect(`${issue.field ?? ''} ${issue.message}`).toMatch(field);
      expect(issue.message).toMatch(message);
      expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
      expect(await allLinks(sb)).toHaveLength(linksBefore);
    },
  );

  it('bad records are held with their reason while the rest of the batch goes on; errors retry after the fix succeeds', async () => {
    await sb.reopen(STRICT);
    const co = sb.qbo.company();
    // A QuickBooks-only customer missing what Salesforce requires (no family name for the contact).
    const lonely = co.commitCreate('Customer', {
      DisplayName: 'Quillfeather Stationers',
      CompanyName: 'Quillfeather Stationers',
      GivenName: 'Ada',
      PrimaryEmailAddr: { Address: 'ada@quillfeather.example.com' },
      Active: true,
      Taxable: true,
      Balance: '0',
    });
    await sb.sync();

    // A linked customer renamed in QuickBooks to 300 characters: QuickBooks takes up to 500, but
    // Salesforce's Account.Name holds 255, and a name is never cut.
    const [long, fine] = matched.slice(-2);
    advance(sb, 2000);
    const longName = `Northwind ${'Very '.repeat(58)}Long Trading Company`;
    expect(longName.length).toBeGreaterThan(255);
    expect(longName.length).toBeLessThanOrEqual(500);
    qbEdit(sb.qbo, long!.qb_id, { DisplayName: longName });
    qbEdit(sb.qbo, fine!.qb_id, { Notes: 'Ships Tuesdays' });
    const mark = callMark(sb);
    const report = await sb.sync();
    expect(report.status).toBe('succeeded');
    // The rest of the batch went on.
    expect(writeCounts(report)).toEqual({ 'qb->sf updated': 1 });
    expect(sfAccounts(sb.salesforce).find((a) => a.Id === fine!.sf_id)?.Description).toBe('Ships Tuesdays');
    expect(writesAfter(sb, mark).sf).toBe(1);

    const errors = await openErrors(sb);
    const tooLong = errors.find((e) => e.qb_id === long!.qb_id);
    expect(tooLong).toMatchObject({ direction: 'qb->sf', kind: 'validation', code: 'too-long' });
    expect(tooLong!.message).toMatch(/Name/);
    expect(tooLong!.message).toMatch(/255/);
    const missing = errors.find((e) => e.qb_id === lonely.id);
    expect(missing).toMatchObject({ direction: 'qb->sf', code: 'required' });
    expect(missing!.message).toMatch(/LastName/);
    expect(sfAccounts(sb.salesforce).some((a) => a.Name === 'Quillfeather Stationers')).toBe(false);
    const held = (await listOutcomes(sb.runtime.store.db, { runId: report.runId, limit: 1000 })).filter(
      (o) => o.action === 'held',
    );
    expect(held.map((o) => o.qb_id)).toContain(long!.qb_id);
    // Nothing held is left behind silently: the same name is still what Salesforce had.
    expect(sfAccounts(sb.salesforce).find((a) => a.Id === long!.sf_id)?.Name).not.toBe(longName);

    // While they stay held, later runs write nothing (nothing derived from the held values leaks).
    const quiet = await sb.sync();
    expect(writeCounts(quiet)).toEqual({});
    expect(qbCustomers(sb.qbo).find((c) => c.Id === long!.qb_id)?.CompanyName).not.toContain('Very');

    // Fixed in QuickBooks, then `ledgerbridge errors retry <ids>`.
    advance(sb, 2000);
    qbEdit(sb.qbo, long!.qb_id, { DisplayName: 'Northwind Long Trading Company' });
    qbEdit(sb.qbo, lonely.id, { FamilyName: 'Lovelace' });
    const retry = await sb.sync({
      trigger: 'cli:errors-retry',
      records: { qb: [long!.qb_id, lonely.id], sf: [long!.sf_id] },
    });
    expect(retry.status).toBe('succeeded');
    expect(writeCounts(retry)).toMatchObject({ 'qb->sf updated': 1, 'qb->sf created': 1 });
    expect(sfAccounts(sb.salesforce).find((a) => a.Id === long!.sf_id)?.Name).toBe(
      'Northwind Long Trading Company',
    );
    const created = sfAccounts(sb.salesforce).find((a) => a.Name === 'Quillfeather Stationers');
    expect(created?.QBO_Id__c).toBe(lonely.id);
    expect(sfContacts(sb.salesforce).find((c) => c.AccountId === created!.Id)).toMatchObject({
      LastName: 'Lovelace',
      FirstName: 'Ada',
    });
    const left = (await openErrors(sb)).filter((e) => e.qb_id === long!.qb_id || e.qb_id === lonely.id);
    expect(left).toEqual([]);
    expect(qbCustomers(sb.qbo).filter((c) => c.DisplayName === 'Quillfeather Stationers')).toHaveLength(1);

    // And the next run writes nothing.
    const again = await sb.sync();
    expect(writeCounts(again)).toEqual({});
  });
});
