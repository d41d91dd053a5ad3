import type { FlowConfig } from '../config/types.ts';

/** The objects whose catalogs a flow needs: its Salesforce objects (main first) and QuickBooks entity. */
export function flowObjects(flow: FlowConfig): { sf: string[]; qb: string } {
  const sf = [flow.salesforce.object];
  for (const rel of Object.values(flow.salesforce.related)) if (!sf.includes(rel.object)) sf.push(rel.object);
  return { sf, qb: flow.quickbooks.entity };
}
