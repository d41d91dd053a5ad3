import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../../emulators/kit/faults.ts';
import { parseConfig, type LedgerbridgeConfig } from '../../src/config/index.ts';
import { SelectionError } from '../../src/engine/run-flow.ts';
import type { ConnectorTuning } from '../../src/runtime/runtime.ts';
import { listOutcomes } from '../../src/store/outcomes.ts';
import type { LinkRow } from '../../src/store/schema.ts';
import {
  advance,
  allLinks,
  callMark,
  engineSandbox,
  openErrors,
  qbCustomers,
  qbEdit,
  sfAccounts,
  sfEdit,
  writeCounts,
  writesAfter,
  type EngineSandbox,
} from './helpers.ts';

const SEED = 4;
const RECORDS = 40;

// No retries on Salesforce: a failed call fails for good (the multi-call test below); nothing
// else here meets a fault.
const TUNING = { salesforce: { retries: 0 } } as ConnectorTuning;

const configWith = (conflict: string): LedgerbridgeConfig =>
  parseConfig(
    `flows:\n  - name: customers\n    extends: baseline/customer-account\n    conflict: ${conflict}\n`,
    `conflict-${conflict}.yaml`,
  );

function phones(sb: EngineSandbox, link: LinkRow): { sf: string | null; qb: string | undefined } {
  return {
    sf: sfAccounts(sb.salesforce).find((a) => a.Id === link.sf_id)!.Phone,
    qb: qbCustomers(sb.qbo).find((c) => c.Id === link.qb_id)!.PrimaryPhone?.FreeFormNumber,
  };
}

async function outcomes(sb: EngineSandbox, runId: number, action: string) {
  return (await listOutcomes(sb.runtime.store.db, { runId, limit: 10_000 })).filter(
    (o) => o.action === action,
  );
}

/**
 * Record mode (webhooks, errors retry, linking by hand) syncs a few records without reading
 * changes: it must still see the other side of each record as it is now.
 */
describe('record-mode runs', () => {
  let sb: EngineSandbox;
  let links: LinkRow[];

  beforeAll(async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS, tuning: TUNING });
    await sb.sync();
    links = await allLinks(sb);
    expect(links.length).toBeGreaterThan(10);
  });
  afterAll(async () => {
    await sb?.dispose();
  });

  it('a run on a QuickBooks id reads the linked Salesforce record: last writer wins, the newer Salesforce edit is kept', async () => {
    await sb.reopen(configWith('last-writer-wins'));
    const link = links[0]!;
    advance(sb, 5000);
    qbEdit(sb.qbo, link.qb_id, { PrimaryPhone: { FreeFormNumber: '555-0101 (QB, older)' } });
    advance(sb, 5000);
    sfEdit(sb.salesforce, link.sf_id, { Phone: '555-0202 (SF, newer)' });

    const report = await sb.sync({ trigger: 'webhook', records: { qb: [link.qb_id] } });
    expect(report.status).toBe('succeeded');
    expect(phones(sb, link)).toEqual({ sf: '555-0202 (SF, newer)', qb: '555-0202 (SF, newer)' });
    expect(writeCounts(report)).toEqual({ 'sf->qb updated': 1 });
    const conflicts = await outcomes(sb, report.runId, 'conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ sf_id: link.sf_id, qb_id: link.qb_id, direction: 'link' });
    expect(conflicts[0]!.reason).toContain('last-writer-wins → salesforce wins');

    const again = await sb.sync();
    expect(writeCounts(again)).toEqual({});
  });

  it('hold: a run on a QuickBooks id leaves both sides untouched and lists the conflict', async () => {
    await sb.reopen(configWith('hold'));
    const link = links[1]!;
    advance(sb, 5000);
    qbEdit(sb.qbo, link.qb_id, { PrimaryPhone: { FreeFormNumber: '555-0404 (QB)' } });
    advance(sb, 5000);
    sfEdit(sb.salesforce, link.sf_id, { Phone: '555-0303 (SF)' });

    const mark = callMark(sb);
    const report = await sb.sync({ trigger: 'webhook', records: { qb: [link.qb_id] } });
    expect(phones(sb, link)).toEqual({ sf: '555-0303 (SF)', qb: '555-0404 (QB)' });
    expect(writeCounts(report)).toEqual({});
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
    expect(await outcomes(sb, report.runId, 'conflict')).toHaveLength(1);
    const held = (await openErrors(sb)).filter((e) => e.kind === 'conflict');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ sf_id: link.sf_id, qb_id: link.qb_id, code: 'CONFLICT' });
  });

  it('a selected record that no longer exists is skipped with an outcome; the others are synced', async () => {
    await sb.reopen(configWith('last-writer-wins'));
    const link = links[2]!;
    advance(sb, 5000);
    qbEdit(sb.qbo, link.qb_id, { PrimaryPhone: { FreeFormNumber: '555-0505' } });
    const goneSf = '001000000000999AAA';
    expect(sfAccounts(sb.salesforce).some((a) => a.Id === goneSf)).toBe(false);

    const report = await sb.sync({ records: { qb: [link.qb_id, '999999'], sf: [goneSf] } });
    expect(report.status).toBe('succeeded');
    expect(phones(sb, link)).toEqual({ sf: '555-0505', qb: '555-0505' });
    expect(report.flows[0]!.counts).toMatchObject({
      'qb->sf updated': 1,
      'qb->sf skipped': 1,
      'sf->qb skipped': 1,
    });
    const skipped = await outcomes(sb, report.runId, 'skipped');
    expect(skipped.map((o) => [o.sf_id, o.qb_id, o.reason])).toEqual(
      expect.arrayContaining([
        [null, '999999', expect.stringMatching(/not found in QuickBooks.*deleted\?/)],
        [goneSf, null, expect.stringMatching(/not found in Salesforce.*deleted\?/)],
      ]),
    );

    // A malformed id is still refused as a bad selection.
    await expect(sb.sync({ records: { qb: ['not-an-id'] } })).rejects.toBeInstanceOf(SelectionError);
  });

  it('Salesforce writes over several calls: when a later call fails, what an earlier call saved is reported saved and linked', async () => {
    // 250 new QuickBooks customers: two composite calls of creates (upserts) in Salesforce.
    const qb = await sb.runtime.qbo('qbo');
    const names = Array.from({ length: 250 }, (_, i) => `Multi Call Customer ${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 30) {
      await qb.batch(
        names.slice(i, i + 30).map((n, k) => ({
          bId: String(k),
          operation: 'create' as const,
          entity: 'Customer',
          body: { DisplayName: n, CompanyName: n },
        })),
        `multi-call-${i}`,
      );
    }
    advance(sb, 5000);
    sb.salesforce.kit.faults.add(
      parseFaultSpec('action=500,method=PATCH,path=*/composite/sobjects*,after=1,times=1'),
    );

    const report = await sb.sync();
    expect(sb.salesforce.kit.faults.list().reduce((n, r) => n + r.fired, 0)).toBe(1);
    const counts = report.flows[0]!.counts;
    expect(counts['qb->sf created']).toBe(200);
    expect(counts['qb->sf failed']).toBe(50);
    expect(report.status).toBe('partial');

    const created = new Set(
      qbCustomers(sb.qbo)
        .filter((c) => c.DisplayName.startsWith('Multi Call Customer'))
        .map((c) => c.Id),
    );
    const linked = (await allLinks(sb)).filter((l) => created.has(l.qb_id));
    expect(linked).toHaveLength(200);
    const inSf = sfAccounts(sb.salesforce).filter((a) => a.Name.startsWith('Multi Call Customer'));
    expect(inSf).toHaveLength(200);
    expect(new Set(linked.map((l) => l.sf_id))).toEqual(new Set(inSf.map((a) => a.Id)));
    const failed = (await openErrors(sb)).filter((e) => e.qb_id && created.has(e.qb_id));
    expect(failed).toHaveLength(50);
    expect(failed.every((e) => e.kind === 'transient' && !linked.some((l) => l.qb_id === e.qb_id))).toBe(
      true,
    );
  });
});
