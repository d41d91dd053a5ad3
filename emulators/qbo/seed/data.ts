import { Rng } from '../../kit/rng.ts';
import { company, item, itemCount, type SeedCompany, type SeedSubCustomer } from '../../seed/universe.ts';
import { USD } from '../entities/common.ts';
import { centsText, plain } from '../money.ts';
import type { Company } from '../store/company.ts';
import type { Entity, StoredRecord } from '../store/table.ts';
import { addDays, formatDate } from '../time.ts';
import { setUpCompany, TERM_IDS } from './setup.ts';

/**
 * Seeds a company from the shared universe (emulators/seed/universe.ts): a customer for every
 * company QuickBooks knows (presence 'both' or 'qbo') with its sub-customers and jobs, the
 * catalog items QuickBooks knows, about one invoice per customer with 1–4 item lines, payments
 * for ~60% of them (full or partial), a few credit memos and sales receipts. Times spread over
 * the two years before `now`; Ids follow creation time. Everything is a function of (seed,
 * records), except that times are relative to `now`.
 *
 * Records are built directly (not through the API operations) so that 100,000 companies seed in
 * a few seconds: each entity object is allocated once, in its final shape, reference objects are
 * shared, and amounts are computed in whole cents (exact integer arithmetic).
 */

export interface SeedOptions {
  seed: number | string;
  records: number;
  /** Which company of the emulator this is (0-based): names CompanyInfo. */
  realmIndex: number;
  now: number;
}

const DAY = 86_400_000;
const SPAN_DAYS = 730;
// Shared, frozen parts: identical in many seeded records, never mutated (writes replace them).
const TAX = Object.freeze({ value: 'TAX' });
const NON = Object.freeze({ value: 'NON' });
const NO_LINKS: readonly unknown[] = Object.freeze([]);
const NO_TAX = Object.freeze({ TotalTax: '0' });
const SUBTOTAL_DETAIL = Object.freeze({});

interface Planned {
  created: number;
  updated: number;
  syncToken: number;
  fields: Entity;
  id?: string;
}

interface ItemPlan extends Planned {
  type: string;
  priceCents: number;
  /** The UnitPrice text of a line that sells it at its own price. */
  priceText: string;
  taxable: boolean;
  ref: { value: string; name: string };
}

interface CustomerPlan extends Planned {
  key: string;
  displayName: string;
  fqn: string;
  taxable: boolean;
  dueDays: number;
  isSub: boolean;
  job: boolean;
  parent?: CustomerPlan;
  ref: { value: string; name: string };
}

interface SalesPlan extends Planned {
  customer: CustomerPlan;
  totalCents: number;
  paidCents: number;
  payments: string[];
}

interface PaymentPlan extends Planned {
  invoice: SalesPlan;
  amountCents: number;
}

/** An entity object whose system fields are filled in once its Id is known (see `stamp`). */
function entity(): Entity {
  return { domain: 'QBO', sparse: false, Id: '', SyncToken: '0' };
}

/** Completes a planned entity's system fields in place and wraps it as a stored record. */
function stamp(p: Planned): StoredRecord {
  const created = Math.floor(p.created / 1000);
  const updated = Math.floor(Math.max(p.created, p.updated) / 1000);
  const e = p.fields;
  e.Id = p.id;
  e.SyncToken = String(p.syncToken);
  return { id: p.id!, e, created, updated, inactive: false };
}

/** Whole cents from a seed price (`93.80`). */
function priceCents(text: string): number {
  const [int = '0', frac = ''] = text.split('.');
  return Number(int) * 100 + Number((frac + '00').slice(0, 2));
}

function assignIds<T extends Planned>(plans: T[]): T[] {
  plans.sort((a, b) => a.created - b.created);
  for (let i = 0; i < plans.length; i++) plans[i]!.id = String(i + 1);
  return plans;
}

function randomTime(rng: Rng, from: number, to: number): number {
  return to <= from ? from : from + Math.floor(rng.next() * (to - from));
}

function accountRef(co: Company, accountId: string): { value: string; name: string } {
  return { value: accountId, name: String(co.find('Account', accountId)?.e.Name ?? '') };
}

function planItems(co: Company, opts: SeedOptions): ItemPlan[] {
  const plans: ItemPlan[] = [];
  const start = opts.now - SPAN_DAYS * DAY;
  const services = accountRef(co, co.accounts.services);
  const sales = accountRef(co, co.accounts.salesIncome);
  const cogs = accountRef(co, co.accounts.cogs);
  const asset = accountRef(co, co.accounts.inventoryAsset);
  const n = itemCount(opts.records);
  for (let i = 0; i < n; i++) {
    const it = item(opts.seed, i);
    if (it.presence === 'sf') continue;
    const rng = new Rng(`${opts.seed}:qbo-item:${i}`);
    const created = i < 16 ? start - DAY + i * 1000 : randomTime(rng, start, opts.now - DAY);
    const updated = rng.chance(0.2) ? randomTime(rng, created, opts.now - 60_000) : created;
    const inventory = it.type === 'Inventory';
    const taxable = it.type !== 'Service';
    const e = entity();
    e.Name = it.name;
    e.Description = it.description;
    e.Active = true;
    e.FullyQualifiedName = it.name;
    e.Taxable = taxable;
    e.UnitPrice = plain(it.unitPrice);
    e.Type = it.type;
    e.IncomeAccountRef = it.type === 'Service' ? services : sales;
    e.PurchaseDesc = it.description;
    e.PurchaseCost = plain(it.purchaseCost);
    e.TrackQtyOnHand = inventory;
    e.Sku = it.sku;
    e.SubItem = false;
    if (inventory) {
      e.ExpenseAccountRef = cogs;
      e.AssetAccountRef = asset;
      e.QtyOnHand = String(it.qtyOnHand);
      e.InvStartDate = formatDate(created);
    }
    plans.push({
      created,
      updated,
      syncToken: updated > created ? 1 : 0,
      fields: e,
      type: it.type,
      priceCents: priceCents(it.unitPrice),
      priceText: plain(it.unitPrice),
      taxable,
      ref: { value: '', name: it.name },
    });
  }
  assignIds(plans);
  for (const p of plans) p.ref.value = p.id!;
  return plans;
}

const TERMS: Array<[string | undefined, number, number]> = [
  [undefined, 30, 0.4],
  [TERM_IDS.net15, 15, 0.2],
  [TERM_IDS.net30, 30, 0.3],
  [TERM_IDS.net60, 60, 0.1],
];
const TERM_REFS: Record<string, { value: string; name: string }> = {
  [TERM_IDS.net15]: { value: TERM_IDS.net15, name: 'Net 15' },
  [TERM_IDS.net30]: { value: TERM_IDS.net30, name: 'Net 30' },
  [TERM_IDS.net60]: { value: TERM_IDS.net60, name: 'Net 60' },
};

function pickTerm(rng: Rng): [string | undefined, number] {
  let r = rng.next();
  for (const [id, days, p] of TERMS) {
    if (r < p) return [id, days];
    r -= p;
  }
  return [undefined, 30];
}

function address(a: {
  line1: string;
  city: string;
  country: string;
  state: string;
  postalCode: string;
}): Entity {
  return {
    Line1: a.line1,
    City: a.city,
    Country: a.country,
    CountrySubDivisionCode: a.state,
    PostalCode: a.postalCode,
  };
}

function customerEntity(c: SeedCompany, termId: string | undefined): Entity {
  const person = c.contact;
  // one literal with the keys every seeded customer has, optional keys added after: objects
  // built this way keep a compact shape (no `delete`, which would make them dictionaries)
  const e: Entity = {
    domain: 'QBO',
    sparse: false,
    Id: '',
    SyncToken: '0',
    Taxable: c.taxable,
    Job: false,
    BillWithParent: false,
    Balance: '0',
    BalanceWithJobs: '0',
    CurrencyRef: USD,
    PreferredDeliveryMethod: 'Print',
    FullyQualifiedName: c.qboName,
    DisplayName: c.qboName,
    PrintOnCheckName: c.qboName,
    Active: true,
    GivenName: person.firstName,
    FamilyName: person.lastName,
    PrimaryEmailAddr: { Address: person.email },
    PrimaryPhone: { FreeFormNumber: person.phone },
    BillAddr: address(c.billing),
  };
  if (termId) e.SalesTermRef = TERM_REFS[termId];
  if (person.salutation) e.Title = person.salutation;
  if (!c.individual) e.CompanyName = c.qboName;
  if (person.mobile) e.Mobile = { FreeFormNumber: person.mobile };
  if (c.fax) e.Fax = { FreeFormNumber: c.fax };
  if (c.website) e.WebAddr = { URI: c.website };
  if (c.shipping) e.ShipAddr = address(c.shipping);
  if (c.notes) e.Notes = c.notes;
  return e;
}

function planCustomers(opts: SeedOptions): CustomerPlan[] {
  const start = opts.now - SPAN_DAYS * DAY;
  // only what the sub-customer pass needs is kept: the universe's company objects can go at once
  const withSubs: Array<{ index: number; subs: SeedSubCustomer[]; plan: CustomerPlan }> = [];
  const plans: CustomerPlan[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < opts.records; i++) {
    const c = company(opts.seed, i);
    if (c.presence === 'sf') continue;
    const rng = new Rng(`${opts.seed}:qbo-customer:${i}`);
    const created = randomTime(rng, start, opts.now - 2 * DAY);
    const updated = rng.chance(0.35) ? randomTime(rng, created, opts.now - 60_000) : created;
    const [termId, dueDays] = pickTerm(rng);
    taken.add(c.qboName.toLowerCase());
    const plan: CustomerPlan = {
      created,
      updated,
      syncToken: updated > created ? rng.int(1, 3) : 0,
      fields: customerEntity(c, termId),
      key: c.key,
      displayName: c.qboName,
      fqn: c.qboName,
      taxable: c.taxable,
      dueDays,
      isSub: false,
      job: false,
      ref: { value: '', name: c.qboName },
    };
    plans.push(plan);
    if (c.subCustomers.length) withSubs.push({ index: i, subs: c.subCustomers, plan });
  }
  for (const { index, subs, plan: parent } of withSubs) {
    const rng = new Rng(`${opts.seed}:qbo-sub:${index}`);
    for (const sub of subs) {
      let name = sub.name;
      if (taken.has(name.toLowerCase())) name = `${sub.name} - ${parent.displayName}`;
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${sub.name} - ${parent.displayName} ${n}`;
      taken.add(name.toLowerCase());
      const created = Math.min(parent.created + rng.int(1, 30) * DAY, opts.now - DAY);
      const fqn = `${parent.displayName}:${name}`;
      const e: Entity = {
        domain: 'QBO',
        sparse: false,
        Id: '',
        SyncToken: '0',
        Taxable: parent.taxable,
        Job: sub.job,
        BillWithParent: sub.billWithParent,
        ParentRef: parent.ref,
        Level: 1,
        Balance: '0',
        BalanceWithJobs: '0',
        CurrencyRef: USD,
        PreferredDeliveryMethod: 'Print',
        FullyQualifiedName: fqn,
        DisplayName: name,
        PrintOnCheckName: name,
        Active: true,
        BillAddr: parent.fields.BillAddr,
      };
      plans.push({
        created,
        updated: created,
        syncToken: 0,
        fields: e,
        key: `${parent.key}:${name}`,
        displayName: name,
        fqn,
        taxable: parent.taxable,
        dueDays: parent.dueDays,
        isSub: true,
        job: sub.job,
        parent,
        ref: { value: '', name: fqn },
      });
    }
  }
  assignIds(plans);
  for (const p of plans) p.ref.value = p.id!;
  return plans;
}

const LINE_IDS = ['0', '1', '2', '3', '4', '5'];
/** Quantity text by number of halves (Qty 0.5 … 20). */
const QTY_TEXT = Array.from({ length: 41 }, (_, h) => (h % 2 === 0 ? String(h / 2) : `${(h - 1) / 2}.5`));

function salesLines(
  rng: Rng,
  items: ItemPlan[],
  customer: CustomerPlan,
): { lines: Entity[]; totalCents: number } {
  const count = rng.int(1, 4);
  const lines: Entity[] = [];
  let total = 0;
  for (let n = 1; n <= count; n++) {
    const it = items[rng.int(0, items.length - 1)]!;
    // quantities in halves so that Qty × UnitPrice stays whole-number arithmetic
    const halves =
      it.type === 'Service'
        ? rng.int(1, 16)
        : it.type === 'Inventory'
          ? 2 * rng.int(1, 5)
          : 2 * rng.int(1, 20);
    const own = it.priceCents > 0;
    const price = own ? it.priceCents : rng.int(1000, 20000);
    const amount = Math.floor((halves * price + 1) / 2);
    total += amount;
    lines.push({
      Id: LINE_IDS[n],
      LineNum: n,
      Description: it.fields.Description,
      Amount: centsText(amount),
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: {
        ItemRef: it.ref,
        UnitPrice: own ? it.priceText : plain(centsText(price)),
        Qty: QTY_TEXT[halves],
        TaxCodeRef: it.taxable && customer.taxable ? TAX : NON,
      },
    });
  }
  lines.push({
    Amount: centsText(total),
    DetailType: 'SubTotalLineDetail',
    SubTotalLineDetail: SUBTOTAL_DETAIL,
  });
  return { lines, totalCents: total };
}

type SalesKind = 'Invoice' | 'SalesReceipt' | 'CreditMemo';

function salesEntity(
  kind: SalesKind,
  c: CustomerPlan,
  lines: Entity[],
  totalCents: number,
  date: string,
): Entity {
  const customer = c.fields;
  const total = centsText(totalCents);
  let e: Entity;
  if (kind === 'Invoice') {
    e = {
      domain: 'QBO',
      sparse: false,
      Id: '',
      SyncToken: '0',
      AllowIPNPayment: false,
      AllowOnlinePayment: false,
      AllowOnlineCreditCardPayment: false,
      AllowOnlineACHPayment: false,
      DocNumber: '',
      TxnDate: date,
      CurrencyRef: USD,
      LinkedTxn: NO_LINKS,
      Line: lines,
      TxnTaxDetail: NO_TAX,
      CustomerRef: c.ref,
      BillAddr: customer.BillAddr,
      ShipAddr: customer.ShipAddr ?? customer.BillAddr,
      DueDate: addDays(date, c.dueDays),
      TotalAmt: total,
      ApplyTaxAfterDiscount: false,
      PrintStatus: 'NeedToPrint',
      EmailStatus: 'NotSet',
      BillEmail: customer.PrimaryEmailAddr,
      Balance: total,
      Deposit: '0',
    };
    if (customer.SalesTermRef) e.SalesTermRef = customer.SalesTermRef;
  } else {
    e = {
      domain: 'QBO',
      sparse: false,
      Id: '',
      SyncToken: '0',
      DocNumber: '',
      TxnDate: date,
      CurrencyRef: USD,
      LinkedTxn: NO_LINKS,
      Line: lines,
      TxnTaxDetail: NO_TAX,
      CustomerRef: c.ref,
      BillAddr: customer.BillAddr,
      TotalAmt: total,
      ApplyTaxAfterDiscount: false,
      PrintStatus: 'NotSet',
      EmailStatus: 'NotSet',
      BillEmail: customer.PrimaryEmailAddr,
      Balance: kind === 'SalesReceipt' ? '0' : total,
    };
    if (kind === 'SalesReceipt') e.ShipAddr = customer.ShipAddr ?? customer.BillAddr;
    else e.RemainingCredit = total;
  }
  return e;
}

/** Seeds one company: the standard setup, then (for records > 0) customers, items and transactions. */
export function seedCompany(co: Company, opts: SeedOptions): void {
  setUpCompany(co, { index: opts.realmIndex, at: opts.now - (SPAN_DAYS + 2) * DAY });
  if (opts.records <= 0) return;
  const items = planItems(co, opts);
  const customers = planCustomers(opts);
  const invoices: SalesPlan[] = [];
  const receipts: SalesPlan[] = [];
  const memos: SalesPlan[] = [];
  const latest = opts.now - 60_000;
  for (const c of customers) {
    const rng = new Rng(`${opts.seed}:qbo-sales:${c.key}`);
    const r = rng.next();
    const count = c.isSub ? (c.job && r < 0.5 ? 1 : 0) : r < 0.25 ? 0 : r < 0.75 ? 1 : r < 0.93 ? 2 : 3;
    const plan = (kind: SalesKind): SalesPlan => {
      const created = randomTime(rng, c.created + DAY, latest);
      const { lines, totalCents } = salesLines(rng, items, c);
      const fields = salesEntity(kind, c, lines, totalCents, formatDate(created));
      return {
        created,
        updated: created,
        syncToken: 0,
        fields,
        customer: c,
        totalCents,
        paidCents: 0,
        payments: [],
      };
    };
    for (let n = 0; n < count; n++) invoices.push(plan('Invoice'));
    if (!c.isSub && rng.chance(0.05)) receipts.push(plan('SalesReceipt'));
    if (!c.isSub && rng.chance(0.03)) memos.push(plan('CreditMemo'));
  }
  assignIds(invoices);
  assignIds(receipts);
  assignIds(memos);
  let doc = 1001;
  for (const list of [invoices, receipts, memos]) for (const p of list) p.fields.DocNumber = String(doc++);

  const undeposited = accountRef(co, co.accounts.undepositedFunds);
  const payments: PaymentPlan[] = [];
  for (const inv of invoices) {
    const rng = new Rng(`${opts.seed}:qbo-payment:${inv.id}`);
    if (!rng.chance(0.6)) continue;
    const created = inv.created + rng.int(1, 45) * DAY + rng.int(0, DAY - 1);
    if (created >= latest) continue;
    const amount = rng.chance(0.7)
      ? inv.totalCents
      : Math.max(1, Math.floor((inv.totalCents * rng.int(20, 80)) / 100));
    if (amount <= 0) continue;
    const amountText = centsText(amount);
    const e: Entity = {
      domain: 'QBO',
      sparse: false,
      Id: '',
      SyncToken: '0',
      CustomerRef: inv.customer.ref,
      DepositToAccountRef: undeposited,
      TotalAmt: amountText,
      UnappliedAmt: '0',
      ProcessPayment: false,
      TxnDate: formatDate(created),
      CurrencyRef: USD,
      Line: [{ Amount: amountText, LinkedTxn: [{ TxnId: inv.id, TxnType: 'Invoice' }] }],
    };
    if (rng.chance(0.5)) e.PaymentRefNum = String(rng.int(1000, 99999));
    payments.push({ created, updated: created, syncToken: 0, fields: e, invoice: inv, amountCents: amount });
  }
  assignIds(payments);
  for (const p of payments) {
    const inv = p.invoice;
    inv.payments.push(p.id!);
    inv.paidCents += p.amountCents;
    inv.updated = Math.max(inv.updated, p.created);
    inv.syncToken = 1;
  }
  for (const inv of invoices) {
    if (inv.payments.length)
      inv.fields.LinkedTxn = inv.payments.map((id) => ({ TxnId: id, TxnType: 'Payment' }));
    if (inv.paidCents) inv.fields.Balance = centsText(inv.totalCents - inv.paidCents);
  }
  for (const r of receipts) r.fields.DepositToAccountRef = undeposited;
  // customer balances: open invoices less unused credit (nothing is unapplied in the seed)
  const own = new Map<CustomerPlan, number>();
  for (const inv of invoices)
    own.set(inv.customer, (own.get(inv.customer) ?? 0) + inv.totalCents - inv.paidCents);
  for (const m of memos) own.set(m.customer, (own.get(m.customer) ?? 0) - m.totalCents);
  const withJobs = new Map<CustomerPlan, number>(own);
  for (const c of customers) {
    if (c.parent) withJobs.set(c.parent, (withJobs.get(c.parent) ?? 0) + (own.get(c) ?? 0));
  }
  for (const c of customers) {
    c.fields.Balance = centsText(own.get(c) ?? 0);
    c.fields.BalanceWithJobs = centsText(withJobs.get(c) ?? 0);
  }

  co.table('Item').bulkLoad(items.map(stamp));
  co.table('Customer').bulkLoad(customers.map(stamp));
  co.table('Invoice').bulkLoad(invoices.map(stamp));
  co.table('SalesReceipt').bulkLoad(receipts.map(stamp));
  co.table('CreditMemo').bulkLoad(memos.map(stamp));
  co.table('Payment').bulkLoad(payments.map(stamp));
  co.rebuildIndexes();
}
