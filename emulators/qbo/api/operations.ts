import { checkSyncToken, recordForWrite, type OpContext } from '../entities/common.ts';
import { ENTITY_OPS } from '../entities/registry.ts';
import { invalidId, objectNotFound, unsupportedOperation, unsupportedProperty } from '../errors.ts';
import type { EntityDef } from '../schema.ts';
import { normalizeObject, type Obj } from '../shapes.ts';
import type { Company } from '../store/company.ts';
import { recordJson, type StoredRecord } from '../store/table.ts';

/** The entity a successful operation answers with, already serialized. */
export interface EntityOutcome {
  name: string;
  json: string;
}

export type WriteOperation = 'create' | 'update' | 'delete' | 'void';

function capitalized(op: string): string {
  return op.charAt(0).toUpperCase() + op.slice(1);
}

function notSupported(op: string, def: EntityDef): never {
  throw unsupportedOperation(`Operation ${capitalized(op)} is not supported for ${def.name}.`);
}

/** The body as an entity object of the given type, or 2010 as Jackson would refuse it. */
function bodyObject(def: EntityDef, body: unknown): Obj {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const token = Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING';
    throw unsupportedProperty(
      `Can not deserialize instance of com.intuit.schema.finance.v3.${def.name} out of ${token} token`,
    );
  }
  return normalizeObject(def.name, body as Obj);
}

/**
 * Runs one write on one entity, as `POST /{entity}[?operation=…]` and batch items do: a body
 * with an Id is an update, without one a create; delete and void apply to transactions only.
 */
export function runWrite(
  co: Company,
  def: EntityDef,
  operation: WriteOperation,
  body: unknown,
  include: ReadonlySet<string>,
): EntityOutcome {
  const ops = ENTITY_OPS[def.name];
  const ctx: OpContext = { co, include };
  let op: WriteOperation = operation;
  const hasId =
    body !== null &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    (body as Obj).Id != null &&
    (body as Obj).Id !== '';
  if (op === 'create' && hasId) op = 'update';
  if (op === 'update' && include.has('void')) op = 'void';
  const handler = { create: ops.create, update: ops.update, delete: ops.remove, void: ops.voidTxn }[op];
  if (!handler) notSupported(op, def);
  const input = bodyObject(def, body);
  switch (op) {
    case 'create': {
      if (!ops.create) notSupported(op, def);
      return outcome(def, ops.create(ctx, input));
    }
    case 'update': {
      if (!ops.update) notSupported(op, def);
      const rec = recordForWrite(co, def, input);
      checkSyncToken(rec, input);
      return outcome(def, ops.update(ctx, rec, input, input.sparse === true));
    }
    case 'delete': {
      if (!ops.remove) notSupported(op, def);
      const rec = recordForWrite(co, def, input);
      checkSyncToken(rec, input);
      ops.remove(ctx, rec);
      return { name: def.name, json: JSON.stringify({ domain: 'QBO', status: 'Deleted', Id: rec.id }) };
    }
    case 'void': {
      if (!ops.voidTxn) notSupported(op, def);
      const rec = recordForWrite(co, def, input);
      checkSyncToken(rec, input);
      return outcome(def, ops.voidTxn(ctx, rec));
    }
  }
}

function outcome(def: EntityDef, rec: StoredRecord): EntityOutcome {
  return { name: def.name, json: recordJson(rec) };
}

/** `GET /{entity}/{id}`: 2030 for an id that is not a number, 610 for one that does not exist. */
export function readEntity(co: Company, def: EntityDef, id: string): EntityOutcome {
  if (def.name === 'CompanyInfo' && id === co.realmId) id = '1';
  if (!/^\d+$/.test(id) && !(def.name === 'TaxCode' && /^[A-Za-z]+$/.test(id))) throw invalidId(id);
  const rec = co.find(def.name, id);
  if (!rec) throw objectNotFound(def.plural);
  return outcome(def, rec);
}

/** The single settings entity read without an id (`GET /preferences`). */
export function readSingleton(co: Company, def: EntityDef): EntityOutcome {
  const rec = co.table(def.name).inIdOrder().next().value as StoredRecord | undefined;
  if (!rec) throw objectNotFound(def.plural);
  return outcome(def, rec);
}
