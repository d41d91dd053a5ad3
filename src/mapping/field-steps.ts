import { oneWays } from '../config/directions.ts';
import type { ConfigScalar, FieldMappingConfig, OneWay, SourceLoc } from '../config/types.ts';
import { dec } from '../money/decimal.ts';
import { writable } from './catalog.ts';
import { toText, typeWord, type ExprType, type ExprValue } from './expressions/index.ts';
import type { FlowScope } from './flow-scope.ts';
import type { FieldPair, Step } from './flow-types.ts';
import { readQb, readSf, toExprValue } from './records.ts';
import { exprTypeOf, type FieldRef, type QbFieldRef, type SfFieldRef } from './resolve.ts';
import { didYouMean } from './suggest.ts';
import {
  checkForTarget,
  convertForTarget,
  targetLabel,
  type TargetField,
  type ValueProblem,
} from './target-values.ts';

/**
 * Field mappings checked against the catalogs and turned into steps: for each direction a field
 * flows, where its value comes from (a field, an expression, a constant), how it is translated
 * (lookup, value map, default) and where it goes.
 */

function scalarValue(s: ConfigScalar): ExprValue {
  return s !== null && typeof s === 'object' ? dec(s.decimal) : s;
}

function scalarText(s: ConfigScalar): string {
  return toText(scalarValue(s)) ?? 'null';
}

const INCOMPATIBLE: Array<[ExprType, ExprType]> = [
  ['boolean', 'number'],
  ['boolean', 'date'],
  ['number', 'date'],
];

function incompatible(a: ExprType, b: ExprType): boolean {
  return INCOMPATIBLE.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

function refersTo(ref: FieldRef, object: string): boolean {
  return ref.info.type === 'reference' && (ref.info.referenceTo ?? []).includes(object);
}

/** Steps and pairs of every field mapping of the flow; problems are recorded in the scope. */
export function buildSteps(scope: FlowScope): { steps: Step[]; pairs: FieldPair[] } {
  const steps: Step[] = [];
  const pairs: FieldPair[] = [];
  for (const f of scope.flow.fields) {
    const built = fieldSteps(scope, f);
    if (!built) continue;
    steps.push(...built.steps);
    pairs.push(built.pair);
  }
  return { steps, pairs };
}

function fieldSteps(scope: FlowScope, f: FieldMappingConfig): { steps: Step[]; pair: FieldPair } | null {
  const label = f.sf ?? f.qb ?? '?';
  const at = (key: string) => f.loc?.keys[key] ?? f.loc;
  const issue = (message: string, key: string, field = label) =>
    scope.issues.add(message, at(key), { flow: scope.flow.name, field });
  let sfRef: SfFieldRef | null = null;
  let qbRef: QbFieldRef | null = null;
  if (f.sf) {
    const r = scope.sfRef(f.sf);
    if ('error' in r) issue(r.error, 'sf', f.sf);
    else sfRef = r;
  }
  if (f.qb) {
    const r = scope.qbRef(f.qb);
    if ('error' in r) issue(r.error, 'qb', f.qb);
    else qbRef = r;
  }
  if ((f.sf && !sfRef) || (f.qb && !qbRef)) return null;
  const pair: FieldPair = { id: `${sfRef?.path ?? ''}~${qbRef?.path ?? ''}`, direction: f.direction };
  if (sfRef) pair.sf = sfRef.path;
  if (qbRef) pair.qb = qbRef.path;

  const { main, qb } = scope;
  if (f.lookup) {
    if (!refersTo(sfRef!, main.object) || !refersTo(qbRef!, qb.object)) {
      const to = (r: FieldRef) => (r.info.referenceTo ?? ['nothing']).join('/');
      issue(
        `lookup: linked translates ids through this flow's links (${main.object} ↔ ${qb.object}), so both fields must refer to those objects (${sfRef!.path} refers to ${to(sfRef!)}, ${qbRef!.path} to ${to(qbRef!)})`,
        'lookup',
      );
    }
  } else if (sfRef?.info.type === 'reference' && qbRef?.info.type === 'reference') {
    issue(
      `${sfRef.path} and ${qbRef.path} hold record ids of different systems: add lookup: linked to translate them`,
      'sf',
    );
  } else if (sfRef && qbRef && f.constant === undefined && !(f.toQuickbooks && f.toSalesforce)) {
    const a = exprTypeOf(sfRef.info);
    const b = exprTypeOf(qbRef.info);
    if (incompatible(a, b))
      issue(
        `${sfRef.path} is ${typeWord(a)} but ${qbRef.path} is ${typeWord(b)}: they cannot be copied into each other`,
        'qb',
      );
  }

  const steps: Step[] = [];
  for (const way of oneWays(f.direction)) {
    const targetRef = way === 'sf->qb' ? qbRef : sfRef;
    const sourceRef = way === 'sf->qb' ? sfRef : qbRef;
    if (!targetRef) continue;
    const step = oneStep(scope, f, way, targetRef, sourceRef, pair.id, issue, at);
    if (step) steps.push(step);
  }
  return { steps, pair };
}

function oneStep(
  scope: FlowScope,
  f: FieldMappingConfig,
  way: OneWay,
  targetRef: FieldRef,
  sourceRef: FieldRef | null,
  pairId: string,
  issue: (message: string, key: string) => void,
  at: (key: string) => SourceLoc | undefined,
): Step | null {
  const target: TargetField = { info: targetRef.info, catalog: targetRef.catalog, key: targetRef.key };
  const tLabel = targetLabel(target);
  const side = way === 'sf->qb' ? 'qb' : 'sf';
  if (!writable(target.info)) {
    const hint = f.direction === 'both' ? ` (set direction: ${way === 'sf->qb' ? 'qb->sf' : 'sf->qb'})` : '';
    issue(`${tLabel} is read-only, so it cannot be written${hint}`, side);
    return null;
  }
  if (f.onCreateOnly && !target.info.createable) {
    issue(
      `${tLabel} cannot be set when a record is created, so onCreateOnly never writes it`,
      'onCreateOnly',
    );
    return null;
  }
  if (!f.onCreateOnly && !target.info.updateable) {
    issue(`${tLabel} can only be set when a record is created: add onCreateOnly: true`, side);
    return null;
  }
  // A literal the target cannot take is a config error, found now rather than on every record.
  const literal = (value: ExprValue, what: string, key: string): ExprValue => {
    const conv = convertForTarget(value, target);
    if ('invalid' in conv) {
      issue(`${what}: ${conv.invalid}`, key);
      return value;
    }
    const found: ValueProblem[] = [];
    checkForTarget(conv.value, target, f.truncate, found);
    for (const p of found) if (p.code !== 'required') issue(`${what}: ${p.message}`, key);
    return value;
  };

  let compute: Step['compute'];
  let onlyRelated: string[] | null = null;
  const exprSource = way === 'sf->qb' ? f.toQuickbooks : f.toSalesforce;
  if (f.constant !== undefined) {
    const v = literal(scalarValue(f.constant), `constant ${scalarText(f.constant)}`, 'constant');
    compute = () => v;
  } else if (exprSource !== undefined) {
    const key = way === 'sf->qb' ? 'toQuickbooks' : 'toSalesforce';
    const from = way === 'sf->qb' ? 'sf' : 'qb';
    const expr = scope.compileOn(from, exprSource, at(key), { field: f.sf ?? f.qb ?? '?' });
    if (!expr) return null;
    const tType = exprTypeOf(target.info);
    if (incompatible(expr.type, tType))
      issue(`the expression gives ${typeWord(expr.type)}, but ${tLabel} takes ${typeWord(tType)}`, key);
    compute = scope.evaluator(from, expr);
    if (way === 'sf->qb') {
      const rels = new Set(expr.fields.map((k) => scope.sfReaders.get(k)!.related));
      onlyRelated = rels.size && !rels.has(null) ? ([...rels] as string[]) : null;
    }
  } else {
    const src = sourceRef!;
    if (src.side === 'sf') {
      scope.sfReaders.set(src.path, src);
      compute = (r) => toExprValue(readSf(r, src), src.info);
      if (src.related) onlyRelated = [src.related];
    } else compute = (r) => toExprValue(readQb(r, src.path), src.info);
  }

  let map: Step['map'] = null;
  const mapKey = way === 'qb->sf' && f.reverseMap ? 'reverseMap' : 'valueMap';
  const entries: Array<[string, ConfigScalar]> | null =
    way === 'sf->qb'
      ? f.valueMap
        ? Object.entries(f.valueMap)
        : null
      : f.reverseMap
        ? Object.entries(f.reverseMap)
        : f.valueMap
          ? Object.entries(f.valueMap).map(([k, v]) => [scalarText(v), k])
          : null;
  if (entries) {
    map = { exact: new Map(), folded: new Map() };
    const src = sourceRef?.info;
    for (const [from, to] of entries) {
      const v = literal(scalarValue(to), `${mapKey} '${from}'`, mapKey);
      map.exact.set(from, v);
      map.folded.set(from.trim().toLowerCase(), v);
      // A key the source picklist cannot hold is a typo that would silently never match.
      const lower = from.trim().toLowerCase();
      if (
        src?.type === 'picklist' &&
        src.restricted &&
        src.picklist &&
        !src.picklist.some((p) => p.toLowerCase() === lower)
      )
        issue(
          `${mapKey}: '${from}' is not a value of ${sourceRef!.path}${didYouMean(from, src.picklist)}`,
          mapKey,
        );
    }
  }
  const fallbackConfig = way === 'sf->qb' ? f.default?.toQuickbooks : f.default?.toSalesforce;
  const fallback =
    fallbackConfig === undefined
      ? undefined
      : literal(scalarValue(fallbackConfig), `default ${scalarText(fallbackConfig)}`, 'default');
  return {
    pairId,
    way,
    target,
    targetRelated: targetRef.side === 'sf' ? targetRef.related : null,
    compute,
    onlyRelated,
    lookup: f.lookup === 'linked',
    map,
    fallback,
    truncate: f.truncate,
    onCreateOnly: f.onCreateOnly,
  };
}
