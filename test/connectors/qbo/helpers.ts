import { expect } from 'vitest';
import type { QboConnector, QbRecord } from '../../../src/connectors/qbo/index.ts';
import { names } from './fixture.ts';

/** Creates customers through batches of 30; returns them in creation order. */
export async function createCustomers(
  c: QboConnector,
  prefix: string,
  n: number,
  requestTag: string,
): Promise<QbRecord[]> {
  const all = names(prefix, n);
  const out: QbRecord[] = [];
  for (let i = 0; i < all.length; i += 30) {
    const chunk = all.slice(i, i + 30);
    const res = await c.batch(
      chunk.map((DisplayName, k) => ({
        bId: `b${k}`,
        operation: 'create' as const,
        entity: 'Customer',
        body: { DisplayName },
      })),
      `${requestTag}-${i / 30}`,
    );
    for (const r of res) {
      expect(r.fault).toBeUndefined();
      out.push(r.entity!);
    }
  }
  return out;
}

/** An invoice body for a customer with one line of an existing item. */
export async function invoiceBody(
  c: QboConnector,
  customerId: string,
  amount = '10.25',
): Promise<Record<string, unknown>> {
  const [item] = (
    await c.query('Item', { where: "Type = 'Service'", pageSize: 1 })[Symbol.asyncIterator]().next()
  ).value as QbRecord[];
  return {
    CustomerRef: { value: customerId },
    Line: [
      {
        Amount: amount,
        DetailType: 'SalesItemLineDetail',
        SalesItemLineDetail: { ItemRef: { value: item!.Id }, Qty: '1', UnitPrice: amount },
      },
    ],
  };
}

/** All pages of a change stream. */
export async function all(pages: AsyncIterable<QbRecord[]>): Promise<QbRecord[][]> {
  const out: QbRecord[][] = [];
  for await (const p of pages) out.push(p);
  return out;
}

/** Whether records are in (LastUpdatedTime, Id) order. */
export function inUpdateOrder(records: QbRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    const a = Date.parse(records[i - 1]!.MetaData!.LastUpdatedTime);
    const b = Date.parse(records[i]!.MetaData!.LastUpdatedTime);
    if (a > b) return false;
  }
  return true;
}
