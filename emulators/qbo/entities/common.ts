import {
  invalidId,
  invalidReference,
  objectNotFound,
  requiredParam,
  staleObject,
  stringLength,
  QboFault,
} from '../errors.ts';
import type { EntityDef, EntityName } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { Entity, StoredRecord } from '../store/table.ts';

export type Obj = Record<string, unknown>;

/** Everything an entity operation needs besides its input. */
export interface OpContext {
  co: Company;
  /** Values of the `include` query parameter (`void`, `allowduplicatedocnum`). */
  include: ReadonlySet<string>;
}

/** The operations one entity type supports; absent ones answer "Unsupported Operation". */
export interface EntityOps {
  create?(ctx: OpContext, input: Obj): StoredRecord;
  update?(ctx: OpContext, rec: StoredRecord, input: Obj, sparse: boolean): StoredRecord;
  remove?(ctx: OpContext, rec: StoredRecord): void;
  voidTxn?(ctx: OpContext, rec: StoredRecord): StoredRecord;
}

/** Properties every entity carries that a client never writes. */
export const SYSTEM_KEYS: readonly string[] = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];

/** A copy without the given keys. */
export function without(obj: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/**
 * The writable fields an update starts from: a sparse update keeps every field it does not
 * name; a full update keeps only what it sends (omitted writable fields are cleared).
 */
export function mergeForUpdate(
  existing: Entity,
  input: Obj,
  sparse: boolean,
  computed: readonly string[],
): Obj {
  const supplied = without(input, [...SYSTEM_KEYS, ...computed]);
  if (!sparse) return supplied;
  return { ...without(existing, [...SYSTEM_KEYS, ...computed]), ...supplied };
}

/** Throws 2050 when a string is longer than the real service allows. */
export function checkLengths(def: EntityDef, obj: Obj): void {
  for (const [path, max] of Object.entries(def.lengths)) {
    const parts = path.split('.');
    if (parts[0] === 'Line') {
      for (const line of (obj.Line as Obj[] | undefined) ?? []) checkPath(line, parts.slice(1), max, path);
    } else {
      checkPath(obj, parts, max, path);
    }
  }
}

function checkPath(obj: Obj, parts: string[], max: number, element: string): void {
  let v: unknown = obj;
  for (const p of parts) {
    if (!v || typeof v !== 'object') return;
    v = (v as Obj)[p];
  }
  if (typeof v === 'string' && v.length > max) throw stringLength(max, v.length, element);
}

/** The record an update/delete/void names by Id, checking the Id itself first. */
export function recordForWrite(co: Company, def: EntityDef, input: Obj): StoredRecord {
  const id = input.Id;
  if (id === undefined || id === '') throw requiredParam('Id');
  if (typeof id !== 'string' || !/^\d+$/.test(id)) throw invalidId(String(id));
  const rec = co.find(def.name, id);
  if (!rec) throw objectNotFound(def.plural);
  return rec;
}

/** Requires the current SyncToken (5010 when another write came first). */
export function checkSyncToken(rec: StoredRecord, input: Obj): void {
  if (input.SyncToken === undefined || input.SyncToken === '') throw requiredParam('SyncToken');
  if (String(input.SyncToken) !== rec.e.SyncToken) throw staleObject();
}

/** Which list a reference error names, as QuickBooks spells it. */
const REF_LIST: Partial<Record<EntityName, string>> = {
  Customer: 'Names',
  Account: 'Accounts',
  Item: 'Item',
  Term: 'SalesTerms',
  TaxCode: 'TaxCodes',
  Invoice: 'Invoice',
  CreditMemo: 'CreditMemo',
};

/**
 * Resolves a reference: 2500 when nothing has that id, 610 when it exists but is inactive
 * (unless `allowInactive`, for a record that already pointed at it).
 */
export function resolveRef(
  co: Company,
  target: EntityName,
  ref: unknown,
  element: string,
  opts: { allowInactive?: boolean; plural?: string } = {},
): StoredRecord {
  const id = refValue(ref);
  if (id === undefined || id === '') throw requiredParam(element);
  const rec = co.find(target, id);
  if (!rec) throw invalidReference(REF_LIST[target] ?? target, id, element);
  if (rec.e.Active === false && !opts.allowInactive) throw objectNotFound(opts.plural);
  return rec;
}

/** A reference to a record, named as QuickBooks names it in responses. */
export function refTo(rec: StoredRecord, nameKey = 'Name'): { value: string; name: string } {
  const name = rec.e[nameKey];
  return { value: rec.id, name: typeof name === 'string' ? name : '' };
}

/** Stable JSON with sorted keys: whether an update changes anything. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as Obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Obj)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** True when the fields an update would write equal what is stored. */
export function unchanged(rec: StoredRecord, fields: Obj): boolean {
  return canonical(without(rec.e, SYSTEM_KEYS)) === canonical(fields);
}

export const DELETED_SUFFIX = ' (deleted)';

/** Drops the " (deleted)" marker QuickBooks appends to inactive names. */
export function baseName(name: string): string {
  return name.replace(/ \(deleted(?: \d+)?\)$/, '');
}

/**
 * The name an inactive record gets: "X (deleted)", numbered when that is taken, so that a new
 * record can use "X" again.
 */
export function deletedName(base: string, taken: (lower: string) => boolean): string {
  let candidate = `${base}${DELETED_SUFFIX}`;
  for (let n = 2; taken(candidate.toLowerCase()); n++) candidate = `${base} (deleted ${n})`;
  return candidate;
}

/**
 * The stored name of a name-list entry (account, item, customer): an active one must be unique
 * in its list, case-insensitively (else `duplicate()`); an inactive one is renamed "X (deleted)"
 * so the name is free again, or keeps the deleted name it already has.
 */
export function listName(
  names: ReadonlyMap<string, string>,
  existing: StoredRecord | undefined,
  field: string,
  name: string,
  active: boolean,
  duplicate: () => QboFault,
): string {
  const taken = (lower: string): boolean => {
    const owner = names.get(lower);
    return owner !== undefined && owner !== existing?.id;
  };
  if (active) {
    if (taken(name.toLowerCase())) throw duplicate();
    return name;
  }
  const current = existing?.e[field];
  return existing?.e.Active === false && typeof current === 'string' && baseName(current) === name
    ? current
    : deletedName(name, taken);
}

/**
 * Create and update for an entity whose stored fields are `build`'s result (computed fields of
 * the input ignored); an update that changes nothing keeps the record as it is.
 */
export function builtOps(
  entity: EntityName,
  computed: readonly string[],
  build: (co: Company, input: Obj, existing: StoredRecord | undefined) => Obj,
): Required<Pick<EntityOps, 'create' | 'update'>> {
  return {
    create(ctx, input) {
      return ctx.co.commitCreate(
        entity,
        build(ctx.co, mergeForUpdate({}, input, false, computed), undefined),
      );
    },
    update(ctx, rec, input, sparse) {
      const fields = build(ctx.co, mergeForUpdate(rec.e, input, sparse, computed), rec);
      if (unchanged(rec, fields)) return rec;
      return ctx.co.commitUpdate(entity, rec, fields);
    },
  };
}

/** A trimmed string field, or undefined. */
export function str(obj: Obj, key: string): string | undefined {
  const v = obj[key];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** 6000-style refusal for names with a colon (reserved for Parent:Child paths). */
export function noColon(value: string | undefined, element: string): void {
  if (value !== undefined && value.includes(':')) {
    throw new QboFault(
      '6000',
      'A business validation error has occurred while processing your request',
      `Business Validation Error: The name cannot contain a colon (:). Supplied value:${value}`,
      element,
    );
  }
}

export const USD = { value: 'USD', name: 'United States Dollar' };
