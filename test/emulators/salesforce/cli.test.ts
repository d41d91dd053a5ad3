import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlagError, parseSalesforceFlags } from '../../../emulators/salesforce/cli.ts';

const main = fileURLToPath(new URL('./fixtures/cli-main.ts', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sf-emu-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'emulate', 'salesforce', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

describe('flag parsing', () => {
  it('turns flags into options', () => {
    expect(
      parseSalesforceFlags({
        port: '8123',
        seed: '7',
        records: '0',
        dailyApiLimit: '50',
        faults: 'action=503,every=10',
      }),
    ).toEqual({
      port: 8123,
      seed: 7,
      records: 0,
      dailyApiLimit: 50,
      faults: 'action=503,every=10',
    });
    expect(parseSalesforceFlags({ seed: 'demo' }).seed).toBe('demo');
  });

  it('names the flag that is wrong', async () => {
    expect(() => parseSalesforceFlags({ port: 'abc' })).toThrow(
      new FlagError('--port must be a whole number from 0 to 65535 (got "abc")'),
    );
    expect(() => parseSalesforceFlags({ records: '-5' })).toThrow(/^--records/);
    expect(() => parseSalesforceFlags({ faults: 'action=explode' })).toThrow(/^--faults: rule 1, action/);
    expect(() => parseSalesforceFlags({ schema: join(dir, 'missing.json') })).toThrow(
      /^--schema: cannot read/,
    );
    const bad = join(dir, 'bad-schema.json');
    await writeFile(
      bad,
      JSON.stringify({ objects: { Invoice__c: { fields: { Total__c: { type: 'money' } } } } }),
    );
    expect(() => parseSalesforceFlags({ schema: bad })).toThrow(
      /^--schema: .*object Invoice__c, field Invoice__c\.Total__c/,
    );
  });
});

describe('ledgerbridge emulate salesforce', () => {
  it('exits 2 with one line for a bad flag', async () => {
    const p = run(['--port', 'abc']);
    expect(await p.exit).toBe(2);
    expect(p.err().trim()).toBe('error: --port must be a whole number from 0 to 65535 (got "abc")');
  });

  it('prints its info, serves, and saves state on SIGTERM', async () => {
    const state = join(dir, 'cli-state.json');
    const p = run(['--port', '0', '--records', '5', '--state', state]);
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('Ctrl+C') && Date.now() < deadline && p.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    const jsonText = p.out().slice(0, p.out().lastIndexOf('}') + 1);
    const info = JSON.parse(jsonText) as { instanceUrl: string; accessToken: string };
    const res = await fetch(`${info.instanceUrl}/services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account`, {
      headers: { authorization: `Bearer ${info.accessToken}` },
    });
    expect(res.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(existsSync(state)).toBe(true);
    expect(JSON.parse(await readFile(state, 'utf8')).format).toBe('ledgerbridge-salesforce-emulator');
  });
});
