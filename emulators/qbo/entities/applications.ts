import { dec, money } from '../money.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import { canonical, SYSTEM_KEYS, without, type Obj } from './common.ts';

/**
 * The links between payments and the invoices / credit memos they settle, seen from the invoice
 * side: applying a payment lowers the invoice's Balance (a credit memo's RemainingCredit) and adds
 * a LinkedTxn of type Payment to it, which QuickBooks reports as an update of the invoice.
 */

/** Recomputes an invoice's or credit memo's open amount and links; writes it if they changed. */
export function refreshTarget(co: Company, type: 'Invoice' | 'CreditMemo', id: string): string | undefined {
  const rec = co.find(type, id);
  if (!rec || rec.voided) return undefined;
  const applied = co.appliedAmount(type, id);
  const links = co.paymentsApplied(type, id).map((pid) => ({ TxnId: pid, TxnType: 'Payment' }));
  const fields: Obj = { ...without(rec.e, SYSTEM_KEYS), LinkedTxn: links };
  if (type === 'Invoice') {
    fields.Balance = money(
      dec(rec.e.TotalAmt as string)
        .minus(dec(rec.e.Deposit as string))
        .minus(applied),
    );
  } else {
    const remaining = money(dec(rec.e.TotalAmt as string).minus(applied));
    fields.RemainingCredit = remaining;
    fields.Balance = remaining;
  }
  if (canonical(fields) !== canonical(without(rec.e, SYSTEM_KEYS))) co.commitUpdate(type, rec, fields);
  return refValue(rec.e.CustomerRef);
}

/**
 * Detaches every payment from an invoice or credit memo about to be deleted or voided: the
 * payment lines pointing at it go, and their amount becomes unapplied (each payment is updated).
 * Returns the customers whose balances moved.
 */
export function detachPayments(co: Company, type: 'Invoice' | 'CreditMemo', id: string): string[] {
  const customers: string[] = [];
  for (const pid of co.paymentsApplied(type, id)) {
    const payment = co.find('Payment', pid);
    if (!payment) continue;
    const lines = ((payment.e.Line as Obj[] | undefined) ?? []).filter(
      (l) => !((l.LinkedTxn as Obj[] | undefined) ?? []).some((t) => t.TxnType === type && t.TxnId === id),
    );
    let kept = lines;
    let applied = netApplied(kept);
    const total = dec(payment.e.TotalAmt as string);
    // a credit memo that funded part of the payment is gone: what it paid for is unapplied too
    if (applied.gt(total)) {
      kept = [];
      applied = dec(0);
    }
    const unapplied = money(total.minus(applied));
    co.commitUpdate('Payment', payment, {
      ...without(payment.e, SYSTEM_KEYS),
      Line: kept,
      UnappliedAmt: unapplied,
    });
    const cid = refValue(payment.e.CustomerRef);
    if (cid) customers.push(cid);
  }
  return customers;
}

/** Invoice applications less credit-memo applications of a payment's lines. */
export function netApplied(lines: Obj[]): ReturnType<typeof dec> {
  let applied = dec(0);
  for (const l of lines) {
    const link = ((l.LinkedTxn as Obj[] | undefined) ?? [])[0];
    const amount = dec(l.Amount as string);
    applied = link?.TxnType === 'CreditMemo' ? applied.minus(amount) : applied.plus(amount);
  }
  return applied;
}
