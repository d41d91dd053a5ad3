import { businessValidation, duplicateDocNumber, requiredParam } from '../errors.ts';
import { dec, Dec, money } from '../money.ts';
import { ENTITIES } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { Entity, StoredRecord } from '../store/table.ts';
import { addDays, formatDate } from '../time.ts';
import { detachPayments } from './applications.ts';
import {
  checkLengths,
  mergeForUpdate,
  refTo,
  resolveRef,
  SYSTEM_KEYS,
  unchanged,
  USD,
  without,
  type EntityOps,
  type Obj,
  type OpContext,
} from './common.ts';
import { moveInventory, quantitiesOf } from './inventory.ts';
import { buildSalesLines, voidedLines } from './lines.ts';

export type SalesKind = 'Invoice' | 'SalesReceipt' | 'CreditMemo';

const COMPUTED = ['TotalAmt', 'Balance', 'HomeTotalAmt', 'HomeBalance', 'RemainingCredit', 'LinkedTxn'];
/** Inventory moves out on invoices and sales receipts, back in on credit memos. */
const INVENTORY_SIGN: Record<SalesKind, 1 | -1> = { Invoice: -1, SalesReceipt: -1, CreditMemo: 1 };

/** The next automatic document number (1001, 1002, …) for a transaction type. */
export function nextDocNumber(co: Company, kind: SalesKind | 'Payment'): string {
  return String((co.docMax.get(kind) ?? 1000) + 1);
}

function copyAddress(addr: unknown): Obj | undefined {
  if (!addr || typeof addr !== 'object') return undefined;
  const { Id: _id, ...rest } = addr as Obj;
  return rest;
}

/**
 * Builds the stored fields of an invoice, sales receipt or credit memo: lines and totals,
 * document number (automatic when omitted, unique per type unless allowed), dates and due date
 * from the sales term, addresses and email defaulted from the customer, open balance.
 */
function build(ctx: OpContext, kind: SalesKind, input: Obj, existing: StoredRecord | undefined): Obj {
  const { co } = ctx;
  checkLengths(ENTITIES[kind], input);
  if (input.CustomerRef === undefined) throw requiredParam('CustomerRef');
  const sameCustomer = refValue(input.CustomerRef) === refValue(existing?.e.CustomerRef);
  const customer = resolveRef(co, 'Customer', input.CustomerRef, 'CustomerRef', {
    allowInactive: sameCustomer,
  });
  if (input.Line === undefined) throw requiredParam('Line');
  const built = buildSalesLines(co, input.Line, customer, existing);
  const total = built.subtotal.minus(built.discount);
  if (total.isNegative()) throw businessValidation('The transaction total cannot be negative.', 'TotalAmt');

  const applied = existing && kind !== 'SalesReceipt' ? co.appliedAmount(kind, existing.id) : new Dec(0);
  if (existing && !sameCustomer && applied.gt(0)) {
    throw businessValidation(
      'The customer cannot change on a transaction that has payments applied.',
      'CustomerRef',
    );
  }
  const txnDate =
    (input.TxnDate as string | undefined) ??
    (existing?.e.TxnDate as string | undefined) ??
    formatDate(co.now());
  let docNumber = typeof input.DocNumber === 'string' ? input.DocNumber.trim() : undefined;
  if (docNumber === '') docNumber = undefined;
  if (docNumber === undefined && !existing) docNumber = nextDocNumber(co, kind);
  if (docNumber !== undefined && !ctx.include.has('allowduplicatedocnum')) {
    const other = co.docNumberOwners(kind, docNumber).find((id) => id !== existing?.id);
    if (other !== undefined) throw duplicateDocNumber(docNumber, kind, other);
  }

  const out: Obj = {};
  if (kind === 'Invoice') {
    out.AllowIPNPayment = input.AllowIPNPayment ?? false;
    out.AllowOnlinePayment = input.AllowOnlinePayment ?? false;
    out.AllowOnlineCreditCardPayment = input.AllowOnlineCreditCardPayment ?? false;
    out.AllowOnlineACHPayment = input.AllowOnlineACHPayment ?? false;
  }
  if (docNumber !== undefined) out.DocNumber = docNumber;
  out.TxnDate = txnDate;
  out.CurrencyRef = input.CurrencyRef ?? USD;
  if (input.PrivateNote !== undefined) out.PrivateNote = input.PrivateNote;
  out.LinkedTxn = (existing?.e.LinkedTxn as unknown[] | undefined) ?? [];
  out.Line = built.lines;
  const taxDetail = (input.TxnTaxDetail as Obj | undefined) ?? {};
  out.TxnTaxDetail = { ...without(taxDetail, ['TotalTax', 'TaxLine']), TotalTax: '0' };
  out.CustomerRef = refTo(customer, 'FullyQualifiedName');
  if (input.CustomerMemo !== undefined) out.CustomerMemo = input.CustomerMemo;
  const billAddr = input.BillAddr ?? copyAddress(customer.e.BillAddr);
  if (billAddr) out.BillAddr = billAddr;
  const shipAddr = input.ShipAddr ?? copyAddress(customer.e.ShipAddr ?? customer.e.BillAddr);
  if (shipAddr && kind !== 'CreditMemo') out.ShipAddr = shipAddr;

  if (kind === 'Invoice') {
    let dueDays = co.defaultDueDays;
    const termRef = input.SalesTermRef ?? customer.e.SalesTermRef;
    if (termRef !== undefined) {
      const term = resolveRef(co, 'Term', termRef, 'SalesTermRef', {
        allowInactive: refValue(termRef) === refValue(existing?.e.SalesTermRef),
        plural: 'terms',
      });
      out.SalesTermRef = refTo(term);
      dueDays = Number(term.e.DueDays ?? 0);
    }
    out.DueDate = (input.DueDate as string | undefined) ?? addDays(txnDate, dueDays);
  }
  out.TotalAmt = money(total);
  out.ApplyTaxAfterDiscount = input.ApplyTaxAfterDiscount ?? false;
  out.PrintStatus = input.PrintStatus ?? (kind === 'Invoice' ? 'NeedToPrint' : 'NotSet');
  out.EmailStatus = input.EmailStatus ?? 'NotSet';
  const email = (customer.e.PrimaryEmailAddr as Obj | undefined)?.Address;
  const billEmail = input.BillEmail ?? (typeof email === 'string' ? { Address: email } : undefined);
  if (billEmail) out.BillEmail = billEmail;

  if (kind === 'Invoice') {
    const deposit = dec(input.Deposit as string | undefined);
    const balance = total.minus(deposit).minus(applied);
    if (balance.isNegative()) {
      throw businessValidation(
        'The transaction total is less than the deposit and the payments already applied to it.',
        'TotalAmt',
      );
    }
    out.Balance = money(balance);
    out.Deposit = money(deposit);
  } else if (kind === 'CreditMemo') {
    const remaining = total.minus(applied);
    if (remaining.isNegative()) {
      throw businessValidation('The credit memo total is less than the credit already applied.', 'TotalAmt');
    }
    out.RemainingCredit = money(remaining);
    out.Balance = money(remaining);
  } else {
    out.Balance = '0';
    const deposit =
      input.DepositToAccountRef !== undefined
        ? resolveRef(co, 'Account', input.DepositToAccountRef, 'DepositToAccountRef', { plural: 'accounts' })
        : co.find('Account', co.accounts.undepositedFunds);
    if (deposit) out.DepositToAccountRef = refTo(deposit);
    if (input.PaymentMethodRef !== undefined) out.PaymentMethodRef = input.PaymentMethodRef;
  }
  for (const [k, v] of Object.entries(input)) {
    if (!(k in out) && !['Deposit', 'SalesTermRef', 'DueDate'].includes(k)) out[k] = v;
  }
  if (kind !== 'Invoice' && input.DueDate !== undefined) out.DueDate = input.DueDate;
  return out;
}

function affectedCustomers(before: Entity | undefined, after: Entity | undefined): string[] {
  return [refValue(before?.CustomerRef), refValue(after?.CustomerRef)].filter((v): v is string => !!v);
}

function salesOps(kind: SalesKind): EntityOps {
  const sign = INVENTORY_SIGN[kind];
  return {
    create(ctx, input) {
      const fields = build(ctx, kind, mergeForUpdate({}, input, false, COMPUTED), undefined);
      const rec = ctx.co.commitCreate(kind, fields);
      moveInventory(ctx.co, quantitiesOf(ctx.co, rec.e), sign);
      ctx.co.recomputeCustomerBalances(affectedCustomers(undefined, rec.e));
      return rec;
    },
    update(ctx, rec, input, sparse) {
      if (rec.voided) throw businessValidation('A voided transaction cannot be changed.');
      const fields = build(ctx, kind, mergeForUpdate(rec.e, input, sparse, COMPUTED), rec);
      if (unchanged(rec, fields)) return rec;
      const before = rec.e;
      const oldQty = quantitiesOf(ctx.co, before);
      ctx.co.commitUpdate(kind, rec, fields);
      moveInventory(ctx.co, oldQty, sign === 1 ? -1 : 1);
      moveInventory(ctx.co, quantitiesOf(ctx.co, rec.e), sign);
      ctx.co.recomputeCustomerBalances(affectedCustomers(before, rec.e));
      return rec;
    },
    remove(ctx, rec) {
      const customers = kind === 'SalesReceipt' ? [] : detachPayments(ctx.co, kind, rec.id);
      if (!rec.voided) moveInventory(ctx.co, quantitiesOf(ctx.co, rec.e), sign === 1 ? -1 : 1);
      ctx.co.commitDelete(kind, rec);
      ctx.co.recomputeCustomerBalances([...customers, ...affectedCustomers(rec.e, undefined)]);
    },
    voidTxn(ctx, rec) {
      if (rec.voided) return rec;
      const customers = kind === 'SalesReceipt' ? [] : detachPayments(ctx.co, kind, rec.id);
      moveInventory(ctx.co, quantitiesOf(ctx.co, rec.e), sign === 1 ? -1 : 1);
      const fields: Obj = {
        ...without(rec.e, SYSTEM_KEYS),
        PrivateNote: 'Voided',
        LinkedTxn: [],
        Line: voidedLines(rec.e.Line as Obj[]),
        TxnTaxDetail: { ...((rec.e.TxnTaxDetail as Obj | undefined) ?? {}), TotalTax: '0' },
        TotalAmt: '0',
        Balance: '0',
      };
      if (kind === 'Invoice') fields.Deposit = '0';
      if (kind === 'CreditMemo') fields.RemainingCredit = '0';
      rec.voided = true;
      ctx.co.commitUpdate(kind, rec, fields, 'Void');
      ctx.co.recomputeCustomerBalances([...customers, ...affectedCustomers(rec.e, undefined)]);
      return rec;
    },
  };
}

export const invoiceOps = salesOps('Invoice');
export const salesReceiptOps = salesOps('SalesReceipt');
export const creditMemoOps = salesOps('CreditMemo');
