import { formatDate, formatDateTime, parseDate, parseDateTime } from '../datetime.ts';
import { parseDecimal } from '../decimal.ts';
import { normalizeId } from '../ids.ts';
import type { SalesforceOrg } from '../org/org.ts';
import type { Rec, Value } from '../org/table.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Condition, FieldRef, Literal, SelectStatement } from './ast.ts';
import { dateLiteralRange } from './date-literals.ts';
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
 * WHERE clauses: comparisons, LIKE, IN / NOT IN, semi-joins, INCLUDES / EXCLUDES, AND / OR / NOT,
 * compiled to row predicates. Literals must have the field's type (quoted strings and ids, bare
 * numbers, booleans, dates and date-times, date literals), with the real error messages.
 */

export interface ConditionEnv {
  org: SalesforceOrg;
  soql: string;
  now: number;
  scanAll: boolean;
  /** Compiles a semi-join's inner query. */
  compileQuery(stmt: SelectStatement): { def: ObjectDef; kind: string; filter: (rec: Rec) => boolean };
}

const TYPE_NAMES: Record<Category, string> = {
  text: 'string',
  id: 'id',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
  other: 'string',
};

export type Pred = (rec: Rec) => boolean;

/** Compiles a WHERE condition into a row predicate; literal types are checked against each field. */
export function compileCondition(
  env: ConditionEnv,
  c: Condition,
  resolve: (ref: FieldRef) => ResolvedPath,
): Pred {
  switch (c.kind) {
    case 'and': {
      const items = c.items.map((i) => compileCondition(env, i, resolve));
      return (r) => items.every((p) => p(r));
    }
    case 'or': {
      const items = c.items.map((i) => compileCondition(env, i, resolve));
      return (r) => items.some((p) => p(r));
    }
    case 'not': {
      const item = compileCondition(env, c.item, resolve);
      return (r) => !item(r);
    }
    case 'compare': {
      const p = filterable(env, resolve(c.ref), c.ref);
      const get = getter(env.org, p);
      return comparison(env, p.field, c.op, c.value, get);
    }
    case 'like': {
      const p = filterable(env, resolve(c.ref), c.ref);
      const cat = categoryOf(p.field);
      if (cat !== 'text' && cat !== 'id')
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          env.soql,
          c.ref.pos,
          `invalid operator on field '${p.field.name}': LIKE is only valid on string fields`,
        );
      if (c.pattern.kind !== 'string') throw typeError(env, p.field, c.pattern);
      const re = likeRegExp(c.pattern.value);
      const get = getter(env.org, p);
      return (r) => {
        const v = get(r);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'in': {
      const p = filterable(env, resolve(c.ref), c.ref);
      const get = getter(env.org, p);
      const hit = inSet(env, p.field, c.values, get);
      if (hit) return c.negated ? (r) => !hit(r) : hit;
      const preds = c.values.map((v) => comparison(env, p.field, '=', v, get));
      if (c.negated) return (r) => !preds.some((q) => q(r));
      return (r) => preds.some((q) => q(r));
    }
    case 'semijoin': {
      const p = filterable(env, resolve(c.ref), c.ref);
      const inner = env.compileQuery(c.query);
      const innerField =
        c.query.select.length === 1 && c.query.select[0]!.kind === 'field' ? c.query.select[0]!.ref : null;
      if (!innerField || inner.kind !== 'records')
        throw new SoqlError(
          'MALFORMED_QUERY',
          env.soql,
          c.pos,
          'semi join sub selects can only select one field',
        );
      const innerPath = resolvePath(env.org, env.soql, inner.def, c.query.from.alias, innerField);
      if (categoryOf(innerPath.field) !== 'id' || categoryOf(p.field) !== 'id')
        throw new SoqlError(
          'MALFORMED_QUERY',
          env.soql,
          c.pos,
          'semi join sub selects can only select an id or reference field',
        );
      const innerGet = getter(env.org, innerPath);
      const values = new Set<Value>();
      for (const r of env.org.tables.get(inner.def.name)!.rows.values())
        if ((!r.IsDeleted || env.scanAll) && inner.filter(r)) values.add(innerGet(r));
      const get = getter(env.org, p);
      return c.negated ? (r) => !values.has(get(r)) : (r) => values.has(get(r));
    }
    case 'includes': {
      const p = filterable(env, resolve(c.ref), c.ref);
      if (p.field.type !== 'multipicklist')
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          env.soql,
          c.ref.pos,
          `invalid operator on field '${p.field.name}': INCLUDES and EXCLUDES are only valid on multi-select picklists`,
        );
      const sets = c.values.map((v) => {
        if (v.kind !== 'string') throw typeError(env, p.field, v);
        return v.value.split(';').map((s) => s.trim().toLowerCase());
      });
      const get = getter(env.org, p);
      const hit = (r: Rec) => {
        const v = get(r);
        if (typeof v !== 'string') return false;
        const have = new Set(v.split(';').map((s) => s.toLowerCase()));
        return sets.some((s) => s.every((x) => have.has(x)));
      };
      return c.negated ? (r) => !hit(r) : hit;
    }
  }
}

function filterable(env: ConditionEnv, p: ResolvedPath, ref: FieldRef): ResolvedPath {
  if (!p.field.filterable)
    throw new SoqlError(
      'INVALID_FIELD',
      env.soql,
      ref.pos,
      `field '${p.field.name}' can not be filtered in a query call`,
    );
  return p;
}

function typeError(env: ConditionEnv, f: FieldDef, lit: Literal): SoqlError {
  const cat = categoryOf(f);
  const quoted = cat === 'text' || cat === 'id';
  return new SoqlError(
    'INVALID_FIELD',
    env.soql,
    lit.pos,
    `value of filter criterion for field '${f.name}' must be of type ${TYPE_NAMES[cat]} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
  );
}

/** The stored form of a literal for comparisons with field f, or a range for date literals. */
function literalValue(env: ConditionEnv, f: FieldDef, lit: Literal): Value | { range: [string, string] } {
  const cat = categoryOf(f);
  if (lit.kind === 'null') return null;
  switch (cat) {
    case 'text':
      if (lit.kind !== 'string') throw typeError(env, f, lit);
      // Blank text is stored as null, so '' compares like null.
      return lit.value === '' ? null : lit.value;
    case 'id': {
      if (lit.kind !== 'string') throw typeError(env, f, lit);
      if (lit.value === '') return '';
      const id = normalizeId(lit.value);
      if (!id)
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          env.soql,
          lit.pos,
          `invalid ID field: ${lit.value}`,
        );
      return id;
    }
    case 'number': {
      if (lit.kind !== 'number' || !parseDecimal(lit.text)) throw typeError(env, f, lit);
      return f.type === 'int' ? Number(lit.text) : lit.text.replace(/^\+/, '');
    }
    case 'boolean':
      if (lit.kind !== 'boolean') throw typeError(env, f, lit);
      return lit.value;
    case 'date': {
      if (lit.kind === 'dateLiteral') {
        const [s, e] = dateLiteralRange(lit.name, lit.n, env.now);
        return { range: [formatDate(s), formatDate(e)] };
      }
      if (lit.kind !== 'date' || parseDate(lit.text) === null) throw typeError(env, f, lit);
      return lit.text;
    }
    case 'datetime': {
      if (lit.kind === 'dateLiteral') {
        const [s, e] = dateLiteralRange(lit.name, lit.n, env.now);
        return { range: [formatDateTime(s), formatDateTime(e)] };
      }
      const ms = lit.kind === 'datetime' ? parseDateTime(lit.text, true) : null;
      if (ms === null) throw typeError(env, f, lit);
      return formatDateTime(ms);
    }
    default:
      throw new SoqlError(
        'INVALID_FIELD',
        env.soql,
        lit.pos,
        `field '${f.name}' can not be filtered in a query call`,
      );
  }
}

/**
 * `field IN (...)` as one hash look-up per row (a long IN list of ids would otherwise cost one
 * comparison per value per row), for categories whose equality is plain (numbers compare by value
 * and date literals by range, so those return null and keep the general form).
 */
function inSet(env: ConditionEnv, f: FieldDef, values: Literal[], get: (r: Rec) => Value): Pred | null {
  const cat = categoryOf(f);
  if (cat === 'number') return null;
  const targets = values.map((v) => literalValue(env, f, v));
  let hasNull = false;
  const set = new Set<Value>();
  for (const t of targets) {
    if (t === null) hasNull = true;
    else if (typeof t === 'object') return null;
    else set.add(cat === 'text' ? String(t).toLowerCase() : t);
  }
  if (cat === 'text')
    return (r) => {
      const v = get(r);
      if (v === null) return hasNull;
      return typeof v === 'string' && set.has(v.toLowerCase());
    };
  return (r) => {
    const v = get(r);
    return v === null ? hasNull : set.has(v);
  };
}

/** The stored values `field = literal` / `field IN (...)` can match (null: a null literal). */
export function equalityValues(env: ConditionEnv, f: FieldDef, values: Literal[]): Value[] | null {
  const out: Value[] = [];
  for (const v of values) {
    const t = literalValue(env, f, v);
    if (t === null || typeof t === 'object') return null;
    out.push(t);
  }
  return out;
}

function comparison(env: ConditionEnv, f: FieldDef, op: string, lit: Literal, get: (r: Rec) => Value): Pred {
  const cat = categoryOf(f);
  const target = literalValue(env, f, lit);
  if (target === null) {
    if (op === '=') return (r) => get(r) === null;
    if (op === '!=') return (r) => get(r) !== null;
    return () => false;
  }
  if (typeof target === 'object') {
    const [s, e] = target.range;
    const inRange = (v: Value) => typeof v === 'string' && v >= s && v < e;
    switch (op) {
      case '=':
        return (r) => inRange(get(r));
      case '!=':
        return (r) => !inRange(get(r));
      case '<':
        return (r) => {
          const v = get(r);
          return typeof v === 'string' && v < s;
        };
      case '<=':
        return (r) => {
          const v = get(r);
          return typeof v === 'string' && v < e;
        };
      case '>':
        return (r) => {
          const v = get(r);
          return typeof v === 'string' && v >= e;
        };
      default:
        return (r) => {
          const v = get(r);
          return typeof v === 'string' && v >= s;
        };
    }
  }
  if (cat === 'number' && typeof target === 'string') {
    const t = Number(target);
    const exact = target.replace(/[-+.]/g, '').replace(/^0+/, '').length > 15;
    const cmpNum = (v: Value): number =>
      exact || (typeof v === 'string' && v.length > 16) ? compareValues('number', v, target) : Number(v) - t;
    return numericOp(op, get, cmpNum);
  }
  const needle = cat === 'text' ? String(target).toLowerCase() : target;
  const cmpOther = (v: Value): number =>
    cat === 'text' ? compareValues('text', v, needle) : compareValues(cat, v, needle);
  if (op === '=' && cat === 'text')
    return (r) => {
      const v = get(r);
      return typeof v === 'string' && v.toLowerCase() === needle;
    };
  if (op === '=') return (r) => get(r) === needle;
  if (op === '!=' && cat === 'text')
    return (r) => {
      const v = get(r);
      return typeof v !== 'string' || v.toLowerCase() !== needle;
    };
  if (op === '!=') return (r) => get(r) !== needle;
  return numericOp(op, get, cmpOther);
}

function numericOp(op: string, get: (r: Rec) => Value, cmp: (v: Value) => number): Pred {
  switch (op) {
    case '=':
      return (r) => {
        const v = get(r);
        return v !== null && cmp(v) === 0;
      };
    case '!=':
      return (r) => {
        const v = get(r);
        return v === null || cmp(v) !== 0;
      };
    case '<':
      return (r) => {
        const v = get(r);
        return v !== null && cmp(v) < 0;
      };
    case '<=':
      return (r) => {
        const v = get(r);
        return v !== null && cmp(v) <= 0;
      };
    case '>':
      return (r) => {
        const v = get(r);
        return v !== null && cmp(v) > 0;
      };
    default:
      return (r) => {
        const v = get(r);
        return v !== null && cmp(v) >= 0;
      };
  }
}

/** A LIKE pattern as an anchored, case-insensitive regular expression (% any run, _ one char). */
export function likeRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      re += pattern[++i] === '%' ? '%' : '_';
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}
