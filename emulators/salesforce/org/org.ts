import { formatSecond } from '../datetime.ts';
import { SfError, badExternalIdField, entityIsDeleted, notFound } from '../errors.ts';
import { IdFactory, keyPrefixOf, normalizeId } from '../ids.ts';
import { JsonNumber } from '../json.ts';
import type { Schema } from '../schema/registry.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import { coerceValue, deserializeRecord, type Assignment } from './coerce.ts';
import { RULES } from './rules.ts';
import { Table, type Rec, type Value } from './table.ts';
import { checkFormats, checkReferences, checkRequired, checkUnique, checkWritable } from './validate.ts';

/** Who writes and when: every record of one call shares the timestamp, to the second. */
export interface DmlContext {
  userId: string;
  now: number;
  /** Set while deleting the children of a deleted parent. */
  cascade?: boolean;
}

/** A write to a record: the fields given in the body, after deserialization. */
export type Changes = Assignment[];

/** The answer of an upsert that found several records with the external id. */
export class MultipleMatchesError extends Error {
  override name = 'MultipleMatchesError';
  constructor(readonly ids: string[]) {
    super('Multiple records found');
  }
}

interface DeleteEntry {
  id: string;
  at: number;
}

/**
 * The in-memory org: a Table per object, DML with the platform's validation and business rules,
 * transactions (all-or-none calls roll back), and the delete log the replication API reads.
 * In-process tests may call its methods directly to play a user editing data in the UI.
 */
export class SalesforceOrg {
  readonly tables = new Map<string, Table>();
  readonly ids: IdFactory;
  private deleteLog = new Map<string, DeleteEntry[]>();
  private undo: Array<() => void> | null = null;
  /** Who writes when a call gives no context: the emulator sets the integration user and its clock. */
  defaultContext: () => DmlContext = () => ({ userId: '005000000000000AAA', now: Date.now() });

  constructor(
    readonly schema: Schema,
    readonly orgId: string,
    instance: string,
  ) {
    this.ids = new IdFactory(instance);
    for (const def of schema.list()) this.tables.set(def.name, new Table(def));
  }

  /** The object definition for a name (any case), or NOT_FOUND. */
  object(name: string): ObjectDef {
    const def = this.schema.get(name);
    if (!def) throw notFound();
    return def;
  }

  /** The table of an object (any case), or NOT_FOUND. */
  table(name: string): Table {
    return this.tables.get(this.object(name).name)!;
  }

  /** Runs fn as one transaction: if it throws, every write it made is undone. */
  transaction<T>(fn: () => T): T {
    if (this.undo) return fn();
    this.undo = [];
    try {
      const out = fn();
      this.undo = null;
      return out;
    } catch (e) {
      const log = this.undo ?? [];
      this.undo = null;
      for (let i = log.length - 1; i >= 0; i--) log[i]!();
      throw e;
    }
  }

  /** A savepoint inside a transaction: undoes only what fn wrote when fn throws. */
  savepoint<T>(fn: () => T): T {
    if (!this.undo) return this.transaction(fn);
    const mark = this.undo.length;
    try {
      return fn();
    } catch (e) {
      const log = this.undo;
      for (let i = log.length - 1; i >= mark; i--) log[i]!();
      log.length = mark;
      throw e;
    }
  }

  /** Stores a record as is (seeding, state loading, rules' side effects); undoable. */
  put(table: Table, old: Rec | undefined, next: Rec): void {
    table.write(old, next);
    this.undo?.push(() => table.write(next, old));
  }

  private logDelete(objectName: string, id: string, at: number): void {
    let log = this.deleteLog.get(objectName);
    if (!log) this.deleteLog.set(objectName, (log = []));
    log.push({ id, at });
    const l = log;
    this.undo?.push(() => {
      const i = l.findIndex((e) => e.id === id && e.at === at);
      if (i >= 0) l.splice(i, 1);
    });
  }

  /** The live or deleted record with this id (any accepted spelling), or undefined. */
  find(objectName: string, id: string): Rec | undefined {
    const canonical = normalizeId(id);
    return canonical ? this.table(objectName).get(canonical) : undefined;
  }

  /** A record by id, with the REST errors for ids that are malformed, unknown or deleted. */
  retrieve(objectName: string, idText: string): Rec {
    const def = this.object(objectName);
    const id = normalizeId(idText);
    if (!id) throw badExternalIdField(idText);
    if (keyPrefixOf(id) !== def.keyPrefix) throw notFound();
    const rec = this.tables.get(def.name)!.get(id);
    if (!rec) throw notFound();
    if (rec.IsDeleted) throw entityIsDeleted();
    return rec;
  }

  /** POST /sobjects/{Obj}: validates and stores a new record; returns its id. */
  create(objectName: string, body: Record<string, unknown>, ctx: DmlContext = this.defaultContext()): string {
    const def = this.object(objectName);
    if (!def.createable)
      throw new SfError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${def.name}`);
    const changes = this.deserialize(def, body);
    return this.insertValidated(def, changes, ctx);
  }

  /** Deserializes a body for this object (relationship external ids resolved). */
  deserialize(def: ObjectDef, body: Record<string, unknown>): Changes {
    return deserializeRecord(def, body, (f, nested) => this.parentByExternalId(f, nested));
  }

  private insertValidated(def: ObjectDef, changes: Changes, ctx: DmlContext): string {
    checkWritable(changes, 'insert');
    const table = this.tables.get(def.name)!;
    const rec: Record<string, Value> = this.defaults(def, ctx);
    for (const c of changes) rec[c.field.name] = c.value;
    checkRequired(def, rec);
    checkFormats(changes);
    checkReferences(this.schema, (n) => this.tables.get(n), changes);
    const given = new Set(changes.map((c) => c.field.name));
    return this.transaction(() => {
      RULES[def.name]?.beforeWrite?.(this, rec, undefined, given, ctx);
      checkUnique(table, rec);
      this.put(table, undefined, rec);
      RULES[def.name]?.afterWrite?.(this, rec, undefined, ctx);
      return rec.Id as string;
    });
  }

  private defaults(def: ObjectDef, ctx: DmlContext): Record<string, Value> {
    const stamp = formatSecond(ctx.now);
    const rec = this.tables.get(def.name)!.make();
    for (const f of def.fields) {
      if (f.type === 'address' || f.type === 'location') continue;
      const pick = f.picklistValues.find((p) => p.defaultValue);
      if (pick) rec[f.name] = pick.value;
      else if (f.type === 'boolean' ? f.defaultValue === true : f.defaultValue !== null)
        rec[f.name] = f.defaultValue as Value;
    }
    rec.Id = this.ids.next(def.keyPrefix);
    if ('IsDeleted' in rec) rec.IsDeleted = false;
    if (def.byLower.has('ownerid')) rec.OwnerId = ctx.userId;
    rec.CreatedDate = stamp;
    rec.CreatedById = ctx.userId;
    rec.LastModifiedDate = stamp;
    rec.LastModifiedById = ctx.userId;
    rec.SystemModstamp = stamp;
    return rec;
  }

  /** PATCH /sobjects/{Obj}/{id}: validates and applies changes to a live record. */
  update(
    objectName: string,
    idText: string,
    body: Record<string, unknown>,
    ctx: DmlContext = this.defaultContext(),
  ): string {
    const def = this.object(objectName);
    const old = this.retrieve(def.name, idText);
    if (!def.updateable)
      throw new SfError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${def.name}`);
    const changes = this.deserialize(def, body);
    this.updateValidated(def, old, changes, ctx);
    return old.Id as string;
  }

  private updateValidated(def: ObjectDef, old: Rec, changes: Changes, ctx: DmlContext): void {
    checkWritable(changes, 'update');
    const table = this.tables.get(def.name)!;
    const rec = table.make(old);
    for (const c of changes) rec[c.field.name] = c.value;
    checkRequired(def, rec);
    checkFormats(changes);
    checkReferences(this.schema, (n) => this.tables.get(n), changes);
    const stamp = formatSecond(ctx.now);
    rec.LastModifiedDate = stamp;
    rec.LastModifiedById = ctx.userId;
    rec.SystemModstamp = stamp;
    const given = new Set(changes.map((c) => c.field.name));
    this.transaction(() => {
      RULES[def.name]?.beforeWrite?.(this, rec, old, given, ctx);
      checkUnique(table, rec);
      this.put(table, old, rec);
      RULES[def.name]?.afterWrite?.(this, rec, old, ctx);
    });
  }

  /** Applies derived changes to another record (rollups, propagated names); bumps its timestamps. */
  touch(
    objectName: string,
    id: string,
    changes: Record<string, Value>,
    ctx: DmlContext,
    userChange = true,
  ): void {
    const table = this.tables.get(objectName)!;
    const old = table.get(id);
    if (!old) return;
    const stamp = formatSecond(ctx.now);
    const rec = table.make(old, changes, { SystemModstamp: stamp });
    if (userChange) {
      rec.LastModifiedDate = stamp;
      rec.LastModifiedById = ctx.userId;
    }
    this.put(table, old, rec);
  }

  /** The external-id field used by an upsert URL, or the 404 the real API answers. */
  externalIdField(def: ObjectDef, fieldName: string): FieldDef {
    const f = def.byLower.get(fieldName.toLowerCase());
    if (!f || !(f.externalId || f.name === 'Id')) throw badExternalIdField(fieldName);
    return f;
  }

  /** Live records whose external-id field equals value. */
  matchExternalId(def: ObjectDef, f: FieldDef, value: string): string[] {
    if (f.name === 'Id') {
      const id = normalizeId(value);
      const rec = id ? this.tables.get(def.name)!.get(id) : undefined;
      return rec && !rec.IsDeleted ? [rec.Id as string] : [];
    }
    let stored: Value;
    try {
      stored = coerceValue(f, value);
    } catch {
      return [];
    }
    return this.tables.get(def.name)!.findByKey(f, stored);
  }

  /**
   * PATCH /sobjects/{Obj}/{ExtIdField}/{value}: creates (the external id set from the URL) or
   * updates the one record that matches; several matches → MultipleMatchesError.
   */
  upsert(
    objectName: string,
    fieldName: string,
    value: string,
    body: Record<string, unknown>,
    ctx: DmlContext = this.defaultContext(),
  ): { id: string; created: boolean } {
    const def = this.object(objectName);
    const f = this.externalIdField(def, fieldName);
    const inBody = Object.keys(body).find(
      (k) => k.toLowerCase() === f.name.toLowerCase() || (k.toLowerCase() === 'id' && f.name !== 'Id'),
    );
    if (inBody && f.name !== 'Id')
      throw new SfError(
        400,
        'INVALID_FIELD',
        `${inBody} must not be specified in the body of an upsert on ${f.name}; the value comes from the URL`,
        [inBody],
      );
    const matches = this.matchExternalId(def, f, value);
    if (matches.length > 1) throw new MultipleMatchesError(matches);
    const changes = this.deserialize(def, body);
    if (matches.length === 1) {
      const old = this.tables.get(def.name)!.get(matches[0]!)!;
      this.updateValidated(def, old, changes, ctx);
      return { id: old.Id as string, created: false };
    }
    if (f.name === 'Id') {
      if (value) throw notFound();
      return { id: this.insertValidated(def, changes, ctx), created: true };
    }
    const withKey = [...changes, { field: f, value: coerceValue(f, value) }];
    return { id: this.insertValidated(def, withKey, ctx), created: true };
  }

  /** DELETE /sobjects/{Obj}/{id}: moves the record (and its cascade) to the recycle bin. */
  delete(objectName: string, idText: string, ctx: DmlContext = this.defaultContext()): string {
    const def = this.object(objectName);
    const rec = this.retrieve(def.name, idText);
    if (!def.deletable)
      throw new SfError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${def.name}`);
    this.transaction(() => this.deleteRecord(def, rec, ctx));
    return rec.Id as string;
  }

  private deleteRecord(def: ObjectDef, rec: Rec, ctx: DmlContext): void {
    if (rec.IsDeleted) return;
    RULES[def.name]?.beforeDelete?.(this, rec, ctx);
    // Children first, so rollups on this record see them go.
    for (const rel of def.childRelationships) {
      const childDef = this.schema.get(rel.childSObject)!;
      const f = childDef.byLower.get(rel.field.toLowerCase())!;
      if (!f.deleteWithParent) continue;
      const childTable = this.tables.get(childDef.name)!;
      for (const childId of [...childTable.childrenOf(f.name, rec.Id as string)]) {
        const child = childTable.get(childId)!;
        if (!child.IsDeleted) this.deleteRecord(childDef, child, { ...ctx, cascade: true });
      }
    }
    // Lookups that do not cascade are cleared, as the platform does for a deleted parent.
    for (const rel of def.childRelationships) {
      const childDef = this.schema.get(rel.childSObject)!;
      const f = childDef.byLower.get(rel.field.toLowerCase())!;
      if (f.deleteWithParent || !f.updateable) continue;
      const childTable = this.tables.get(childDef.name)!;
      for (const childId of [...childTable.childrenOf(f.name, rec.Id as string)]) {
        const child = childTable.get(childId)!;
        if (child.IsDeleted || childId === rec.Id) continue;
        if (!f.nillable)
          throw new SfError(
            400,
            'DELETE_FAILED',
            `Your attempt to delete ${String(rec[def.nameField ?? 'Id'])} could not be completed because it is associated with the following ${childDef.labelPlural.toLowerCase()}.: ${String(child[childDef.nameField ?? 'Id'])}`,
          );
        this.touch(childDef.name, childId, { [f.name]: null }, ctx, false);
      }
    }
    const table = this.tables.get(def.name)!;
    const current = table.get(rec.Id as string)!;
    const stamp = formatSecond(ctx.now);
    const next = table.make(current, {
      IsDeleted: true,
      SystemModstamp: stamp,
      LastModifiedDate: stamp,
      LastModifiedById: ctx.userId,
    });
    this.put(table, current, next);
    this.logDelete(def.name, rec.Id as string, Math.floor(ctx.now / 1000) * 1000);
    RULES[def.name]?.afterDelete?.(this, next, ctx);
  }

  /** Every record of an object (live ones unless includeDeleted), for inspection in tests. */
  records(objectName: string, opts: { includeDeleted?: boolean } = {}): Rec[] {
    return [...this.table(objectName).rows.values()].filter((r) => opts.includeDeleted || !r.IsDeleted);
  }

  /** Ids of live records whose SystemModstamp is in [from, to) (replication getUpdated). */
  updatedIds(objectName: string, from: string, to: string): string[] {
    const out: string[] = [];
    for (const r of this.table(objectName).rows.values()) {
      if (r.IsDeleted) continue;
      const m = r.SystemModstamp as string;
      if (m >= from && m < to) out.push(r.Id as string);
    }
    return out;
  }

  /** Deletions of this object in [fromMs, toMs) (replication getDeleted). */
  deletedBetween(objectName: string, fromMs: number, toMs: number): DeleteEntry[] {
    const log = this.deleteLog.get(this.object(objectName).name) ?? [];
    return log.filter((e) => e.at >= fromMs && e.at < toMs);
  }

  /** The delete log, for the state file. */
  deleteLogSnapshot(): Record<string, DeleteEntry[]> {
    return Object.fromEntries(this.deleteLog);
  }

  /** Restores a delete log saved by deleteLogSnapshot(). */
  restoreDeleteLog(log: Record<string, DeleteEntry[]>): void {
    this.deleteLog = new Map(Object.entries(log).map(([k, v]) => [k, [...v]]));
  }

  private parentByExternalId(f: FieldDef, nested: Record<string, unknown>): string {
    const typeAttr = (nested.attributes as { type?: unknown } | undefined)?.type;
    const targetName = typeof typeAttr === 'string' ? typeAttr : f.referenceTo[0]!;
    const target = this.schema.get(targetName);
    if (!target || !f.referenceTo.includes(target.name))
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Cannot reference ${String(targetName)} through ${f.relationshipName}`,
      );
    const keys = Object.keys(nested).filter((k) => k !== 'attributes');
    if (keys.length !== 1)
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Foreign key reference ${f.relationshipName} must name exactly one external ID field of ${target.name}`,
      );
    const key = keys[0]!;
    const ext = target.byLower.get(key.toLowerCase());
    if (!ext || !(ext.externalId || ext.idLookup))
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Field ${key} is not an external ID or indexed field for ${target.name}`,
      );
    const raw = nested[key];
    const value = raw instanceof JsonNumber ? raw.text : String(raw);
    const matches = this.matchExternalId(target, ext, value);
    if (matches.length === 0)
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${value} not found for field ${ext.name} in entity ${target.name}`,
      );
    if (matches.length > 1)
      throw new SfError(
        400,
        'DUPLICATE_EXTERNAL_ID',
        `Foreign key external ID: ${value} matched more than one record for field ${ext.name} in entity ${target.name}`,
      );
    return matches[0]!;
  }
}
