import { ApiLimitError, AuthError, ConnectorError } from '../connectors/errors.ts';
import { completedResults } from '../connectors/salesforce/index.ts';
import type { FlowModel } from './model.ts';
import type { SfPort, SfSaveResult } from './ports.ts';
import { sfFields } from './values.ts';
import { sfFailure, type Work, type WriteFailure } from './work.ts';
import { RunStopped } from './write-qbo.ts';

type Call = (records: Array<Record<string, unknown>>) => Promise<SfSaveResult[]>;

async function send(
  call: Call,
  rows: Array<{ w: Work; record: Record<string, unknown> }>,
  onResult: (w: Work, r: SfSaveResult | null, failure: WriteFailure | null) => void,
): Promise<RunStopped | null> {
  if (rows.length === 0) return null;
  let results: SfSaveResult[];
  try {
    results = await call(rows.map((r) => r.record));
  } catch (e) {
    // The calls before the one that failed were answered: those records have their real results
    // (saved, or refused on their own); only the records of the failed call and after fail here.
    const done = (completedResults(e) ?? []).slice(0, rows.length);
    report(rows.slice(0, done.length), done, onResult);
    const rest = rows.slice(done.length);
    if (e instanceof ApiLimitError || e instanceof AuthError) {
      for (const r of rest)
        onResult(r.w, null, { code: e.name, message: e.message, transient: true, payload: r.record });
      return new RunStopped(e, e instanceof ApiLimitError ? 'resumable' : 'failed');
    }
    const message = e instanceof Error ? e.message : String(e);
    const code = e instanceof ConnectorError ? (e.code ?? 'TRANSIENT') : 'TRANSIENT';
    for (const r of rest)
      onResult(r.w, null, {
        code,
        message: `Salesforce call failed: ${message}`,
        transient: true,
        payload: r.record,
      });
    return null;
  }
  report(rows, results, onResult);
  return null;
}

/** Hands each row its result: a success, or the errors Salesforce gave for that record. */
function report(
  rows: Array<{ w: Work; record: Record<string, unknown> }>,
  results: SfSaveResult[],
  onResult: (w: Work, r: SfSaveResult | null, failure: WriteFailure | null) => void,
): void {
  rows.forEach((row, i) => {
    const r = results[i] ?? null;
    if (r?.success) onResult(row.w, r, null);
    else
      onResult(
        row.w,
        r,
        sfFailure(
          r?.errors ?? [{ statusCode: 'NO_RESULT', message: 'no result for this record', fields: [] }],
          row.record,
        ),
      );
  });
}

/**
 * Sends the Salesforce writes of a chunk through composite/sobjects (the connector packs 200 records
 * per call): creates as upserts on the external-id field holding the QuickBooks id (a retry or a
 * re-run finds the record instead of creating another), updates by id, deletes; then the related
 * records (the primary Contact) once their parent's id is known.
 */
export async function writeSalesforce(
  model: FlowModel,
  sf: SfPort,
  works: Work[],
): Promise<RunStopped | null> {
  const object = model.sf.object;
  const ext = model.sf.externalIdField;
  const creates: Array<{ w: Work; record: Record<string, unknown> }> = [];
  const updates: Array<{ w: Work; record: Record<string, unknown> }> = [];
  const deletes: Work[] = [];

  for (const w of works) {
    const write = w.d.sf;
    // A record created in QuickBooks in this chunk carries its new id back to Salesforce.
    const createdQbId = w.d.qb?.op === 'create' && w.qb?.entity ? w.qb.entity.Id : null;
    if (createdQbId) w.qbId = createdQbId;
    if (!write && createdQbId && w.sfId) {
      updates.push({ w, record: { Id: w.sfId, [ext]: createdQbId } });
      w.linkedBack = true;
      continue;
    }
    if (!write) continue;
    if (write.op === 'create') {
      creates.push({ w, record: { ...sfFields(write.main), [ext]: w.qbId } });
    } else if (write.op === 'delete') {
      deletes.push(w);
    } else if (Object.keys(write.main).length > 0 && w.sfId) {
      updates.push({ w, record: { ...sfFields(write.main), Id: w.sfId } });
      if (ext in write.main) w.linkedBack = true;
    } else if (write.op === 'update' && w.sfId) {
      // Only its related records change: the main record is as it should be, without a write.
      w.sf = { ok: true, created: false };
    }
  }

  const onMain = (w: Work, r: SfSaveResult | null, failure: WriteFailure | null) => {
    if (failure) w.sf = { failure };
    else {
      w.sf = { ok: true, created: r?.created ?? false };
      if (r?.id) w.sfId = r.id;
    }
  };
  const stops: Array<RunStopped | null> = [];
  stops.push(await send((rs) => sf.upsert(object, ext, rs), creates, onMain));
  if (!stops[0])
    stops.push(await send((rs) => sf.update(object, rs as Array<{ Id: string }>), updates, onMain));
  if (!stops.some(Boolean) && deletes.length > 0) {
    stops.push(
      await send(
        (rs) => sf.destroy(rs.map((r) => String(r.Id))),
        deletes.map((w) => ({ w, record: { Id: w.sfId } })),
        onMain,
      ),
    );
  }
  const stopped = stops.find(Boolean) ?? null;
  if (stopped) return stopped;

  // Related records, after their parent: update the one we know, else create it idempotently.
  for (const rel of model.sf.related) {
    const relUpdates: Array<{ w: Work; record: Record<string, unknown> }> = [];
    const relUpserts: Array<{ w: Work; record: Record<string, unknown> }> = [];
    for (const w of works) {
      const values = w.d.sf?.related[rel.name];
      if (!values || Object.keys(values).length === 0) continue;
      if (w.d.sf!.op !== 'create' && w.d.sf!.op !== 'update') continue;
      if (w.sf?.failure || !w.sfId) continue;
      const existing =
        (w.d.unit.s?.[rel.name] as { Id?: string } | null | undefined)?.Id ??
        w.d.unit.link?.sf_related[rel.name];
      if (existing) relUpdates.push({ w, record: { ...sfFields(values), Id: existing } });
      else if (Object.values(values).some((v) => v !== null && v !== '')) {
        relUpserts.push({
          w,
          record: { ...sfFields(values), [rel.externalIdField]: w.qbId, [rel.parentField]: w.sfId },
        });
      }
    }
    const onRel = (w: Work, r: SfSaveResult | null, failure: WriteFailure | null) => {
      w.related[rel.name] = failure ? { failure } : { id: r?.id ?? undefined };
    };
    const relIds = new Map(relUpdates.map((x) => [x.w, x.record.Id as string]));
    const a = await send(
      (rs) => sf.update(rel.object, rs as Array<{ Id: string }>),
      relUpdates,
      (w, r, f) => {
        onRel(w, r, f);
        if (!f) w.related[rel.name] = { id: relIds.get(w) };
      },
    );
    if (a) return a;
    const b = await send((rs) => sf.upsert(rel.object, rel.externalIdField, rs), relUpserts, onRel);
    if (b) return b;
  }
  return null;
}
