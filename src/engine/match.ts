import { sql, type Kysely } from 'kysely';
import type { Schema } from '../store/schema.ts';
import { chunks } from '../store/chunks.ts';
import { trimHeap } from './memory.ts';
import type { MatchRule } from './model.ts';

/** A record pair a matching rule tied together. */
export interface MatchedPair {
  sfId: string;
  qbId: string;
  rule: MatchRule | 'manual';
}

/** A record on the other side a person may want to link by hand, and why it is suggested. */
export interface Candidate {
  id: string;
  label: string;
  why: string;
}

export interface MatchOutcome {
  pairs: MatchedPair[];
  /** Suggestions for records no rule could pair, by "sf:<id>" / "qb:<id>". */
  candidates: Map<string, Candidate[]>;
}

/**
 * Ids per matching query. One query over 85,000 + 97,000 ids (a 100,000-pair first run) built
 * ~300 MB of result rows and arrays at once; slices of this size keep each answer small.
 */
const SLICE = 5000;

const KEY_COLUMN = { name: 'name_key', email: 'email_key' } as const;
const RULE_WORDS = {
  name: 'same name (ignoring case, punctuation and spacing)',
  email: 'same email',
} as const;

/**
 * Pairs unlinked records through the flow's rules, in order, over the directory (every record the
 * flow has seen on both sides). A rule links only when the key is unique on both sides; a shared key
 * leaves the records unmatched with the others listed as candidates, so a guess never duplicates or
 * mislinks. Fuzzy similarity only suggests.
 */
export async function matchUnlinked(
  db: Kysely<Schema>,
  flow: string,
  rules: readonly MatchRule[],
  unlinkedSf: readonly string[],
  unlinkedQb: readonly string[],
): Promise<MatchOutcome> {
  const pairs: MatchedPair[] = [];
  const candidates = new Map<string, Candidate[]>();
  const takenSf = new Set<string>();
  const takenQb = new Set<string>();
  const sfIds = [...unlinkedSf];
  const qbIds = [...unlinkedQb];
  if (sfIds.length === 0 && qbIds.length === 0) return { pairs, candidates };

  const addCandidate = (side: 'sf' | 'qb', id: string, c: Candidate) => {
    const key = `${side}:${id}`;
    const list = candidates.get(key) ?? [];
    if (!list.some((x) => x.id === c.id) && list.length < 5) list.push(c);
    candidates.set(key, list);
  };

  const wantedSf = new Set(sfIds);
  const wantedQb = new Set(qbIds);
  for (const rule of rules) {
    const sfParts = chunks(sfIds, SLICE);
    const qbParts = chunks(qbIds, SLICE);
    for (let i = 0; i < Math.max(sfParts.length, qbParts.length); i++) {
      await matchSlice(rule, sfParts[i] ?? [], qbParts[i] ?? []);
      trimHeap();
    }
  }

  /** One rule over one slice of the unlinked ids (the uniqueness of a key is judged over the whole directory). */
  async function matchSlice(rule: MatchRule, sfIds: string[], qbIds: string[]): Promise<void> {
    if (rule === 'external-id') {
      const rows = await sql<{ sf_id: string; qb_id: string }>`
        select s.id as sf_id, q.id as qb_id
        from directory s
        join directory q on q.flow = s.flow and q.side = 'qb' and q.id = s.ext_key and q.active
        where s.flow = ${flow} and s.side = 'sf' and s.active and s.ext_key is not null
          and (s.id in (select unnest(${sfIds}::text[])) or q.id in (select unnest(${qbIds}::text[])))
          and not exists (select 1 from links l where l.flow = s.flow and l.sf_id = s.id)
          and not exists (select 1 from links l where l.flow = s.flow and l.qb_id = q.id)`.execute(db);
      for (const r of rows.rows) {
        if (takenSf.has(r.sf_id) || takenQb.has(r.qb_id)) continue;
        takenSf.add(r.sf_id);
        takenQb.add(r.qb_id);
        pairs.push({ sfId: r.sf_id, qbId: r.qb_id, rule });
      }
      return;
    }
    const col = sql.ref(KEY_COLUMN[rule]);
    const rows = await sql<{
      k: string;
      sf_ids: string[];
      qb_ids: string[];
      sf_labels: string[];
      qb_labels: string[];
    }>`
      with wanted as (
        select ${col} as k from directory where flow = ${flow} and side = 'sf' and active and ${col} is not null and id in (select unnest(${sfIds}::text[]))
        union
        select ${col} as k from directory where flow = ${flow} and side = 'qb' and active and ${col} is not null and id in (select unnest(${qbIds}::text[]))
      ),
      s as (
        select ${col} as k, array_agg(id order by id) as ids, array_agg(label order by id) as labels
        from directory where flow = ${flow} and side = 'sf' and active and ${col} in (select k from wanted) group by ${col}
      ),
      q as (
        select ${col} as k, array_agg(id order by id) as ids, array_agg(label order by id) as labels
        from directory where flow = ${flow} and side = 'qb' and active and ${col} in (select k from wanted) group by ${col}
      )
      select s.k, s.ids as sf_ids, q.ids as qb_ids, s.labels as sf_labels, q.labels as qb_labels from s join q on q.k = s.k`.execute(
      db,
    );
    // Records already linked still count for uniqueness, but cannot be paired again.
    const involved = rows.rows.flatMap((r) => [
      ...r.sf_ids.map((id) => ({ side: 'sf' as const, id })),
      ...r.qb_ids.map((id) => ({ side: 'qb' as const, id })),
    ]);
    const linked = await linkedIds(db, flow, involved);
    for (const r of rows.rows) {
      if (r.sf_ids.length === 1 && r.qb_ids.length === 1) {
        const sfId = r.sf_ids[0]!;
        const qbId = r.qb_ids[0]!;
        if (linked.sf.has(sfId) || linked.qb.has(qbId) || takenSf.has(sfId) || takenQb.has(qbId)) continue;
        if (!wantedSf.has(sfId) && !wantedQb.has(qbId)) continue;
        takenSf.add(sfId);
        takenQb.add(qbId);
        pairs.push({ sfId, qbId, rule });
        continue;
      }
      const why = `${RULE_WORDS[rule]}, shared by ${r.sf_ids.length} in Salesforce and ${r.qb_ids.length} in QuickBooks`;
      r.sf_ids.forEach((sfId) => {
        if (!wantedSf.has(sfId)) return;
        r.qb_ids.forEach((qbId, i) =>
          addCandidate('sf', sfId, { id: qbId, label: r.qb_labels[i] ?? qbId, why }),
        );
      });
      r.qb_ids.forEach((qbId) => {
        if (!wantedQb.has(qbId)) return;
        r.sf_ids.forEach((sfId, i) =>
          addCandidate('qb', qbId, { id: sfId, label: r.sf_labels[i] ?? sfId, why }),
        );
      });
    }
  }

  // Similar names only suggest: "Kookies by Kathy" / "Kookies by Kathy Inc." may well be one company.
  const leftSf = sfIds.filter((id) => !takenSf.has(id));
  const leftQb = qbIds.filter((id) => !takenQb.has(id));
  const fuzzy = [
    ...chunks(leftSf, SLICE).map((ids) => ['sf', ids] as const),
    ...chunks(leftQb, SLICE).map((ids) => ['qb', ids] as const),
  ];
  for (const [side, ids] of fuzzy) {
    const other = side === 'sf' ? 'qb' : 'sf';
    const rows = await sql<{ id: string; other_id: string; other_label: string }>`
      select x.id, y.id as other_id, y.label as other_label
      from directory x
      join directory y on y.flow = x.flow and y.side = ${other} and y.active and y.fuzzy_key = x.fuzzy_key
      where x.flow = ${flow} and x.side = ${side} and x.active and x.fuzzy_key is not null and x.fuzzy_key <> ''
        and x.id in (select unnest(${ids}::text[]))
        and not exists (select 1 from links l where l.flow = x.flow and ${sql.ref(other === 'sf' ? 'l.sf_id' : 'l.qb_id')} = y.id)
      order by x.id, y.id`.execute(db);
    const taken = other === 'sf' ? takenSf : takenQb;
    for (const r of rows.rows) {
      if (taken.has(r.other_id)) continue;
      addCandidate(side, r.id, { id: r.other_id, label: r.other_label, why: 'similar name' });
    }
  }
  return { pairs, candidates };
}

async function linkedIds(
  db: Kysely<Schema>,
  flow: string,
  records: Array<{ side: 'sf' | 'qb'; id: string }>,
): Promise<{ sf: Set<string>; qb: Set<string> }> {
  const sfIds = records.filter((r) => r.side === 'sf').map((r) => r.id);
  const qbIds = records.filter((r) => r.side === 'qb').map((r) => r.id);
  const out = { sf: new Set<string>(), qb: new Set<string>() };
  if (sfIds.length + qbIds.length === 0) return out;
  const rows = await sql<{ sf_id: string; qb_id: string }>`
    select sf_id, qb_id from links
    where flow = ${flow} and sf_id in (select unnest(${sfIds}::text[]))
    union
    select sf_id, qb_id from links
    where flow = ${flow} and qb_id in (select unnest(${qbIds}::text[]))`.execute(db);
  for (const r of rows.rows) {
    out.sf.add(r.sf_id);
    out.qb.add(r.qb_id);
  }
  return out;
}
