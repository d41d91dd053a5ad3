import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowModel, QbRecord, SfRecord } from '../../src/engine/model.ts';
import { setPath } from '../../src/engine/paths.ts';
import { ReadSet } from '../../src/engine/read-set.ts';
import { directoryLabels } from '../../src/store/directory.ts';
import { startRun } from '../../src/store/runs.ts';
import { STORE_KINDS } from '../helpers/stores.ts';
import { engineSandbox, type EngineSandbox } from './helpers.ts';

describe.each(STORE_KINDS)('the records a run read, staged in the store (%s)', (kind) => {
  let sb: EngineSandbox;
  let model: FlowModel;
  beforeAll(async () => {
    sb = await engineSandbox(kind, { seed: 3, records: 5 });
    const flow = sb.runtime.engine.flowNames()[0]!;
    model = await sb.runtime.engine.model(flow);
  });
  afterAll(async () => sb?.dispose());

  it('keeps ids and facts in memory, gives the records back exactly, refreshes the directory, and lets go', async () => {
    const db = sb.runtime.store.db;
    const run = await startRun(db, { flows: [model.name], mode: 'incremental', trigger: 'test' });
    const read = new ReadSet(sb.runtime.store, model, run.id);

    const child: Record<string, unknown> = { Id: '001000000000CHILD', Name: 'Child Co', IsDeleted: false };
    setPath(child, model.lookups.toQb[0]!, '001000000000PAREN');
    await read.add('sf', [
      { Id: '001000000000AAAAA', Name: 'First name', IsDeleted: false } as SfRecord,
      child as SfRecord,
      { Id: '001000000000GONE1', Name: 'Gone Co', IsDeleted: true } as SfRecord,
      // The same record again in one page (an overlap window): the later read is kept.
      { Id: '001000000000AAAAA', Name: 'Acme Renamed', IsDeleted: false } as SfRecord,
    ]);
    const exact = {
      Id: '77',
      DisplayName: 'Decimal & Sons',
      Balance: '1234567890123456.78',
      Active: true,
      SyncToken: '3',
      BillAddr: { Line1: 'Ünïcode street 1', City: 'Zürich' },
    } as unknown as QbRecord;
    await read.add('qb', [exact, { Id: '78', DisplayName: 'Closed Ltd', Active: false } as QbRecord]);

    expect(read.size('sf')).toBe(3);
    expect(read.ids('sf')).toEqual(['001000000000AAAAA', '001000000000CHILD', '001000000000GONE1']);
    expect(read.has('qb', '77') && !read.has('qb', '79')).toBe(true);
    expect(read.gone('sf', '001000000000GONE1')).toBe(true);
    expect(read.gone('sf', '001000000000AAAAA')).toBe(false);
    expect(read.gone('qb', '78')).toBe(true);
    expect(read.dependent('sf', '001000000000CHILD')).toBe(true);
    expect(read.dependent('sf', '001000000000AAAAA')).toBe(false);

    const sf = await read.load('sf', ['001000000000AAAAA', '001000000000NOPE1']);
    expect([...sf.keys()]).toEqual(['001000000000AAAAA']);
    expect(sf.get('001000000000AAAAA')?.Name).toBe('Acme Renamed');
    expect((await read.load('qb', ['77'])).get('77')).toEqual(exact);
    const labels = await directoryLabels(db, model.name, 'sf', ['001000000000AAAAA']);
    expect(labels.get('001000000000AAAAA')).toBe('Acme Renamed');

    await read.drop();
    expect(read.size('sf') + read.size('qb')).toBe(0);
    expect((await read.load('qb', ['77', '78'])).size).toBe(0);
  });
});
