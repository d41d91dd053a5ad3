import { ConfigError, IssueList, type ConfigIssue } from '../config/issues.ts';
import type { FlowConfig } from '../config/types.ts';
import { findField, type FieldInfo, type ObjectCatalog } from './catalog.ts';
import { buildSteps } from './field-steps.ts';
import {
  checkCreates,
  checkDeletes,
  checkObjects,
  compileConditions,
  type Conditions,
} from './flow-checks.ts';
import { runtimeFlow } from './flow-runtime.ts';
import { FlowScope } from './flow-scope.ts';
import type { CompiledFlow, FieldPair, FlowCatalogs, Step } from './flow-types.ts';
import type { SfFieldRef } from './resolve.ts';

/**
 * Validates a flow against the live field catalogs and compiles it into the functions the engine
 * runs per record. Every problem (unknown field, read-only target, bad lookup, impossible create)
 * is collected and thrown as one ConfigError, each located at its file, line and column.
 */
export function compileFlow(
  flow: FlowConfig,
  catalogs: FlowCatalogs,
  file = flow.loc?.file ?? 'ledgerbridge.yaml',
): CompiledFlow {
  const scope = new FlowScope(flow, catalogs, file);
  checkObjects(scope);
  const conditions = compileConditions(scope);
  const activeField = checkDeletes(scope);
  const { steps, pairs } = buildSteps(scope);
  checkCreates(scope, steps);
  scope.issues.throwIfAny();
  return runtimeFlow(
    scope,
    steps,
    pairs,
    conditions,
    salesforceReads(scope, steps, conditions, activeField),
    quickbooksReads(scope, pairs, conditions),
  );
}

/** The top-level QuickBooks fields the flow reads: mapped, matched on, and read by expressions. */
function quickbooksReads(scope: FlowScope, pairs: FieldPair[], conditions: Conditions): string[] {
  const paths = [
    ...pairs.map((p) => p.qb),
    ...scope.qbReadPaths(),
    conditions.keys.nameQb?.path,
    conditions.keys.emailQb?.path,
    scope.qb.activeField,
  ];
  return [...new Set(paths.filter((p): p is string => !!p).map((p) => p.split('.')[0]!))];
}

/** The Salesforce fields the engine must query: what is mapped, matched, filtered on and kept in sync. */
function salesforceReads(
  scope: FlowScope,
  steps: Step[],
  conditions: Conditions,
  activeField: FieldInfo | undefined,
): CompiledFlow['sfRead'] {
  const { flow, main } = scope;
  const add = (set: Set<string>, cat: ObjectCatalog, name: string | null | undefined) => {
    const x = name ? findField(cat, name) : undefined;
    if (x) set.add(x.name);
  };
  const mainRead = new Set<string>(['Id']);
  for (const x of [
    main.nameField,
    flow.salesforce.externalIdField,
    'SystemModstamp',
    'LastModifiedDate',
    'CreatedDate',
    activeField?.name,
  ])
    add(mainRead, main, x);
  const relatedRead = new Map<string, Set<string>>();
  for (const [name, cat] of scope.related) {
    const rel = flow.salesforce.related[name]!;
    const set = new Set<string>(['Id']);
    for (const x of [
      rel.parentField,
      rel.externalIdField,
      'CreatedDate',
      'LastModifiedDate',
      'SystemModstamp',
    ])
      add(set, cat, x);
    relatedRead.set(name, set);
  }
  const read = (ref: SfFieldRef | null) => {
    if (!ref) return;
    if (ref.related === null) mainRead.add(ref.info.name);
    else relatedRead.get(ref.related)?.add(ref.info.name);
  };
  for (const ref of scope.sfReaders.values()) read(ref);
  read(conditions.keys.nameSf);
  read(conditions.keys.emailSf);
  // toSf targets too: their current values are what sfState hashes.
  for (const s of steps) {
    if (s.way !== 'qb->sf') continue;
    if (s.targetRelated === null) mainRead.add(s.target.info.name);
    else relatedRead.get(s.targetRelated)?.add(s.target.info.name);
  }
  return {
    main: [...mainRead],
    related: Object.fromEntries([...relatedRead].map(([k, v]) => [k, [...v]])),
  };
}

/** Compiles several flows, collecting every flow's problems into one ConfigError. */
export function compileFlows(
  flows: FlowConfig[],
  catalogsFor: (flow: FlowConfig) => FlowCatalogs,
  file?: string,
): CompiledFlow[] {
  const out: CompiledFlow[] = [];
  const problems: ConfigIssue[] = [];
  for (const flow of flows) {
    try {
      out.push(compileFlow(flow, catalogsFor(flow), file));
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.issues);
      else throw e;
    }
  }
  if (problems.length) {
    const list = new IssueList(file ?? '');
    list.items.push(...problems);
    list.throwIfAny();
  }
  return out;
}
