import { businessValidation, objectNotFound, requiredParam } from '../errors.ts';
import { Dec, dec, grouped, money } from '../money.ts';
import { ENTITIES } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { applicationsOf, refValue } from '../store/company.ts';
import type { Entity, StoredRecord } from '../store/table.ts';
import { formatDate } from '../time.ts';
import { refreshTarget } from './applications.ts';
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

const COMPUTED = ['UnappliedAmt'];

function isSameOrDescendant(co: Company, customerId: string, candidate: string | undefined): boolean {
  let cur = candidate;
  while (cur) {
    if (cur === customerId) return true;
    cur = refValue(co.find('Customer', cur)?.e.ParentRef);
  }
  return false;
}

/**
 * Builds a payment: each line applies an amount to one invoice (or takes it from one credit memo)
 * of the same customer or one of its sub-customers; no invoice may receive more than its open
 * balance, and the net applied amount cannot exceed TotalAmt. The rest is UnappliedAmt.
 */
function build(co: Company, input: Obj, existing: StoredRecord | undefined): Obj {
  checkLengths(ENTITIES.Payment, input);
  if (input.CustomerRef === undefined) throw requiredParam('CustomerRef');
  const sameCustomer = refValue(input.CustomerRef) === refValue(existing?.e.CustomerRef);
  const customer = resolveRef(co, 'Customer', input.CustomerRef, 'CustomerRef', {
    allowInactive: sameCustomer,
  });
  if (input.TotalAmt === undefined) throw requiredParam('TotalAmt');
  const total = dec(input.TotalAmt as string);
  if (total.isNegative()) throw businessValidation('The payment amount cannot be negative.', 'TotalAmt');

  const perTarget = new Map<string, { type: 'Invoice' | 'CreditMemo'; rec: StoredRecord; amount: Dec }>();
  const lines: Obj[] = [];
  for (const raw of (input.Line as Obj[] | undefined) ?? []) {
    if (raw.Amount === undefined) throw requiredParam('Line.Amount');
    const amount = dec(raw.Amount as string);
    if (amount.isNegative())
      throw businessValidation('A payment line amount cannot be negative.', 'Line.Amount');
    const links = (raw.LinkedTxn as Obj[] | undefined) ?? [];
    const link = links[0];
    if (!link) throw requiredParam('Line.LinkedTxn');
    const type = link.TxnType;
    if (type !== 'Invoice' && type !== 'CreditMemo') {
      throw businessValidation(
        `A payment line can only be linked to an Invoice or a CreditMemo. Supplied value:${String(type)}`,
        'Line.LinkedTxn.TxnType',
      );
    }
    if (typeof link.TxnId !== 'string' || link.TxnId === '') throw requiredParam('Line.LinkedTxn.TxnId');
    const target = co.find(type, link.TxnId);
    if (!target) throw objectNotFound(type === 'Invoice' ? 'invoices' : 'credit memos');
    if (target.voided) throw businessValidation(`${type} ${link.TxnId} has been voided.`, 'Line.LinkedTxn');
    if (!isSameOrDescendant(co, customer.id, refValue(target.e.CustomerRef))) {
      throw businessValidation(
        `${type} ${String(target.e.DocNumber ?? target.id)} belongs to a different customer.`,
        'Line.LinkedTxn',
      );
    }
    const key = `${type}:${target.id}`;
    const prior = perTarget.get(key);
    perTarget.set(key, { type, rec: target, amount: (prior?.amount ?? new Dec(0)).plus(amount) });
    const out: Obj = { Amount: money(amount), LinkedTxn: [{ TxnId: target.id, TxnType: type }] };
    for (const [k, v] of Object.entries(raw)) if (!(k in out)) out[k] = v;
    lines.push(out);
  }

  let invoiced = new Dec(0);
  let credited = new Dec(0);
  for (const { type, rec, amount } of perTarget.values()) {
    const already = co.appliedAmount(type, rec.id, existing?.id);
    const open =
      type === 'Invoice'
        ? dec(rec.e.TotalAmt as string)
            .minus(dec(rec.e.Deposit as string))
            .minus(already)
        : dec(rec.e.TotalAmt as string).minus(already);
    if (amount.gt(open)) {
      throw businessValidation(
        `The amount applied to ${type} ${String(rec.e.DocNumber ?? rec.id)} (${grouped(amount)}) is more than its open balance (${grouped(open)}).`,
        'Line.Amount',
      );
    }
    if (type === 'Invoice') invoiced = invoiced.plus(amount);
    else credited = credited.plus(amount);
  }
  const net = invoiced.minus(credited);
  if (net.gt(total)) {
    throw businessValidation(
      `The amount applied (${grouped(net)}) is more than the payment amount (${grouped(total)}).`,
      'TotalAmt',
    );
  }

  const deposit =
    input.DepositToAccountRef !== undefined
      ? resolveRef(co, 'Account', input.DepositToAccountRef, 'DepositToAccountRef', {
          allowInactive: refValue(input.DepositToAccountRef) === refValue(existing?.e.DepositToAccountRef),
          plural: 'accounts',
        })
      : co.find('Account', co.accounts.undepositedFunds);
  const out: Obj = {
    CustomerRef: refTo(customer, 'FullyQualifiedName'),
    ...(deposit ? { DepositToAccountRef: refTo(deposit) } : {}),
    TotalAmt: money(total),
    UnappliedAmt: money(total.minus(net)),
    ProcessPayment: input.ProcessPayment ?? false,
    TxnDate:
      (input.TxnDate as string | undefined) ??
      (existing?.e.TxnDate as string | undefined) ??
      formatDate(co.now()),
    CurrencyRef: input.CurrencyRef ?? USD,
    Line: lines,
  };
  for (const [k, v] of Object.entries(input)) if (!(k in out)) out[k] = v;
  return out;
}

/** Updates the invoices and credit memos a payment touched, then the customers' balances. */
function settle(co: Company, before: Entity | undefined, after: Entity | undefined): void {
  const targets = new Map<string, 'Invoice' | 'CreditMemo'>();
  for (const e of [before, after]) {
    if (!e) continue;
    for (const app of applicationsOf(e)) targets.set(app.id + ':' + app.type, app.type);
  }
  const customers = new Set<string>();
  for (const [key, type] of targets) {
    const cid = refreshTarget(co, type, key.split(':')[0]!);
    if (cid) customers.add(cid);
  }
  for (const e of [before, after]) {
    const cid = refValue(e?.CustomerRef);
    if (cid) customers.add(cid);
  }
  co.recomputeCustomerBalances(customers);
}

function create(ctx: OpContext, input: Obj): StoredRecord {
  const rec = ctx.co.commitCreate(
    'Payment',
    build(ctx.co, mergeForUpdate({}, input, false, COMPUTED), undefined),
  );
  settle(ctx.co, undefined, rec.e);
  return rec;
}

function update(ctx: OpContext, rec: StoredRecord, input: Obj, sparse: boolean): StoredRecord {
  if (rec.voided) throw businessValidation('A voided transaction cannot be changed.');
  const fields = build(ctx.co, mergeForUpdate(rec.e, input, sparse, COMPUTED), rec);
  if (unchanged(rec, fields)) return rec;
  const before = rec.e;
  ctx.co.commitUpdate('Payment', rec, fields);
  settle(ctx.co, before, rec.e);
  return rec;
}

function remove(ctx: OpContext, rec: StoredRecord): void {
  const before = rec.e;
  ctx.co.commitDelete('Payment', rec);
  settle(ctx.co, before, undefined);
}

function voidTxn(ctx: OpContext, rec: StoredRecord): StoredRecord {
  if (rec.voided) return rec;
  const before = rec.e;
  const lines = ((rec.e.Line as Obj[] | undefined) ?? []).map((l) => ({ ...l, Amount: '0' }));
  rec.voided = true;
  ctx.co.commitUpdate(
    'Payment',
    rec,
    { ...without(rec.e, SYSTEM_KEYS), TotalAmt: '0', UnappliedAmt: '0', Line: lines, PrivateNote: 'Voided' },
    'Void',
  );
  settle(ctx.co, before, rec.e);
  return rec;
}

/** Receive Payment: applied to invoices (and credit memos), deleted, voided. */
export const paymentOps: EntityOps = { create, update, remove, voidTxn };
