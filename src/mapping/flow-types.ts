import type { Direction, FlowConfig, OneWay } from '../config/types.ts';
import type { ObjectCatalog } from './catalog.ts';
import type { ExprValue } from './expressions/index.ts';
import type { MappedValue, QbRecord, SfRecord } from './records.ts';
import type { TargetField, ValueProblem } from './target-values.ts';

/** What a compiled flow offers the engine, and the pieces it is built from. */

/** The catalogs a flow is compiled against: Salesforce objects by name, and the QuickBooks entity. */
export interface FlowCatalogs {
  sf: Record<string, ObjectCatalog>;
  qb: ObjectCatalog;
}

export interface MapContext {
  /** Translates a linked id through this flow's links (parent/sub-customer); null when not linked. */
  linked(direction: OneWay, id: string): string | null;
  /** The target record is being created (onCreateOnly values are written, required fields checked). */
  isCreate: boolean;
  /** Per related record: whether it is being created (defaults to isCreate). */
  relatedIsCreate?: Record<string, boolean>;
}

export interface MapResult {
  /** Values to write, by target key (QuickBooks path, Salesforce field or related.<name>.<field>). */
  values: Record<string, MappedValue>;
  /** The hash of each written value, comparable with qbState/sfState of the target record. */
  hashes: Record<string, string>;
  /** Value problems found against the target catalog; a record with problems should be held back. */
  problems: ValueProblem[];
}

export interface MatchKeys {
  name: string | null;
  email: string | null;
  fuzzy: string | null;
  label: string;
}

export interface FieldPair {
  /** Stable across runs for the same config: `Name~DisplayName`, `~Taxable`, `Type~`. */
  id: string;
  sf?: string;
  qb?: string;
  direction: Direction;
}

export interface CompiledFlow {
  config: FlowConfig;
  /** Salesforce fields to read: the main object's, and each related record's. */
  sfRead: { main: string[]; related: Record<string, string[]> };
  /**
   * Top-level QuickBooks fields the flow reads (mapped, matched, filtered on): the first segment of
   * each path, so a nested object (BillAddr) is named whole.
   */
  qbRead: string[];
  /** Field pairs with their effective direction. */
  pairs: FieldPair[];
  /** Values to write to QuickBooks for a Salesforce record (only pairs that flow sf->qb). */
  toQb(sf: SfRecord, ctx: MapContext): MapResult;
  /** Values to write to Salesforce (main object fields and related.<name>.<field>) for a QuickBooks record. */
  toSf(qb: QbRecord, ctx: MapContext): MapResult;
  /** Hash per target field of a Salesforce record's current values (the fields toSf writes). */
  sfState(sf: SfRecord): Record<string, string>;
  /** Hash per target field of a QuickBooks record's current values (the fields toQb writes). */
  qbState(qb: QbRecord): Record<string, string>;
  /** Matching keys of a record on either side. */
  keys(side: 'sf' | 'qb', record: SfRecord | QbRecord): MatchKeys;
  /** Whether a record meets the flow's criteria (always true without criteria). */
  accepts(side: 'sf' | 'qb', record: SfRecord | QbRecord): boolean;
}

/** One way one field mapping writes: where from, how, where to. */
export interface Step {
  pairId: string;
  way: OneWay;
  target: TargetField;
  /** Related record written (toSf), or null for the main record. */
  targetRelated: string | null;
  compute: (record: Record<string, unknown>) => ExprValue;
  /** For toQb: the related records the value is read from, when it reads nothing else. */
  onlyRelated: string[] | null;
  lookup: boolean;
  map: { exact: Map<string, ExprValue>; folded: Map<string, ExprValue> } | null;
  fallback: ExprValue | undefined;
  truncate: boolean;
  onCreateOnly: boolean;
}
