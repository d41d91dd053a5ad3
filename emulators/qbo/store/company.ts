import type { Clock } from '../../kit/clock.ts';
import { centsText, Dec, dec, toCents } from '../money.ts';
import { ENTITY_NAMES, type EntityName } from '../schema.ts';
import { toSecond } from '../time.ts';
import { EntityTable, type Entity, type StoredRecord } from './table.ts';

/** What webhooks report: the operation on an entity, as QuickBooks names it. */
export type ChangeOperation = 'Create' | 'Update' | 'Delete' | 'Void' | 'Merge';

export interface ChangeEvent {
  realmId: string;
  entity: EntityName;
  id: string;
  operation: ChangeOperation;
  /** When it happened (epoch ms). */
  at: number;
}

/** One application of a payment line to an invoice or a credit memo. */
export interface Application {
  type: 'Invoice' | 'CreditMemo';
  id: string;
  amount: string;
}

/** Accounts the company's transactions post to by default. */
export interface DefaultAccounts {
  undepositedFunds: string;
  accountsReceivable: string;
  salesIncome: string;
  services: string;
  cogs: string;
  inventoryAsset: string;
  checking: string;
}

/**
 * One QuickBooks Online company (realm): its entity tables and the indexes business rules need
 * (name uniqueness, sub-customer trees, each customer's transactions, payment applications,
 * document numbers). All mutation goes through `commitCreate`, `commitUpdate`, `commitDelete` and
 * `refresh`, which keep the indexes, modification times, SyncToken and change events consistent.
 */
export class Company {
  readonly tables = {} as Record<EntityName, EntityTable>;
  /** Lower-cased DisplayName → customer id (all customers, active or not). */
  readonly customerNames = new Map<string, string>();
  /** Lower-cased Name → id, for items, accounts and terms. */
  readonly itemNames = new Map<string, string>();
  readonly accountNames = new Map<string, string>();
  readonly termNames = new Map<string, string>();
  /** Parent customer id → ids of its direct sub-customers. */
  readonly children = new Map<string, string[]>();
  /** Type → customer id → the invoices, credit memos or payments naming it (its balance). */
  private readonly customerTxns: Record<'Invoice' | 'CreditMemo' | 'Payment', Map<string, StoredRecord[]>> = {
    Invoice: new Map(),
    CreditMemo: new Map(),
    Payment: new Map(),
  };
  /** `Invoice:12` → [paymentId, amount, paymentId, amount, …] applied to it. */
  private readonly appliedTo = new Map<string, string[]>();
  /** Entity → lower-cased DocNumber → id using it (an array when several do). */
  private readonly docNumbers = new Map<EntityName, Map<string, string | string[]>>();
  /** Entity → highest numeric DocNumber ever used (automatic numbering continues from it). */
  readonly docMax = new Map<EntityName, number>();
  accounts: DefaultAccounts = {
    undepositedFunds: '',
    accountsReceivable: '',
    salesIncome: '',
    services: '',
    cogs: '',
    inventoryAsset: '',
    checking: '',
  };
  /** Due days used when neither the transaction nor the customer names a term. */
  defaultDueDays = 30;
  private listeners: Array<(e: ChangeEvent) => void> = [];

  constructor(
    readonly realmId: string,
    private readonly clock: Clock,
  ) {
    for (const name of ENTITY_NAMES) this.tables[name] = new EntityTable(name);
  }

  /** The emulator clock, in epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** Subscribes to committed changes (webhooks). */
  onChange(listener: (e: ChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The table of an entity type. */
  table(name: EntityName): EntityTable {
    return this.tables[name];
  }

  /** A record by type and id. */
  find(name: EntityName, id: string): StoredRecord | undefined {
    return this.tables[name].get(id);
  }

  /** Stores a new entity built from `fields`: assigns Id, SyncToken 0 and the creation time. */
  commitCreate(
    name: EntityName,
    fields: Entity,
    opts: { id?: string; at?: number; silent?: boolean } = {},
  ): StoredRecord {
    const table = this.tables[name];
    const id = opts.id ?? table.nextId();
    const at = toSecond(opts.at ?? this.now());
    const e: Entity = { domain: 'QBO', sparse: false, Id: id, SyncToken: '0', ...fields };
    const rec: StoredRecord = { id, e, created: at / 1000, updated: at / 1000, inactive: e.Active === false };
    table.insert(rec);
    this.index(name, undefined, rec);
    if (!opts.silent) this.emit(name, id, 'Create', at);
    return rec;
  }

  /** Replaces an entity's fields as a client write: SyncToken + 1, LastUpdatedTime = now. */
  commitUpdate(
    name: EntityName,
    rec: StoredRecord,
    fields: Entity,
    operation: ChangeOperation = 'Update',
  ): StoredRecord {
    const before = { ...rec, e: rec.e };
    const at = Math.max(toSecond(this.now()), rec.updated * 1000);
    rec.e = {
      domain: 'QBO',
      sparse: false,
      Id: rec.id,
      SyncToken: String(Number(rec.e.SyncToken) + 1),
      ...fields,
    };
    rec.updated = at / 1000;
    rec.inactive = rec.e.Active === false;
    this.tables[name].touch(rec);
    this.index(name, before, rec);
    this.emit(name, rec.id, operation, at);
    return rec;
  }

  /** Deletes a transaction, leaving a tombstone for CDC. */
  commitDelete(name: EntityName, rec: StoredRecord): void {
    const at = Math.max(toSecond(this.now()), rec.updated * 1000);
    this.tables[name].remove(rec.id, at);
    this.index(name, rec, undefined);
    this.emit(name, rec.id, 'Delete', at);
  }

  /** Applies a server-side change (a recomputed balance) without a client write. */
  refresh(name: EntityName, rec: StoredRecord, patch: Entity): void {
    const changed: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (JSON.stringify(rec.e[k]) !== JSON.stringify(v)) {
        changed.push(k);
        if (v === undefined) delete rec.e[k];
        else rec.e[k] = v;
      }
    }
    if (changed.length) this.tables[name].changed(rec, changed);
  }

  private emit(entity: EntityName, id: string, operation: ChangeOperation, at: number): void {
    if (this.listeners.length === 0) return;
    const event: ChangeEvent = { realmId: this.realmId, entity, id, operation, at };
    for (const l of this.listeners) l(event);
  }

  /** Keeps the indexes in step with one record changing from `before` to `after`. */
  index(name: EntityName, before: StoredRecord | undefined, after: StoredRecord | undefined): void {
    const b = before?.e;
    const a = after?.e;
    switch (name) {
      case 'Customer': {
        reindexName(this.customerNames, b?.DisplayName, a?.DisplayName, (after ?? before)!.id);
        const pb = refValue(b?.ParentRef);
        const pa = refValue(a?.ParentRef);
        if (pb !== pa) {
          if (pb) removeFrom(this.children, pb, before!.id);
          if (pa) addTo(this.children, pa, after!.id);
        }
        return;
      }
      case 'Item':
        return reindexName(this.itemNames, b?.Name, a?.Name, (after ?? before)!.id);
      case 'Account':
        return reindexName(this.accountNames, b?.Name, a?.Name, (after ?? before)!.id);
      case 'Term':
        return reindexName(this.termNames, b?.Name, a?.Name, (after ?? before)!.id);
      case 'Invoice':
      case 'SalesReceipt':
      case 'CreditMemo':
      case 'Payment': {
        const id = (after ?? before)!.id;
        const cb = refValue(b?.CustomerRef);
        const ca = refValue(a?.CustomerRef);
        if (cb !== ca && name !== 'SalesReceipt') {
          const byCustomer = this.customerTxns[name];
          if (cb) removeRecord(byCustomer, cb, id);
          if (ca) addTo(byCustomer, ca, after!);
        }
        const db = typeof b?.DocNumber === 'string' ? b.DocNumber.toLowerCase() : undefined;
        const da = typeof a?.DocNumber === 'string' ? a.DocNumber.toLowerCase() : undefined;
        if (db !== da) this.indexDocNumber(name, id, db, da);
        if (name === 'Payment') this.indexPayment(id, b, a);
        return;
      }
      default:
        return;
    }
  }

  private indexDocNumber(
    name: EntityName,
    id: string,
    before: string | undefined,
    after: string | undefined,
  ): void {
    let docs = this.docNumbers.get(name);
    if (!docs) {
      docs = new Map();
      this.docNumbers.set(name, docs);
    }
    if (before) {
      const owners = docs.get(before);
      if (owners === id) docs.delete(before);
      else if (Array.isArray(owners)) {
        const rest = owners.filter((o) => o !== id);
        if (rest.length === 1) docs.set(before, rest[0]!);
        else docs.set(before, rest);
      }
    }
    if (after) {
      const owners = docs.get(after);
      if (owners === undefined) docs.set(after, id);
      else docs.set(after, [...(Array.isArray(owners) ? owners : [owners]), id]);
      if (/^\d{1,15}$/.test(after))
        this.docMax.set(name, Math.max(this.docMax.get(name) ?? 1000, Number(after)));
    }
  }

  /** Ids of the transactions of a type using a document number (case-insensitive). */
  docNumberOwners(name: EntityName, docNumber: string): string[] {
    const owners = this.docNumbers.get(name)?.get(docNumber.toLowerCase());
    return owners === undefined ? [] : Array.isArray(owners) ? owners : [owners];
  }

  private indexPayment(id: string, before: Entity | undefined, after: Entity | undefined): void {
    for (const app of before ? applicationsOf(before) : []) {
      const key = `${app.type}:${app.id}`;
      const flat = this.appliedTo.get(key);
      if (!flat) continue;
      const kept: string[] = [];
      for (let i = 0; i < flat.length; i += 2) if (flat[i] !== id) kept.push(flat[i]!, flat[i + 1]!);
      if (kept.length) this.appliedTo.set(key, kept);
      else this.appliedTo.delete(key);
    }
    for (const app of after ? applicationsOf(after) : []) {
      const key = `${app.type}:${app.id}`;
      const flat = this.appliedTo.get(key) ?? [];
      const at = flat.findIndex((v, i) => i % 2 === 0 && v === id);
      if (at >= 0)
        flat[at + 1] = dec(flat[at + 1])
          .plus(app.amount)
          .toFixed();
      else flat.push(id, app.amount);
      this.appliedTo.set(key, flat);
    }
  }

  /** Total applied to an invoice or credit memo by payments, optionally leaving one payment out. */
  appliedAmount(type: 'Invoice' | 'CreditMemo', id: string, exceptPayment?: string): Dec {
    let total = new Dec(0);
    const flat = this.appliedTo.get(`${type}:${id}`) ?? [];
    for (let i = 0; i < flat.length; i += 2) if (flat[i] !== exceptPayment) total = total.plus(flat[i + 1]!);
    return total;
  }

  /** Ids of the payments applied to an invoice or credit memo, in Id order. */
  paymentsApplied(type: 'Invoice' | 'CreditMemo', id: string): string[] {
    const flat = this.appliedTo.get(`${type}:${id}`) ?? [];
    const ids: string[] = [];
    for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]!);
    return ids.sort((a, b) => Number(a) - Number(b));
  }

  /**
   * Recomputes Balance and BalanceWithJobs for customers whose transactions changed, and for
   * their ancestors: open invoices, less unused credit memos, less unapplied payments.
   */
  recomputeCustomerBalances(customerIds: Iterable<string>): void {
    const seen = new Set<string>();
    for (const start of customerIds) {
      let id: string | undefined = start;
      while (id && !seen.has(id)) {
        seen.add(id);
        id = refValue(this.find('Customer', id)?.e.ParentRef);
      }
    }
    // deepest first, so a parent sums children that are already up to date
    const ordered = [...seen]
      .map((id) => this.find('Customer', id))
      .filter((r): r is StoredRecord => r !== undefined)
      .sort((a, b) => Number(b.e.Level ?? 0) - Number(a.e.Level ?? 0));
    for (const rec of ordered) {
      const own = this.ownBalance(rec.id);
      let withJobs = own;
      for (const child of this.children.get(rec.id) ?? []) {
        withJobs += toCents(this.find('Customer', child)?.e.BalanceWithJobs as string | undefined);
      }
      const balance = centsText(own);
      const balanceWithJobs = centsText(withJobs);
      if (rec.e.Balance !== balance || rec.e.BalanceWithJobs !== balanceWithJobs) {
        this.refresh('Customer', rec, { Balance: balance, BalanceWithJobs: balanceWithJobs });
      }
    }
  }

  /** Open invoices less unused credit memos less unapplied payments, in cents. */
  private ownBalance(customerId: string): bigint {
    let total = 0n;
    for (const r of this.customerTxns.Invoice.get(customerId) ?? []) total += toCents(r.e.Balance as string);
    for (const r of this.customerTxns.CreditMemo.get(customerId) ?? [])
      total -= toCents(r.e.RemainingCredit as string);
    for (const r of this.customerTxns.Payment.get(customerId) ?? [])
      total -= toCents(r.e.UnappliedAmt as string);
    return total;
  }

  /** Rebuilds every index from the tables (after a bulk load). */
  rebuildIndexes(): void {
    this.customerNames.clear();
    this.itemNames.clear();
    this.accountNames.clear();
    this.termNames.clear();
    this.children.clear();
    for (const m of Object.values(this.customerTxns)) m.clear();
    this.appliedTo.clear();
    this.docNumbers.clear();
    this.docMax.clear();
    for (const name of ENTITY_NAMES) {
      for (const rec of this.tables[name].inIdOrder()) this.index(name, undefined, rec);
    }
  }
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function removeRecord(map: Map<string, StoredRecord[]>, key: string, id: string): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.findIndex((r) => r.id === id);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

function removeFrom(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

function reindexName(index: Map<string, string>, before: unknown, after: unknown, id: string): void {
  const b = typeof before === 'string' ? before.toLowerCase() : undefined;
  const a = typeof after === 'string' ? after.toLowerCase() : undefined;
  if (b === a) return;
  if (b !== undefined && index.get(b) === id) index.delete(b);
  if (a !== undefined) index.set(a, id);
}

/** The `value` of a reference object, if it is one. */
export function refValue(ref: unknown): string | undefined {
  if (ref && typeof ref === 'object' && 'value' in ref) {
    const v = (ref as { value: unknown }).value;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** The invoice and credit-memo applications of a payment entity. */
export function applicationsOf(payment: Entity): Application[] {
  const out: Application[] = [];
  for (const line of (payment.Line as Array<Record<string, unknown>> | undefined) ?? []) {
    const amount = line.Amount as string | undefined;
    if (!amount || dec(amount).isZero()) continue;
    for (const link of (line.LinkedTxn as Array<Record<string, string>> | undefined) ?? []) {
      if (link.TxnType === 'Invoice' || link.TxnType === 'CreditMemo') {
        out.push({ type: link.TxnType, id: link.TxnId!, amount });
      }
    }
  }
  return out;
}
