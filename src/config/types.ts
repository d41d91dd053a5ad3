/**
 * The configuration as the engine sees it once a file has been read, validated and merged with
 * the pack it extends: every default filled in, every field mapping with its effective direction.
 */

/** Which way values flow. */
export type Direction = 'both' | 'sf->qb' | 'qb->sf';
/** One of the two ways values can flow. */
export type OneWay = 'sf->qb' | 'qb->sf';
/** Who wins when both sides changed the same record since the last sync. */
export type ConflictPolicy = 'salesforce-wins' | 'quickbooks-wins' | 'last-writer-wins' | 'hold';
/** What happens on one side when the linked record is deleted/deactivated on the other. */
export type DeletePolicy = 'ignore' | 'deactivate' | 'delete';
/** How existing records are linked on first sync, tried in order. */
export type MatchRule = 'external-id' | 'name' | 'email';
/** When two existing records get linked, whose differing values are kept. */
export type FirstLinkWinner = 'salesforce' | 'quickbooks' | 'none';
/** Which of several related records is "the" one (the primary contact of an account). */
export type RelatedPick = 'first-created' | 'last-created' | 'last-modified';

/** A literal value in the config: numbers are kept as exact decimal text. */
export type ConfigScalar = string | boolean | null | { decimal: string };

/** A place in a config or pack file (1-based line and column). */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

/** Where something is written, and where each of its keys' values are (dotted key paths). */
export interface Located extends SourceLoc {
  keys: Record<string, SourceLoc>;
}

export interface RelatedConfig {
  /** The Salesforce object of the related record (Contact). */
  object: string;
  /** Its lookup to the flow's main object (Contact.AccountId). */
  parentField: string;
  /** Which record counts when there are several. */
  pick: RelatedPick;
  /** Field of the related record that holds the QuickBooks id, if any. */
  externalIdField: string | null;
  /** Expression on the QuickBooks record: related values are written to Salesforce only when true. */
  writeIf: string | null;
  /** Whether a missing related record is created from QuickBooks values (false: only existing ones are updated). */
  create: boolean;
}

export interface FieldMappingConfig {
  /** Salesforce field: `Name`, or `<related>.<Field>` (contact.Email). */
  sf?: string;
  /** QuickBooks field, nested values dotted (BillAddr.Line1). */
  qb?: string;
  /** Effective direction (the field's own, or the flow's). */
  direction: Direction;
  /** Written as is, instead of a value from the other side. */
  constant?: ConfigScalar;
  /** Used when the value is empty (or not found in the valueMap). */
  default?: { toQuickbooks?: ConfigScalar; toSalesforce?: ConfigScalar };
  /** Salesforce value → QuickBooks value; inverted for qb->sf unless reverseMap is given. */
  valueMap?: Record<string, ConfigScalar>;
  /** QuickBooks value → Salesforce value. */
  reverseMap?: Record<string, ConfigScalar>;
  /** Expression over the Salesforce record computing the QuickBooks value. */
  toQuickbooks?: string;
  /** Expression over the QuickBooks record computing the Salesforce value. */
  toSalesforce?: string;
  /** Ids are translated through this flow's links (parent customer ↔ parent account). */
  lookup?: 'linked';
  /** Written only when the target record is created. */
  onCreateOnly: boolean;
  /** Values longer than the target field are cut to fit instead of being reported. */
  truncate: boolean;
  /** Whether the mapping comes from the extended pack or from the config file itself. */
  origin: 'pack' | 'file';
  loc?: Located;
}

export interface FlowConfig {
  name: string;
  /** The pack this flow started from (baseline/customer-account), if any. */
  extends: string | null;
  description: string | null;
  enabled: boolean;
  salesforce: {
    connection: string;
    object: string;
    /** Field of the main object that holds the QuickBooks id (the upsert key). */
    externalIdField: string | null;
    related: Record<string, RelatedConfig>;
  };
  quickbooks: { connection: string; entity: string };
  direction: Direction;
  createMissing: { toQuickbooks: boolean; toSalesforce: boolean };
  match: MatchRule[];
  /** The fields the name and email match rules compare. */
  keys: { name: { sf: string; qb: string }; email: { sf: string; qb: string } | null };
  /** Expressions deciding which records take part (null: all). */
  criteria: { salesforce: string | null; quickbooks: string | null };
  conflict: ConflictPolicy;
  onFirstLink: FirstLinkWinner;
  deletes: { toQuickbooks: DeletePolicy; toSalesforce: DeletePolicy; salesforceActiveField: string | null };
  fields: FieldMappingConfig[];
  loc?: Located;
}

export interface LedgerbridgeConfig {
  version: 1;
  /** The file it was read from; null for the embedded defaults. */
  file: string | null;
  flows: FlowConfig[];
}
