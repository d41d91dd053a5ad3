import { businessValidation, duplicateName, QboFault } from '../errors.ts';
import { ENTITIES } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { StoredRecord } from '../store/table.ts';
import {
  baseName,
  checkLengths,
  listName,
  mergeForUpdate,
  noColon,
  refTo,
  resolveRef,
  str,
  unchanged,
  USD,
  type EntityOps,
  type Obj,
  type OpContext,
} from './common.ts';

/** Fields QuickBooks computes; a client's values for them are ignored. */
const COMPUTED = ['FullyQualifiedName', 'Level', 'Balance', 'BalanceWithJobs', 'RootCustomerRef'];
/** QuickBooks allows five levels: a top-level customer and four levels of sub-customers/jobs. */
const MAX_LEVEL = 4;
const NAME_PARTS = ['Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix'] as const;

/**
 * Builds a customer's stored fields from the writable input: derived DisplayName, uniqueness,
 * the " (deleted)" name of an inactive customer, the sub-customer hierarchy, defaults.
 */
function build(co: Company, input: Obj, existing: StoredRecord | undefined): Obj {
  checkLengths(ENTITIES.Customer, input);
  const active = input.Active !== false;
  const parts = NAME_PARTS.map((k) => str(input, k)).filter((v): v is string => v !== undefined);
  let display = str(input, 'DisplayName') ?? (parts.length ? parts.join(' ') : str(input, 'CompanyName'));
  if (display === undefined) {
    throw new QboFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      'Required parameter : At least one of the name elements is required: Title, GivenName, MiddleName, FamilyName, DisplayName, or Suffix',
      'DisplayName',
    );
  }
  for (const k of ['GivenName', 'MiddleName', 'FamilyName'] as const) noColon(str(input, k), k);
  display = baseName(display);
  noColon(display, 'DisplayName');
  display = listName(co.customerNames, existing, 'DisplayName', display, active, () => duplicateName('name'));

  let level = 0;
  let fqn = display;
  let parentRef: { value: string; name: string } | undefined;
  if (input.ParentRef !== undefined) {
    const sameParent = refValue(input.ParentRef) === refValue(existing?.e.ParentRef);
    const parent = resolveRef(co, 'Customer', input.ParentRef, 'ParentRef', { allowInactive: sameParent });
    if (existing && isSelfOrDescendant(co, existing.id, parent.id)) {
      throw businessValidation(
        'A customer cannot be its own parent or the parent of its parent.',
        'ParentRef',
      );
    }
    level = Number(parent.e.Level ?? 0) + 1;
    if (level > MAX_LEVEL) {
      throw businessValidation('Sub-customers can only be nested 5 levels deep.', 'ParentRef');
    }
    fqn = `${parent.e.FullyQualifiedName as string}:${display}`;
    parentRef = refTo(parent, 'FullyQualifiedName');
  }

  let salesTerm: { value: string; name: string } | undefined;
  if (input.SalesTermRef !== undefined) {
    salesTerm = refTo(resolveRef(co, 'Term', input.SalesTermRef, 'SalesTermRef', { plural: 'terms' }));
  }

  const out: Obj = {};
  const job = parentRef ? input.Job === true : false;
  out.Taxable = input.Taxable ?? true;
  out.Job = job;
  out.BillWithParent = parentRef ? input.BillWithParent === true : false;
  if (parentRef) out.ParentRef = parentRef;
  if (level > 0) out.Level = level;
  out.Balance = (existing?.e.Balance as string | undefined) ?? '0';
  out.BalanceWithJobs = (existing?.e.BalanceWithJobs as string | undefined) ?? '0';
  out.CurrencyRef = input.CurrencyRef ?? USD;
  out.PreferredDeliveryMethod = input.PreferredDeliveryMethod ?? 'Print';
  if (salesTerm) out.SalesTermRef = salesTerm;
  out.FullyQualifiedName = fqn;
  out.DisplayName = display;
  out.PrintOnCheckName = str(input, 'PrintOnCheckName') ?? baseName(display);
  out.Active = active;
  for (const [k, v] of Object.entries(input)) {
    if (k in out || k === 'DisplayName' || k === 'SalesTermRef' || k === 'ParentRef') continue;
    if (k === 'Job' || k === 'BillWithParent' || k === 'Active') continue;
    out[k] = typeof v === 'string' && NAME_FIELDS.has(k) ? v.trim() : v;
  }
  return out;
}

const NAME_FIELDS = new Set(['Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix', 'CompanyName']);

function isSelfOrDescendant(co: Company, id: string, candidate: string): boolean {
  let cur: string | undefined = candidate;
  while (cur) {
    if (cur === id) return true;
    cur = refValue(co.find('Customer', cur)?.e.ParentRef);
  }
  return false;
}

/**
 * After a customer's name, parent or active flag changed: rewrites its sub-customers' fully
 * qualified names, and makes them inactive with it (as QuickBooks does for sub-customers).
 */
function cascade(ctx: OpContext, rec: StoredRecord): void {
  const { co } = ctx;
  for (const childId of [...(co.children.get(rec.id) ?? [])]) {
    const child = co.find('Customer', childId);
    if (!child) continue;
    if (rec.e.Active === false && child.e.Active !== false) {
      update(ctx, child, { Active: false, SyncToken: child.e.SyncToken }, true);
      continue;
    }
    const fqn = `${rec.e.FullyQualifiedName as string}:${child.e.DisplayName as string}`;
    if (fqn !== child.e.FullyQualifiedName) {
      co.refresh('Customer', child, {
        FullyQualifiedName: fqn,
        ParentRef: { value: rec.id, name: rec.e.FullyQualifiedName },
      });
      cascade(ctx, child);
    }
  }
}

function create(ctx: OpContext, input: Obj): StoredRecord {
  const fields = build(ctx.co, mergeForUpdate({}, input, false, COMPUTED), undefined);
  const rec = ctx.co.commitCreate('Customer', fields);
  if (rec.e.ParentRef) ctx.co.recomputeCustomerBalances([rec.id]);
  return rec;
}

function update(ctx: OpContext, rec: StoredRecord, input: Obj, sparse: boolean): StoredRecord {
  const fields = build(ctx.co, mergeForUpdate(rec.e, input, sparse, COMPUTED), rec);
  if (unchanged(rec, fields)) return rec;
  const oldParent = refValue(rec.e.ParentRef);
  ctx.co.commitUpdate('Customer', rec, fields);
  cascade(ctx, rec);
  const newParent = refValue(rec.e.ParentRef);
  if (oldParent !== newParent) {
    ctx.co.recomputeCustomerBalances([rec.id, ...(oldParent ? [oldParent] : [])]);
  }
  return rec;
}

/** Customers are a name list: created, updated, deactivated; never deleted. */
export const customerOps: EntityOps = { create, update };
