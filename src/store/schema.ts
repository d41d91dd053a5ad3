import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A JSON column: objects go in as values and come back parsed. */
export type Json<T> = ColumnType<T, T | string, T | string>;
/** A JSON column with a database default, so inserts may leave it out. */
export type JsonWithDefault<T> = ColumnType<T, T | string | undefined, T | string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = ColumnType<number, never, never>;

export interface ConnectionsTable {
  id: string;
  system: 'salesforce' | 'qbo' | 'qbd';
  label: string;
  settings: JsonWithDefault<Record<string, unknown>>;
  secrets: string | null;
  token_version: Generated<number>;
  status: Generated<string>;
  status_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LinksTable {
  id: Id;
  flow: string;
  sf_id: string;
  qb_id: string;
  sf_version: string | null;
  qb_version: string | null;
  sf_state: JsonWithDefault<Record<string, string>>;
  qb_state: JsonWithDefault<Record<string, string>>;
  sf_related: JsonWithDefault<Record<string, string>>;
  origin: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CursorsTable {
  flow: string;
  side: 'sf' | 'qb';
  stream: string;
  position: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface DirectoryTable {
  flow: string;
  side: 'sf' | 'qb';
  id: string;
  label: string;
  name_key: string | null;
  email_key: string | null;
  fuzzy_key: string | null;
  ext_key: string | null;
  version: string | null;
  active: Generated<boolean>;
  updated_at: Timestamp;
}

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'resumable';
export type RunMode = 'initial' | 'incremental' | 'dry-run' | 'retry' | 'record';

export interface RunsTable {
  id: Id;
  flows: string[];
  mode: RunMode;
  trigger: string;
  status: RunStatus;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  heartbeat_at: Timestamp;
  stats: JsonWithDefault<Record<string, unknown>>;
  api_calls: JsonWithDefault<Record<string, unknown>>;
  message: string | null;
}

export interface OutcomesTable {
  id: Id;
  run_id: number;
  flow: string;
  direction: 'sf->qb' | 'qb->sf' | 'link';
  sf_id: string | null;
  qb_id: string | null;
  action: string;
  reason: string | null;
  changes: Json<unknown> | null;
  at: Timestamp;
}

export type ErrorKind = 'validation' | 'transient' | 'conflict' | 'prerequisite' | 'auth' | 'limit';

export interface ErrorsTable {
  id: Id;
  flow: string;
  direction: string;
  kind: ErrorKind;
  record_key: string;
  sf_id: string | null;
  qb_id: string | null;
  code: string | null;
  message: string;
  source_payload: Json<unknown> | null;
  target_payload: Json<unknown> | null;
  details: Json<unknown> | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  status: Generated<'open' | 'resolved' | 'dismissed'>;
  run_id: number | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface UnmatchedTable {
  id: Id;
  flow: string;
  side: 'sf' | 'qb';
  record_id: string;
  label: string;
  reason: string;
  candidates: JsonWithDefault<Array<{ id: string; label: string; why: string }>>;
  status: Generated<'open' | 'linked' | 'created' | 'ignored'>;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface WriteJournalTable {
  key: string;
  flow: string;
  target: 'sf' | 'qb';
  request: Json<unknown>;
  items: Json<unknown>;
  status: Generated<'pending' | 'applied' | 'abandoned'>;
  run_id: number | null;
  created_at: Timestamp;
  applied_at: Timestamp | null;
}

export interface StagedRecordsTable {
  run_id: number;
  flow: string;
  side: 'sf' | 'qb';
  id: string;
  body: string;
}

export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

/** The whole database, as Kysely sees it. */
export interface Schema {
  connections: ConnectionsTable;
  links: LinksTable;
  cursors: CursorsTable;
  directory: DirectoryTable;
  runs: RunsTable;
  outcomes: OutcomesTable;
  errors: ErrorsTable;
  unmatched: UnmatchedTable;
  write_journal: WriteJournalTable;
  settings: SettingsTable;
  leases: LeasesTable;
  staged_records: StagedRecordsTable;
}

export type LinkRow = Selectable<LinksTable>;
export type NewLink = Insertable<LinksTable>;
export type LinkUpdate = Updateable<LinksTable>;
export type RunRow = Selectable<RunsTable>;
export type ErrorRow = Selectable<ErrorsTable>;
export type UnmatchedRow = Selectable<UnmatchedTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
export type DirectoryRow = Selectable<DirectoryTable>;
