import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishRun, startRun } from '../../src/store/runs.ts';
import {
  dropAbandonedStaging,
  dropStaged,
  stagedBodies,
  stageRecords,
} from '../../src/store/staged-records.ts';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.ts';

describe.each(STORE_KINDS)('staged records on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => t.dispose());

  it('keeps the later of two reads of a record, each side and flow apart, bodies byte for byte', async () => {
    const db = t.store.db;
    const run = await startRun(db, { flows: ['a', 'b'], mode: 'incremental', trigger: 'test' });
    const exact = JSON.stringify({ Id: '7', Balance: '1234567890123456.78', Name: 'Ünïcode & "quotes"' });
    await stageRecords(db, run.id, 'a', 'qb', [
      { id: '7', body: '{"Id":"7","v":1}' },
      { id: '8', body: '{"Id":"8"}' },
    ]);
    await stageRecords(db, run.id, 'a', 'qb', [{ id: '7', body: exact }]);
    await stageRecords(db, run.id, 'a', 'sf', [{ id: '7', body: '{"Id":"7","side":"sf"}' }]);
    await stageRecords(db, run.id, 'b', 'qb', [{ id: '7', body: '{"Id":"7","flow":"b"}' }]);

    const qb = await stagedBodies(db, run.id, 'a', 'qb', ['7', '8', '9', '7']);
    expect([...qb.keys()].sort()).toEqual(['7', '8']);
    expect(qb.get('7')).toBe(exact);
    expect((await stagedBodies(db, run.id, 'a', 'sf', ['7'])).get('7')).toContain('"side":"sf"');
    expect((await stagedBodies(db, run.id, 'b', 'qb', ['7'])).get('7')).toContain('"flow":"b"');

    await dropStaged(db, run.id, 'a');
    expect((await stagedBodies(db, run.id, 'a', 'qb', ['7', '8'])).size).toBe(0);
    expect((await stagedBodies(db, run.id, 'b', 'qb', ['7'])).size).toBe(1);
  });

  it('stages thousands of records in one call, and clears only what finished runs left behind', async () => {
    const db = t.store.db;
    const done = await startRun(db, { flows: ['a'], mode: 'incremental', trigger: 'test' });
    const running = await startRun(db, { flows: ['a'], mode: 'incremental', trigger: 'test' });
    const many = Array.from({ length: 12_345 }, (_, i) => ({ id: String(i), body: `{"Id":"${i}"}` }));
    await stageRecords(db, done.id, 'a', 'sf', many);
    await stageRecords(db, running.id, 'a', 'sf', many.slice(0, 3));
    const ids = many.map((r) => r.id);
    expect((await stagedBodies(db, done.id, 'a', 'sf', ids)).size).toBe(12_345);

    // The first run's process died: its run is closed, and what it staged is of no use to anyone.
    await finishRun(db, done.id, { status: 'resumable', stats: {}, apiCalls: {} });
    await dropAbandonedStaging(db);
    expect((await stagedBodies(db, done.id, 'a', 'sf', ids)).size).toBe(0);
    expect((await stagedBodies(db, running.id, 'a', 'sf', ids)).size).toBe(3);
  });
});
