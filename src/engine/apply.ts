import type { Kysely } from 'kysely';
import { upsertDirectory, type DirectoryEntry } from '../store/directory.ts';
import { mergeErrors, queueErrors, resolveErrors, type QueuedErrorInput } from '../store/error-queue.ts';
import { journalAbandoned, journalApplied } from '../store/journal.ts';
import { insertLinks, updateLinks, type LinkChange, type NewLinkInput } from '../store/links.ts';
import { insertOutcomes, type OutcomeInput } from '../store/outcomes.ts';
import type { Schema } from '../store/schema.ts';
import { closeUnmatched, upsertUnmatched, type UnmatchedInput } from '../store/unmatched.ts';
import type { FlowModel, QbRecord, SfRecord } from './model.ts';
import { splitSfKey } from './plan.ts';
import type { Work } from './work.ts';

/** Everything a chunk's results change in the store, committed together in one transaction. */
export interface ChunkCommit {
  newLinks: NewLinkInput[];
  linkChanges: LinkChange[];
  outcomes: OutcomeInput[];
  errors: QueuedErrorInput[];
  resolved: Array<{ sfId: string | null; qbId: string | null }>;
  unmatched: UnmatchedInput[];
  closedUnmatched: { sf: string[]; qb: string[] };
  directory: { sf: DirectoryEntry[]; qb: DirectoryEntry[] };
  journalKeys: string[];
  /** Batches QuickBooks refused as a whole (not applied): never replayed; their records are queued. */
  abandonedKeys: string[];
}

/** An empty commit. */
export function emptyCommit(): ChunkCommit {
  return {
    newLinks: [],
    linkChanges: [],
    outcomes: [],
    errors: [],
    resolved: [],
    unmatched: [],
    closedUnmatched: { sf: [], qb: [] },
    directory: { sf: [], qb: [] },
    journalKeys: [],
    abandonedKeys: [],
  };
}

/** Writes a chunk's results: links, outcomes, queue entries and the journal marks, atomically. */
export async function commitChunk(
  db: Kysely<Schema>,
  flow: string,
  runId: number,
  c: ChunkCommit,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertLinks(trx, c.newLinks);
    await updateLinks(trx, c.linkChanges);
    await insertOutcomes(trx, runId, c.outcomes);
    await resolveErrors(trx, flow, c.resolved);
    await queueErrors(trx, c.errors);
    await upsertUnmatched(trx, c.unmatched);
    await closeUnmatched(trx, flow, 'sf', c.closedUnmatched.sf, 'linked');
    await closeUnmatched(trx, flow, 'qb', c.closedUnmatched.qb, 'linked');
    await upsertDirectory(trx, flow, 'sf', c.directory.sf);
    await upsertDirectory(trx, flow, 'qb', c.directory.qb);
    for (const key of c.journalKeys) await journalApplied(trx, key);
    for (const key of new Set(c.abandonedKeys)) await journalAbandoned(trx, key);
  });
}

/** A QuickBooks record's state with whether it is active. */
export function qbStateOf(model: FlowModel, q: QbRecord): Record<string, string> {
  return { ...model.qbState(q), $active: q.Active === false || q.status === 'Deleted' ? 'false' : 'true' };
}

/** A Salesforce record's state with whether it is live. */
export function sfStateOf(model: FlowModel, s: SfRecord): Record<string, string> {
  return { ...model.sfState(s), $active: s.IsDeleted ? 'false' : 'true' };
}

/** The directory entry of a record. */
export function directoryEntry(model: FlowModel, side: 'sf' | 'qb', r: SfRecord | QbRecord): DirectoryEntry {
  const k = model.keys(side, r);
  const ext = side === 'sf' ? (r as SfRecord)[model.sf.externalIdField] : null;
  return {
    id: r.Id,
    label: k.label,
    nameKey: k.name,
    emailKey: k.email,
    fuzzyKey: k.fuzzy,
    extKey: typeof ext === 'string' && ext !== '' ? ext : null,
    version: side === 'sf' ? ((r as SfRecord).SystemModstamp ?? null) : ((r as QbRecord).SyncToken ?? null),
    active:
      side === 'sf'
        ? (r as SfRecord).IsDeleted !== true
        : (r as QbRecord).Active !== false && (r as QbRecord).status !== 'Deleted',
  };
}

/** Counts for the run summary: "<direction> <action>" → n. */
export type Tally = Map<string, number>;

function count(t: Tally, key: string, n = 1): void {
  t.set(key, (t.get(key) ?? 0) + n);
}

/**
 * Turns a chunk of finished works into what the store must record. A side's state only ever moves to
 * what that side verifiably holds (a fresh read, or a write it acknowledged), so a failed write is
 * found again by the next comparison instead of being forgotten.
 */
export function finishWorks(model: FlowModel, works: Work[], runId: number, tally: Tally): ChunkCommit {
  const c = emptyCommit();
  const flow = model.name;
  for (const w of works) {
    const { d } = w;
    const { link, s, q } = d.unit;

    if (d.held.length > 0 && !d.qb && !d.sf) {
      for (const h of d.held) {
        c.errors.push({
          flow,
          direction: h.direction,
          kind: h.kind,
          sfId: w.sfId,
          qbId: w.qbId,
          code: h.code,
          message: h.message,
          sourcePayload: h.direction === 'qb->sf' ? q : s,
          targetPayload: h.direction === 'qb->sf' ? s : q,
          details: h.details,
          runId,
        });
        c.outcomes.push({
          flow,
          direction: h.direction,
          sfId: w.sfId,
          qbId: w.qbId,
          action: h.kind === 'conflict' ? 'conflict' : 'held',
          reason: h.message,
        });
        count(tally, `${h.direction} ${h.kind === 'conflict' ? 'conflict' : 'held'}`);
      }
      continue;
    }

    const failures: Array<{ direction: 'sf->qb' | 'qb->sf'; f: NonNullable<Work['qb']>['failure'] }> = [];
    if (w.qb?.failure) failures.push({ direction: 'sf->qb', f: w.qb.failure });
    if (w.sf?.failure) failures.push({ direction: 'qb->sf', f: w.sf.failure });
    for (const [name, r] of Object.entries(w.related))
      if (r.failure)
        failures.push({ direction: 'qb->sf', f: { ...r.failure, message: `${name}: ${r.failure.message}` } });

    // The QuickBooks side of the link.
    const qbEntity = w.qb?.entity;
    const qbOk = !!qbEntity;
    const qbState = qbEntity
      ? qbStateOf(model, qbEntity)
      : q
        ? qbStateOf(model, q)
        : (link?.qb_state ?? null);
    const qbVersion = qbEntity?.SyncToken ?? q?.SyncToken ?? link?.qb_version ?? null;
    if (qbEntity) w.qbId = qbEntity.Id;

    // The Salesforce side: what we read, plus what Salesforce acknowledged. When the QuickBooks
    // write failed, what it carried from Salesforce has not reached QuickBooks: the link keeps the
    // Salesforce state it had, so the next comparison (a retry, the next change) sees those values as
    // Salesforce's changes and sends them again — rather than QuickBooks' older values as newer.
    const qbWriteFailed = !!(link && d.qb && w.qb?.failure);
    let sfState: Record<string, string> | null = qbWriteFailed
      ? { ...link!.sf_state }
      : s
        ? sfStateOf(model, s)
        : link
          ? { ...link.sf_state }
          : d.sf?.op === 'create'
            ? {}
            : null;
    const sfOk = !!w.sf?.ok;
    if (sfState && d.sf && sfOk) {
      for (const [g, h] of Object.entries(d.written.sf)) {
        const { rel } = splitSfKey(model, g);
        if (rel && !w.related[rel]?.id) continue;
        sfState[g] = h;
      }
    }
    if (sfState && d.sf?.op === 'create' && !sfOk) sfState = null;
    const sfRelated: Record<string, string> = { ...(link?.sf_related ?? {}) };
    for (const rel of model.sf.related) {
      const known = (s?.[rel.name] as { Id?: string } | null | undefined)?.Id;
      if (known) sfRelated[rel.name] = known;
      const written = w.related[rel.name]?.id;
      if (written) sfRelated[rel.name] = written;
    }

    if (link) {
      c.linkChanges.push({
        id: link.id,
        sfVersion: qbWriteFailed ? link.sf_version : (s?.SystemModstamp ?? link.sf_version),
        qbVersion,
        sfState: sfState ?? undefined,
        qbState: qbState ?? undefined,
        sfRelated,
      });
    } else if (w.sfId && w.qbId && sfState && qbState && (qbOk || sfOk || d.newLink)) {
      const origin =
        d.newLink?.origin ?? (d.qb?.op === 'create' ? 'created:quickbooks' : 'created:salesforce');
      c.newLinks.push({
        flow,
        sfId: w.sfId,
        qbId: w.qbId,
        sfVersion: s?.SystemModstamp ?? null,
        qbVersion,
        sfState,
        qbState,
        sfRelated,
        origin,
      });
      c.closedUnmatched.sf.push(w.sfId);
      c.closedUnmatched.qb.push(w.qbId);
      if (d.newLink) {
        c.outcomes.push({
          flow,
          direction: 'link',
          sfId: w.sfId,
          qbId: w.qbId,
          action: 'linked',
          reason: d.newLink.origin,
        });
        count(tally, 'link linked');
      }
    }

    if (d.conflict) {
      c.outcomes.push({
        flow,
        direction: 'link',
        sfId: w.sfId,
        qbId: w.qbId,
        action: 'conflict',
        reason: `${d.conflict.fields.join(', ')} changed on both sides; ${d.conflict.policy} → ${d.conflict.winner === 'none' ? 'both kept' : `${d.conflict.winner} wins`}`,
      });
      count(tally, 'link conflict');
    }

    if (d.qb && qbOk) {
      const action = d.qb.op === 'create' ? 'created' : d.qb.op === 'deactivate' ? 'deactivated' : 'updated';
      c.outcomes.push({
        flow,
        direction: 'sf->qb',
        sfId: w.sfId,
        qbId: w.qbId,
        action,
        changes: d.qb.changes,
      });
      count(tally, `sf->qb ${action}`);
      if (d.qb.op === 'create') c.directory.qb.push(directoryEntry(model, 'qb', qbEntity));
    }
    if (d.sf && sfOk && !(d.sf.op === 'update' && d.sf.changes.length === 0)) {
      const action =
        d.sf.op === 'create'
          ? w.sf?.created === false
            ? 'updated'
            : 'created'
          : d.sf.op === 'delete'
            ? 'deleted'
            : d.sf.op === 'deactivate'
              ? 'deactivated'
              : 'updated';
      c.outcomes.push({
        flow,
        direction: 'qb->sf',
        sfId: w.sfId,
        qbId: w.qbId,
        action,
        changes: d.sf.changes,
      });
      count(tally, `qb->sf ${action}`);
      if (d.sf.op === 'create' && w.sfId) {
        const pseudo: SfRecord = {
          Id: w.sfId,
          ...Object.fromEntries(
            Object.entries(d.sf.main).map(([k, v]) => [
              k,
              typeof v === 'object' && v ? ('ref' in v ? v.ref : v.decimal) : v,
            ]),
          ),
        };
        for (const [name, values] of Object.entries(d.sf.related)) pseudo[name] = values;
        pseudo[model.sf.externalIdField] = w.qbId;
        c.directory.sf.push(directoryEntry(model, 'sf', pseudo));
      }
    }

    for (const h of d.held) {
      c.errors.push({
        flow,
        direction: h.direction,
        kind: h.kind,
        sfId: w.sfId,
        qbId: w.qbId,
        code: h.code,
        message: h.message,
        details: h.details,
        runId,
        sourcePayload: h.direction === 'qb->sf' ? q : s,
      });
      c.outcomes.push({
        flow,
        direction: h.direction,
        sfId: w.sfId,
        qbId: w.qbId,
        action: 'held',
        reason: h.message,
      });
      count(tally, `${h.direction} held`);
    }
    for (const { direction, f } of failures) {
      c.errors.push({
        flow,
        direction,
        kind: f!.transient ? 'transient' : 'validation',
        sfId: w.sfId,
        qbId: w.qbId,
        code: f!.code,
        message: f!.message,
        sourcePayload: direction === 'sf->qb' ? s : q,
        targetPayload: f!.payload,
        runId,
      });
      c.outcomes.push({ flow, direction, sfId: w.sfId, qbId: w.qbId, action: 'failed', reason: f!.message });
      count(tally, `${direction} failed`);
    }

    if (d.quiet) {
      const direction = link ? 'link' : s ? 'sf->qb' : 'qb->sf';
      c.outcomes.push({
        flow,
        direction,
        sfId: w.sfId,
        qbId: w.qbId,
        action: d.quiet.action,
        reason: d.quiet.reason,
      });
      count(tally, `${direction} ${d.quiet.action}`);
    }
    if (failures.length === 0 && d.held.length === 0) c.resolved.push({ sfId: w.sfId, qbId: w.qbId });
  }
  for (const w of works) if (w.qb?.abandonedKey) c.abandonedKeys.push(w.qb.abandonedKey);
  c.abandonedKeys = [...new Set(c.abandonedKeys)];
  // A record held for two reasons in one direction (a parent not linked yet and a phone too long)
  // is one queue entry with both reasons.
  c.errors = mergeErrors(c.errors);
  return c;
}
