import type { Logger } from 'pino';
import type { CallStats } from '../call-stats.ts';
import type { CredentialVault } from '../credentials.ts';

/** Per-realm API limits the connector keeps to (QuickBooks: 500/min, 10 in flight, 40 batches/min). */
export interface QboLimits {
  perMinute?: number;
  concurrent?: number;
  batchPerMinute?: number;
}

/** How a QBO connector is built. */
export interface QboConnectorOptions {
  vault: CredentialVault;
  connectionId: string;
  logger?: Logger;
  /** Pinned on every call; default the connection's `minorVersion` setting, else 75. */
  minorVersion?: number;
  /** Per HTTP attempt; default 120000 (QuickBooks gives up on requests after 120 s). */
  timeoutMs?: number;
  /** Transient retries (network, 5xx, 429) per call; default 5. */
  retries?: number;
  /** Default: the connection's `limits` setting, else 500/10/40. */
  limits?: QboLimits;
  /** First backoff step of the exponential retry delay (default 500 ms; capped by `backoffMaxMs`). */
  backoffBaseMs?: number;
  /** Longest single wait between retries (default 60000, what QuickBooks asks after a 429). */
  backoffMaxMs?: number;
}

/** A QuickBooks entity as returned by the API (decimals are exact strings). */
export type QbRecord = {
  Id: string;
  SyncToken?: string;
  MetaData?: { CreateTime: string; LastUpdatedTime: string };
  status?: string;
  Active?: boolean;
  [field: string]: unknown;
};

/** A QuickBooks Fault: its type and Error elements. */
export interface QboFault {
  type: string;
  errors: Array<{ code: string; message: string; detail?: string; element?: string }>;
}

/** One item of a batch request. */
export type BatchItem = {
  bId: string;
  operation: 'create' | 'update' | 'delete';
  entity: string;
  body: Record<string, unknown>;
};

/** One item's answer: the entity written, or its fault. */
export type BatchItemResult = { bId: string; entity?: QbRecord; fault?: QboFault };

/** What one CDC call returned. */
export interface CdcResult {
  records: Record<string, QbRecord[]>;
  /** Entities whose answer may be incomplete because the response hit the 1,000-object cap. */
  truncated: string[];
}

/** The QuickBooks Online connector the sync engine codes against. */
export interface QboConnector {
  readonly connectionId: string;
  readonly realmId: string;
  readonly stats: CallStats;
  /** One entity by id; null when QuickBooks answers 610 (not found / deleted). */
  read(entity: string, id: string): Promise<QbRecord | null>;
  /**
   * Pages of a query (STARTPOSITION/MAXRESULTS 1000), `where` without the WHERE keyword. As in
   * QuickBooks, inactive names are left out unless `where` filters on Active (`Active IN (true, false)`).
   */
  query(
    entity: string,
    opts?: { where?: string; orderBy?: string; pageSize?: number },
  ): AsyncIterable<QbRecord[]>;
  /** `SELECT COUNT(*)`. */
  count(entity: string, where?: string): Promise<number>;
  /** Records by id in as few calls as possible (`Id IN (...)` queries, inactive included). */
  readMany(entity: string, ids: string[]): Promise<QbRecord[]>;
  /** One CDC call; `truncated` lists entities whose answer hit the 1,000-object cap. */
  cdc(entities: string[], changedSince: Date): Promise<CdcResult>;
  /**
   * Changes at or after `since` minus the overlap (default 60 s): CDC inside the 30-day window
   * (paged queries for a truncated entity), else paged queries on MetaData.LastUpdatedTime;
   * `since: null` = every record. Inactive names come with Active=false, deleted transactions as
   * { Id, status: 'Deleted' }. Ordered by LastUpdatedTime, Id.
   */
  readChanges(spec: {
    entity: string;
    since: string | null;
    overlapSeconds?: number;
  }): AsyncIterable<QbRecord[]>;
  /** Several entities' changes in one CDC call when possible; null = outside the CDC window. */
  readChangesMany(spec: {
    entities: string[];
    since: string;
    overlapSeconds?: number;
  }): Promise<Record<string, QbRecord[]> | null>;
  /** One batch call (≤ 30 items) with ?requestid (≤ 36 chars), retried with the same requestid. */
  batch(items: BatchItem[], requestId: string): Promise<BatchItemResult[]>;
  /** A single create/update/delete with a requestid (≤ 50 chars). */
  write(
    entity: string,
    operation: 'create' | 'update' | 'delete',
    body: Record<string, unknown>,
    requestId: string,
  ): Promise<QbRecord>;
  /** Refetches stale (5010) entities and re-applies each sparse patch with the fresh SyncToken. */
  reapplyStale(
    entity: string,
    patches: Array<{ bId: string; id: string; patch: Record<string, unknown> }>,
    requestIdPrefix: string,
  ): Promise<BatchItemResult[]>;
}
