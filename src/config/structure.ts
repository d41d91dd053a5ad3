import { compileExpression, ExpressionError } from '../mapping/expressions/index.ts';
import { flows, fromOneWays, oneWays } from './directions.ts';
import type { ConfigIssue } from './issues.ts';
import type { ParsedField, ParsedFlow } from './schema.ts';
import type { NodeInfo, SourceTable } from './source.ts';
import type {
  ConfigScalar,
  Direction,
  FieldMappingConfig,
  FlowConfig,
  Located,
  OneWay,
  SourceLoc,
} from './types.ts';

/**
 * The checks a flow must pass that need no field catalog — a field with nothing to write, a
 * direction the flow cannot take, a value map that cannot be inverted, an expression that does
 * not parse — and the resolution of every field's effective direction.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Positions of an object read from YAML and of all its keys (dotted), except those in `skip`. */
export function locatedOf(
  table: SourceTable,
  obj: unknown,
  skip: ReadonlySet<string> = new Set(),
): Located | undefined {
  const info = table.get(obj);
  if (!info) return undefined;
  const keys: Record<string, SourceLoc> = {};
  const walk = (o: unknown, i: NodeInfo | undefined, prefix: string) => {
    if (!i || o === null || typeof o !== 'object') return;
    for (const [k, loc] of i.values) {
      const path = `${prefix}${String(k)}`;
      if (skip.has(path)) continue;
      keys[path] = loc;
      const child = (o as Record<string | number, unknown>)[k];
      walk(child, table.get(child), `${path}.`);
    }
  };
  walk(obj, info, '');
  return { ...info.self, keys };
}

function hasPath(obj: unknown, path: string[]): boolean {
  let cur = obj;
  for (const k of path) {
    if (!isObj(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return false;
    cur = cur[k];
  }
  return true;
}

/** A config literal: YAML numbers become exact decimal text, as written (12.50 stays 12.50). */
function scalarOf(v: string | number | boolean | null, numberText: string | undefined): ConfigScalar {
  if (typeof v !== 'number') return v;
  const text =
    numberText && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(numberText) ? numberText : String(v);
  return { decimal: text.replace(/^\+/, '') };
}

function scalarKey(v: ConfigScalar): string {
  if (v === null) return '';
  if (typeof v === 'object') return v.decimal;
  return String(v);
}

export interface NormalizeInput {
  parsed: ParsedFlow;
  /** The flow as read (merged with its pack), for positions. */
  raw: Obj;
  /** The flow as written in the config file, to tell what the admin set from what the pack set. */
  own: Obj;
  packFields: Set<object>;
  table: SourceTable;
  file: string;
}

/** Checks a validated flow and resolves it into a FlowConfig; every problem is returned. */
export function normalizeFlow(input: NormalizeInput): { flow: FlowConfig; issues: ConfigIssue[] } {
  const { parsed, raw, own, table, file } = input;
  const issues: ConfigIssue[] = [];
  const flowLoc = locatedOf(table, raw, new Set(['fields', 'omitFields']));
  const flowName = parsed.name;
  const add = (message: string, loc: SourceLoc | undefined, field?: string) => {
    const issue: ConfigIssue = { file: loc?.file ?? file, flow: flowName, message };
    if (loc) {
      issue.line = loc.line;
      issue.column = loc.column;
    }
    if (field !== undefined) issue.field = field;
    issues.push(issue);
  };
  const at = (key: string) => flowLoc?.keys[key] ?? flowLoc;
  const direction = parsed.direction;

  const checkExpression = (source: string | null | undefined, loc: SourceLoc | undefined, field?: string) => {
    if (!source) return;
    try {
      compileExpression(source);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      for (const i of e.issues) add(i.message, loc, field);
    }
  };

  // Flow-level policies that only make sense in some directions.
  const createMissing = { ...parsed.createMissing };
  const deletes = { ...parsed.deletes };
  const guard = (path: string[], active: boolean, way: OneWay, reset: () => void, what: string) => {
    if (!active || flows(direction, way)) return;
    if (hasPath(own, path))
      add(`${what} is impossible: the flow's direction is ${direction}`, at(path.join('.')));
    reset();
  };
  guard(
    ['createMissing', 'toQuickbooks'],
    createMissing.toQuickbooks,
    'sf->qb',
    () => (createMissing.toQuickbooks = false),
    'creating QuickBooks records (createMissing.toQuickbooks)',
  );
  guard(
    ['createMissing', 'toSalesforce'],
    createMissing.toSalesforce,
    'qb->sf',
    () => (createMissing.toSalesforce = false),
    'creating Salesforce records (createMissing.toSalesforce)',
  );
  guard(
    ['deletes', 'toQuickbooks'],
    deletes.toQuickbooks !== 'ignore',
    'sf->qb',
    () => (deletes.toQuickbooks = 'ignore'),
    `deletes.toQuickbooks: ${deletes.toQuickbooks}`,
  );
  guard(
    ['deletes', 'toSalesforce'],
    deletes.toSalesforce !== 'ignore',
    'qb->sf',
    () => (deletes.toSalesforce = 'ignore'),
    `deletes.toSalesforce: ${deletes.toSalesforce}`,
  );
  if (deletes.toSalesforce === 'deactivate' && !deletes.salesforceActiveField)
    add(
      'deletes.toSalesforce: deactivate needs deletes.salesforceActiveField, the checkbox that marks a Salesforce record active',
      at('deletes.toSalesforce'),
    );

  // Without an explicit list, external-id is tried only when there is an external id field.
  const rules = hasPath(raw, ['match'])
    ? parsed.match
    : parsed.match.filter((r) => r !== 'external-id' || parsed.salesforce.externalIdField);
  const seenRules = new Set<string>();
  rules.forEach((rule, i) => {
    const loc = flowLoc?.keys[`match.${i}`] ?? at('match');
    if (seenRules.has(rule)) add(`match: '${rule}' is listed twice`, loc);
    seenRules.add(rule);
  });
  if (seenRules.has('external-id') && !parsed.salesforce.externalIdField)
    add(
      "match: 'external-id' needs salesforce.externalIdField (the field that holds the QuickBooks id)",
      at('match'),
    );
  if (seenRules.has('email') && !parsed.keys.email)
    add("match: 'email' needs keys.email: { sf: <email field>, qb: <email field> }", at('match'));

  const keys: FlowConfig['keys'] = {
    name: parsed.keys.name ?? {
      sf: 'Name',
      qb: parsed.quickbooks.entity === 'Customer' ? 'DisplayName' : 'Name',
    },
    email: parsed.keys.email ?? null,
  };
  checkExpression(parsed.criteria.salesforce, at('criteria.salesforce'));
  checkExpression(parsed.criteria.quickbooks, at('criteria.quickbooks'));
  for (const [name, rel] of Object.entries(parsed.salesforce.related))
    checkExpression(rel.writeIf, at(`salesforce.related.${name}.writeIf`));

  const rawFields = Array.isArray(raw.fields) ? raw.fields : [];
  const fields: FieldMappingConfig[] = [];
  const pairs = new Map<string, SourceLoc | undefined>();
  const targets = new Map<string, { loc: SourceLoc | undefined; label: string; origin: 'pack' | 'file' }>();
  parsed.fields.forEach((f, j) => {
    const rawField = rawFields[j];
    const origin = isObj(rawField) && input.packFields.has(rawField) ? 'pack' : 'file';
    const loc = locatedOf(table, rawField);
    const result = normalizeField(f, rawField, origin, loc, direction, table, (message, key, label) =>
      add(message, (key && loc?.keys[key]) || loc, label),
    );
    if (!result) return;
    const label = f.sf ?? f.qb!;
    const pairKey = `${(f.sf ?? '').toLowerCase()}|${f.qb ?? ''}`;
    if (pairs.has(pairKey)) {
      const first = pairs.get(pairKey);
      add(`this pair is mapped twice${first ? ` (first at line ${first.line})` : ''}`, loc, label);
      return;
    }
    pairs.set(pairKey, loc);
    for (const way of oneWays(result.direction)) {
      const target = way === 'sf->qb' ? `qb:${f.qb}` : `sf:${(f.sf ?? '').toLowerCase()}`;
      const first = targets.get(target);
      if (first) {
        const side = way === 'sf->qb' ? `QuickBooks field ${f.qb}` : `Salesforce field ${f.sf}`;
        const where = first.loc
          ? first.loc.file === loc?.file
            ? `line ${first.loc.line}`
            : `${first.loc.file}:${first.loc.line}`
          : '';
        add(
          first.origin === 'pack' && origin === 'file'
            ? `${side} is also written by the pack's mapping '${first.label}'${where ? ` (${where})` : ''}: drop it with omitFields: [${first.label}], or map the same pair to replace it`
            : `${side} is written by two mappings${where ? ` (the other at ${where})` : ''}; keep one, or set direction`,
          loc,
          label,
        );
      }
      targets.set(target, { loc, label, origin });
    }
    const checkAt = (key: string) => loc?.keys[key] ?? loc;
    checkExpression(result.toQuickbooks, checkAt('toQuickbooks'), label);
    checkExpression(result.toSalesforce, checkAt('toSalesforce'), label);
    fields.push(result);
  });

  const flow: FlowConfig = {
    name: parsed.name,
    extends: parsed.extends,
    description: parsed.description,
    enabled: parsed.enabled,
    salesforce: {
      connection: parsed.salesforce.connection,
      object: parsed.salesforce.object,
      externalIdField: parsed.salesforce.externalIdField,
      related: Object.fromEntries(Object.entries(parsed.salesforce.related).map(([k, v]) => [k, { ...v }])),
    },
    quickbooks: { ...parsed.quickbooks },
    direction,
    createMissing,
    match: [...seenRules] as FlowConfig['match'],
    keys,
    criteria: { ...parsed.criteria },
    conflict: parsed.conflict,
    onFirstLink: parsed.onFirstLink,
    deletes,
    fields,
  };
  if (flowLoc) flow.loc = flowLoc;
  return { flow, issues };
}

function normalizeField(
  f: ParsedField,
  rawField: unknown,
  origin: 'pack' | 'file',
  loc: Located | undefined,
  flowDirection: Direction,
  table: SourceTable,
  add: (message: string, key: string | undefined, label: string) => void,
): FieldMappingConfig | null {
  const label = f.sf ?? f.qb ?? '?';
  const fail = (message: string, key?: string): null => {
    add(message, key, label);
    return null;
  };
  if (!f.sf && !f.qb) return fail('a field mapping needs sf, qb or both');
  const info = table.get(rawField);
  const numbers = (key: string) => info?.numbers.get(key);
  const hasConstant = f.constant !== undefined;
  if (hasConstant) {
    if (f.sf && f.qb)
      return fail('a constant is written to one side: give either sf or qb, not both', 'constant');
    for (const k of ['toQuickbooks', 'toSalesforce', 'valueMap', 'reverseMap', 'lookup'] as const)
      if (f[k] !== undefined) return fail(`constant and ${k} cannot be combined`, k);
  }
  if (f.lookup) {
    if (!f.sf || !f.qb) return fail('lookup: linked needs both sf and qb (the two id fields)', 'lookup');
    for (const k of ['toQuickbooks', 'toSalesforce', 'valueMap', 'reverseMap'] as const)
      if (f[k] !== undefined) return fail(`lookup and ${k} cannot be combined`, k);
  }
  if (f.toQuickbooks !== undefined && !f.qb)
    return fail('toQuickbooks needs qb: the QuickBooks field it computes', 'toQuickbooks');
  if (f.toSalesforce !== undefined && !f.sf)
    return fail('toSalesforce needs sf: the Salesforce field it computes', 'toSalesforce');

  // What this mapping can do at all: write QuickBooks from Salesforce, and/or the reverse.
  const possible: OneWay[] = [];
  if (f.qb && (f.sf || f.toQuickbooks !== undefined || (hasConstant && !f.sf))) possible.push('sf->qb');
  if (f.sf && (f.qb || f.toSalesforce !== undefined || (hasConstant && !f.qb))) possible.push('qb->sf');
  const why = (way: OneWay): string =>
    way === 'sf->qb'
      ? f.qb
        ? 'it has no Salesforce source (sf, toQuickbooks or constant)'
        : 'it has no qb field to write to'
      : f.sf
        ? 'it has no QuickBooks source (qb, toSalesforce or constant)'
        : 'it has no sf field to write to';

  let wanted: OneWay[];
  if (f.direction) {
    wanted = oneWays(f.direction);
    for (const way of wanted)
      if (!possible.includes(way))
        return fail(`direction ${f.direction} is impossible: ${why(way)}`, 'direction');
  } else wanted = possible;

  const allowed = wanted.filter((w) => flows(flowDirection, w));
  if (allowed.length < wanted.length) {
    const excluded = wanted.filter((w) => !allowed.includes(w));
    if (origin === 'file' && (f.direction || allowed.length === 0)) {
      const what = f.direction
        ? `direction ${f.direction}`
        : hasConstant
          ? `a constant written ${excluded[0]}`
          : `a ${excluded.join(' and ')} mapping`;
      return fail(
        `${what} is impossible: the flow's direction is ${flowDirection}`,
        f.direction ? 'direction' : undefined,
      );
    }
  }
  const effective = fromOneWays(allowed);
  if (!effective)
    return origin === 'pack' ? null : fail(`nothing to write in this flow's direction (${flowDirection})`);
  if (hasConstant && effective === 'both')
    return fail('a constant is written one way: set direction', 'constant');

  if (origin === 'file') {
    if (f.toQuickbooks !== undefined && !allowed.includes('sf->qb'))
      return fail(`toQuickbooks is never used: the field flows ${effective}`, 'toQuickbooks');
    if (f.toSalesforce !== undefined && !allowed.includes('qb->sf'))
      return fail(`toSalesforce is never used: the field flows ${effective}`, 'toSalesforce');
    if (f.reverseMap !== undefined && !allowed.includes('qb->sf'))
      return fail(`reverseMap is never used: the field flows ${effective}`, 'reverseMap');
  }

  const out: FieldMappingConfig = {
    direction: effective,
    onCreateOnly: f.onCreateOnly ?? false,
    truncate: f.truncate ?? false,
    origin,
  };
  if (f.sf) out.sf = f.sf;
  if (f.qb) out.qb = f.qb;
  if (hasConstant) out.constant = scalarOf(f.constant!, numbers('constant'));
  if (f.lookup) out.lookup = f.lookup;
  if (f.toQuickbooks !== undefined && allowed.includes('sf->qb')) out.toQuickbooks = f.toQuickbooks;
  if (f.toSalesforce !== undefined && allowed.includes('qb->sf')) out.toSalesforce = f.toSalesforce;
  if (f.default !== undefined) {
    const d = f.default;
    if (d !== null && typeof d === 'object') {
      const di = table.get(isObj(rawField) ? rawField.default : undefined);
      out.default = {};
      if (d.toQuickbooks !== undefined) {
        if (!allowed.includes('sf->qb') && origin === 'file')
          return fail(`default.toQuickbooks is never used: the field flows ${effective}`, 'default');
        out.default.toQuickbooks = scalarOf(d.toQuickbooks, di?.numbers.get('toQuickbooks'));
      }
      if (d.toSalesforce !== undefined) {
        if (!allowed.includes('qb->sf') && origin === 'file')
          return fail(`default.toSalesforce is never used: the field flows ${effective}`, 'default');
        out.default.toSalesforce = scalarOf(d.toSalesforce, di?.numbers.get('toSalesforce'));
      }
    } else {
      const v = scalarOf(d, numbers('default'));
      out.default = {};
      if (allowed.includes('sf->qb')) out.default.toQuickbooks = v;
      if (allowed.includes('qb->sf')) out.default.toSalesforce = v;
    }
  }
  const mapOf = (key: 'valueMap' | 'reverseMap'): Record<string, ConfigScalar> | undefined => {
    const m = f[key];
    if (!m) return undefined;
    const mi = table.get(isObj(rawField) ? rawField[key] : undefined);
    return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, scalarOf(v, mi?.numbers.get(k))]));
  };
  const valueMap = mapOf('valueMap');
  const reverseMap = mapOf('reverseMap');
  if (valueMap) out.valueMap = valueMap;
  if (reverseMap) out.reverseMap = reverseMap;
  if (valueMap && !reverseMap && allowed.includes('qb->sf')) {
    // qb->sf uses the map backwards; two Salesforce values mapped to one QuickBooks value make that ambiguous.
    const back = new Map<string, string>();
    for (const [k, v] of Object.entries(valueMap)) {
      const key = scalarKey(v);
      const other = back.get(key);
      if (other !== undefined)
        return fail(
          `valueMap maps both '${other}' and '${k}' to '${key}', so QuickBooks → Salesforce is ambiguous: add reverseMap, or set direction: sf->qb`,
          'valueMap',
        );
      back.set(key, k);
    }
  }
  if (loc) out.loc = loc;
  return out;
}
