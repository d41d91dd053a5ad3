import { sql, type Kysely } from 'kysely';

/** The first schema: connections, links, cursors, directory, runs, outcomes, errors, unmatched, write journal. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table connections (
      id text primary key,
      system text not null check (system in ('salesforce', 'qbo', 'qbd')),
      label text not null,
      settings jsonb not null default '{}',
      -- tokens, client secrets and passwords, sealed with AES-256-GCM; the key never enters the database
      secrets text,
      -- bumped on every token change, so a refresh can tell whether another worker already rotated it
      token_version integer not null default 0,
      status text not null default 'active',
      status_message text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // One row per linked record pair. The *_state maps hold, per mapped field, a hash of the value
  // each side had when the pair was last in step: an incoming change whose mapped values hash the
  // same is our own echo (no loop), and a field that moved on both sides is a conflict.
  await sql`
    create table links (
      id bigint generated always as identity primary key,
      flow text not null,
      sf_id text not null,
      qb_id text not null,
      sf_version text,
      qb_version text,
      sf_state jsonb not null default '{}',
      qb_state jsonb not null default '{}',
      sf_related jsonb not null default '{}',
      origin text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (flow, sf_id),
      unique (flow, qb_id)
    )`.execute(db);

  await sql`
    create table cursors (
      flow text not null,
      side text not null check (side in ('sf', 'qb')),
      stream text not null,
      position jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (flow, side, stream)
    )`.execute(db);

  // What a flow has seen of each side's records (matching keys, label, version), kept current from
  // every read, so matching a new record never needs to re-read the other side.
  await sql`
    create table directory (
      flow text not null,
      side text not null check (side in ('sf', 'qb')),
      id text not null,
      label text not null,
      name_key text,
      email_key text,
      fuzzy_key text,
      ext_key text,
      version text,
      active boolean not null default true,
      updated_at timestamptz not null default now(),
      primary key (flow, side, id)
    )`.execute(db);
  await sql`create index directory_name on directory (flow, side, name_key)`.execute(db);
  await sql`create index directory_email on directory (flow, side, email_key)`.execute(db);
  await sql`create index directory_fuzzy on directory (flow, side, fuzzy_key)`.execute(db);
  await sql`create index directory_ext on directory (flow, side, ext_key)`.execute(db);

  await sql`
    create table runs (
      id bigint generated always as identity primary key,
      flows text[] not null,
      mode text not null check (mode in ('initial', 'incremental', 'dry-run', 'retry', 'record')),
      trigger text not null,
      status text not null check (status in ('running', 'succeeded', 'partial', 'failed', 'resumable')),
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      heartbeat_at timestamptz not null default now(),
      stats jsonb not null default '{}',
      api_calls jsonb not null default '{}',
      message text
    )`.execute(db);

  await sql`
    create table outcomes (
      id bigint generated always as identity primary key,
      run_id bigint not null references runs (id) on delete cascade,
      flow text not null,
      direction text not null check (direction in ('sf->qb', 'qb->sf', 'link')),
      sf_id text,
      qb_id text,
      action text not null,
      reason text,
      changes jsonb,
      at timestamptz not null default now()
    )`.execute(db);
  await sql`create index outcomes_run on outcomes (run_id)`.execute(db);
  await sql`create index outcomes_sf on outcomes (flow, sf_id)`.execute(db);
  await sql`create index outcomes_qb on outcomes (flow, qb_id)`.execute(db);

  await sql`
    create table errors (
      id bigint generated always as identity primary key,
      flow text not null,
      direction text not null,
      kind text not null check (kind in ('validation', 'transient', 'conflict', 'prerequisite', 'auth', 'limit')),
      record_key text not null,
      sf_id text,
      qb_id text,
      code text,
      message text not null,
      source_payload jsonb,
      target_payload jsonb,
      details jsonb,
      attempts integer not null default 1,
      next_attempt_at timestamptz,
      status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
      run_id bigint,
      first_seen timestamptz not null default now(),
      last_seen timestamptz not null default now()
    )`.execute(db);
  // One open entry per record and direction: a record failing again updates its entry.
  await sql`create unique index errors_open_record on errors (flow, direction, record_key) where status = 'open'`.execute(
    db,
  );
  await sql`create index errors_due on errors (status, next_attempt_at)`.execute(db);

  await sql`
    create table unmatched (
      id bigint generated always as identity primary key,
      flow text not null,
      side text not null check (side in ('sf', 'qb')),
      record_id text not null,
      label text not null,
      reason text not null,
      candidates jsonb not null default '[]',
      status text not null default 'open' check (status in ('open', 'linked', 'created', 'ignored')),
      first_seen timestamptz not null default now(),
      last_seen timestamptz not null default now(),
      unique (flow, side, record_id)
    )`.execute(db);

  // Every write batch is journalled with its idempotency key before it is sent; a batch still
  // pending after a crash is re-sent with the same key, so the service replays instead of writing twice.
  await sql`
    create table write_journal (
      key text primary key,
      flow text not null,
      target text not null check (target in ('sf', 'qb')),
      request jsonb not null,
      items jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'applied', 'abandoned')),
      run_id bigint,
      created_at timestamptz not null default now(),
      applied_at timestamptz
    )`.execute(db);
  await sql`create index write_journal_pending on write_journal (status, flow)`.execute(db);

  // One run per flow at a time, across processes and machines: a lease renewed by the run's heartbeat,
  // so a crashed worker's lease simply expires.
  await sql`
    create table leases (
      name text primary key,
      owner text not null,
      expires_at timestamptz not null
    )`.execute(db);

  await sql`
    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}
