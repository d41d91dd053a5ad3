/**
 * What the engine needs to know about a flow, independent of how the mapping module compiles it.
 * `flow-model.ts` builds this from a compiled flow; the engine depends only on this shape.
 */

export type Direction = 'sf->qb' | 'qb->sf';
export type FlowDirection = Direction | 'both';
export type ConflictPolicy = 'salesforce-wins' | 'quickbooks-wins' | 'last-writer-wins' | 'hold';
export type DeletePolicy = 'ignore' | 'deactivate' | 'delete';
export type MatchRule = 'external-id' | 'name' | 'email';

/** A Salesforce record as read: fields by API name, related records under their names. */
export interface SfRecord {
  Id: string;
  SystemModstamp?: string;
  LastModifiedDate?: string;
  IsDeleted?: boolean;
  [field: string]: unknown;
}

/** A QuickBooks Online entity as read. */
export interface QbRecord {
  Id: string;
  SyncToken?: string;
  MetaData?: { CreateTime?: string; LastUpdatedTime?: string };
  Active?: boolean;
  status?: string;
  [field: string]: unknown;
}

/** A value on its way to a system: text, boolean, empty, an exact decimal, or a reference to a record id. */
export type MappedValue = string | boolean | null | { decimal: string } | { ref: string };

/** A value problem that keeps a record from being sent. */
export interface MapProblem {
  field: string;
  code: 'too-long' | 'invalid' | 'required' | 'unresolved-lookup' | 'not-in-picklist';
  message: string;
}

/** Target values for one record, and what is wrong with them. */
export interface MapResult {
  values: Record<string, MappedValue>;
  /** The hash of each value, comparable with the target side's state hashes. */
  hashes: Record<string, string>;
  problems: MapProblem[];
}

/** How lookups (parent/sub-customer) translate ids through links while mapping. */
export interface MapContext {
  linked(direction: Direction, id: string): string | null;
  isCreate: boolean;
  /** Per related record: whether it will be created (it does not exist yet). */
  relatedIsCreate?: Record<string, boolean>;
}

/** A related record read and written with the main Salesforce record (the Account's primary Contact). */
export interface RelatedSpec {
  name: string;
  object: string;
  /** Child relationship name on the parent (e.g. Contacts). */
  relationship: string;
  /** Lookup field on the child that points at the parent (e.g. AccountId). */
  parentField: string;
  fields: string[];
  pick: 'first-created' | 'last-modified';
  /** External id field on the child holding the QuickBooks id, for idempotent creates. */
  externalIdField: string;
}

/** A mapped field pair and the direction values move along it. */
export interface FieldPair {
  id: string;
  sf?: string;
  qb?: string;
  direction: FlowDirection;
}

/** A flow as the engine runs it. */
export interface FlowModel {
  name: string;
  direction: FlowDirection;
  sf: {
    connection: string;
    object: string;
    externalIdField: string;
    /** Checkbox that a 'deactivate' delete policy clears (Salesforce Accounts have no Active field). */
    activeField?: string;
    fields: string[];
    related: RelatedSpec[];
  };
  qb: {
    connection: string;
    entity: string;
    /**
     * Top-level fields the flow reads from a QuickBooks record (mapped, matched, filtered on; a
     * nested object such as BillAddr is named whole). Records read are pruned to these and the
     * engine's own (Id, SyncToken, MetaData, Active …); absent, records are kept whole.
     */
    fields?: string[];
  };
  createMissing: { toQuickbooks: boolean; toSalesforce: boolean };
  match: MatchRule[];
  conflict: ConflictPolicy;
  onFirstLink: 'salesforce' | 'quickbooks' | 'none';
  deletes: { toQuickbooks: DeletePolicy; toSalesforce: DeletePolicy };
  pairs: FieldPair[];
  toQb(sf: SfRecord, ctx: MapContext): MapResult;
  toSf(qb: QbRecord, ctx: MapContext): MapResult;
  sfState(sf: SfRecord): Record<string, string>;
  qbState(qb: QbRecord): Record<string, string>;
  /** Whether a record meets the flow's criteria: one that does not is not sent to the other side. */
  accepts(side: 'sf' | 'qb', record: SfRecord | QbRecord): boolean;
  keys(
    side: 'sf' | 'qb',
    record: SfRecord | QbRecord,
  ): { name: string | null; email: string | null; fuzzy: string | null; label: string };
  /** Field paths of a lookup whose target record must be linked first (dependency order). */
  lookups: { toQb: string[]; toSf: string[] };
}

/** Whether a flow moves values in a direction. */
export function flows(model: Pick<FlowModel, 'direction'>, direction: Direction): boolean {
  return model.direction === 'both' || model.direction === direction;
}
