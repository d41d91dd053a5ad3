// Prints the Salesforce emulator benchmark: npx tsx bench/emulators/run-salesforce.ts
import { benchSalesforceEmulator } from './salesforce.ts';

for (const f of await benchSalesforceEmulator())
  console.log(
    `${f.name.padEnd(62)} ${String(f.value).padStart(10)} ${f.unit}${f.target ? `   (target ${f.target})` : ''}`,
  );
