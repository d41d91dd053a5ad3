import { amountCalculation, businessValidation, requiredParam, unsupportedProperty } from '../errors.ts';
import { cents, Dec, grouped, money, plain } from '../money.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { StoredRecord } from '../store/table.ts';
import { resolveRef, type Obj } from './common.ts';

const DETAIL_TYPES = [
  'PaymentLineDetail',
  'DiscountLineDetail',
  'TaxLineDetail',
  'SalesItemLineDetail',
  'ItemBasedExpenseLineDetail',
  'AccountBasedExpenseLineDetail',
  'DepositLineDetail',
  'PurchaseOrderItemLineDetail',
  'ItemReceiptLineDetail',
  'JournalEntryLineDetail',
  'GroupLineDetail',
  'DescriptionOnly',
  'SubTotalLineDetail',
  'SalesOrderItemLineDetail',
  'TDSLineDetail',
  'ReimburseLineDetail',
  'ItemAdjustmentLineDetail',
];
const DETAIL_KEYS = DETAIL_TYPES.filter((t) => t !== 'DescriptionOnly');

/** The lines of a sales form after validation, with what the totals and inventory need. */
export interface BuiltLines {
  lines: Obj[];
  subtotal: Dec;
  discount: Dec;
  /** Inventory item id → quantity on the form. */
  quantities: Map<string, Dec>;
}

function detailTypeOf(line: Obj): string {
  if (typeof line.DetailType === 'string') return line.DetailType;
  const present = DETAIL_KEYS.find((k) => line[k] !== undefined);
  if (present) return present;
  if (line.DescriptionLineDetail !== undefined) return 'DescriptionOnly';
  throw requiredParam('Line.DetailType');
}

/**
 * Validates and completes the lines of an invoice, sales receipt or credit memo: each sales item
 * line needs an active item and an Amount that equals Qty × UnitPrice (rounded to the cent) when
 * both are given; discount lines take an amount or a percentage of the subtotal; the subtotal line
 * is recomputed (QuickBooks appends it to every response). Line Ids survive an update.
 */
export function buildSalesLines(
  co: Company,
  rawLines: unknown,
  customer: StoredRecord,
  existing: StoredRecord | undefined,
): BuiltLines {
  const input = (Array.isArray(rawLines) ? rawLines : []) as Obj[];
  const oldLines = ((existing?.e.Line as Obj[] | undefined) ?? []).filter((l) => typeof l.Id === 'string');
  const oldIds = new Set(oldLines.map((l) => l.Id as string));
  const oldItems = new Set(
    oldLines.map((l) => refValue((l.SalesItemLineDetail as Obj | undefined)?.ItemRef)).filter(Boolean),
  );
  let maxId = Math.max(0, ...oldLines.map((l) => Number(l.Id)).filter(Number.isFinite));
  const used = new Set<string>();
  const nextId = (wanted: unknown): string => {
    if (typeof wanted === 'string' && oldIds.has(wanted) && !used.has(wanted)) {
      used.add(wanted);
      return wanted;
    }
    const id = String(++maxId);
    used.add(id);
    return id;
  };

  const items: Obj[] = [];
  const discounts: Obj[] = [];
  let subtotal = new Dec(0);
  let discount = new Dec(0);
  const quantities = new Map<string, Dec>();
  let lineNum = 0;
  for (const raw of input) {
    const type = detailTypeOf(raw);
    if (type === 'SubTotalLineDetail') continue;
    if (!DETAIL_TYPES.includes(type)) {
      throw unsupportedProperty(
        `Can not construct instance of com.intuit.schema.finance.v3.LineDetailTypeEnum from String value '${type}': value not one of declared Enum instance names: [${DETAIL_TYPES.join(', ')}]`,
      );
    }
    if (type === 'SalesItemLineDetail') {
      const detail = raw.SalesItemLineDetail as Obj | undefined;
      if (!detail) throw requiredParam('Line.SalesItemLineDetail');
      if (detail.ItemRef === undefined) throw requiredParam('Line.SalesItemLineDetail.ItemRef');
      const item = resolveRef(co, 'Item', detail.ItemRef, 'Line.SalesItemLineDetail.ItemRef', {
        allowInactive: oldItems.has(refValue(detail.ItemRef)),
        plural: 'items',
      });
      if (raw.Amount === undefined) throw requiredParam('Line.Amount');
      const amount = new Dec(raw.Amount as string);
      const qty = detail.Qty !== undefined ? new Dec(detail.Qty as string) : undefined;
      const price = detail.UnitPrice !== undefined ? new Dec(detail.UnitPrice as string) : undefined;
      if (qty && price && !cents(qty.times(price)).eq(amount)) throw amountCalculation(grouped(amount));
      let taxCode = refValue(detail.TaxCodeRef);
      if (taxCode !== undefined) {
        resolveRef(co, 'TaxCode', detail.TaxCodeRef, 'Line.SalesItemLineDetail.TaxCodeRef', {
          plural: 'tax codes',
        });
      } else {
        taxCode = item.e.Taxable === true && customer.e.Taxable !== false ? 'TAX' : 'NON';
      }
      const outDetail: Obj = { ItemRef: { value: item.id, name: item.e.FullyQualifiedName } };
      if (price) outDetail.UnitPrice = plain(price);
      if (qty) outDetail.Qty = plain(qty);
      outDetail.TaxCodeRef = { value: taxCode };
      for (const [k, v] of Object.entries(detail)) {
        if (!['ItemRef', 'UnitPrice', 'Qty', 'TaxCodeRef'].includes(k)) outDetail[k] = v;
      }
      if (item.e.Type === 'Inventory' && qty) {
        quantities.set(item.id, (quantities.get(item.id) ?? new Dec(0)).plus(qty));
      }
      subtotal = subtotal.plus(amount);
      items.push(
        line(nextId(raw.Id), ++lineNum, raw, money(amount), type, { SalesItemLineDetail: outDetail }),
      );
    } else if (type === 'DescriptionOnly') {
      const detail = raw.DescriptionLineDetail as Obj | undefined;
      items.push(
        line(
          nextId(raw.Id),
          ++lineNum,
          raw,
          undefined,
          type,
          detail ? { DescriptionLineDetail: detail } : {},
        ),
      );
    } else if (type === 'DiscountLineDetail') {
      const detail = (raw.DiscountLineDetail as Obj | undefined) ?? {};
      let amount: Dec;
      if (detail.PercentBased === true) {
        if (detail.DiscountPercent === undefined)
          throw requiredParam('Line.DiscountLineDetail.DiscountPercent');
        amount = cents(subtotal.times(detail.DiscountPercent as string).dividedBy(100));
      } else {
        if (raw.Amount === undefined) throw requiredParam('Line.Amount');
        amount = new Dec(raw.Amount as string);
      }
      if (amount.isNegative()) throw businessValidation('A discount cannot be negative.', 'Line.Amount');
      discount = discount.plus(amount);
      discounts.push(
        line(nextId(raw.Id), ++lineNum, raw, money(amount), type, { DiscountLineDetail: detail }),
      );
    } else {
      throw businessValidation(
        `Lines of type ${type} are not supported on this transaction.`,
        'Line.DetailType',
      );
    }
  }
  if (items.length === 0) throw requiredParam('Line');
  const sub: Obj = { Amount: money(subtotal), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} };
  return { lines: [...items, sub, ...discounts], subtotal, discount, quantities };
}

function line(id: string, num: number, raw: Obj, amount: string | undefined, type: string, detail: Obj): Obj {
  const out: Obj = { Id: id, LineNum: num };
  if (raw.Description !== undefined) out.Description = raw.Description;
  if (amount !== undefined) out.Amount = amount;
  out.DetailType = type;
  Object.assign(out, detail);
  for (const k of ['LinkedTxn', 'CustomField', 'ProjectRef']) if (raw[k] !== undefined) out[k] = raw[k];
  return out;
}

/** Lines zeroed as a void leaves them: every amount and quantity 0. */
export function voidedLines(lines: Obj[]): Obj[] {
  return lines.map((l) => {
    const out: Obj = { ...l };
    if (out.Amount !== undefined) out.Amount = '0';
    const d = out.SalesItemLineDetail as Obj | undefined;
    if (d?.Qty !== undefined) out.SalesItemLineDetail = { ...d, Qty: '0' };
    return out;
  });
}
