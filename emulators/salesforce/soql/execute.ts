import { Dec, jsonNumberText } from '../decimal.ts';
import { rawNumber } from '../json.ts';
import type { SalesforceOrg } from '../org/org.ts';
import { attributes, fieldJson, valueJson } from '../org/serialize.ts';
import { idOrder, type Rec, type Table, type Value } from '../org/table.ts';
import type { ObjectDef } from '../schema/types.ts';
import type { Plan, ProjectionNode, Seek } from './compile.ts';
import { compareValues, categoryOf } from './fields.ts';

/** Runs compiled plans: selects and orders rows, projects them, computes aggregates. */

export interface RunEnv {
  org: SalesforceOrg;
  scanAll: boolean;
  version: string;
}

function visible(rec: Rec, scanAll: boolean): boolean {
  return scanAll || rec.IsDeleted !== true;
}

/** The first index in [lo, hi) where pred holds, for a predicate that is false then true. */
function firstIndex(rows: readonly Rec[], lo: number, hi: number, pred: (r: Rec) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(rows[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The rows an index gives for a seek (each once, deleted ones included), unfiltered. */
function seekRows(table: Table, seek: Seek): Rec[] {
  const out: Rec[] = [];
  const seen = new Set<string>();
  const add = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const r = table.get(id);
    if (r) out.push(r);
  };
  for (const v of seek.values) {
    if (typeof v !== 'string' || v === '') continue;
    if (seek.kind === 'id') add(v);
    else if (seek.kind === 'lookup') for (const id of table.childrenOf(seek.field.name, v)) add(id);
    else for (const id of table.findByKey(seek.field, v)) add(id);
  }
  return out;
}

/** The rows a plan selects, ordered, with OFFSET and LIMIT applied. */
export function selectRows(env: RunEnv, plan: Plan): Rec[] {
  const table = env.org.tables.get(plan.def.name)!;
  const wanted = plan.limit === null ? Infinity : plan.offset + plan.limit;
  if (plan.seek) {
    const out = seekRows(table, plan.seek).filter((r) => visible(r, env.scanAll) && plan.filter(r));
    if (plan.order) out.sort(plan.order.cmp);
    else out.sort(idOrder);
    if (plan.offset === 0 && out.length <= wanted) return out;
    return out.slice(plan.offset, wanted);
  }
  if (plan.order?.direct) {
    // A cached ordered view: range conjuncts on the first ORDER BY field become a binary search,
    // and only the residual filter reads records one by one.
    const view = table.sortedView(plan.order.key, plan.order.cmp, env.scanAll, plan.order.sortKey);
    let lo = 0;
    let hi = view.length;
    if (plan.ranges.length) {
      const get = plan.order.first.get;
      if (plan.order.first.nullsLast) hi = firstIndex(view, lo, hi, (r) => get(r) === null);
      else lo = firstIndex(view, lo, hi, (r) => get(r) !== null);
      for (const rc of plan.ranges) {
        if (rc.increasing) lo = firstIndex(view, lo, hi, rc.pred);
        else hi = firstIndex(view, lo, hi, (r) => !rc.pred(r));
      }
    }
    if (!plan.residual) return view.slice(Math.min(hi, lo + plan.offset), Math.min(hi, lo + wanted));
    const out: Rec[] = [];
    for (let i = lo; i < hi && out.length < wanted; i++) {
      const r = view[i]!;
      if (plan.residual(r)) out.push(r);
    }
    return plan.offset ? out.slice(plan.offset) : out;
  }
  const out: Rec[] = [];
  for (const r of table.rows.values()) if (visible(r, env.scanAll) && plan.filter(r)) out.push(r);
  if (plan.order) out.sort(plan.order.cmp);
  if (plan.offset === 0 && out.length <= wanted) return out;
  return out.slice(plan.offset, wanted);
}

/** One row as the query resource writes it: attributes, selected fields, parents, child lists. */
export function project(env: RunEnv, plan: Plan, rec: Rec): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(plan.def, rec.Id, env.version) };
  projectNodes(env, plan.def, rec, plan.projection, out);
  return out;
}

function projectNodes(
  env: RunEnv,
  def: ObjectDef,
  rec: Rec,
  nodes: ProjectionNode[],
  out: Record<string, unknown>,
): void {
  for (const node of nodes) {
    if (node.kind === 'field') {
      out[node.field.name] = valueJson(def, rec, node.field);
    } else if (node.kind === 'relationship') {
      const id = rec[node.lookup.name];
      const parent = typeof id === 'string' ? env.org.tables.get(node.target.name)?.get(id) : undefined;
      if (!parent) {
        out[node.name] = null;
        continue;
      }
      const nested: Record<string, unknown> = { attributes: attributes(node.target, parent.Id, env.version) };
      projectNodes(env, node.target, parent, node.children, nested);
      out[node.name] = nested;
    } else {
      const plan = node.plan;
      const table = env.org.tables.get(plan.def.name)!;
      let rows: Rec[] = [];
      for (const id of table.childrenOf(node.parentField, rec.Id as string)) {
        const r = table.get(id)!;
        if (visible(r, env.scanAll) && plan.filter(r)) rows.push(r);
      }
      if (plan.order) rows.sort(plan.order.cmp);
      if (plan.offset || plan.limit !== null)
        rows = rows.slice(plan.offset, plan.limit === null ? undefined : plan.offset + plan.limit);
      out[node.name] = rows.length
        ? { totalSize: rows.length, done: true, records: rows.map((r) => project(env, plan, r)) }
        : null;
    }
  }
}

/** The AggregateResult rows of an aggregate plan (one per group). */
export function aggregateRows(env: RunEnv, plan: Plan): Array<Record<string, unknown>> {
  const table = env.org.tables.get(plan.def.name)!;
  const groups = new Map<string, { keys: Value[]; rows: Rec[] }>();
  const source = plan.seek ? seekRows(table, plan.seek) : table.rows.values();
  for (const r of source) {
    if (!visible(r, env.scanAll) || !plan.filter(r)) continue;
    const keys = plan.groupBy.map((g) => g.get(r));
    const k = JSON.stringify(
      keys.map((v, i) =>
        typeof v === 'string' && categoryOf(plan.groupBy[i]!.path.field) === 'text' ? v.toLowerCase() : v,
      ),
    );
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { keys, rows: [] }));
    g.rows.push(r);
  }
  if (plan.groupBy.length === 0 && groups.size === 0) groups.set('[]', { keys: [], rows: [] });
  let list = [...groups.values()];
  if (plan.order) {
    const cmpKeys = (a: Value[], b: Value[]) => {
      for (let i = 0; i < plan.groupBy.length; i++) {
        const va = a[i] ?? null;
        const vb = b[i] ?? null;
        if (va === vb) continue;
        if (va === null) return -1;
        if (vb === null) return 1;
        const c = compareValues(categoryOf(plan.groupBy[i]!.path.field), va, vb);
        if (c) return c;
      }
      return 0;
    };
    // Order by the group's first row under the plan's comparator, which reads the same fields.
    list.sort((a, b) =>
      a.rows[0] && b.rows[0] ? plan.order!.cmp(a.rows[0], b.rows[0]) : cmpKeys(a.keys, b.keys),
    );
  }
  if (plan.offset || plan.limit !== null)
    list = list.slice(plan.offset, plan.limit === null ? undefined : plan.offset + plan.limit);
  return list.map((g) => {
    const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const col of plan.columns) {
      if (col.kind === 'group') {
        const gb = plan.groupBy[col.index]!;
        out[gb.name] = fieldJson(gb.path.field, g.keys[col.index] ?? null);
      } else {
        const agg = plan.aggregates[col.index]!;
        out[agg.name] = aggregateValue(agg, g.rows);
      }
    }
    return out;
  });
}

function aggregateValue(agg: Plan['aggregates'][number], rows: Rec[]): unknown {
  const values = rows.map((r) => agg.get!(r)).filter((v): v is string | number | boolean => v !== null);
  const field = agg.path!.field;
  switch (agg.fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
    case 'SUM':
    case 'AVG': {
      if (!values.length) return null;
      let total = new Dec(0);
      for (const v of values) total = total.plus(new Dec(String(v)));
      const result = agg.fn === 'SUM' ? total : total.dividedBy(values.length).toSignificantDigits(18);
      return rawNumber(jsonNumberText(result.toFixed(), true));
    }
    default: {
      if (!values.length) return null;
      const cat = categoryOf(field);
      let best = values[0]!;
      for (const v of values) {
        const c = compareValues(cat, v, best);
        if (agg.fn === 'MIN' ? c < 0 : c > 0) best = v;
      }
      return fieldJson(field, best);
    }
  }
}
