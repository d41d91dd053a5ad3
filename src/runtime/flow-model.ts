import { ConfigError } from '../config/index.ts';
import type { FlowConfig } from '../config/index.ts';
import type { FlowModel, RelatedSpec } from '../engine/model.ts';
import type { CompiledFlow } from '../mapping/index.ts';

/** Fields the engine itself needs on every Salesforce record it reads. */
const SF_SYSTEM_FIELDS = ['Id', 'SystemModstamp', 'LastModifiedDate', 'IsDeleted'];

/** Child relationship names of a Salesforce describe: (child object, lookup field) → relationship. */
export type ChildRelationships = Array<{
  childSObject: string;
  field: string;
  relationshipName: string | null;
}>;

function issue(flow: FlowConfig, message: string, key: string): ConfigError {
  const at = flow.loc?.keys[key] ?? flow.loc;
  return new ConfigError([
    {
      file: at?.file ?? flow.loc?.file ?? 'ledgerbridge.yaml',
      line: at?.line,
      column: at?.column,
      flow: flow.name,
      message,
    },
  ]);
}

/** The engine's view of a compiled flow. */
export function flowModel(compiled: CompiledFlow, childRelationships: ChildRelationships): FlowModel {
  const flow = compiled.config;
  const ext = flow.salesforce.externalIdField;
  if (!ext) {
    throw issue(
      flow,
      `salesforce.externalIdField is required: ledgerbridge keeps the QuickBooks id in it to link records and to create them idempotently`,
      'salesforce.externalIdField',
    );
  }
  if (flow.deletes.toSalesforce === 'deactivate' && !flow.deletes.salesforceActiveField) {
    throw issue(
      flow,
      `deletes.toSalesforce: deactivate needs deletes.salesforceActiveField (a checkbox on ${flow.salesforce.object}); Salesforce has no standard "active" field`,
      'deletes',
    );
  }
  const related: RelatedSpec[] = Object.entries(flow.salesforce.related).map(([name, rel]) => {
    const rs = childRelationships.find(
      (c) => c.childSObject === rel.object && c.field === rel.parentField && c.relationshipName,
    );
    if (!rs) {
      throw issue(
        flow,
        `salesforce.related.${name}: ${flow.salesforce.object} has no child relationship from ${rel.object}.${rel.parentField}`,
        `salesforce.related.${name}`,
      );
    }
    if (!rel.externalIdField) {
      throw issue(
        flow,
        `salesforce.related.${name}.externalIdField is required so related records are created idempotently`,
        `salesforce.related.${name}`,
      );
    }
    const fields = new Set([
      'Id',
      'CreatedDate',
      'LastModifiedDate',
      ...(compiled.sfRead.related[name] ?? []),
    ]);
    return {
      name,
      object: rel.object,
      relationship: rs.relationshipName!,
      parentField: rel.parentField,
      fields: [...fields],
      pick: rel.pick === 'last-modified' ? 'last-modified' : 'first-created',
      externalIdField: rel.externalIdField,
    };
  });
  const lookups = flow.fields.filter((f) => f.lookup === 'linked');
  return {
    name: flow.name,
    direction: flow.direction,
    sf: {
      connection: flow.salesforce.connection,
      object: flow.salesforce.object,
      externalIdField: ext,
      activeField: flow.deletes.salesforceActiveField ?? undefined,
      fields: [...new Set([...SF_SYSTEM_FIELDS, ext, ...compiled.sfRead.main])],
      related,
    },
    qb: {
      connection: flow.quickbooks.connection,
      entity: flow.quickbooks.entity,
      fields: [
        ...new Set([...compiled.qbRead, ...lookups.map((f) => f.qb?.split('.')[0]).filter((x) => !!x)]),
      ] as string[],
    },
    createMissing: flow.createMissing,
    match: flow.match,
    conflict: flow.conflict,
    onFirstLink: flow.onFirstLink,
    deletes: { toQuickbooks: flow.deletes.toQuickbooks, toSalesforce: flow.deletes.toSalesforce },
    pairs: compiled.pairs,
    toQb: (s, ctx) => compiled.toQb(s, ctx),
    toSf: (q, ctx) => compiled.toSf(q, ctx),
    sfState: (s) => compiled.sfState(s),
    qbState: (q) => compiled.qbState(q),
    keys: (side, r) => compiled.keys(side, r),
    accepts: (side, r) => compiled.accepts(side, r),
    lookups: {
      toQb: lookups.filter((f) => f.sf && f.direction !== 'qb->sf').map((f) => f.sf!),
      toSf: lookups.filter((f) => f.qb && f.direction !== 'sf->qb').map((f) => f.qb!),
    },
  };
}
