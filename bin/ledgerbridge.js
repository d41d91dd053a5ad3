#!/usr/bin/env node
// The CLI runs on the Node 22 that package.json pins (node_modules/node): the machines carry
// Node 20, which is end-of-life and crashes current jsforce. When started by an older node
// (e.g. `npx ledgerbridge` outside npm scripts), re-run the same command on the pinned one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    console.error(
      `ledgerbridge needs Node 22 (found ${process.version}); run "npm ci" first to install the pinned runtime.`,
    );
    process.exit(1);
  }
  const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
