// Prints the QuickBooks Online emulator benchmark: npx tsx bench/emulators/run-qbo.ts
import { formatFigures } from './figures.ts';
import { benchQboEmulator } from './qbo.ts';

console.log(formatFigures(await benchQboEmulator()));
