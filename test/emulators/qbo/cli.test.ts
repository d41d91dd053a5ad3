import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addQboEmulateCommand, parseQboFlags, QboFlagError } from '../../../emulators/qbo/cli.ts';

const CLI = fileURLToPath(new URL('../../../emulators/qbo/cli.ts', import.meta.url));

function run(
  args: string[],
  onOutput?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'qbo', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, child);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('ledgerbridge emulate qbo', () => {
  it('turns flags into options', () => {
    expect(
      parseQboFlags({
        port: '4001',
        seed: 'demo',
        records: '0',
        realms: '3',
        limits: 'perMinute=50,batchPerMinute=4',
        webhook: ['http://127.0.0.1:9/a', 'https://example.test/b'],
        webhookFormat: 'legacy',
        faults: 'action=503,every=10',
      }),
    ).toEqual({
      port: 4001,
      seed: 'demo',
      records: 0,
      realms: 3,
      limits: { perMinute: 50, batchPerMinute: 4 },
      webhooks: { urls: ['http://127.0.0.1:9/a', 'https://example.test/b'], format: 'legacy' },
      faults: 'action=503,every=10',
    });
  });

  it('names the flag that is wrong', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ port: '70000' }, /--port/],
      [{ records: '-1' }, /--records/],
      [{ realms: '0' }, /--realms/],
      [{ limits: 'perMinute=0' }, /--limits/],
      [{ limits: 'speed=3' }, /--limits/],
      [{ webhook: ['ftp://x'] }, /--webhook/],
      [{ webhookFormat: 'xml' }, /--webhook-format/],
      [{ faults: 'action=explode' }, /--faults/],
      [{ state: ' ' }, /--state/],
    ];
    for (const [flags, message] of cases) {
      expect(() => parseQboFlags(flags)).toThrow(QboFlagError);
      expect(() => parseQboFlags(flags)).toThrow(message);
    }
  });

  it('registers `qbo` under `emulate`', () => {
    const emulate = new Command('emulate');
    addQboEmulateCommand(emulate);
    const qbo = emulate.commands.find((c) => c.name() === 'qbo')!;
    expect(qbo.options.map((o) => o.long)).toEqual(
      expect.arrayContaining([
        '--port',
        '--seed',
        '--records',
        '--realms',
        '--state',
        '--faults',
        '--limits',
        '--webhook',
        '--webhook-format',
      ]),
    );
  });

  it('prints the info, serves, and exits 0 on SIGTERM; a bad flag exits 2 with one line', async () => {
    let signalled = false;
    const served = await run(['--port', '0', '--records', '5'], (out, child) => {
      if (!signalled && out.includes('Ctrl+C')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(served.code).toBe(0);
    const info = JSON.parse(served.out.slice(0, served.out.lastIndexOf('}') + 1));
    expect(info).toMatchObject({
      realmId: expect.stringMatching(/^\d{16}$/),
      tokenUrl: expect.stringContaining('/oauth2/v1/tokens/bearer'),
    });
    const bad = await run(['--records', 'many']);
    expect(bad.code).toBe(2);
    expect(
      bad.err
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toEqual(['error: --records must be a whole number from 0 to 10000000 (got "many")']);
    const unknown = await run(['--colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--colour');
  });
});
