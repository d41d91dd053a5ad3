import type { DescribeSObjectResult } from '@jsforce/jsforce-node';
import type { Logger } from 'pino';
import type { CallStats } from '../call-stats.ts';
import type { CredentialVault } from '../credentials.ts';

export type { DescribeSObjectResult };

/** How a Salesforce connector is built. */
export interface SalesforceConnectorOptions {
  vault: CredentialVault;
  connectionId: string;
  logger?: Logger;
  /** Fraction of the daily API allocation from which calls are paced (default 0.9). */
  slowdownAt?: number;
  /** Fraction of the daily API allocation at which the connector stops with ApiLimitError before
   * the org runs dry (default: none, only Salesforce's own REQUEST_LIMIT_EXCEEDED stops it). */
  stopAt?: number;
  /** Per HTTP request, in ms (default 120000). */
  timeoutMs?: number;
  /** Transient retries per call (default 4), exponential backoff with jitter. */
  retries?: number;
  /** First backoff step in ms (default 500); each retry doubles it, capped at 30 s. */
  backoffMs?: number;
  /** Pause before each call once usage reaches slowdownAt, in ms (default 250, growing to 10x at the limit). */
  paceMs?: number;
  /** How the connector waits (backoff, pacing); tests pass a recorder. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A Salesforce record as read. Numbers with a fraction or an exponent (currency, percent,
 * double) arrive as their exact JSON source text (a string), integers as numbers; the REST
 * `attributes` envelope is removed.
 */
export interface SfRecord {
  Id: string;
  SystemModstamp?: string;
  IsDeleted?: boolean;
  [field: string]: unknown;
}

/** One record's outcome of a composite write, in input order. */
export interface SaveResult {
  id: string | null;
  success: boolean;
  /** Upserts: whether the record was inserted (true) or matched and updated (false). */
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
}

/** A child record read along with its parent (e.g. an Account's primary Contact). */
export interface RelatedSpec {
  /** Key the chosen child is attached under on the parent record (null when there is none). */
  name: string;
  /** The child object (e.g. Contact). */
  object: string;
  /** The child relationship name on the parent (e.g. Contacts). */
  relationship: string;
  /** The child's lookup to the parent (e.g. AccountId). */
  parentField: string;
  fields: string[];
  /** Which child is attached: the oldest, or the most recently modified. */
  pick: 'first-created' | 'last-modified';
}

/** What readChanges reads. */
export interface ReadChangesSpec {
  object: string;
  fields: string[];
  /** ISO instant; records with SystemModstamp at or after `since - overlap` are read. null: every live record. */
  since: string | null;
  /** Also yield deleted (recycle bin) records, with IsDeleted = true (uses queryAll). */
  includeDeleted?: boolean;
  /** An extra SOQL condition, ANDed with the change window. */
  where?: string;
  /** Overlap subtracted from `since` (default 60 s) so that late commits are not missed. */
  overlapSeconds?: number;
  related?: RelatedSpec[];
}

/** What retrieve reads. */
export interface RetrieveSpec {
  object: string;
  ids: string[];
  fields: string[];
  related?: RelatedSpec[];
}

/** What changedParents looks for. */
export interface ChangedParentsSpec {
  object: string;
  parentField: string;
  since: string;
  overlapSeconds?: number;
}

/** Daily API usage from the last Sforce-Limit-Info header. */
export interface ApiUsage {
  used: number;
  max: number;
}

/** The Salesforce connector the sync engine works with. */
export interface SalesforceConnector {
  readonly connectionId: string;
  readonly apiVersion: string;
  readonly instanceUrl: string;
  readonly stats: CallStats;
  /** Raw describe JSON of an object (cached per connector) — the mapping module turns it into a catalog. */
  describe(object: string): Promise<DescribeSObjectResult>;
  /** Runs SOQL (query or queryAll), yielding pages as they arrive (batch size up to 2000). */
  query<T extends SfRecord = SfRecord>(
    soql: string,
    opts?: { all?: boolean; batchSize?: number },
  ): AsyncIterable<T[]>;
  /** Records changed at or after `since` minus the overlap window, ordered by (SystemModstamp, Id), each once per call. */
  readChanges(spec: ReadChangesSpec): AsyncIterable<SfRecord[]>;
  /** Parent ids whose related child records changed (or were deleted) since a point. */
  changedParents(spec: ChangedParentsSpec): Promise<string[]>;
  /** Live records by id, in the order of `ids` (unknown or deleted ids are left out). */
  retrieve(spec: RetrieveSpec): Promise<SfRecord[]>;
  /** Deleted ids in a window (≤ 15 days back), for objects read without queryAll. */
  deleted(object: string, start: Date, end: Date): Promise<Array<{ id: string; deletedDate: string }>>;
  /** Upserts on an external-id field, ≤ 200 records per call, results in input order. */
  upsert(
    object: string,
    externalIdField: string,
    records: Array<Record<string, unknown>>,
  ): Promise<SaveResult[]>;
  /** Updates by Id, ≤ 200 records per call, results in input order. */
  update(object: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<SaveResult[]>;
  /** Creates records, ≤ 200 per call; never retried once a request may have reached Salesforce. */
  create(object: string, records: Array<Record<string, unknown>>): Promise<SaveResult[]>;
  /** Deletes by id, ≤ 200 per call, results in input order. */
  destroy(ids: string[]): Promise<SaveResult[]>;
  /** The last Sforce-Limit-Info seen: { used, max } or null. */
  apiUsage(): ApiUsage | null;
}
