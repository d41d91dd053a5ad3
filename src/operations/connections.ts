import { testQboConnection } from '../connectors/qbo/index.ts';
import { testSalesforceConnection } from '../connectors/salesforce/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { ConnectionSummary } from '../store/connections.ts';
import { OperationError } from './errors.ts';

/** What testing one connection found: signed in and made one harmless call, or why not. */
export interface ConnectionTestResult {
  id: string;
  ok: boolean;
  detail: string;
}

/** Signs in and makes one harmless call; never throws for a connection that does not work. */
export async function testConnection(
  rt: Runtime,
  c: ConnectionSummary,
): Promise<ConnectionTestResult | null> {
  try {
    if (c.system === 'salesforce') {
      const r = await testSalesforceConnection(await rt.salesforce(c.id));
      return { id: c.id, ok: true, detail: `${r.user} @ ${r.instanceUrl} (org ${r.org})` };
    }
    if (c.system === 'qbo') {
      const r = await testQboConnection(await rt.qbo(c.id));
      return { id: c.id, ok: true, detail: `${r.companyName} (realm ${r.realmId})` };
    }
    return null;
  } catch (e) {
    return { id: c.id, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Tests the named connections (default: all); an unknown id is an error before anything is tried. */
export async function testConnections(rt: Runtime, ids: string[] = []): Promise<ConnectionTestResult[]> {
  const all = await rt.connections.list();
  const chosen = ids.length ? all.filter((c) => ids.includes(c.id)) : all;
  for (const id of ids)
    if (!all.some((c) => c.id === id))
      throw new OperationError('not-found', `no connection "${id}" (see: ledgerbridge connections list)`);
  const out: ConnectionTestResult[] = [];
  for (const c of chosen) {
    const r = await testConnection(rt, c);
    if (r) out.push(r);
  }
  return out;
}
