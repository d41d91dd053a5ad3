// Prints the Salesforce emulator benchmark: npx tsx bench/emulators/run-salesforce.ts
import { formatFigures } from './figures.ts';
import { benchSalesforceEmulator } from './salesforce.ts';

console.log(formatFigures(await benchSalesforceEmulator()));
