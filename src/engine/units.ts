import { chunks } from '../store/chunks.ts';
import type { Store } from '../store/database.ts';
import { directoryLabels } from '../store/directory.ts';
import { linksById, linksByIds, type LinkPair } from '../store/links.ts';
import { matchUnlinked, type Candidate } from './match.ts';
import { flows, type FlowModel } from './model.ts';
import type { Unit } from './plan.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { RecordSelection } from './run-flow.ts';
import { qbPruner } from './read-changes.ts';
import type { ReadSet } from './read-set.ts';

/**
 * A unit of work before its records are loaded: the link, and the records of each side this run
 * holds (read, or fetched to complete a matched pair). A 100,000-pair run keeps 100,000 of these,
 * not the records.
 */
export interface UnitRef {
  linkId: number | null;
  sf: string | null;
  qb: string | null;
  /** The matching rule that paired the two records in this run (new link). */
  matchedBy?: string;
  /** The conflict winner chosen by a person (errors retry --keep). */
  keep?: 'salesforce' | 'quickbooks';
}

/** A record no rule could pair and that is not created: listed with its candidates. */
export interface UnmatchedRecord {
  side: 'sf' | 'qb';
  id: string;
  label: string;
  reason: string;
  candidates: Candidate[];
}

/** Hand-made choices a record-mode run honours. */
export type UnitChoices = Pick<RecordSelection, 'keep' | 'pairs' | 'create'>;

/** Thrown when a hand-made link or selection cannot be honoured; says why. */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

/** Records of a matched pair fetched per call (and staged), so a large fetch never sits in memory. */
const FETCH_SLICE = 2000;

/** Pairs what was read with links and matches; decides which lone records are created or listed. */
export async function buildUnits(
  store: Store,
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  read: ReadSet,
  choices: UnitChoices | undefined,
): Promise<{ work: UnitRef[]; unmatched: UnmatchedRecord[] }> {
  const db = store.db;
  const keep = choices?.keep;
  const sfRead = read.ids('sf');
  const qbRead = read.ids('qb');
  const sfLinks = await linksByIds(db, model.name, 'sf', sfRead);
  // A link found from the Salesforce side is not fetched a second time.
  const viaSf = new Map<string, LinkPair>();
  for (const l of sfLinks.values()) if (read.has('qb', l.qb_id)) viaSf.set(l.qb_id, l);
  const qbLinks = await linksByIds(
    db,
    model.name,
    'qb',
    qbRead.filter((id) => !viaSf.has(id)),
  );
  for (const [id, l] of viaSf) qbLinks.set(id, l);
  const byLink = new Map<number, UnitRef>();
  const lonelySf: string[] = [];
  const lonelyQb: string[] = [];
  for (const id of sfRead) {
    const link = sfLinks.get(id);
    if (link) byLink.set(link.id, { linkId: link.id, sf: id, qb: null, keep });
    else lonelySf.push(id);
  }
  for (const id of qbRead) {
    const link = qbLinks.get(id);
    if (!link) {
      lonelyQb.push(id);
      continue;
    }
    const unit = byLink.get(link.id);
    if (unit) unit.qb = id;
    else byLink.set(link.id, { linkId: link.id, sf: null, qb: id, keep });
  }

  // Pairs a person linked by hand come first and bypass the rules.
  const forced = choices?.pairs ?? [];
  for (const p of forced) {
    if (sfLinks.has(p.sf))
      throw new SelectionError(
        `Salesforce ${model.sf.object} ${p.sf} is already linked to QuickBooks ${model.qb.entity} ${sfLinks.get(p.sf)!.qb_id}`,
      );
    if (qbLinks.has(p.qb))
      throw new SelectionError(
        `QuickBooks ${model.qb.entity} ${p.qb} is already linked to Salesforce ${model.sf.object} ${qbLinks.get(p.qb)!.sf_id}`,
      );
  }
  sfLinks.clear();
  qbLinks.clear();
  const forcedSf = new Set(forced.map((p) => p.sf));
  const forcedQb = new Set(forced.map((p) => p.qb));
  const liveSf = lonelySf.filter((id) => !read.gone('sf', id) && !forcedSf.has(id));
  const liveQb = lonelyQb.filter((id) => !read.gone('qb', id) && !forcedQb.has(id));
  const match = await matchUnlinked(db, model.name, model.match, liveSf, liveQb);
  match.pairs.unshift(...forced.map((p) => ({ sfId: p.sf, qbId: p.qb, rule: 'manual' as const })));

  // Matched pairs need both records: fetch (and stage) the side this run did not read.
  const missingSf = match.pairs.filter((p) => !read.has('sf', p.sfId)).map((p) => p.sfId);
  const missingQb = match.pairs.filter((p) => !read.has('qb', p.qbId)).map((p) => p.qbId);
  const fields = model.sf.fields;
  for (const ids of chunks(missingSf, FETCH_SLICE))
    await read.add(
      'sf',
      await sf.retrieve({ object: model.sf.object, ids, fields, related: model.sf.related }),
    );
  const prune = qbPruner(model);
  for (const ids of chunks(missingQb, FETCH_SLICE))
    await read.add('qb', (await qb.readMany(model.qb.entity, ids)).map(prune));

  const work: UnitRef[] = [...byLink.values()];
  byLink.clear();
  const pairedSf = new Set<string>();
  const pairedQb = new Set<string>();
  for (const p of match.pairs) {
    // A record that vanished between the match and the fetch is left for the next run.
    if (!read.has('sf', p.sfId) || !read.has('qb', p.qbId)) continue;
    pairedSf.add(p.sfId);
    pairedQb.add(p.qbId);
    work.push({ linkId: null, sf: p.sfId, qb: p.qbId, matchedBy: p.rule, keep });
  }

  const unmatched: UnmatchedRecord[] = [];
  const place = (side: 'sf' | 'qb', id: string) => {
    const unit: UnitRef = { linkId: null, sf: side === 'sf' ? id : null, qb: side === 'qb' ? id : null };
    // A record deleted (or made inactive) before it was ever linked still goes through the plan,
    // which decides by the delete policy.
    if (read.gone(side, id)) return void work.push(unit);
    const there = side === 'sf' ? 'QuickBooks' : 'Salesforce';
    if (!flows(model, side === 'sf' ? 'sf->qb' : 'qb->sf')) return;
    const candidates = match.candidates.get(`${side}:${id}`) ?? [];
    const create = side === 'sf' ? model.createMissing.toQuickbooks : model.createMissing.toSalesforce;
    if (choices?.create) work.push(unit);
    else if (candidates.length > 0)
      unmatched.push({
        side,
        id,
        label: '',
        candidates,
        reason: `no rule could match it; ${candidates.length} possible match(es) in ${there} to review`,
      });
    else if (!create)
      unmatched.push({
        side,
        id,
        label: '',
        candidates,
        reason: `no matching ${there} record, and creating missing records in ${there} is off for this flow`,
      });
    else work.push(unit);
  };
  for (const id of lonelySf) if (!pairedSf.has(id)) place('sf', id);
  for (const id of lonelyQb) if (!pairedQb.has(id)) place('qb', id);
  // Labels as the directory holds them: the same text labelOf gives, refreshed by this run's read.
  for (const side of ['sf', 'qb'] as const) {
    const ids = unmatched.filter((u) => u.side === side).map((u) => u.id);
    if (ids.length === 0) continue;
    const labels = await directoryLabels(db, model.name, side, ids);
    for (const u of unmatched) if (u.side === side) u.label = labels.get(u.id) ?? u.id;
  }
  return { work, unmatched };
}

/** Units whose records point at no parent go first, so parents are linked before their children need them. */
export function orderByDependency(read: ReadSet, units: UnitRef[]): UnitRef[] {
  const dependent = (u: UnitRef) =>
    (u.sf !== null && read.dependent('sf', u.sf)) || (u.qb !== null && read.dependent('qb', u.qb));
  return [...units.filter((u) => !dependent(u)), ...units.filter((u) => dependent(u))];
}

/**
 * Loads a chunk's units: its links whole (with their states) and its records from the read set. A
 * link removed since the units were built (unlinked by hand meanwhile) drops its unit: planned
 * without it, its records would look unlinked and be created again; the next run sees them as they are.
 */
export async function loadUnits(
  store: Store,
  read: ReadSet,
  refs: readonly UnitRef[],
): Promise<Array<{ ref: UnitRef; unit: Unit }>> {
  const links = await linksById(
    store.db,
    refs.flatMap((r) => (r.linkId === null ? [] : [r.linkId])),
  );
  const sfs = await read.load(
    'sf',
    refs.flatMap((r) => (r.sf === null ? [] : [r.sf])),
  );
  const qbs = await read.load(
    'qb',
    refs.flatMap((r) => (r.qb === null ? [] : [r.qb])),
  );
  const out: Array<{ ref: UnitRef; unit: Unit }> = [];
  for (const ref of refs) {
    const link = ref.linkId === null ? null : (links.get(ref.linkId) ?? null);
    if (ref.linkId !== null && !link) continue;
    const unit: Unit = {
      link,
      s: ref.sf === null ? null : (sfs.get(ref.sf) ?? null),
      q: ref.qb === null ? null : (qbs.get(ref.qb) ?? null),
    };
    if (ref.matchedBy) unit.matchedBy = ref.matchedBy;
    if (ref.keep) unit.keep = ref.keep;
    out.push({ ref, unit });
  }
  return out;
}
