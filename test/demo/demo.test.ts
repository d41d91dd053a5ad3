import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../src/demo/demo.ts';

const BIN = join(import.meta.dirname, '../../bin/ledgerbridge.js');

function ledgerbridge(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('ledgerbridge demo (the README main job)', () => {
  it('syncs the overlapping seed, carries edits made on each side across, and echoes nothing back', () => {
    const r = ledgerbridge(['demo', '--once', '--json', '--records', '120']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as DemoSummary;
    expect(s.ok).toBe(true);
    const [initial, edited, idle] = s.runs;
    expect(initial!.status).toBe('succeeded');
    expect(initial!.counts['link linked']).toBeGreaterThan(20);
    // Six edits: two made in Salesforce, three in QuickBooks (one a new customer), one on both sides.
    expect(s.edits).toHaveLength(6);
    for (const e of s.edits) expect(e.seen, e.what).toBe(e.expect.value);
    // Phone, city and the conflicting phone reach QuickBooks, and the new customer's contact last
    // name (Salesforce requires one; the flow derives it from the display name) comes back to it.
    expect(edited!.writes.quickbooks).toBe(4);
    // Email (on the primary contact), notes, and the new account.
    expect(edited!.writes.salesforce).toBe(3);
    expect(idle!.writes).toEqual({ salesforce: 0, quickbooks: 0 });
    expect(s.totals.links).toBe(
      initial!.counts['link linked']! + (initial!.counts['qb->sf created'] ?? 0) + 1,
    );
  }, 150_000);

  it('refuses a data folder that already holds something, and bad flags, with one clear line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-demo-'));
    try {
      await writeFile(join(dir, 'something'), 'x');
      const busy = ledgerbridge(['--data', dir, 'demo', '--once']);
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain('needs an empty data folder');
      const bad = ledgerbridge(['demo', '--records', 'many']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--records takes a whole number, got "many"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
