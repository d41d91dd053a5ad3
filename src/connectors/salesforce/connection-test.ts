import { ConnectorError } from '../errors.ts';
import type { SalesforceConnectorWithIdentity } from './connector.ts';
import type { ApiUsage, SalesforceConnector } from './types.ts';

/** What `ledgerbridge connections test` shows for a working Salesforce connection. */
export interface SalesforceConnectionCheck {
  ok: true;
  /** The signed-in user's username. */
  user: string;
  /** The org id. */
  org: string;
  apiVersion: string;
  instanceUrl: string;
  /** The daily API allocation used so far, or null when the org did not say. */
  apiUsage: ApiUsage | null;
}

function hasIdentity(c: SalesforceConnector): c is SalesforceConnectorWithIdentity {
  return typeof (c as Partial<SalesforceConnectorWithIdentity>).identity === 'function';
}

/** Checks a connection works (identity + limits): for `connections test`. Throws the connector's typed errors. */
export async function testSalesforceConnection(c: SalesforceConnector): Promise<SalesforceConnectionCheck> {
  if (!hasIdentity(c)) {
    throw new ConnectorError('salesforce', 'this connector cannot report its identity', {
      code: 'UNSUPPORTED',
    });
  }
  const who = await c.identity();
  const daily = await c.dailyApiRequests();
  const apiUsage = daily.max > 0 ? { used: daily.max - daily.remaining, max: daily.max } : c.apiUsage();
  return {
    ok: true,
    user: who.username,
    org: who.orgId,
    apiVersion: c.apiVersion,
    instanceUrl: c.instanceUrl,
    apiUsage,
  };
}
