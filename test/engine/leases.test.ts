import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../../emulators/kit/faults.ts';
import { runSync } from '../../src/engine/sync.ts';
import { acquireLease, LeaseHeldError, releaseLease } from '../../src/store/leases.ts';
import { getRun } from '../../src/store/runs.ts';
import {
  advance,
  allLinks,
  callMark,
  engineSandbox,
  qbCustomers,
  qbEdit,
  sfAccounts,
  writesAfter,
  type EngineSandbox,
} from './helpers.ts';

const SEED = 4;
const RECORDS = 30;

/** A flow's lease and the run's heartbeat while the run is alive, and when they are taken away. */
describe('flow leases and run heartbeats', () => {
  let sb: EngineSandbox;
  beforeAll(async () => {
    sb = await engineSandbox('pglite', { seed: SEED, records: RECORDS });
    await sb.sync();
  });
  afterAll(async () => {
    await sb?.dispose();
  });

  const runCount = async () =>
    Number(
      (
        await sb.runtime.store.db
          .selectFrom('runs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a sync refused because another run holds the flow leaves no run behind', async () => {
    const db = sb.runtime.store.db;
    await acquireLease(db, 'flow:customers', 'another-worker', 60);
    try {
      const before = await runCount();
      await expect(sb.sync()).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(runSync(sb.runtime.engine, { trigger: 'api', dryRun: true })).rejects.toBeInstanceOf(
        LeaseHeldError,
      );
      expect(await runCount()).toBe(before);
    } finally {
      await releaseLease(db, 'flow:customers', 'another-worker');
    }
    const after = await sb.sync();
    expect(after.status).toBe('succeeded');
    // … and its own lease is given back.
    expect(await db.selectFrom('leases').selectAll().execute()).toEqual([]);
  });

  it('heartbeats go on during a slow read; a run whose lease was taken over stops before writing, resumable', async () => {
    const db = sb.runtime.store.db;
    const [link] = await allLinks(sb);
    advance(sb, 5000);
    qbEdit(sb.qbo, link!.qb_id, { PrimaryPhone: { FreeFormNumber: '555-0606' } });
    const sfPhone = sfAccounts(sb.salesforce).find((a) => a.Id === link!.sf_id)!.Phone;
    // The Salesforce read of this run takes 3 s.
    sb.salesforce.kit.faults.add(parseFaultSpec('action=delay:3000,method=GET,path=*/query*,times=1'));
    const mark = callMark(sb);

    const running = sb.sync({ heartbeatMs: 100, leaseSeconds: 5 });
    const beats = new Set<number>();
    let runId: number | undefined;
    const deadline = Date.now() + 20_000;
    const fired = () => sb.salesforce.kit.faults.list()[0]!.fired;
    while ((beats.size < 4 || fired() < 1) && Date.now() < deadline) {
      const row = await db
        .selectFrom('runs')
        .select(['id', 'heartbeat_at'])
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (row) {
        runId = Number(row.id);
        beats.add(new Date(row.heartbeat_at).getTime());
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // Still in the slow read (no chunk finished yet), and the heartbeat moved several times.
    expect(fired()).toBe(1);
    expect(beats.size).toBeGreaterThanOrEqual(4);

    // Another worker takes the flow over (as if the lease had expired).
    await db
      .updateTable('leases')
      .set({ owner: 'another-worker' })
      .where('name', '=', 'flow:customers')
      .execute();
    const report = await running;
    expect(report.runId).toBe(runId);
    expect(report.status).toBe('resumable');
    expect(report.message).toMatch(/lost its lease/);
    expect(writesAfter(sb, mark)).toMatchObject({ sf: 0, qb: 0 });
    expect(sfAccounts(sb.salesforce).find((a) => a.Id === link!.sf_id)!.Phone).toBe(sfPhone);
    expect((await getRun(db, report.runId))!.status).toBe('resumable');
    // The lease stays with its new owner.
    const lease = await db.selectFrom('leases').selectAll().executeTakeFirstOrThrow();
    expect(lease.owner).toBe('another-worker');
    await releaseLease(db, 'flow:customers', 'another-worker');

    // The next run does what was left.
    const next = await sb.sync();
    expect(next.status).toBe('succeeded');
    expect(qbCustomers(sb.qbo).find((c) => c.Id === link!.qb_id)!.PrimaryPhone?.FreeFormNumber).toBe(
      '555-0606',
    );
    expect(sfAccounts(sb.salesforce).find((a) => a.Id === link!.sf_id)!.Phone).toBe('555-0606');
  });
});
