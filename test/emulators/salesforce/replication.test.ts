import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, firstError, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ records: 10 });
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

const MIN = 60_000;

describe('replication: getUpdated / getDeleted', () => {
  it('lists ids changed in a window at minute granularity, up to latestDateCovered', async () => {
    const conn = connect(emu);
    const start = new Date(emu.kit.clock.now());
    const { id: created } = await conn.sobject('Account').create({ Name: 'Replicated' });
    const untouched = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records[0]!.Id;
    emu.kit.clock.advance(2 * MIN);
    const res = await conn
      .sobject('Account')
      .updated(start.toISOString(), new Date(emu.kit.clock.now()).toISOString());
    expect(res.ids).toContain(created);
    expect(res.ids).not.toContain(untouched);
    expect(res.latestDateCovered).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000\+0000$/);
    // A window ending now does not cover the current minute yet.
    const endFuture = new Date(emu.kit.clock.now() + 10 * MIN);
    const covered = await conn.sobject('Account').updated(start.toISOString(), endFuture.toISOString());
    expect(Date.parse(covered.latestDateCovered.replace('+0000', 'Z'))).toBe(
      Math.floor(emu.kit.clock.now() / MIN) * MIN,
    );
  });

  it('lists deletions with their dates, including records deleted with their parent', async () => {
    const conn = connect(emu);
    const start = new Date(emu.kit.clock.now());
    const { id: account } = await conn.sobject('Account').create({ Name: 'Doomed' });
    const { id: contact } = await conn.sobject('Contact').create({ LastName: 'Doomed', AccountId: account });
    await conn.sobject('Account').destroy(account!);
    emu.kit.clock.advance(2 * MIN);
    const end = new Date(emu.kit.clock.now()).toISOString();
    const acc = await conn.sobject('Account').deleted(start.toISOString(), end);
    expect(acc.deletedRecords).toEqual([{ id: account, deletedDate: expect.stringMatching(/\.000\+0000$/) }]);
    expect(acc.earliestDateAvailable).toMatch(/\+0000$/);
    const con = await conn.sobject('Contact').deleted(start.toISOString(), end);
    expect(con.deletedRecords.map((d) => d.id)).toEqual([contact]);
    const updated = await conn.sobject('Account').updated(start.toISOString(), end);
    expect(updated.ids).not.toContain(account);
  });

  it('sees edits made in-process through the org (a user in the UI) like any other', async () => {
    const conn = connect(emu);
    const start = new Date(emu.kit.clock.now());
    const [account] = emu.org.records('Account');
    emu.kit.clock.advance(1000);
    emu.org.update('Account', account!.Id as string, { Phone: '(555) 000-1111' });
    emu.kit.clock.advance(2 * MIN);
    const res = await conn
      .sobject('Account')
      .updated(start.toISOString(), new Date(emu.kit.clock.now()).toISOString());
    expect(res.ids).toContain(account!.Id);
    const rec = (await conn.sobject('Account').retrieve(account!.Id as string)) as {
      Phone: string;
      LastModifiedById: string;
    };
    expect(rec).toMatchObject({ Phone: '(555) 000-1111', LastModifiedById: emu.info.userId });
  });

  it('answers the real errors for bad windows', async () => {
    const now = emu.kit.clock.now();
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const tooOld = await call(
      emu,
      'GET',
      `/sobjects/Account/updated/?start=${iso(now - 31 * 86_400_000)}&end=${iso(now)}`,
    );
    expect(tooOld.status).toBe(400);
    expect(firstError(tooOld)).toEqual({
      errorCode: 'INVALID_REPLICATION_DATE',
      message: 'startDate can not be more than 30 days ago',
    });
    const deletedTooOld = await call(
      emu,
      'GET',
      `/sobjects/Account/deleted/?start=${iso(now - 16 * 86_400_000)}&end=${iso(now)}`,
    );
    expect(firstError(deletedTooOld).errorCode).toBe('INVALID_REPLICATION_DATE');
    const reversed = await call(
      emu,
      'GET',
      `/sobjects/Account/updated?start=${iso(now)}&end=${iso(now - 5 * MIN)}`,
    );
    expect(firstError(reversed).message).toBe(
      'startDate must chronologically precede endDate by more than one minute',
    );
    const sameMinute = await call(
      emu,
      'GET',
      `/sobjects/Account/updated?start=${iso(now - (now % MIN))}&end=${iso(now - (now % MIN) + 30_000)}`,
    );
    expect(firstError(sameMinute).errorCode).toBe('INVALID_REPLICATION_DATE');
    const missing = await call(emu, 'GET', `/sobjects/Account/updated?start=${iso(now - MIN * 10)}`);
    expect(firstError(missing).errorCode).toBe('MISSING_ARGUMENT');
    const garbage = await call(emu, 'GET', `/sobjects/Account/updated?start=yesterday&end=${iso(now)}`);
    expect(firstError(garbage).errorCode).toBe('INVALID_REPLICATION_DATE');
  });
});
