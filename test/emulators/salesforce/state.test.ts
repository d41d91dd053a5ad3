import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, startEmulator } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sf-emu-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('restarts as the same org: records, ids, deletions, tokens and API usage', async () => {
    const file = join(dir, 'org.json');
    const first = await startEmulator({ records: 25, stateFile: file });
    const conn = connect(first);
    const { id } = await conn
      .sobject('Account')
      .create({ Name: 'Survivor', QBO_Id__c: 'S-1', QB_Balance__c: '12.34' });
    const { id: gone } = await conn.sobject('Account').create({ Name: 'Deleted before restart' });
    await conn.sobject('Account').destroy(gone!);
    const before = await conn.query<{ Id: string; Name: string }>(
      'SELECT Id, Name, SystemModstamp FROM Account ORDER BY Id',
    );
    const usage = (await call(first, 'GET', '/limits')).headers.get('sforce-limit-info');
    const info = first.info;
    await first.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      format: 'ledgerbridge-salesforce-emulator',
      version: 1,
    });

    // A different seed and record count are ignored: the state file wins.
    const second = await startEmulator({ records: 3, seed: 'other', stateFile: file });
    try {
      expect(second.info).toMatchObject({
        orgId: info.orgId,
        userId: info.userId,
        accessToken: info.accessToken,
        refreshToken: info.refreshToken,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        username: info.username,
      });
      const c2 = connect(second);
      const after = await c2.query<{ Id: string; Name: string }>(
        'SELECT Id, Name, SystemModstamp FROM Account ORDER BY Id',
      );
      expect(after.records).toEqual(before.records);
      const rec = (await c2.sobject('Account').retrieve(id!)) as { QBO_Id__c: string; QB_Balance__c: number };
      expect(rec).toMatchObject({ QBO_Id__c: 'S-1', QB_Balance__c: 12.34 });
      expect(
        (await c2.query(`SELECT Id FROM Account WHERE Id = '${gone}'`, { scanAll: true })).records,
      ).toHaveLength(1);
      // Ids keep counting from where they were; unique keys still hold.
      const next = await c2.sobject('Account').create({ Name: 'After restart' });
      expect(next.id! > id!).toBe(true);
      const dup = (await c2
        .sobject('Account')
        .create({ Name: 'Dup', QBO_Id__c: 's-1' })
        .catch((e: unknown) => e)) as { errorCode: string };
      expect(dup.errorCode).toBe('DUPLICATE_VALUE');
      const used = (await call(second, 'GET', '/limits')).headers.get('sforce-limit-info')!;
      expect(Number(/=(\d+)\//.exec(used)![1])).toBeGreaterThan(Number(/=(\d+)\//.exec(usage!)![1]));
      // The refresh token issued before the restart still works.
      const token = await fetch(`${second.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: info.refreshToken,
          client_id: info.clientId,
          client_secret: info.clientSecret,
        }),
      });
      expect(token.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('saves on POST /__emulator/save', async () => {
    const file = join(dir, 'saved.json');
    const emu = await startEmulator({ records: 0, stateFile: file });
    try {
      const r = await fetch(`${emu.url}/__emulator/save`, { method: 'POST' });
      expect(await r.json()).toEqual({ saved: true });
      expect(JSON.parse(await readFile(file, 'utf8')).objects.User).toHaveLength(3);
    } finally {
      await emu.close();
    }
  });

  it('refuses a file that is not its state', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ hello: 'world' }));
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(
      /does not hold this emulator's state: format/,
    );
  });
});
