import { sql, type Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { LinkRow, Schema } from './schema.ts';

export type Side = 'sf' | 'qb';

/** A link to create: both ids, both versions and states, and how it came to be. */
export interface NewLinkInput {
  flow: string;
  sfId: string;
  qbId: string;
  sfVersion: string | null;
  qbVersion: string | null;
  sfState: Record<string, string>;
  qbState: Record<string, string>;
  sfRelated?: Record<string, string>;
  origin: string;
}

/** A change to an existing link (by id): new versions and states after a sync. */
export interface LinkChange {
  id: number;
  sfVersion?: string | null;
  qbVersion?: string | null;
  sfState?: Record<string, string>;
  qbState?: Record<string, string>;
  sfRelated?: Record<string, string>;
}

/** Which records a link pairs (without the states a plan needs: at 100,000 links, ~200 MB less). */
export type LinkPair = Pick<LinkRow, 'id' | 'sf_id' | 'qb_id'>;

/** The pairs of a flow's links by the ids of one side, fetched in few queries. */
export async function linksByIds(
  db: Kysely<Schema>,
  flow: string,
  side: Side,
  ids: readonly string[],
): Promise<Map<string, LinkPair>> {
  const out = new Map<string, LinkPair>();
  const column = side === 'sf' ? 'sf_id' : 'qb_id';
  for (const part of chunks([...new Set(ids)], 5000)) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom('links')
      .select(['id', 'sf_id', 'qb_id'])
      .where('flow', '=', flow)
      .where(sql<boolean>`${sql.ref(column)} = any(${part}::text[])`)
      .execute();
    for (const r of rows) out.set(side === 'sf' ? r.sf_id : r.qb_id, r);
  }
  return out;
}

/** Whole links (with the states a plan compares against) by their ids. */
export async function linksById(db: Kysely<Schema>, ids: readonly number[]): Promise<Map<number, LinkRow>> {
  const out = new Map<number, LinkRow>();
  for (const part of chunks([...new Set(ids)], 5000)) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom('links')
      .selectAll()
      .where(sql<boolean>`id = any(${part}::bigint[])`)
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Inserts new links; returns them with their ids. */
export async function insertLinks(db: Kysely<Schema>, links: readonly NewLinkInput[]): Promise<LinkRow[]> {
  const out: LinkRow[] = [];
  for (const part of chunks(links, 400)) {
    if (part.length === 0) continue;
    const rows = await db
      .insertInto('links')
      .values(
        part.map((l) => ({
          flow: l.flow,
          sf_id: l.sfId,
          qb_id: l.qbId,
          sf_version: l.sfVersion,
          qb_version: l.qbVersion,
          sf_state: JSON.stringify(l.sfState),
          qb_state: JSON.stringify(l.qbState),
          sf_related: JSON.stringify(l.sfRelated ?? {}),
          origin: l.origin,
        })),
      )
      .returningAll()
      .execute();
    out.push(...rows);
  }
  return out;
}

/** Applies changes to existing links in bulk (one statement per chunk). */
export async function updateLinks(db: Kysely<Schema>, changes: readonly LinkChange[]): Promise<void> {
  for (const part of chunks(changes, 400)) {
    if (part.length === 0) continue;
    const values = sql.join(
      part.map(
        (c) =>
          sql`(${c.id}::bigint, ${c.sfVersion === undefined ? null : c.sfVersion}::text, ${c.sfVersion !== undefined}::boolean,
               ${c.qbVersion === undefined ? null : c.qbVersion}::text, ${c.qbVersion !== undefined}::boolean,
               ${c.sfState ? JSON.stringify(c.sfState) : null}::jsonb, ${c.qbState ? JSON.stringify(c.qbState) : null}::jsonb,
               ${c.sfRelated ? JSON.stringify(c.sfRelated) : null}::jsonb)`,
      ),
    );
    await sql`
      update links set
        sf_version = case when v.set_sf_version then v.sf_version else links.sf_version end,
        qb_version = case when v.set_qb_version then v.qb_version else links.qb_version end,
        sf_state = coalesce(v.sf_state, links.sf_state),
        qb_state = coalesce(v.qb_state, links.qb_state),
        sf_related = coalesce(v.sf_related, links.sf_related),
        updated_at = now()
      from (values ${values}) as v(id, sf_version, set_sf_version, qb_version, set_qb_version, sf_state, qb_state, sf_related)
      where links.id = v.id`.execute(db);
  }
}

/** Removes a link (unlink by hand, or a record gone for good). */
export async function deleteLink(db: Kysely<Schema>, flow: string, side: Side, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('links')
    .where('flow', '=', flow)
    .where(side === 'sf' ? 'sf_id' : 'qb_id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Links of a flow for listing (newest first). */
export async function listLinks(
  db: Kysely<Schema>,
  opts: { flow?: string; limit?: number; offset?: number } = {},
): Promise<LinkRow[]> {
  let q = db.selectFrom('links').selectAll();
  if (opts.flow) q = q.where('flow', '=', opts.flow);
  return q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100)
    .offset(opts.offset ?? 0)
    .execute();
}

/** How many links a flow has. */
export async function countLinks(db: Kysely<Schema>, flow?: string): Promise<number> {
  let q = db.selectFrom('links').select((eb) => eb.fn.countAll<number>().as('n'));
  if (flow) q = q.where('flow', '=', flow);
  const r = await q.executeTakeFirstOrThrow();
  return Number(r.n);
}
