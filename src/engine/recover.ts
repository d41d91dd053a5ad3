import { ApiLimitError, AuthError, ConnectorError } from '../connectors/errors.ts';
import type { Store } from '../store/database.ts';
import { pendingJournal, type JournalEntry } from '../store/journal.ts';
import { linksByIds } from '../store/links.ts';
import { commitChunk, directoryEntry, emptyCommit, qbStateOf } from './apply.ts';
import type { FlowModel } from './model.ts';
import type { QbPort, SfPort } from './ports.ts';
import type { QbJournalItem, QbJournalRequest } from './write-qbo.ts';
import { refusalFailure, refusedBatch, RunStopped } from './write-qbo.ts';

/**
 * Finishes what a crashed or interrupted run left in flight. Every QuickBooks batch still pending in
 * the journal is sent again, byte for byte, with its original request id: if QuickBooks executed it,
 * it replays the original answer; if not, it executes it now. Either way each record exists once,
 * and its link is recorded here before any new work is planned. A replay QuickBooks refuses as a
 * whole (a 4xx Fault: it applied nothing) abandons the entry and queues its records with the reason;
 * a replay whose outcome is still unknown leaves it pending and stops the run as resumable.
 */
export async function recoverPendingWrites(
  store: Store,
  model: FlowModel,
  qb: QbPort,
  sf: SfPort,
  runId: number,
): Promise<{ batches: number; created: number; updated: number }> {
  const pending = await pendingJournal<QbJournalRequest, QbJournalItem[]>(store.db, model.name);
  let created = 0;
  let updated = 0;
  for (const entry of pending) {
    if (entry.target !== 'qb') continue;
    let results;
    try {
      results = await qb.batch(entry.request.items, entry.key);
    } catch (e) {
      if (e instanceof ApiLimitError || e instanceof AuthError)
        throw new RunStopped(e, e instanceof ApiLimitError ? 'resumable' : 'failed');
      if (refusedBatch(e)) {
        await abandon(store, model, entry, refusalFailure(e), runId);
        continue;
      }
      // Still unreachable, or the answer says nothing certain: leave it pending for the next run;
      // nothing new is planned over it.
      if (e instanceof ConnectorError) throw new RunStopped(e, 'resumable');
      throw e;
    }
    const c = emptyCommit();
    const byBid = new Map(results.map((r) => [r.bId, r]));
    const existing = await linksByIds(
      store.db,
      model.name,
      'sf',
      entry.items.map((i) => i.sfId).filter((x): x is string => !!x),
    );
    const writeBack: Array<{ Id: string } & Record<string, unknown>> = [];
    for (const item of entry.items) {
      const r = byBid.get(item.bId);
      if (!r?.entity) continue; // a fault: the record is planned again from fresh reads
      const entity = r.entity;
      const link = item.sfId ? existing.get(item.sfId) : undefined;
      if (link) {
        c.linkChanges.push({
          id: link.id,
          qbVersion: entity.SyncToken ?? null,
          qbState: qbStateOf(model, entity),
        });
        updated++;
      } else if (item.sfId && item.sfState) {
        c.newLinks.push({
          flow: model.name,
          sfId: item.sfId,
          qbId: entity.Id,
          sfVersion: item.sfVersion,
          qbVersion: entity.SyncToken ?? null,
          sfState: item.sfState,
          qbState: qbStateOf(model, entity),
          origin: `${item.origin ?? 'created:quickbooks'} (recovered)`,
        });
        c.directory.qb.push(directoryEntry(model, 'qb', entity));
        c.outcomes.push({
          flow: model.name,
          direction: 'sf->qb',
          sfId: item.sfId,
          qbId: entity.Id,
          action: item.op === 'create' ? 'created' : 'updated',
          reason: 'recovered from an interrupted run',
        });
        if (item.op === 'create') {
          writeBack.push({ Id: item.sfId, [model.sf.externalIdField]: entity.Id });
          created++;
        } else updated++;
      }
    }
    if (writeBack.length > 0) {
      try {
        await sf.update(model.sf.object, writeBack);
      } catch (e) {
        if (e instanceof ApiLimitError || e instanceof AuthError)
          throw new RunStopped(e, e instanceof ApiLimitError ? 'resumable' : 'failed');
        // The link is what prevents duplicates; the id written into Salesforce is a convenience that
        // the next sync of the record writes again.
      }
    }
    c.journalKeys.push(entry.key);
    await commitChunk(store.db, model.name, runId, c);
  }
  return { batches: pending.length, created, updated };
}

/**
 * Gives up on a batch QuickBooks refused as a whole: it applied nothing, so the entry is abandoned
 * (never replayed again) and each of its records is queued with the reason; the records are planned
 * afresh, with new request ids, when they change or are retried.
 */
async function abandon(
  store: Store,
  model: FlowModel,
  entry: JournalEntry<QbJournalRequest, QbJournalItem[]>,
  failure: ReturnType<typeof refusalFailure>,
  runId: number,
): Promise<void> {
  const c = emptyCommit();
  const bodies = new Map(entry.request.items.map((i) => [i.bId, i.body]));
  for (const item of entry.items) {
    c.errors.push({
      flow: model.name,
      direction: 'sf->qb',
      kind: 'validation',
      sfId: item.sfId,
      qbId: item.qbId,
      code: failure.code,
      message: failure.message,
      targetPayload: bodies.get(item.bId),
      details: { journalKey: entry.key, op: item.op },
      runId,
    });
    c.outcomes.push({
      flow: model.name,
      direction: 'sf->qb',
      sfId: item.sfId,
      qbId: item.qbId,
      action: 'failed',
      reason: failure.message,
    });
  }
  c.abandonedKeys.push(entry.key);
  await commitChunk(store.db, model.name, runId, c);
}
