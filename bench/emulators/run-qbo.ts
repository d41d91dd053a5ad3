import { benchQboEmulator } from './qbo.ts';

// `npx tsx bench/emulators/run-qbo.ts`: prints the QuickBooks Online emulator's figures.
const results = await benchQboEmulator();
const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(5)} ${r.target ? `(target ${r.target})` : ''}`,
  );
}
