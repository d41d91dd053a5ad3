import { describe, expect, it } from 'vitest';
import { Rng } from '../../../emulators/kit/rng.ts';
import { EntityTable, type SortValue, type StoredRecord } from '../../../emulators/qbo/store/table.ts';

/**
 * Sorted views are patched record by record as the table changes; after any mix of inserts,
 * client writes, server-side changes, removals and bulk loads they must equal a fresh full sort.
 */

function fullSort(
  table: EntityTable,
  keyOf: (r: StoredRecord) => SortValue | undefined,
  desc: boolean,
): string[] {
  return [...table.inIdOrder()]
    .map((r) => ({ r, k: keyOf(r) }))
    .sort((a, b) => {
      if (a.k !== b.k) {
        if (a.k === undefined) return desc ? 1 : -1;
        if (b.k === undefined) return desc ? -1 : 1;
        const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
        if (c) return desc ? -c : c;
      }
      return Number(a.r.id) - Number(b.r.id);
    })
    .map((x) => x.r.id);
}

describe('EntityTable.sortedView', () => {
  it('equals a full sort after random changes, for text and number keys, both directions', () => {
    const rng = new Rng('sorted-view');
    const table = new EntityTable('Customer');
    const name = () =>
      rng.chance(0.1) ? undefined : rng.pick(['alpha', 'Beta', 'beta', 'gamma', 'a', 'ab', 'b\u00e9']);
    const make = (id: string): StoredRecord => ({
      id,
      e: { Id: id, DisplayName: name(), Balance: rng.chance(0.1) ? undefined : rng.int(-5, 5) },
      created: 1,
      updated: 1,
      inactive: false,
    });
    table.bulkLoad(Array.from({ length: 300 }, (_, i) => make(String(i + 1))));
    const views = [
      {
        key: 'name:a',
        desc: false,
        keyOf: (r: StoredRecord) => (r.e.DisplayName as string | undefined)?.toLowerCase(),
      },
      {
        key: 'name:d',
        desc: true,
        keyOf: (r: StoredRecord) => (r.e.DisplayName as string | undefined)?.toLowerCase(),
      },
      { key: 'bal:a', desc: false, keyOf: (r: StoredRecord) => r.e.Balance as number | undefined },
      { key: 'bal:d', desc: true, keyOf: (r: StoredRecord) => r.e.Balance as number | undefined },
    ];
    const check = () => {
      for (const v of views)
        expect(
          table.sortedView(v.key, v.keyOf, v.desc).map((r) => r.id),
          v.key,
        ).toEqual(fullSort(table, v.keyOf, v.desc));
    };
    check();
    for (let round = 0; round < 60; round++) {
      for (let n = rng.int(0, 12); n > 0; n--) {
        const op = rng.int(0, 3);
        const ids = [...table.inIdOrder()].map((r) => r.id);
        if (op === 0 || ids.length === 0) table.insert(make(table.nextId()));
        else {
          const rec = table.get(rng.pick(ids))!;
          if (op === 1) {
            rec.e = { ...rec.e, DisplayName: name() };
            table.touch(rec);
          } else if (op === 2) {
            rec.e.Balance = rng.int(-5, 5);
            table.changed(rec, ['Balance']);
          } else table.remove(rec.id, 0);
        }
      }
      // Views are read at different moments, so some patch many changes at once.
      if (rng.chance(0.7)) check();
    }
    check();
    table.bulkLoad([make(table.nextId()), make(table.nextId())]);
    check();
  });
});
