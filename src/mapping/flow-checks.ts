import { findField, requiredOnCreate, writable, type FieldInfo, type ObjectCatalog } from './catalog.ts';
import { typeWord, type ExprValue } from './expressions/index.ts';
import type { FlowScope } from './flow-scope.ts';
import type { Step } from './flow-types.ts';
import type { QbRecord, SfRecord } from './records.ts';
import type { FieldRef, QbFieldRef, SfFieldRef } from './resolve.ts';
import { didYouMean } from './suggest.ts';

/**
 * Flow-level checks against the catalogs: related records, upsert keys, match keys, criteria,
 * delete policies, and whether records the flow creates get their required fields.
 */

function checkExternalId(scope: FlowScope, cat: ObjectCatalog, name: string, key: string): void {
  const f = findField(cat, name);
  if (!f) scope.flowIssue(`${cat.object} has no field ${name}${didYouMean(name, cat.fields.keys())}`, key);
  else if (!f.externalId)
    scope.flowIssue(
      `${cat.object}.${f.name} is not an External ID field, so it cannot be the upsert key`,
      key,
    );
  else if (!writable(f)) scope.flowIssue(`${cat.object}.${f.name} is read-only`, key);
}

/** The related records' lookups to the main object, and every upsert key. */
export function checkObjects(scope: FlowScope): void {
  const { flow, main } = scope;
  for (const [name, cat] of scope.related) {
    const rel = flow.salesforce.related[name]!;
    const at = `salesforce.related.${name}`;
    const parent = findField(cat, rel.parentField);
    if (!parent)
      scope.flowIssue(
        `${cat.object} has no field ${rel.parentField}${didYouMean(rel.parentField, cat.fields.keys())}`,
        `${at}.parentField`,
      );
    else if (parent.type !== 'reference' || !(parent.referenceTo ?? []).includes(main.object))
      scope.flowIssue(`${cat.object}.${parent.name} is not a lookup to ${main.object}`, `${at}.parentField`);
    if (rel.externalIdField) checkExternalId(scope, cat, rel.externalIdField, `${at}.externalIdField`);
  }
  if (flow.salesforce.externalIdField)
    checkExternalId(scope, main, flow.salesforce.externalIdField, 'salesforce.externalIdField');
}

export interface Conditions {
  keys: {
    nameSf: SfFieldRef | null;
    nameQb: QbFieldRef | null;
    emailSf: SfFieldRef | null;
    emailQb: QbFieldRef | null;
  };
  criteria: { sf: ((r: SfRecord) => ExprValue) | null; qb: ((r: QbRecord) => ExprValue) | null };
  /** Per related record, the QuickBooks-side condition for writing it. */
  writeIf: Map<string, (qb: QbRecord) => ExprValue>;
}

/** Match key fields, criteria and related-record conditions, compiled. */
export function compileConditions(scope: FlowScope): Conditions {
  const { flow } = scope;
  const ref = <T extends FieldRef>(r: T | { error: string }, key: string): T | null => {
    if (!('error' in r)) return r;
    scope.flowIssue(r.error, key);
    return null;
  };
  const keys = {
    nameSf: ref(scope.sfRef(flow.keys.name.sf), 'keys.name.sf'),
    nameQb: ref(scope.qbRef(flow.keys.name.qb), 'keys.name.qb'),
    emailSf: flow.keys.email ? ref(scope.sfRef(flow.keys.email.sf), 'keys.email.sf') : null,
    emailQb: flow.keys.email ? ref(scope.qbRef(flow.keys.email.qb), 'keys.email.qb') : null,
  };
  const criterion = (side: 'sf' | 'qb') => {
    const key = side === 'sf' ? 'salesforce' : 'quickbooks';
    const source = flow.criteria[key];
    if (!source) return null;
    const expr = scope.compileOn(side, source, scope.at(`criteria.${key}`));
    if (!expr) return null;
    if (expr.type !== 'boolean' && expr.type !== 'any')
      scope.flowIssue(
        `criteria.${key} must be true/false, but the expression gives ${typeWord(expr.type)}`,
        `criteria.${key}`,
      );
    return scope.evaluator(side, expr);
  };
  const criteria = { sf: criterion('sf'), qb: criterion('qb') };
  const writeIf = new Map<string, (qb: QbRecord) => ExprValue>();
  for (const [name, rel] of Object.entries(flow.salesforce.related)) {
    if (!rel.writeIf) continue;
    const expr = scope.compileOn('qb', rel.writeIf, scope.at(`salesforce.related.${name}.writeIf`));
    if (expr) writeIf.set(name, scope.evaluator('qb', expr));
  }
  return { keys, criteria, writeIf };
}

/** Delete policies the objects allow; returns the Salesforce active checkbox, if one is configured. */
export function checkDeletes(scope: FlowScope): FieldInfo | undefined {
  const { flow, qb, main } = scope;
  if (flow.deletes.toQuickbooks === 'delete' && qb.deletable === false)
    scope.flowIssue(
      `QuickBooks ${qb.object} records cannot be deleted, only made inactive: use deletes.toQuickbooks: deactivate`,
      'deletes.toQuickbooks',
    );
  if (flow.deletes.toQuickbooks === 'deactivate' && !qb.activeField)
    scope.flowIssue(
      `QuickBooks ${qb.object} has no active flag to clear: use delete or ignore`,
      'deletes.toQuickbooks',
    );
  if (flow.deletes.toSalesforce === 'delete' && main.deletable === false)
    scope.flowIssue(`${main.object} records cannot be deleted`, 'deletes.toSalesforce');
  const name = flow.deletes.salesforceActiveField;
  if (!name) return undefined;
  const active = findField(main, name);
  if (!active)
    scope.flowIssue(
      `${main.object} has no field ${name}${didYouMean(name, main.fields.keys())}`,
      'deletes.salesforceActiveField',
    );
  else if (active.type !== 'boolean' || !active.updateable)
    scope.flowIssue(
      `${main.object}.${active.name} must be a checkbox the integration can update`,
      'deletes.salesforceActiveField',
    );
  return active;
}

/** Records the flow creates (or related records it writes) get every field their object requires. */
export function checkCreates(scope: FlowScope, steps: Step[]): void {
  const { flow, main, qb } = scope;
  const toSf = steps.filter((s) => s.way === 'qb->sf');
  const writtenSf = (rel: string | null) =>
    new Set(toSf.filter((s) => s.targetRelated === rel).map((s) => s.target.info.name));
  if (flow.createMissing.toSalesforce) {
    const written = writtenSf(null);
    const missing = [...main.fields.values()].filter(
      (x) => requiredOnCreate(x) && !written.has(x.name) && x.name !== flow.salesforce.externalIdField,
    );
    if (missing.length)
      scope.flowIssue(
        `creating ${main.object} records needs ${missing.map((m) => m.name).join(', ')}, but no field writes ${missing.length > 1 ? 'them' : 'it'} to Salesforce`,
        'createMissing.toSalesforce',
      );
  }
  for (const [name, cat] of scope.related) {
    const written = writtenSf(name);
    const rel = flow.salesforce.related[name]!;
    if (!written.size || !rel.create) continue;
    const missing = [...cat.fields.values()].filter(
      (x) =>
        requiredOnCreate(x) &&
        !written.has(x.name) &&
        x.name.toLowerCase() !== rel.parentField.toLowerCase() &&
        x.name !== rel.externalIdField,
    );
    if (missing.length)
      scope.flowIssue(
        `fields are written to the related ${cat.object} (${name}), but creating one needs ${missing.map((m) => `${name}.${m.name}`).join(', ')}, which no field writes (or set create: false to only update existing ones)`,
        `salesforce.related.${name}`,
      );
  }
  if (flow.createMissing.toQuickbooks) {
    const written = new Set(steps.filter((s) => s.way === 'sf->qb').map((s) => s.target.info.name));
    const groups = qb.requiredOneOf ?? [];
    for (const g of groups)
      if (!g.some((n) => written.has(n)))
        scope.flowIssue(
          `creating QuickBooks ${qb.object} records needs one of ${g.join(', ')}, but no field writes them`,
          'createMissing.toQuickbooks',
        );
    const inGroups = new Set(groups.flat());
    const missing = [...qb.fields.values()].filter(
      (x) => requiredOnCreate(x) && !written.has(x.name) && !inGroups.has(x.name),
    );
    if (missing.length)
      scope.flowIssue(
        `creating QuickBooks ${qb.object} records needs ${missing.map((m) => m.name).join(', ')}, but no field writes them`,
        'createMissing.toQuickbooks',
      );
  }
}
