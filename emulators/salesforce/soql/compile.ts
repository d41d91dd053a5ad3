import { SfError } from '../errors.ts';
import type { SalesforceOrg } from '../org/org.ts';
import type { Rec, RecordComparator, Value } from '../org/table.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Condition, FieldRef, Literal, SelectStatement } from './ast.ts';
import { compileCondition, equalityValues, type ConditionEnv } from './conditions.ts';
import { SoqlError } from './errors.ts';
import {
  categoryOf,
  compareValues,
  getter,
  resolvePath,
  type Category,
  type ResolvedPath,
} from './fields.ts';

/**
 * Compiles a parsed statement against the org's schema into a plan: a row filter, an ordering,
 * and a projection tree. All schema errors (unknown objects, fields, relationships, literals of
 * the wrong type) are raised here, with the real messages and carets.
 */

export interface CompileEnv {
  org: SalesforceOrg;
  soql: string;
  now: number;
  scanAll: boolean;
}

function conditionEnv(env: CompileEnv): ConditionEnv {
  return { ...env, compileQuery: (stmt) => compile(env, stmt) };
}

export type ProjectionNode =
  | { kind: 'field'; field: FieldDef; owner: ObjectDef }
  | { kind: 'relationship'; name: string; lookup: FieldDef; target: ObjectDef; children: ProjectionNode[] }
  | { kind: 'children'; name: string; plan: Plan; parentField: string };

export interface AggregateColumn {
  fn: 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
  path: ResolvedPath | null;
  get: ((rec: Rec) => Value) | null;
  name: string;
}

/** A WHERE conjunct on the first ORDER BY field that holds on one contiguous run of a sorted view. */
export interface RangeConjunct {
  pred: (rec: Rec) => boolean;
  /** False then true along the view (true: lower bound), or true then false (upper bound). */
  increasing: boolean;
}

/**
 * How a sorted view is first built: `extract` reads each row's key once and `compare` orders keys;
 * `single` (when the order is one field of the row, maybe followed by Id ASC) gives the one key a
 * row sorts by, of one primitive type, so a stable sort of rows already in Id order suffices.
 */
export interface SortKey {
  extract: (r: Rec) => unknown[];
  compare: (a: unknown[], b: unknown[]) => number;
  single: {
    get: (r: Rec) => string | number | null;
    type: 'string' | 'number';
    desc: boolean;
    nullsLast: boolean;
  } | null;
}

export interface Order {
  key: string;
  cmp: RecordComparator;
  /** Every ORDER BY field is a field of the queried object (so a cached view stays valid). */
  direct: boolean;
  sortKey: SortKey;
  first: { get: (rec: Rec) => Value; nullsLast: boolean };
}

/**
 * A WHERE conjunct `Id = / IN`, `<lookup> = / IN` or `<unique text field> = / IN` that an index
 * answers: the candidate rows come from the index, and the whole filter still runs on them.
 */
export interface Seek {
  kind: 'id' | 'lookup' | 'key';
  field: FieldDef;
  values: Value[];
}

export interface Plan {
  def: ObjectDef;
  /** Candidate rows from an index instead of a scan (top-level statements only). */
  seek: Seek | null;
  kind: 'records' | 'count' | 'aggregate';
  filter: (rec: Rec) => boolean;
  order: Order | null;
  /** Conjuncts answered by binary search in the sorted view, and the rest of the WHERE. */
  ranges: RangeConjunct[];
  residual: ((rec: Rec) => boolean) | null;
  limit: number | null;
  offset: number;
  projection: ProjectionNode[];
  groupBy: Array<{ path: ResolvedPath; get: (rec: Rec) => Value; name: string }>;
  aggregates: AggregateColumn[];
  /** Output order of aggregate result columns. */
  columns: Array<{ kind: 'group'; index: number } | { kind: 'aggregate'; index: number }>;
}

/** Compiles a top-level statement (child subqueries compile with their parent). */
export function compile(env: CompileEnv, stmt: SelectStatement): Plan {
  const def = env.org.schema.get(stmt.from.name);
  if (!def)
    throw new SoqlError(
      'INVALID_TYPE',
      env.soql,
      stmt.from.pos,
      `sObject type '${stmt.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  return compileFor(env, stmt, def, true);
}

function compileFor(env: CompileEnv, stmt: SelectStatement, def: ObjectDef, top: boolean): Plan {
  const { org, soql } = env;
  const alias = stmt.from.alias;
  const resolve = (ref: FieldRef) => resolvePath(org, soql, def, alias, ref);
  const plan: Plan = {
    def,
    seek: null,
    kind: 'records',
    filter: () => true,
    order: null,
    ranges: [],
    residual: null,
    limit: stmt.limit?.value ?? null,
    offset: stmt.offset?.value ?? 0,
    projection: [],
    groupBy: [],
    aggregates: [],
    columns: [],
  };
  if (stmt.offset && stmt.offset.value > 2000)
    throw new SfError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');

  const counts = stmt.select.filter((s) => s.kind === 'count');
  const aggregates = stmt.select.filter((s) => s.kind === 'aggregate');
  if (counts.length) {
    if (stmt.select.length > 1)
      throw new SoqlError('MALFORMED_QUERY', soql, counts[0]!.pos, "unexpected token: 'COUNT'");
    plan.kind = 'count';
  } else if (aggregates.length || stmt.groupBy.length) {
    if (!top)
      throw new SoqlError(
        'MALFORMED_QUERY',
        soql,
        stmt.from.pos,
        'Aggregate functions are not supported in subqueries',
      );
    plan.kind = 'aggregate';
    compileAggregate(env, stmt, plan, resolve);
  } else {
    const seen = new Set<string>();
    for (const item of stmt.select) {
      if (item.kind === 'field') {
        const p = resolve(item.ref);
        const key = [...p.hops.map((h) => h.relationshipName!), p.field.name].join('.').toLowerCase();
        if (seen.has(key))
          throw new SoqlError(
            'MALFORMED_QUERY',
            soql,
            item.ref.pos,
            `duplicate field selected: ${item.ref.path.join('.')}`,
          );
        seen.add(key);
        addToTree(plan.projection, p);
      } else if (item.kind === 'fields') {
        if (item.which !== 'STANDARD' && (stmt.limit === null || stmt.limit.value > 200))
          throw new SoqlError(
            'MALFORMED_QUERY',
            soql,
            item.pos,
            'The SOQL FIELDS function must have a LIMIT of at most 200',
          );
        for (const f of def.fields) {
          if (item.which === 'STANDARD' && f.custom) continue;
          if (item.which === 'CUSTOM' && !f.custom) continue;
          if (seen.has(f.name.toLowerCase())) continue;
          seen.add(f.name.toLowerCase());
          addToTree(plan.projection, { hops: [], targets: [], field: f, owner: def });
        }
      } else if (item.kind === 'subquery') {
        if (!top) throw new SoqlError('MALFORMED_QUERY', soql, item.pos, "unexpected token: '('");
        plan.projection.push(compileChildren(env, item.query, def));
      }
    }
  }
  if (stmt.where) plan.filter = compileCondition(conditionEnv(env), stmt.where, resolve);
  if (stmt.orderBy.length) plan.order = compileOrder(env, stmt, resolve, plan);
  if (stmt.where) splitRanges(env, stmt, resolve, plan);
  else plan.residual = null;
  if (stmt.where && top) plan.seek = findSeek(env, stmt.where, resolve);
  return plan;
}

/** The first top-level conjunct an index can answer (see Seek), if any. */
function findSeek(env: CompileEnv, where: Condition, resolve: (ref: FieldRef) => ResolvedPath): Seek | null {
  const conjuncts = where.kind === 'and' ? where.items : [where];
  for (const c of conjuncts) {
    let literals: Literal[];
    if (c.kind === 'compare' && c.op === '=') literals = [c.value];
    else if (c.kind === 'in' && !c.negated) literals = c.values;
    else continue;
    const p = resolve(c.ref);
    if (p.hops.length) continue;
    const f = p.field;
    let kind: Seek['kind'];
    if (f.type === 'id') kind = 'id';
    else if (f.type === 'reference') kind = 'lookup';
    // The key index holds live rows only, and a case-sensitive one cannot answer SOQL's
    // case-insensitive equality.
    else if ((f.unique || f.externalId) && categoryOf(f) === 'text' && !f.caseSensitive && !env.scanAll)
      kind = 'key';
    else continue;
    const values = equalityValues(conditionEnv(env), f, literals);
    if (values) return { kind, field: f, values };
  }
  return null;
}

function addToTree(nodes: ProjectionNode[], p: ResolvedPath): void {
  let level = nodes;
  p.hops.forEach((hop, i) => {
    let node = level.find(
      (n): n is Extract<ProjectionNode, { kind: 'relationship' }> =>
        n.kind === 'relationship' && n.lookup === hop,
    );
    if (!node) {
      node = {
        kind: 'relationship',
        name: hop.relationshipName!,
        lookup: hop,
        target: p.targets[i]!,
        children: [],
      };
      level.push(node);
    }
    level = node.children;
  });
  level.push({ kind: 'field', field: p.field, owner: p.owner });
}

function compileChildren(env: CompileEnv, stmt: SelectStatement, parent: ObjectDef): ProjectionNode {
  let name = stmt.from.name;
  if (name.includes('.') && name.split('.')[0]!.toLowerCase() === parent.name.toLowerCase())
    name = name.split('.').slice(1).join('.');
  const rel = parent.childRelationships.find((c) => c.relationshipName?.toLowerCase() === name.toLowerCase());
  const childDef = rel ? env.org.schema.get(rel.childSObject) : undefined;
  if (!rel || !childDef)
    throw new SoqlError(
      'INVALID_TYPE',
      env.soql,
      stmt.from.pos,
      `Didn't understand relationship '${stmt.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  const plan = compileFor(env, stmt, childDef, false);
  return { kind: 'children', name: rel.relationshipName!, plan, parentField: rel.field };
}

function compileAggregate(
  env: CompileEnv,
  stmt: SelectStatement,
  plan: Plan,
  resolve: (ref: FieldRef) => ResolvedPath,
): void {
  for (const ref of stmt.groupBy) {
    const p = resolve(ref);
    if (!p.field.groupable)
      throw new SoqlError(
        'MALFORMED_QUERY',
        env.soql,
        ref.pos,
        `field '${p.field.name}' can not be grouped in a query call`,
      );
    plan.groupBy.push({ path: p, get: getter(env.org, p), name: p.field.name });
  }
  let expr = 0;
  for (const item of stmt.select) {
    if (item.kind === 'aggregate') {
      const p = resolve(item.ref);
      const cat = categoryOf(p.field);
      if ((item.fn === 'SUM' || item.fn === 'AVG') && cat !== 'number')
        throw new SoqlError(
          'MALFORMED_QUERY',
          env.soql,
          item.ref.pos,
          `field ${p.field.name} does not support aggregate operator ${item.fn}`,
        );
      plan.aggregates.push({
        fn: item.fn,
        path: p,
        get: getter(env.org, p),
        name: item.alias ?? `expr${expr++}`,
      });
      plan.columns.push({ kind: 'aggregate', index: plan.aggregates.length - 1 });
    } else if (item.kind === 'field') {
      const p = resolve(item.ref);
      const index = plan.groupBy.findIndex(
        (g) => g.path.field === p.field && g.path.hops.length === p.hops.length,
      );
      if (index < 0)
        throw new SoqlError(
          'MALFORMED_QUERY',
          env.soql,
          item.ref.pos,
          `Field must be grouped or aggregated: ${item.ref.path[item.ref.path.length - 1]}`,
        );
      plan.columns.push({ kind: 'group', index });
    } else {
      throw new SoqlError('MALFORMED_QUERY', env.soql, 'pos' in item ? item.pos : 0, "unexpected token: '('");
    }
  }
}

function isIdAsc(x: { p: ResolvedPath; desc: boolean }): boolean {
  return x.p.hops.length === 0 && x.p.field.type === 'id' && !x.desc;
}

function compileOrder(
  env: CompileEnv,
  stmt: SelectStatement,
  resolve: (ref: FieldRef) => ResolvedPath,
  plan: Plan,
): Plan['order'] {
  const parts = stmt.orderBy.map((o) => {
    const p = resolve(o.ref);
    if (!p.field.sortable)
      throw new SoqlError(
        'INVALID_FIELD',
        env.soql,
        o.ref.pos,
        `field '${p.field.name}' can not be sorted in a query call`,
      );
    if (plan.kind === 'aggregate' && !plan.groupBy.some((g) => g.path.field === p.field))
      throw new SoqlError(
        'MALFORMED_QUERY',
        env.soql,
        o.ref.pos,
        `Ordered field must be grouped or aggregated: ${p.field.name}`,
      );
    return {
      p,
      get: getter(env.org, p),
      cat: categoryOf(p.field),
      desc: o.descending,
      nullsLast: o.nullsLast,
    };
  });
  const direct = parts.every((x) => x.p.hops.length === 0);
  const cmp: RecordComparator = (a, b) => {
    for (const x of parts) {
      const va = x.get(a);
      const vb = x.get(b);
      if (va === null || vb === null) {
        if (va === vb) continue;
        return (va === null) === x.nullsLast ? 1 : -1;
      }
      const c = compareValues(x.cat, va, vb);
      if (c !== 0) return x.desc ? -c : c;
    }
    const ia = a.Id as string;
    const ib = b.Id as string;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
  const key = parts
    .map(
      (x) =>
        `${[...x.p.hops.map((h) => h.name), x.p.field.name].join('.')}:${x.desc ? 'D' : 'A'}${x.nullsLast ? 'L' : 'F'}`,
    )
    .join(',');
  const keyOf = (cat: Category, v: Value): unknown => {
    if (v === null) return null;
    if (cat === 'text') return String(v).toLowerCase();
    if (cat === 'number' && typeof v === 'string' && v.replace(/[-+.]/g, '').replace(/^0+/, '').length <= 15)
      return Number(v);
    if (cat === 'boolean') return Number(v);
    return v;
  };
  const keys: Omit<SortKey, 'single'> = {
    extract: (r: Rec) => [...parts.map((x) => keyOf(x.cat, x.get(r))), r.Id],
    compare: (a: unknown[], b: unknown[]) => {
      for (let i = 0; i < parts.length; i++) {
        const x = parts[i]!;
        const va = a[i];
        const vb = b[i];
        if (va === null || vb === null) {
          if (va === vb) continue;
          return (va === null) === x.nullsLast ? 1 : -1;
        }
        let c: number;
        if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
        else if (x.cat === 'number') c = compareValues('number', String(va), String(vb));
        else c = (va as string) < (vb as string) ? -1 : (va as string) > (vb as string) ? 1 : 0;
        if (c !== 0) return x.desc ? -c : c;
      }
      const ia = a[parts.length] as string;
      const ib = b[parts.length] as string;
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    },
  };
  // ORDER BY X, Id is ORDER BY X: ties are broken by Id ascending anyway.
  const significant = parts.length > 1 && isIdAsc(parts[parts.length - 1]!) ? parts.slice(0, -1) : parts;
  const only = significant.length === 1 && significant[0]!.p.hops.length === 0 ? significant[0]! : null;
  const sortKey: SortKey = {
    ...keys,
    single: only
      ? {
          get: (r) => keyOf(only.cat, only.get(r)) as string | number | null,
          type: only.cat === 'number' || only.cat === 'boolean' ? 'number' : 'string',
          desc: only.desc,
          nullsLast: only.nullsLast,
        }
      : null,
  };
  return { key, cmp, direct, sortKey, first: { get: parts[0]!.get, nullsLast: parts[0]!.nullsLast } };
}

/**
 * Splits the WHERE into conjuncts a sorted view answers by binary search (comparisons of the first
 * ORDER BY field with <, <=, >, >=) and the residual filter for the rest.
 */
function splitRanges(
  env: CompileEnv,
  stmt: SelectStatement,
  resolve: (ref: FieldRef) => ResolvedPath,
  plan: Plan,
): void {
  const where = stmt.where!;
  const conjuncts = where.kind === 'and' ? where.items : [where];
  const first = stmt.orderBy[0];
  const order = plan.order;
  const rest: Condition[] = [];
  if (plan.kind === 'records' && order?.direct && first) {
    const target = resolve(first.ref);
    const cat = categoryOf(target.field);
    for (const c of conjuncts) {
      if (
        c.kind === 'compare' &&
        c.op !== '=' &&
        c.op !== '!=' &&
        c.value.kind !== 'null' &&
        cat !== 'boolean' &&
        cat !== 'other' &&
        target.hops.length === 0
      ) {
        const p = resolve(c.ref);
        if (p.hops.length === 0 && p.field === target.field) {
          const pred = compileCondition(conditionEnv(env), c, resolve);
          const lower = c.op === '>' || c.op === '>=';
          plan.ranges.push({ pred, increasing: lower !== first.descending });
          continue;
        }
      }
      rest.push(c);
    }
  } else rest.push(...conjuncts);
  plan.residual =
    rest.length === 0
      ? null
      : compileCondition(
          conditionEnv(env),
          rest.length === 1 ? rest[0]! : { kind: 'and', items: rest },
          resolve,
        );
}
