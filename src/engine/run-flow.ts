import type { Store } from '../store/database.ts';
import { getCursors, setCursor } from '../store/cursors.ts';
import { dueErrors } from '../store/error-queue.ts';
import { linksByIds, type LinkPair } from '../store/links.ts';
import { analyzeTables, ANALYZE_THRESHOLD } from '../store/statistics.ts';
import type { ErrorRow } from '../store/schema.ts';
import { commitChunk, emptyCommit, finishWorks, type Tally } from './apply.ts';
import type { FlowModel } from './model.ts';
import { getPath } from './paths.ts';
import { followQuickbooksResult, planUnit, type Decision, type FieldChange, type Unit } from './plan.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { ProgressListener } from './progress.ts';
import { nextCursor, readChanges, type ChangeSet } from './read-changes.ts';
import { ReadSet } from './read-set.ts';
import { trimHeap } from './memory.ts';
import { recoverPendingWrites } from './recover.ts';
import { buildUnits, loadUnits, orderByDependency, SelectionError, type UnitRef } from './units.ts';
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

export { SelectionError };

const MAX_WAVES = 6;

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
  const chunkSize = opts.chunkSize ?? 2000;
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

  const read = new ReadSet(store, model, opts.runId);
  try {
    if (!opts.dryRun) {
      progress({ type: 'phase', flow, phase: 'recover' });
      report.recovered = await recoverPendingWrites(store, model, qb, sf, opts.runId);
    }

    progress({ type: 'phase', flow, phase: 'read' });
    const cursors = await getCursors(db, flow);
    const missing: MissingRecord[] = [];
    const changes = opts.records
      ? await readRecords(store, model, sf, qb, opts.records, read, missing)
      : await readChanges(model, sf, qb, cursors, read, { overlapSeconds, onProgress: progress });
    if (!opts.records && changes.initial && !opts.dryRun) report.mode = 'initial';
    if (!opts.records && !opts.dryRun) await addDueErrors(store, model, sf, qb, read);
    report.read = { sf: read.size('sf'), qb: read.size('qb') };
    if (missing.length > 0) await skipMissing(store, model, opts, missing, plan, tally);

    // A directory that just grew a lot must be known to the planner before matching joins it.
    if (read.size('sf') + read.size('qb') >= ANALYZE_THRESHOLD)
      await analyzeTables(db, ['directory', 'links']);

    progress({ type: 'phase', flow, phase: 'match' });
    const units = await buildUnits(store, model, sf, qb, read, opts.records);
    trimHeap();
    // What a dry run would link: later records (sub-customers) may point at it. A real run's new
    // links are committed with their chunk, so the store answers for them.
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
    let queue = orderByDependency(read, units.work);
    units.work = [];
    units.unmatched = [];
    const total = queue.length;
    let done = 0;
    for (let wave = 1; wave <= MAX_WAVES && queue.length > 0; wave++) {
      const deferred: UnitRef[] = [];
      const last = wave === MAX_WAVES;
      for (let i = 0; i < queue.length; i += chunkSize) {
        const loaded = await loadUnits(store, read, queue.slice(i, i + chunkSize));
        const chunk = loaded.map((l) => l.unit);
        const ctx = await lookupContext(store, model, chunk, runLinks);
        let decisions = chunk.map((u) => planUnit(model, u, ctx, { mayDefer: !last }));
        decisions = await refreshForQbUpdates(model, qb, decisions, ctx, !last);

        const ready: Decision[] = [];
        // Decisions keep their units' order (a refreshed one carries a new unit object).
        decisions.forEach((d, k) => {
          if (d.defer) deferred.push(loaded[k]!.ref);
          else ready.push(d);
        });

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
        done += ready.length;
        progress({ type: 'write', flow, done, total });
        if (stopped) throw stopped;
        trimHeap();
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
    // Left behind only if the store itself failed: the next run's start clears it.
    await read.drop().catch(() => {});
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
  read: ReadSet,
  missing: MissingRecord[],
): Promise<ChangeSet> {
  const set: ChangeSet = { records: read, highWater: new Map(), initial: false };
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
    await read.add(
      'sf',
      await sf.retrieve({ object: model.sf.object, ids, fields, related: model.sf.related }),
    );
  };
  const readQb = async (ids: string[]) => {
    if (ids.length > 0) await read.add('qb', await qb.readMany(model.qb.entity, ids));
  };
  await readSf(sfIds);
  await readQb(qbIds);
  const sfFound = new Set(read.ids('sf').map((id) => id.slice(0, 15)));
  const lost = [
    ...sfIds.filter((id) => !sfFound.has(id.slice(0, 15))).map((id) => ({ side: 'sf' as const, id })),
    ...qbIds.filter((id) => !read.has('qb', id)).map((id) => ({ side: 'qb' as const, id })),
  ];
  const pairIds = new Set((records.pairs ?? []).flatMap((p) => [`sf:${p.sf}`, `qb:${p.qb}`]));
  const lostPairs = lost.filter((m) => pairIds.has(`${m.side}:${m.id}`));
  if (lostPairs.length > 0)
    throw new SelectionError(
      `not found: ${lostPairs.map((m) => (m.side === 'sf' ? `Salesforce ${model.sf.object} ${m.id}` : `QuickBooks ${model.qb.entity} ${m.id}`)).join(', ')}`,
    );
  missing.push(...lost);

  // The linked counterparts not selected themselves.
  const sfLinks = await linksByIds(store.db, model.name, 'sf', read.ids('sf'));
  const qbLinks = await linksByIds(store.db, model.name, 'qb', read.ids('qb'));
  await readSf([...new Set([...qbLinks.values()].map((l) => l.sf_id))].filter((id) => !read.has('sf', id)));
  await readQb([...new Set([...sfLinks.values()].map((l) => l.qb_id))].filter((id) => !read.has('qb', id)));
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
  read: ReadSet,
): Promise<void> {
  const all = await dueErrors(store.db, model.name);
  if (all.length === 0) return;
  const waiting = await waitingOnParents(store, model, all);
  const due = all.filter((e) => !waiting.has(e.id));
  const sfIds = [...new Set(due.map((e) => e.sf_id).filter((x): x is string => !!x && !read.has('sf', x)))];
  const qbIds = [...new Set(due.map((e) => e.qb_id).filter((x): x is string => !!x && !read.has('qb', x)))];
  if (sfIds.length > 0)
    await read.add(
      'sf',
      await sf.retrieve({
        object: model.sf.object,
        ids: sfIds,
        fields: model.sf.fields,
        related: model.sf.related,
      }),
    );
  if (qbIds.length > 0) await read.add('qb', await qb.readMany(model.qb.entity, qbIds));
}

/** The id a lookup value points at: a Salesforce id, or a QuickBooks reference's {value}. */
function refId(v: unknown): string | null {
  if (typeof v === 'string') return v !== '' ? v : null;
  if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string')
    return (v as { value: string }).value;
  return null;
}

/**
 * Records held because their parent is not linked, whose parents are all still unlinked: reading them
 * again would only hold them again (a change to the record itself comes through the change read), so
 * they are not read until a parent is linked. At 100,000 pairs this saved ~35 calls on every run.
 */
async function waitingOnParents(store: Store, model: FlowModel, due: ErrorRow[]): Promise<Set<number>> {
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

type LookupContext = { linked(direction: 'sf->qb' | 'qb->sf', id: string): string | null };

/** Resolves lookups of a chunk through links (stored, and made earlier in this run). */
async function lookupContext(
  store: Store,
  model: FlowModel,
  chunk: Unit[],
  runLinks: { sfToQb: Map<string, string>; qbToSf: Map<string, string> },
): Promise<LookupContext> {
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
  const bySf: Map<string, LinkPair> = sfIds.size
    ? await linksByIds(store.db, model.name, 'sf', [...sfIds])
    : new Map();
  const byQb: Map<string, LinkPair> = qbIds.size
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
