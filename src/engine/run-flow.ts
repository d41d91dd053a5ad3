import type { Store } from '../store/database.ts';
import { getCursors, setCursor } from '../store/cursors.ts';
import { upsertDirectory, type DirectoryEntry } from '../store/directory.ts';
import { dueErrors } from '../store/error-queue.ts';
import { linksByIds } from '../store/links.ts';
import { analyzeTables, ANALYZE_THRESHOLD } from '../store/statistics.ts';
import type { ErrorRow, LinkRow } from '../store/schema.ts';
import { commitChunk, directoryEntry, emptyCommit, finishWorks, type Tally } from './apply.ts';
import { matchUnlinked, type Candidate } from './match.ts';
import { flows, type FlowModel, type QbRecord, type SfRecord } from './model.ts';
import { getPath } from './paths.ts';
import { followQuickbooksResult, planUnit, type Decision, type FieldChange, type Unit } from './plan.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import { nextCursor, qbPruner, readChanges, type ChangeSet } from './read-changes.ts';
import { collectGarbage, LARGE_RUN } from './memory.ts';
import { recoverPendingWrites } from './recover.ts';
import { labelOf, workFor, type Work } from './work.ts';
import { RunStopped, writeQuickbooks } from './write-qbo.ts';
import { writeSalesforce } from './write-salesforce.ts';

/** How one flow run behaves. */
export interface FlowRunOptions {
  runId: number;
  /** Plan only: show what each side would get, write nothing to either system, move no link or cursor. */
  dryRun?: boolean;
  /** Re-read this much before the cursor: timestamps have one-second precision and commits land out of order. */
  overlapSeconds?: number;
  /** QuickBooks batches in flight at once (the connector still enforces the realm's limits). */
  qbConcurrency?: number;
  /** Units planned, written and committed together. */
  chunkSize?: number;
  onProgress?: ProgressListener;
  /** Sync only these records now (W4, errors retry), without reading changes or moving cursors. */
  records?: RecordSelection;
  /** Called between chunks (heartbeat, lease renewal). */
  onChunk?: () => Promise<void>;
  /** Asked before each chunk's QuickBooks and Salesforce writes: a stop (the flow's lease was lost) ends the run there. */
  beforeWrite?: () => Promise<RunStopped | null>;
}

/** One change a dry run shows. */
export interface PlannedChange {
  action:
    'create' | 'update' | 'link' | 'deactivate' | 'delete' | 'held' | 'unmatched' | 'conflict' | 'skipped';
  target: 'salesforce' | 'quickbooks' | 'both';
  sfId: string | null;
  qbId: string | null;
  label: string;
  changes: FieldChange[];
  reason?: string;
}

/** What a flow run did. */
export interface FlowRunReport {
  flow: string;
  mode: 'initial' | 'incremental' | 'dry-run' | 'record';
  status: 'succeeded' | 'partial' | 'resumable' | 'failed';
  read: { sf: number; qb: number };
  counts: Record<string, number>;
  recovered: { batches: number; created: number; updated: number };
  plan?: PlannedChange[];
  message?: string;
}

/** Records a record-mode run works on, and what a person decided about them. */
export interface RecordSelection {
  sf?: string[];
  qb?: string[];
  /** Resolve their conflicts this way (a person's review). */
  keep?: 'salesforce' | 'quickbooks';
  /** Link these pairs by hand (both unlinked). */
  pairs?: Array<{ sf: string; qb: string }>;
  /** Create lone records on the other side even if create-missing is off or candidates exist. */
  create?: boolean;
}

/** Thrown when a hand-made link or selection cannot be honoured; says why. */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

const MAX_WAVES = 6;
/** What a unit's slot in the write queue holds once its chunk is taken (its records can be collected). */
const RELEASED: Unit = { link: null, s: null, q: null };

/** Runs one flow: recover, read, match, plan, write, commit, advance cursors. */
export async function runFlow(
  store: Store,
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  opts: FlowRunOptions,
): Promise<FlowRunReport> {
  const db = store.db;
  const flow = model.name;
  const overlapSeconds = opts.overlapSeconds ?? 60;
  const chunkSize = opts.chunkSize ?? 3000;
  const progress = opts.onProgress ?? (() => {});
  const tally: Tally = new Map();
  const plan: PlannedChange[] = [];
  const report: FlowRunReport = {
    flow,
    mode: opts.dryRun ? 'dry-run' : opts.records ? 'record' : 'incremental',
    status: 'succeeded',
    read: { sf: 0, qb: 0 },
    counts: {},
    recovered: { batches: 0, created: 0, updated: 0 },
  };

  try {
    if (!opts.dryRun) {
      progress({ type: 'phase', flow, phase: 'recover' });
      report.recovered = await recoverPendingWrites(store, model, qb, sf, opts.runId);
    }

    progress({ type: 'phase', flow, phase: 'read' });
    const cursors = await getCursors(db, flow);
    const missing: MissingRecord[] = [];
    const changes = opts.records
      ? await readRecords(store, model, sf, qb, opts.records, missing)
      : await readChanges(model, sf, qb, cursors, { overlapSeconds, onProgress: progress });
    if (!opts.records && changes.initial && !opts.dryRun) report.mode = 'initial';
    if (!opts.records && !opts.dryRun) await addDueErrors(store, model, sf, qb, changes);
    report.read = { sf: changes.sf.size, qb: changes.qb.size };
    const large = changes.sf.size + changes.qb.size >= LARGE_RUN;
    if (missing.length > 0) await skipMissing(store, model, opts, missing, plan, tally);

    // The directory is the engine's memory of both sides' keys: refreshed from every read.
    // In slices, so 2 × 100,000 entries never sit in memory at once.
    for (const side of ['sf', 'qb'] as const) {
      let slice: DirectoryEntry[] = [];
      for (const r of changes[side].values()) {
        slice.push(directoryEntry(model, side, r));
        if (slice.length < 2000) continue;
        await upsertDirectory(db, flow, side, slice);
        slice = [];
      }
      await upsertDirectory(db, flow, side, slice);
    }
    // A directory that just grew a lot must be known to the planner before matching joins it.
    if (changes.sf.size + changes.qb.size >= ANALYZE_THRESHOLD)
      await analyzeTables(db, ['directory', 'links']);
    if (large) collectGarbage();

    progress({ type: 'phase', flow, phase: 'match' });
    const units = await buildUnits(store, model, sf, qb, changes, opts.records);
    // The units hold every record still needed: the maps of what was read are let go, and each
    // chunk's units with them once it commits (at 100,000 pairs, hundreds of MB held to the end).
    changes.sf.clear();
    changes.qb.clear();
    if (large) collectGarbage();
    const runLinks = { sfToQb: new Map<string, string>(), qbToSf: new Map<string, string>() };

    // Unmatched records: listed with their candidates, never guessed.
    if (units.unmatched.length > 0) {
      if (opts.dryRun) {
        for (const u of units.unmatched)
          plan.push({
            action: 'unmatched',
            target: u.side === 'sf' ? 'quickbooks' : 'salesforce',
            sfId: u.side === 'sf' ? u.id : null,
            qbId: u.side === 'qb' ? u.id : null,
            label: u.label,
            changes: [],
            reason: u.reason,
          });
      } else {
        const c = emptyCommit();
        for (const u of units.unmatched) {
          c.unmatched.push({
            flow,
            side: u.side,
            recordId: u.id,
            label: u.label,
            reason: u.reason,
            candidates: u.candidates,
          });
          c.outcomes.push({
            flow,
            direction: u.side === 'sf' ? 'sf->qb' : 'qb->sf',
            sfId: u.side === 'sf' ? u.id : null,
            qbId: u.side === 'qb' ? u.id : null,
            action: 'unmatched',
            reason: u.reason,
          });
          tally.set(
            `${u.side === 'sf' ? 'sf->qb' : 'qb->sf'} unmatched`,
            (tally.get(`${u.side === 'sf' ? 'sf->qb' : 'qb->sf'} unmatched`) ?? 0) + 1,
          );
        }
        await commitChunk(db, flow, opts.runId, c);
      }
    }

    progress({ type: 'phase', flow, phase: 'write' });
    let queue = orderByDependency(model, units.work);
    units.work = [];
    units.unmatched = [];
    const total = queue.length;
    let done = 0;
    for (let wave = 1; wave <= MAX_WAVES && queue.length > 0; wave++) {
      const deferred: Unit[] = [];
      const last = wave === MAX_WAVES;
      for (let i = 0; i < queue.length; i += chunkSize) {
        const chunk = queue.slice(i, i + chunkSize);
        // Done with here: a unit deferred to the next wave is kept by `deferred` alone.
        queue.fill(RELEASED, i, i + chunkSize);
        const ctx = await lookupContext(store, model, chunk, runLinks);
        let decisions = chunk.map((u) => planUnit(model, u, ctx, { mayDefer: !last }));
        decisions = await refreshForQbUpdates(model, qb, decisions, ctx, !last);

        const ready: Decision[] = [];
        for (const d of decisions) {
          if (d.defer) deferred.push(d.unit);
          else ready.push(d);
        }

        if (opts.dryRun) {
          for (const d of ready) {
            plan.push(...describe(model, d));
            // What this run would link or create, later records (sub-customers) may point at.
            const { s, q } = d.unit;
            const sfId = s?.Id ?? (q && d.sf?.op === 'create' ? `(new, from QuickBooks ${q.Id})` : null);
            const qbId = q?.Id ?? (s && d.qb?.op === 'create' ? `(new, from Salesforce ${s.Id})` : null);
            if ((d.newLink || d.sf?.op === 'create' || d.qb?.op === 'create') && sfId && qbId) {
              runLinks.sfToQb.set(sfId, qbId);
              runLinks.qbToSf.set(qbId, sfId);
            }
          }
          done += ready.length;
          progress({ type: 'write', flow, done, total });
          continue;
        }

        const halt = await opts.beforeWrite?.();
        if (halt) throw halt;
        let works = ready.map((d) => workFor(model, d));
        const qbResult = await writeQuickbooks(store, model, qb, works, {
          runId: opts.runId,
          concurrency: opts.qbConcurrency ?? 4,
        });
        let stopped: RunStopped | null = qbResult.stopped;
        const journalKeys = [...qbResult.keys];
        if (!stopped) {
          const retried = await retryStale(store, model, qb, works, ctx, opts);
          works = retried.works;
          journalKeys.push(...retried.keys);
          stopped = retried.stopped;
        }
        if (!stopped) stopped = (await opts.beforeWrite?.()) ?? null;
        if (!stopped) {
          for (const w of works) if (w.qb?.entity) followQuickbooksResult(model, w.d, w.qb.entity, ctx);
          stopped = await writeSalesforce(model, sf, works);
        }

        const commit = finishWorks(model, works, opts.runId, tally);
        commit.journalKeys = journalKeys;
        await commitChunk(db, flow, opts.runId, commit);
        for (const l of commit.newLinks) {
          runLinks.sfToQb.set(l.sfId, l.qbId);
          runLinks.qbToSf.set(l.qbId, l.sfId);
        }
        done += ready.length;
        progress({ type: 'write', flow, done, total });
        if (stopped) throw stopped;
        if (large) collectGarbage();
        await opts.onChunk?.();
      }
      queue = deferred;
    }

    if (!opts.dryRun && !opts.records) {
      const now = await getCursors(db, flow);
      const read = {
        startedAt: changes.readStartedAt ?? Date.now(),
        endedAt: changes.readEndedAt ?? Date.now(),
      };
      for (const stream of new Set([...changes.highWater.keys(), ...now.keys()])) {
        const [side, name] = stream.split(':') as ['sf' | 'qb', string];
        const next = nextCursor(now.get(stream), changes.highWater.get(stream), read, overlapSeconds);
        if (next) await setCursor(db, flow, side, name, next);
      }
    }
    const failed = [...tally.entries()].filter(([k]) => k.endsWith(' failed')).reduce((n, [, v]) => n + v, 0);
    if (failed > 0) report.status = 'partial';
  } catch (e) {
    if (e instanceof RunStopped) {
      report.status = e.status;
      report.message = e.message;
    } else throw e;
  } finally {
    report.counts = Object.fromEntries([...tally.entries()].sort());
    if (opts.dryRun) report.plan = plan;
    progress({ type: 'phase', flow, phase: 'done' });
  }
  return report;
}

/** A selected record that does not exist (any more): skipped with an outcome, not a failed run. */
interface MissingRecord {
  side: 'sf' | 'qb';
  id: string;
}

const SF_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;
const QB_ID = /^\d+$/;

/**
 * Reads the selected records and the linked counterpart of each (a Salesforce record's QuickBooks
 * record and the other way round), so the plan compares both sides as they are now: a newer edit
 * on the side not selected is seen, and the flow's conflict policy decides. Selected records that
 * no longer exist are put in `missing`; a malformed id, or a hand-made pair naming a record that
 * does not exist, is a SelectionError.
 */
async function readRecords(
  store: Store,
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  records: RecordSelection,
  missing: MissingRecord[],
): Promise<ChangeSet> {
  const set: ChangeSet = { sf: new Map(), qb: new Map(), highWater: new Map(), initial: false };
  const sfIds = [...new Set([...(records.sf ?? []), ...(records.pairs ?? []).map((p) => p.sf)])];
  const qbIds = [...new Set([...(records.qb ?? []), ...(records.pairs ?? []).map((p) => p.qb)])];
  const malformed = [
    ...sfIds.filter((id) => !SF_ID.test(id)).map((id) => `Salesforce ${model.sf.object} id "${id}"`),
    ...qbIds.filter((id) => !QB_ID.test(id)).map((id) => `QuickBooks ${model.qb.entity} id "${id}"`),
  ];
  if (malformed.length > 0) throw new SelectionError(`malformed: ${malformed.join(', ')}`);
  const readSf = async (ids: string[]) => {
    if (ids.length === 0) return;
    const fields = model.sf.fields;
    for (const r of await sf.retrieve({ object: model.sf.object, ids, fields, related: model.sf.related }))
      set.sf.set(r.Id, r);
  };
  const readQb = async (ids: string[]) => {
    if (ids.length > 0) for (const r of await qb.readMany(model.qb.entity, ids)) set.qb.set(r.Id, r);
  };
  await readSf(sfIds);
  await readQb(qbIds);
  const sfFound = new Set([...set.sf.keys()].map((id) => id.slice(0, 15)));
  const lost = [
    ...sfIds.filter((id) => !sfFound.has(id.slice(0, 15))).map((id) => ({ side: 'sf' as const, id })),
    ...qbIds.filter((id) => !set.qb.has(id)).map((id) => ({ side: 'qb' as const, id })),
  ];
  const pairIds = new Set((records.pairs ?? []).flatMap((p) => [`sf:${p.sf}`, `qb:${p.qb}`]));
  const lostPairs = lost.filter((m) => pairIds.has(`${m.side}:${m.id}`));
  if (lostPairs.length > 0)
    throw new SelectionError(
      `not found: ${lostPairs.map((m) => (m.side === 'sf' ? `Salesforce ${model.sf.object} ${m.id}` : `QuickBooks ${model.qb.entity} ${m.id}`)).join(', ')}`,
    );
  missing.push(...lost);

  // The linked counterparts not selected themselves.
  const sfLinks = await linksByIds(store.db, model.name, 'sf', [...set.sf.keys()]);
  const qbLinks = await linksByIds(store.db, model.name, 'qb', [...set.qb.keys()]);
  await readSf([...new Set([...qbLinks.values()].map((l) => l.sf_id))].filter((id) => !set.sf.has(id)));
  await readQb([...new Set([...sfLinks.values()].map((l) => l.qb_id))].filter((id) => !set.qb.has(id)));
  return set;
}

/** Selected records that no longer exist: an outcome 'skipped' each (a line of a dry run), the rest go on. */
async function skipMissing(
  store: Store,
  model: FlowModel,
  opts: FlowRunOptions,
  missing: MissingRecord[],
  plan: PlannedChange[],
  tally: Tally,
): Promise<void> {
  const c = emptyCommit();
  for (const m of missing) {
    const direction = m.side === 'sf' ? 'sf->qb' : 'qb->sf';
    const sfId = m.side === 'sf' ? m.id : null;
    const qbId = m.side === 'qb' ? m.id : null;
    const reason = `not found in ${m.side === 'sf' ? `Salesforce (${model.sf.object})` : `QuickBooks (${model.qb.entity})`}; deleted?`;
    if (opts.dryRun) {
      const target = m.side === 'sf' ? 'quickbooks' : 'salesforce';
      plan.push({ action: 'skipped', target, sfId, qbId, label: m.id, changes: [], reason });
      continue;
    }
    c.outcomes.push({ flow: model.name, direction, sfId, qbId, action: 'skipped', reason });
    tally.set(`${direction} skipped`, (tally.get(`${direction} skipped`) ?? 0) + 1);
  }
  if (!opts.dryRun) await commitChunk(store.db, model.name, opts.runId, c);
}

/** Failed records due for an automatic retry are read again and join this run. */
async function addDueErrors(
  store: Store,
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  changes: ChangeSet,
): Promise<void> {
  const all = await dueErrors(store.db, model.name);
  if (all.length === 0) return;
  const waiting = await waitingOnParents(store, model, all);
  const due = all.filter((e) => !waiting.has(e.id));
  const sfIds = [...new Set(due.map((e) => e.sf_id).filter((x): x is string => !!x && !changes.sf.has(x)))];
  const qbIds = [...new Set(due.map((e) => e.qb_id).filter((x): x is string => !!x && !changes.qb.has(x)))];
  if (sfIds.length > 0) {
    for (const r of await sf.retrieve({
      object: model.sf.object,
      ids: sfIds,
      fields: model.sf.fields,
      related: model.sf.related,
    }))
      changes.sf.set(r.Id, r);
  }
  if (qbIds.length > 0) for (const r of await qb.readMany(model.qb.entity, qbIds)) changes.qb.set(r.Id, r);
}

/**
 * Records held because their parent is not linked, whose parents are all still unlinked: reading them
 * again would only hold them again (a change to the record itself comes through the change read), so
 * they are not read until a parent is linked. At 100,000 pairs this saved ~35 calls on every run.
 */
async function waitingOnParents(store: Store, model: FlowModel, due: ErrorRow[]): Promise<Set<number>> {
  const refId = (v: unknown): string | null =>
    typeof v === 'string' && v !== ''
      ? v
      : v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string'
        ? (v as { value: string }).value
        : null;
  const refs = new Map<number, { side: 'sf' | 'qb'; ids: string[] }>();
  const wanted = { sf: new Set<string>(), qb: new Set<string>() };
  for (const e of due) {
    if (e.kind !== 'prerequisite' || !e.source_payload || typeof e.source_payload !== 'object') continue;
    if (e.direction !== 'qb->sf' && e.direction !== 'sf->qb') continue;
    const side = e.direction === 'qb->sf' ? 'qb' : 'sf';
    const paths = side === 'qb' ? model.lookups.toSf : model.lookups.toQb;
    const ids = paths.map((p) => refId(getPath(e.source_payload, p))).filter((x): x is string => !!x);
    if (ids.length === 0) continue;
    refs.set(e.id, { side, ids });
    for (const id of ids) wanted[side].add(id);
  }
  const waiting = new Set<number>();
  if (refs.size === 0) return waiting;
  const linked = {
    sf: wanted.sf.size ? await linksByIds(store.db, model.name, 'sf', [...wanted.sf]) : new Map(),
    qb: wanted.qb.size ? await linksByIds(store.db, model.name, 'qb', [...wanted.qb]) : new Map(),
  };
  for (const [id, r] of refs) if (r.ids.every((x) => !linked[r.side].has(x))) waiting.add(id);
  return waiting;
}

interface UnmatchedRecord {
  side: 'sf' | 'qb';
  id: string;
  label: string;
  reason: string;
  candidates: Candidate[];
}

/** Pairs what was read with links and matches; decides which lone records are created or listed. */
async function buildUnits(
  store: Store,
  model: FlowModel,
  sf: SfPort,
  qb: QbPort,
  changes: ChangeSet,
  selection: RecordSelection | undefined,
): Promise<{ work: Unit[]; unmatched: UnmatchedRecord[] }> {
  const db = store.db;
  const keep = selection?.keep;
  const sfLinks = await linksByIds(db, model.name, 'sf', [...changes.sf.keys()]);
  // A link found from the Salesforce side is not fetched (and held) a second time.
  const viaSf = new Map<string, LinkRow>();
  for (const l of sfLinks.values()) if (changes.qb.has(l.qb_id)) viaSf.set(l.qb_id, l);
  const qbLinks = await linksByIds(
    db,
    model.name,
    'qb',
    [...changes.qb.keys()].filter((id) => !viaSf.has(id)),
  );
  for (const [id, l] of viaSf) qbLinks.set(id, l);
  const byLink = new Map<number, Unit>();
  const lonelySf: SfRecord[] = [];
  const lonelyQb: QbRecord[] = [];
  for (const s of changes.sf.values()) {
    const link = sfLinks.get(s.Id);
    if (link) byLink.set(link.id, { link, s, q: null, keep });
    else lonelySf.push(s);
  }
  for (const q of changes.qb.values()) {
    const link = qbLinks.get(q.Id);
    if (!link) {
      lonelyQb.push(q);
      continue;
    }
    const unit = byLink.get(link.id);
    if (unit) unit.q = q;
    else byLink.set(link.id, { link, s: null, q, keep });
  }

  // Pairs a person linked by hand come first and bypass the rules.
  const forced = selection?.pairs ?? [];
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
  const forcedSf = new Set(forced.map((p) => p.sf));
  const forcedQb = new Set(forced.map((p) => p.qb));
  const liveSf = lonelySf.filter((s) => s.IsDeleted !== true && !forcedSf.has(s.Id));
  const liveQb = lonelyQb.filter((q) => q.Active !== false && q.status !== 'Deleted' && !forcedQb.has(q.Id));
  const match = await matchUnlinked(
    db,
    model.name,
    model.match,
    liveSf.map((s) => s.Id),
    liveQb.map((q) => q.Id),
  );
  match.pairs.unshift(...forced.map((p) => ({ sfId: p.sf, qbId: p.qb, rule: 'manual' as const })));

  // Matched pairs need both records: fetch the side this run did not read.
  const missingSf = match.pairs.filter((p) => !changes.sf.has(p.sfId)).map((p) => p.sfId);
  const missingQb = match.pairs.filter((p) => !changes.qb.has(p.qbId)).map((p) => p.qbId);
  const fetchedSf = new Map<string, SfRecord>();
  const fetchedQb = new Map<string, QbRecord>();
  if (missingSf.length > 0)
    for (const r of await sf.retrieve({
      object: model.sf.object,
      ids: missingSf,
      fields: model.sf.fields,
      related: model.sf.related,
    }))
      fetchedSf.set(r.Id, r);
  if (missingQb.length > 0) {
    const prune = qbPruner(model);
    for (const r of await qb.readMany(model.qb.entity, missingQb)) fetchedQb.set(r.Id, prune(r));
  }

  const work: Unit[] = [...byLink.values()];
  const pairedSf = new Set<string>();
  const pairedQb = new Set<string>();
  for (const p of match.pairs) {
    const s = changes.sf.get(p.sfId) ?? fetchedSf.get(p.sfId) ?? null;
    const q = changes.qb.get(p.qbId) ?? fetchedQb.get(p.qbId) ?? null;
    if (!s || !q) continue;
    pairedSf.add(p.sfId);
    pairedQb.add(p.qbId);
    work.push({ link: null, s, q, matchedBy: p.rule, keep });
  }

  const unmatched: UnmatchedRecord[] = [];
  const place = (side: 'sf' | 'qb', rec: SfRecord | QbRecord, gone: boolean) => {
    const unit: Unit =
      side === 'sf'
        ? { link: null, s: rec as SfRecord, q: null }
        : { link: null, s: null, q: rec as QbRecord };
    // A record deleted (or made inactive) before it was ever linked still goes through the plan,
    // which decides by the delete policy.
    if (gone) return void work.push(unit);
    const there = side === 'sf' ? 'QuickBooks' : 'Salesforce';
    if (!flows(model, side === 'sf' ? 'sf->qb' : 'qb->sf')) return;
    const candidates = match.candidates.get(`${side}:${rec.Id}`) ?? [];
    const label =
      side === 'sf' ? labelOf(model, rec as SfRecord, null) : labelOf(model, null, rec as QbRecord);
    const create = side === 'sf' ? model.createMissing.toQuickbooks : model.createMissing.toSalesforce;
    if (selection?.create) work.push(unit);
    else if (candidates.length > 0)
      unmatched.push({
        side,
        id: rec.Id,
        label,
        candidates,
        reason: `no rule could match it; ${candidates.length} possible match(es) in ${there} to review`,
      });
    else if (!create)
      unmatched.push({
        side,
        id: rec.Id,
        label,
        candidates,
        reason: `no matching ${there} record, and creating missing records in ${there} is off for this flow`,
      });
    else work.push(unit);
  };
  for (const s of lonelySf) if (!pairedSf.has(s.Id)) place('sf', s, s.IsDeleted === true);
  for (const q of lonelyQb)
    if (!pairedQb.has(q.Id)) place('qb', q, q.Active === false || q.status === 'Deleted');
  return { work, unmatched };
}

/** Records whose lookups are empty go first, so parents are linked before their children need them. */
function orderByDependency(model: FlowModel, units: Unit[]): Unit[] {
  const dependent = (u: Unit) =>
    (u.s && model.lookups.toQb.some((p) => !!getPath(u.s, p))) ||
    (u.q && model.lookups.toSf.some((p) => !!getPath(u.q, p)));
  return [...units.filter((u) => !dependent(u)), ...units.filter((u) => dependent(u))];
}

type LookupContext = { linked(direction: 'sf->qb' | 'qb->sf', id: string): string | null };

/** Resolves lookups of a chunk through links (stored, and made earlier in this run). */
async function lookupContext(
  store: Store,
  model: FlowModel,
  chunk: Unit[],
  runLinks: { sfToQb: Map<string, string>; qbToSf: Map<string, string> },
): Promise<LookupContext> {
  const refId = (v: unknown): string | null =>
    typeof v === 'string' && v !== ''
      ? v
      : v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string'
        ? (v as { value: string }).value
        : null;
  const sfIds = new Set<string>();
  const qbIds = new Set<string>();
  for (const u of chunk) {
    for (const p of model.lookups.toQb) {
      const id = u.s ? refId(getPath(u.s, p)) : null;
      if (id && !runLinks.sfToQb.has(id)) sfIds.add(id);
    }
    for (const p of model.lookups.toSf) {
      const id = u.q ? refId(getPath(u.q, p)) : null;
      if (id && !runLinks.qbToSf.has(id)) qbIds.add(id);
    }
  }
  const bySf: Map<string, LinkRow> = sfIds.size
    ? await linksByIds(store.db, model.name, 'sf', [...sfIds])
    : new Map();
  const byQb: Map<string, LinkRow> = qbIds.size
    ? await linksByIds(store.db, model.name, 'qb', [...qbIds])
    : new Map();
  return {
    linked(direction, id) {
      if (direction === 'sf->qb') return runLinks.sfToQb.get(id) ?? bySf.get(id)?.qb_id ?? null;
      return runLinks.qbToSf.get(id) ?? byQb.get(id)?.sf_id ?? null;
    },
  };
}

/**
 * An update to QuickBooks needs the record as it is now (its SyncToken, the sub-objects a sparse
 * update replaces, and whether it changed behind our back): read the ones this run has not seen, in
 * as few calls as the connector can, and plan them again.
 */
async function refreshForQbUpdates(
  model: FlowModel,
  qb: QbPort,
  decisions: Decision[],
  ctx: LookupContext,
  mayDefer: boolean,
): Promise<Decision[]> {
  const need = new Set(decisions.filter((d) => d.qb && d.qb.op !== 'create' && !d.unit.q && d.unit.link));
  if (need.size === 0) return decisions;
  const fresh = new Map(
    (
      await qb.readMany(
        model.qb.entity,
        [...need].map((d) => d.unit.link!.qb_id),
      )
    ).map((r) => [r.Id, r]),
  );
  return decisions.map((d) => {
    if (!need.has(d)) return d;
    const q = fresh.get(d.unit.link!.qb_id);
    if (!q) return d;
    return planUnit(model, { ...d.unit, q }, ctx, { mayDefer });
  });
}

/**
 * QuickBooks answered 5010 (stale SyncToken): someone changed the record after we read it. Read it
 * again and plan again — the new plan sees their change (a conflict, by the flow's rule) — then send
 * what is still needed. Two rounds at most; a record still stale goes to the error queue.
 */
async function retryStale(
  store: Store,
  model: FlowModel,
  qb: QbPort,
  works: Work[],
  ctx: LookupContext,
  opts: FlowRunOptions,
): Promise<{ works: Work[]; keys: string[]; stopped: RunStopped | null }> {
  const keys: string[] = [];
  let current = works;
  for (let round = 0; round < 2; round++) {
    const stale = current.filter((w) => w.qb?.stale && w.qbId);
    if (stale.length === 0) break;
    const fresh = new Map(
      (
        await qb.readMany(
          model.qb.entity,
          stale.map((w) => w.qbId!),
        )
      ).map((r) => [r.Id, r]),
    );
    const replanned = new Map<Work, Work>();
    for (const w of stale) {
      const q = fresh.get(w.qbId!);
      if (!q) continue;
      replanned.set(w, workFor(model, planUnit(model, { ...w.d.unit, q }, ctx, { mayDefer: false })));
    }
    const again = [...replanned.values()];
    const result = await writeQuickbooks(store, model, qb, again, {
      runId: opts.runId,
      concurrency: opts.qbConcurrency ?? 4,
    });
    keys.push(...result.keys);
    current = current.map((w) => replanned.get(w) ?? w);
    if (result.stopped) return { works: current, keys, stopped: result.stopped };
  }
  return { works: current, keys, stopped: null };
}

/** A decision as dry-run lines. */
function describe(model: FlowModel, d: Decision): PlannedChange[] {
  const { link, s, q } = d.unit;
  const base = {
    sfId: s?.Id ?? link?.sf_id ?? null,
    qbId: q?.Id ?? link?.qb_id ?? null,
    label: labelOf(model, s, q),
  };
  const out: PlannedChange[] = [];
  if (d.newLink) out.push({ ...base, action: 'link', target: 'both', changes: [], reason: d.newLink.origin });
  if (d.conflict)
    out.push({
      ...base,
      action: 'conflict',
      target: 'both',
      changes: [],
      reason: `${d.conflict.fields.join(', ')}: ${d.conflict.winner === 'held' ? 'held for review' : `${d.conflict.winner} wins`}`,
    });
  if (d.qb)
    out.push({
      ...base,
      action: d.qb.op === 'deactivate' ? 'deactivate' : d.qb.op,
      target: 'quickbooks',
      changes: d.qb.changes,
    });
  if (d.sf) {
    const extOnly = d.sf.op === 'update' && d.sf.changes.length === 0;
    if (!extOnly)
      out.push({
        ...base,
        action: d.sf.op === 'deactivate' ? 'deactivate' : d.sf.op,
        target: 'salesforce',
        changes: d.sf.changes,
      });
  }
  for (const h of d.held)
    out.push({
      ...base,
      action: h.kind === 'conflict' ? 'conflict' : 'held',
      target: h.direction === 'sf->qb' ? 'quickbooks' : h.direction === 'qb->sf' ? 'salesforce' : 'both',
      changes: [],
      reason: h.message,
    });
  return out;
}
