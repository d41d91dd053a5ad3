import { Dec, dec, plain } from '../money.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { Entity } from '../store/table.ts';
import type { Obj } from './common.ts';

/** Inventory item id → quantity sold (or credited) on a stored sales form. */
export function quantitiesOf(co: Company, e: Entity | undefined): Map<string, Dec> {
  const out = new Map<string, Dec>();
  for (const line of (e?.Line as Obj[] | undefined) ?? []) {
    const d = line.SalesItemLineDetail as Obj | undefined;
    const id = refValue(d?.ItemRef);
    if (!id || d?.Qty === undefined) continue;
    if (co.find('Item', id)?.e.Type !== 'Inventory') continue;
    out.set(id, (out.get(id) ?? new Dec(0)).plus(d.Qty as string));
  }
  return out;
}

/**
 * Moves inventory: invoices and sales receipts take quantity out (sign -1), credit memos put it
 * back (sign +1). QuickBooks lets QtyOnHand go negative.
 */
export function moveInventory(co: Company, quantities: Map<string, Dec>, sign: 1 | -1): void {
  for (const [id, qty] of quantities) {
    const item = co.find('Item', id);
    if (!item || item.e.Type !== 'Inventory') continue;
    const next = dec(item.e.QtyOnHand as string).plus(qty.times(sign));
    co.refresh('Item', item, { QtyOnHand: plain(next) });
  }
}
