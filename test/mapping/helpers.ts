import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/index.ts';
import type { FlowConfig } from '../../src/config/index.ts';
import {
  catalogFromSalesforceDescribe,
  compileFlow,
  qboCustomerCatalog,
  type CompiledFlow,
  type FlowCatalogs,
  type MapContext,
} from '../../src/mapping/index.ts';

/**
 * Test helpers: the Account and Contact describes captured from the Salesforce emulator (with the
 * ledgerbridge package fields), the static QuickBooks catalog, and small flow builders.
 */

/** A describe result captured from the Salesforce emulator (GET /sobjects/{Object}/describe). */
export function describeFixture(name: 'account' | 'contact'): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/sf-describe-${name}.json`, import.meta.url), 'utf8'));
}

let cached: FlowCatalogs | undefined;

/** Catalogs for the customer flows: Account and Contact from describe, the QuickBooks Customer. */
export function catalogs(): FlowCatalogs {
  cached ??= {
    sf: {
      Account: catalogFromSalesforceDescribe(describeFixture('account')),
      Contact: catalogFromSalesforceDescribe(describeFixture('contact')),
    },
    qb: qboCustomerCatalog(),
  };
  return cached;
}

/** The one flow of a config text. */
export function flowOf(yaml: string, file = 'ledgerbridge.yaml'): FlowConfig {
  return parseConfig(yaml, file).flows[0]!;
}

/** Compiles the one flow of a config text against the customer catalogs. */
export function compiled(yaml: string): CompiledFlow {
  return compileFlow(flowOf(yaml), catalogs());
}

/** A context with no links; `links` maps ids both ways when given. */
export function context(isCreate = false, links: Record<string, string> = {}): MapContext {
  const reverse = Object.fromEntries(Object.entries(links).map(([a, b]) => [b, a]));
  return {
    isCreate,
    linked: (direction, id) => (direction === 'sf->qb' ? (links[id] ?? null) : (reverse[id] ?? null)),
  };
}

/** A minimal Account ↔ Customer flow with the given field lines (YAML list items). */
export function flowYaml(fields: string[], extra = ''): string {
  return `flows:
  - name: test
    salesforce:
      object: Account
      externalIdField: QBO_Id__c
      related:
        contact: { object: Contact, parentField: AccountId }
    quickbooks: { entity: Customer }
${extra}    fields:
${fields.map((f) => `      - ${f}`).join('\n')}
`;
}
