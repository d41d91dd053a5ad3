import { compareDecimal } from '../decimal.ts';
import type { SalesforceOrg } from '../org/org.ts';
import type { Rec, Value } from '../org/table.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { FieldRef } from './ast.ts';
import { SoqlError } from './errors.ts';

/** Resolving field paths (Account.Owner.Name) against the schema, and reading them from records. */

export interface ResolvedPath {
  /** Lookup fields walked, in order. */
  hops: FieldDef[];
  /** The object each hop leads to. */
  targets: ObjectDef[];
  field: FieldDef;
  /** The object the final field belongs to. */
  owner: ObjectDef;
}

/** How values of a field type compare in SOQL. */
export type Category = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'other';

/** The comparison category of a field type. */
export function categoryOf(f: FieldDef): Category {
  switch (f.type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'currency':
    case 'double':
    case 'percent':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'address':
    case 'location':
      return 'other';
    default:
      return 'text';
  }
}

const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_REL_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

/** Resolves a path from `root`; the alias or object name may prefix it. */
export function resolvePath(
  org: SalesforceOrg,
  soql: string,
  root: ObjectDef,
  alias: string | null,
  ref: FieldRef,
): ResolvedPath {
  let path = ref.path;
  if (path.length > 1) {
    const head = path[0]!.toLowerCase();
    if (
      (alias && head === alias.toLowerCase()) ||
      (head === root.name.toLowerCase() && !root.byRelationship.has(head))
    )
      path = path.slice(1);
  }
  let obj = root;
  const hops: FieldDef[] = [];
  const targets: ObjectDef[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const rel = obj.byRelationship.get(path[i]!.toLowerCase());
    const target = rel ? org.schema.get(rel.referenceTo[0]!) : undefined;
    if (!rel || !target)
      throw new SoqlError(
        'INVALID_FIELD',
        soql,
        ref.pos,
        `Didn't understand relationship '${path[i]}' in field path. ${CUSTOM_REL_HINT}`,
      );
    hops.push(rel);
    targets.push(target);
    obj = target;
  }
  const name = path[path.length - 1]!;
  const field = obj.byLower.get(name.toLowerCase());
  if (!field)
    throw new SoqlError(
      'INVALID_FIELD',
      soql,
      ref.pos,
      `No such column '${name}' on entity '${obj.name}'. ${CUSTOM_FIELD_HINT}`,
    );
  return { hops, targets, field, owner: obj };
}

/** The record at the end of a path's lookups (null when a lookup is empty). */
export function walk(org: SalesforceOrg, rec: Rec, hops: FieldDef[]): Rec | null {
  let r: Rec | undefined = rec;
  for (const hop of hops) {
    const id: Value | undefined = r[hop.name];
    if (typeof id !== 'string') return null;
    r = org.tables.get(hop.referenceTo[0]!)?.get(id);
    if (!r) return null;
  }
  return r;
}

/** A function reading a resolved path's value from a record. */
export function getter(org: SalesforceOrg, p: ResolvedPath): (rec: Rec) => Value {
  const name = p.field.name;
  if (p.hops.length === 0) return (rec) => rec[name] ?? null;
  return (rec) => {
    const r = walk(org, rec, p.hops);
    return r ? (r[name] ?? null) : null;
  };
}

/** Total order of two non-null values of a category (text ignores case, like SOQL). */
export function compareValues(cat: Category, a: Value, b: Value): number {
  switch (cat) {
    case 'number':
      return typeof a === 'number' && typeof b === 'number' ? a - b : compareDecimal(String(a), String(b));
    case 'boolean':
      return Number(a) - Number(b);
    case 'text': {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
