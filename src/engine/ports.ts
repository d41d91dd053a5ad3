import type { CallStats } from '../connectors/call-stats.ts';
import type { QbRecord, RelatedSpec, SfRecord } from './model.ts';

/**
 * The parts of the connectors the engine uses. The Salesforce and QuickBooks Online connectors
 * satisfy these; keeping the engine to this surface makes clear what a new connector must offer.
 */

export interface SfSaveResult {
  id: string | null;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
}

export interface SfPort {
  readonly stats: CallStats;
  readChanges(spec: {
    object: string;
    fields: string[];
    since: string | null;
    includeDeleted?: boolean;
    overlapSeconds?: number;
    related?: RelatedSpec[];
  }): AsyncIterable<SfRecord[]>;
  query<T extends SfRecord = SfRecord>(
    soql: string,
    opts?: { all?: boolean; batchSize?: number },
  ): AsyncIterable<T[]>;
  retrieve(spec: {
    object: string;
    ids: string[];
    fields: string[];
    related?: RelatedSpec[];
  }): Promise<SfRecord[]>;
  upsert(
    object: string,
    externalIdField: string,
    records: Array<Record<string, unknown>>,
  ): Promise<SfSaveResult[]>;
  update(object: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<SfSaveResult[]>;
  destroy(ids: string[]): Promise<SfSaveResult[]>;
}

export interface QbFault {
  type: string;
  errors: Array<{ code: string; message: string; detail?: string; element?: string }>;
}

export interface QbBatchItem {
  bId: string;
  operation: 'create' | 'update' | 'delete';
  entity: string;
  body: Record<string, unknown>;
}

export interface QbBatchItemResult {
  bId: string;
  entity?: QbRecord;
  fault?: QbFault;
}

export interface QbPort {
  readonly stats: CallStats;
  readonly realmId: string;
  readChanges(spec: {
    entity: string;
    since: string | null;
    overlapSeconds?: number;
  }): AsyncIterable<QbRecord[]>;
  readMany(entity: string, ids: string[]): Promise<QbRecord[]>;
  batch(items: QbBatchItem[], requestId: string): Promise<QbBatchItemResult[]>;
}
