import type { ErrorKind, LinkRow } from '../store/schema.ts';
import {
  flows,
  type ConflictPolicy,
  type FlowModel,
  type MapContext,
  type MappedValue,
  type MapProblem,
  type MapResult,
  type QbRecord,
  type SfRecord,
} from './model.ts';
import { getPath, setPath } from './paths.ts';
import { toQbJson, toSfJson } from './values.ts';

/**
 * Planning: for one record pair (a "unit"), decide what each side should receive, purely from the
 * records read, the link's last-synced state and the flow's rules. No I/O here, so a dry run and a
 * real run plan exactly the same writes.
 */

/** One record pair under consideration: an existing link, a new match, or a record on one side only. */
export interface Unit {
  link: LinkRow | null;
  s: SfRecord | null;
  q: QbRecord | null;
  /** The matching rule that paired s and q in this run (new link). */
  matchedBy?: string;
  /** The conflict winner chosen by a person (errors retry --keep). */
  keep?: 'salesforce' | 'quickbooks';
}

/** One field's value before and after, for outcomes and dry runs. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: MappedValue;
}

export interface QbWrite {
  op: 'create' | 'update' | 'deactivate';
  /** QuickBooks field paths → values: all of them for a create, the changed ones for an update. */
  values: Record<string, MappedValue>;
  /** Set Active back to true (a record deactivated by a delete policy is live again on the other side). */
  reactivate?: boolean;
  changes: FieldChange[];
}

export interface SfWrite {
  op: 'create' | 'update' | 'delete' | 'deactivate';
  main: Record<string, MappedValue>;
  /** Per related record (e.g. contact): its fields. */
  related: Record<string, Record<string, MappedValue>>;
  changes: FieldChange[];
}

export interface Held {
  direction: 'sf->qb' | 'qb->sf' | 'link';
  kind: ErrorKind;
  code: string;
  message: string;
  details?: unknown;
}

export interface Decision {
  unit: Unit;
  qb?: QbWrite;
  sf?: SfWrite;
  /** Nothing to write (including our own echoes), or skipped by a rule; with why. */
  quiet?: { action: 'unchanged' | 'skipped'; reason: string };
  held: Held[];
  /** A lookup target is not linked yet: try again after the records it depends on. */
  defer?: string;
  conflict?: {
    fields: string[];
    policy: ConflictPolicy | 'first-link';
    winner: 'salesforce' | 'quickbooks' | 'none' | 'held';
  };
  /** Set when this decision links a new pair. */
  newLink?: { origin: string };
  /** Hashes of the values this decision writes, per side (for the link state after the write). */
  written: { sf: Record<string, string>; qb: Record<string, string> };
}

function empty(v: MappedValue | undefined): boolean {
  return v === null || v === undefined || v === '';
}

function displayValue(v: unknown): unknown {
  return v === undefined ? null : v;
}

function relevantProblems(result: MapResult | null, fields: Iterable<string>): MapProblem[] {
  if (!result) return [];
  const set = new Set(fields);
  return result.problems.filter((p) => set.has(p.field));
}

function heldFor(direction: 'sf->qb' | 'qb->sf', problems: MapProblem[]): Held {
  const codes = [...new Set(problems.map((p) => p.code))];
  const prerequisite = codes.every((c) => c === 'unresolved-lookup' || c === 'required');
  return {
    direction,
    kind: prerequisite ? 'prerequisite' : 'validation',
    code: codes.join(','),
    message: problems.map((p) => p.message).join('; '),
    details: problems,
  };
}

function isDeletedSf(s: SfRecord | null): boolean {
  return !!s && s.IsDeleted === true;
}

function isInactiveQb(q: QbRecord | null): boolean {
  return !!q && (q.Active === false || q.status === 'Deleted');
}

function timeOf(v: unknown): number {
  if (typeof v !== 'string') return 0;
  // Salesforce writes "+0000"; Date.parse wants "+00:00".
  const t = Date.parse(v.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(t) ? t : 0;
}

/** Plans one unit. `ctx` resolves lookups through links (parents first, see defer). */
export function planUnit(
  model: FlowModel,
  unit: Unit,
  ctx: Omit<MapContext, 'isCreate'>,
  opts: { mayDefer?: boolean } = {},
): Decision {
  const mayDefer = opts.mayDefer ?? true;
  const { link, s, q } = unit;
  const d: Decision = { unit, held: [], written: { sf: {}, qb: {} } };
  const sfDead = isDeletedSf(s);
  const qbDead = isInactiveQb(q);

  // Deletes and deactivations, by rule, never silently.
  if (sfDead || qbDead) {
    if (!link) {
      d.quiet = {
        action: 'skipped',
        reason: sfDead ? 'deleted in Salesforce and never linked' : 'inactive in QuickBooks and never linked',
      };
      return d;
    }
    if (sfDead && qbDead) {
      d.quiet = { action: 'unchanged', reason: 'deleted in Salesforce and inactive in QuickBooks' };
      return d;
    }
    if (sfDead) return planDelete(model, d, 'sf->qb');
    return planDelete(model, d, 'qb->sf');
  }

  const canQb = !!s && flows(model, 'sf->qb') && model.accepts('sf', s);
  const canSf = !!q && flows(model, 'qb->sf') && model.accepts('qb', q);
  if (!link && s && !q && !canQb) {
    d.quiet = {
      action: 'skipped',
      reason: flows(model, 'sf->qb') ? 'does not meet the flow criteria' : 'the flow does not sync sf->qb',
    };
    return d;
  }
  if (!link && q && !s && !canSf) {
    d.quiet = {
      action: 'skipped',
      reason: flows(model, 'qb->sf') ? 'does not meet the flow criteria' : 'the flow does not sync qb->sf',
    };
    return d;
  }
  if (!link && !s && !q) {
    d.quiet = { action: 'skipped', reason: 'nothing to sync' };
    return d;
  }
  const createQb = !link && !q;
  const createSf = !link && !s;
  const relatedIsCreate = Object.fromEntries(
    model.sf.related.map((r) => [
      r.name,
      createSf || (!(s?.[r.name] as { Id?: string } | null | undefined)?.Id && !link?.sf_related[r.name]),
    ]),
  );
  const mapQb = (rec: SfRecord) => model.toQb(rec, { ...ctx, isCreate: createQb });
  const mapSf = (rec: QbRecord) => model.toSf(rec, { ...ctx, isCreate: createSf, relatedIsCreate });

  // Bases: what each side had when last in step; for records not linked yet, what each side has now.
  const qbNow = q ? model.qbState(q) : null;
  const sfNow = s ? model.sfState(s) : null;
  const qbBase = link ? link.qb_state : (qbNow ?? {});
  const sfBase = link ? link.sf_state : (sfNow ?? {});

  let toQb = canQb ? mapQb(s!) : null;
  let toSf = canSf ? mapSf(q!) : null;
  // Unresolved lookups are judged on the records as read: a projected record lacks the value an
  // unresolved lookup left out, and would read as "no parent".
  const firstProblems = { qb: toQb?.problems ?? [], sf: toSf?.problems ?? [] };
  // A lookup pointing at a record not linked yet is unknown to the other side, not empty there: the
  // other side's empty value must not clear it (that would detach a sub-customer from its parent,
  // and plan the same write again on every run).
  const unknownQb = new Set<string>();
  const unknownSf = new Set<string>();
  for (const p of model.pairs) {
    if (!p.sf || !p.qb) continue;
    const sfKey = sfKeyOf(model, p.sf);
    if (firstProblems.sf.some((x) => x.code === 'unresolved-lookup' && x.field === sfKey))
      unknownQb.add(p.qb);
    if (firstProblems.qb.some((x) => x.code === 'unresolved-lookup' && x.field === p.qb))
      unknownSf.add(sfKey);
  }
  const deltaQb = new Map<string, MappedValue>();
  const deltaSf = new Map<string, MappedValue>();
  if (toQb) {
    for (const [f, v] of Object.entries(toQb.values)) {
      const h = toQb.hashes[f];
      if (createQb) {
        if (!empty(v)) deltaQb.set(f, v);
        continue;
      }
      if (h === qbBase[f]) continue;
      if (qbNow && h === qbNow[f]) continue; // QuickBooks already holds it
      if (unknownQb.has(f) && empty(v)) continue;
      deltaQb.set(f, v);
    }
  }
  if (toSf) {
    for (const [g, v] of Object.entries(toSf.values)) {
      const h = toSf.hashes[g];
      if (createSf) {
        deltaSf.set(g, v);
        continue;
      }
      if (h === sfBase[g]) continue;
      if (sfNow && h === sfNow[g]) continue;
      if (unknownSf.has(g) && empty(v)) continue;
      deltaSf.set(g, v);
    }
  }

  // Conflicts: a two-way field that moved on both sides, to different values.
  const conflicted: Array<{ sf: string; qb: string }> = [];
  for (const p of model.pairs) {
    if (p.direction !== 'both' || !p.sf || !p.qb) continue;
    const sfKey = sfKeyOf(model, p.sf);
    if (!deltaQb.has(p.qb) || !deltaSf.has(sfKey)) continue;
    if (link && qbNow && sfNow) {
      const qbMoved = qbNow[p.qb] !== link.qb_state[p.qb];
      const sfMoved = sfNow[sfKey] !== link.sf_state[sfKey];
      if (!(qbMoved && sfMoved)) continue;
    }
    conflicted.push({ sf: sfKey, qb: p.qb });
  }
  if (conflicted.length > 0) {
    const fields = conflicted.map((c) => `${c.sf} ↔ ${c.qb}`);
    let winner: 'salesforce' | 'quickbooks' | 'none' | 'held';
    if (unit.keep) winner = unit.keep;
    else if (!link) winner = model.onFirstLink;
    else if (model.conflict === 'salesforce-wins') winner = 'salesforce';
    else if (model.conflict === 'quickbooks-wins') winner = 'quickbooks';
    else if (model.conflict === 'last-writer-wins')
      winner =
        timeOf(s?.LastModifiedDate) > timeOf(q?.MetaData?.LastUpdatedTime) ? 'salesforce' : 'quickbooks';
    else winner = 'held';
    d.conflict = { fields, policy: link ? model.conflict : 'first-link', winner };
    if (winner === 'held') {
      d.held.push({
        direction: 'link',
        kind: 'conflict',
        code: 'CONFLICT',
        message: `both sides changed ${fields.join(', ')} since the last sync; held for review (flow policy: hold)`,
        details: {
          fields: conflicted.map((c) => ({
            salesforce: { field: c.sf, value: displayValue(s ? readSfKey(model, s, c.sf) : null) },
            quickbooks: { field: c.qb, value: displayValue(q ? getPath(q, c.qb) : null) },
          })),
        },
      });
      return d;
    }
    for (const c of conflicted) {
      if (winner === 'salesforce' || winner === 'none') deltaSf.delete(c.sf);
      if (winner === 'quickbooks' || winner === 'none') deltaQb.delete(c.qb);
    }
  }

  // Derived values follow: a field one side receives may feed another mapping back (Account.Name
  // → CompanyName after the name came from QuickBooks). Plan on the records as they will be, until
  // nothing moves, so one run leaves both sides settled instead of the next run finishing the job.
  let sfAfter: SfRecord = projectSf(model, s ?? { Id: '' }, deltaSf);
  let qbAfter: QbRecord = projectQb(q ?? { Id: '' }, deltaQb);
  const directQb = new Set(deltaQb.keys());
  const directSf = new Set(deltaSf.keys());
  const derivedQb = new Set<string>();
  const derivedSf = new Set<string>();
  // A side not read in this run is as the link last saw it, except what this plan moves: comparing
  // with an empty record would plan updates that a fresh read then finds unnecessary.
  const qbHolds = (f: string, h: string | undefined, now: Record<string, string>) =>
    h === now[f] || (!q && !!link && !deltaQb.has(f) && h === link.qb_state[f]);
  const sfHolds = (g: string, h: string | undefined, now: Record<string, string>) =>
    h === now[g] || (!s && !!link && !deltaSf.has(g) && h === link.sf_state[g]);
  for (let round = 0; round < 3; round++) {
    let moved = false;
    if (canQb || (createSf && flows(model, 'sf->qb') && q)) {
      toQb = mapQb(sfAfter);
      const nowQb = model.qbState(qbAfter);
      for (const [f, v] of Object.entries(toQb.values)) {
        if (qbHolds(f, toQb.hashes[f], nowQb) || ((createQb || unknownQb.has(f)) && empty(v))) continue;
        if (conflicted.some((c) => c.qb === f)) continue;
        deltaQb.set(f, v);
        if (!directQb.has(f)) derivedQb.add(f);
        qbAfter = projectQb(qbAfter, new Map([[f, v]]));
        moved = true;
      }
    }
    if (canSf || (createQb && flows(model, 'qb->sf') && s)) {
      toSf = mapSf(qbAfter);
      const nowSf = model.sfState(sfAfter);
      for (const [g, v] of Object.entries(toSf.values)) {
        if (sfHolds(g, toSf.hashes[g], nowSf) || (unknownSf.has(g) && empty(v))) continue;
        if (conflicted.some((c) => c.sf === g)) continue;
        deltaSf.set(g, v);
        if (!directSf.has(g)) derivedSf.add(g);
        sfAfter = projectSf(model, sfAfter, new Map([[g, v]]));
        moved = true;
      }
    }
    if (!moved) break;
  }

  if (!link && s && q) d.newLink = { origin: `matched:${unit.matchedBy ?? 'rule'}` };

  // Lookups first: a value pointing at a record not linked yet waits for it (the parent is usually
  // linked later in the same run). An unresolved lookup leaves its field out of the values, so it is
  // looked for among all problems, not only those of values being written.
  const unresolvedQb = [...firstProblems.qb, ...(toQb?.problems ?? [])].filter(
    (p, i, all) => p.code === 'unresolved-lookup' && all.findIndex((x) => x.field === p.field) === i,
  );
  const unresolvedSf = [...firstProblems.sf, ...(toSf?.problems ?? [])].filter(
    (p, i, all) => p.code === 'unresolved-lookup' && all.findIndex((x) => x.field === p.field) === i,
  );
  if (unresolvedQb.length + unresolvedSf.length > 0 && mayDefer) {
    d.defer = [...unresolvedQb, ...unresolvedSf].map((p) => p.message).join('; ');
    return d;
  }
  // No more waiting: a record is never created without its parent; an update goes ahead without
  // the lookup, which stays queued (retried automatically) until the parent is linked.
  if (unresolvedQb.length > 0 && !createQb) d.held.push(heldFor('sf->qb', unresolvedQb));
  if (unresolvedSf.length > 0 && !createSf) d.held.push(heldFor('qb->sf', unresolvedSf));

  // Values derived from one side's planned write follow it only when that write goes ahead: a held
  // write (a name too long for Salesforce, a create missing a required field) must not reach the
  // other side through a mapping that reads it back (Account.Name → CompanyName), or the same
  // derived write repeats on every run while the record stays held.
  const blocking = (r: MapResult | null, keys: Iterable<string>, create: boolean) =>
    (create ? (r?.problems ?? []) : relevantProblems(r, keys).filter((p) => p.code !== 'unresolved-lookup'))
      .length > 0;
  const sfHeld = blocking(toSf, deltaSf.keys(), createSf);
  const qbHeld = blocking(toQb, deltaQb.keys(), createQb);
  if (sfHeld) for (const f of derivedQb) deltaQb.delete(f);
  if (qbHeld) for (const g of derivedSf) deltaSf.delete(g);

  const qbProblems = createQb
    ? (toQb?.problems ?? [])
    : relevantProblems(toQb, deltaQb.keys()).filter((p) => p.code !== 'unresolved-lookup');
  const reactivateQb = !!link && link.qb_state.$active === 'false';
  if (qbProblems.length > 0) d.held.push(heldFor('sf->qb', qbProblems));
  else if (deltaQb.size > 0 || reactivateQb) {
    d.qb = {
      op: createQb ? 'create' : 'update',
      values: Object.fromEntries(deltaQb),
      reactivate: reactivateQb || undefined,
      changes: [...deltaQb].map(([field, to]) => ({
        field,
        from: displayValue(q ? getPath(q, field) : null),
        to,
      })),
    };
    for (const f of deltaQb.keys()) d.written.qb[f] = toQb?.hashes[f] ?? hashOf(model, 'qb', qbAfter, f);
  }

  const sfProblems = createSf
    ? (toSf?.problems ?? [])
    : relevantProblems(toSf, deltaSf.keys()).filter((p) => p.code !== 'unresolved-lookup');
  const main: Record<string, MappedValue> = {};
  const related: Record<string, Record<string, MappedValue>> = {};
  if (sfProblems.length > 0) d.held.push(heldFor('qb->sf', sfProblems));
  else {
    if (
      link &&
      link.sf_state.$active === 'false' &&
      model.deletes.toSalesforce === 'deactivate' &&
      model.sf.activeField
    ) {
      main[model.sf.activeField] = true;
      d.written.sf.$active = 'true';
    }
    for (const [g, v] of deltaSf) {
      const { rel, field } = splitSfKey(model, g);
      if (rel) (related[rel] ??= {})[field] = v;
      else main[field] = v;
      d.written.sf[g] = toSf?.hashes[g] ?? hashOf(model, 'sf', sfAfter, g);
    }
  }
  // A pair linked now carries the QuickBooks id into Salesforce: visible to users, and the
  // external-id rule relinks it if a link is ever lost.
  const qbId = q?.Id ?? link?.qb_id;
  if (s && qbId && s[model.sf.externalIdField] !== qbId && !createSf) main[model.sf.externalIdField] = qbId;
  if (Object.keys(main).length > 0 || Object.keys(related).length > 0) {
    d.sf = {
      op: createSf ? 'create' : 'update',
      main,
      related,
      changes: [...deltaSf].map(([field, to]) => ({
        field,
        from: displayValue(s ? readSfKey(model, s, field) : null),
        to,
      })),
    };
  }

  if (!d.qb && !d.sf && d.held.length === 0) {
    d.quiet = {
      action: 'unchanged',
      reason: d.newLink
        ? 'linked; both sides already agree'
        : 'no mapped field changed (or the change was our own write)',
    };
  }
  return d;
}

/** The state key of a Salesforce field as the mapping names it ("related.contact.Email" for "contact.Email"). */
function sfKeyOf(model: FlowModel, field: string): string {
  const dot = field.indexOf('.');
  if (dot > 0 && model.sf.related.some((r) => r.name === field.slice(0, dot))) return `related.${field}`;
  return field;
}

/** Splits a Salesforce value key into its related record (if any) and field. */
export function splitSfKey(model: FlowModel, key: string): { rel: string | null; field: string } {
  const k = key.startsWith('related.') ? key.slice('related.'.length) : key;
  const dot = k.indexOf('.');
  if (dot > 0 && model.sf.related.some((r) => r.name === k.slice(0, dot)))
    return { rel: k.slice(0, dot), field: k.slice(dot + 1) };
  return { rel: null, field: key };
}

function readSfKey(model: FlowModel, s: SfRecord, key: string): unknown {
  const { rel, field } = splitSfKey(model, key);
  if (!rel) return s[field];
  const r = s[rel] as Record<string, unknown> | null | undefined;
  return r ? r[field] : null;
}

/** A Salesforce record as it will be once these values are written. */
function projectSf(model: FlowModel, s: SfRecord, values: Map<string, MappedValue>): SfRecord {
  const out: SfRecord = { ...s };
  for (const [key, v] of values) {
    const { rel, field } = splitSfKey(model, key);
    const raw = toSfJson(v);
    if (!rel) out[field] = raw;
    else out[rel] = { ...((out[rel] as Record<string, unknown> | null | undefined) ?? {}), [field]: raw };
  }
  return out;
}

/** A QuickBooks record as it will be once these values are written. */
function projectQb(q: QbRecord, values: Map<string, MappedValue>): QbRecord {
  const out = structuredClone(q);
  for (const [path, v] of values) setPath(out, path, toQbJson(v));
  return out;
}

function hashOf(model: FlowModel, side: 'sf' | 'qb', record: SfRecord | QbRecord, key: string): string {
  const state = side === 'sf' ? model.sfState(record as SfRecord) : model.qbState(record as QbRecord);
  return state[key] ?? '';
}

function planDelete(model: FlowModel, d: Decision, direction: 'sf->qb' | 'qb->sf'): Decision {
  const link = d.unit.link!;
  if (direction === 'sf->qb') {
    const policy = model.deletes.toQuickbooks;
    if (!flows(model, 'sf->qb') || policy === 'ignore') {
      d.quiet = {
        action: 'skipped',
        reason: `deleted in Salesforce; delete policy toQuickbooks is ${flows(model, 'sf->qb') ? 'ignore' : 'not applicable (one-way flow)'}`,
      };
      return d;
    }
    if (link.qb_state.$active === 'false') {
      d.quiet = { action: 'unchanged', reason: 'deleted in Salesforce; already inactive in QuickBooks' };
      return d;
    }
    // QuickBooks name lists cannot be deleted: "delete" deactivates, as QuickBooks itself does.
    d.qb = { op: 'deactivate', values: {}, changes: [{ field: 'Active', from: true, to: false }] };
    d.written.qb.$active = 'false';
    return d;
  }
  const policy = model.deletes.toSalesforce;
  if (!flows(model, 'qb->sf') || policy === 'ignore') {
    d.quiet = {
      action: 'skipped',
      reason: `inactive in QuickBooks; delete policy toSalesforce is ${flows(model, 'qb->sf') ? 'ignore' : 'not applicable (one-way flow)'}`,
    };
    return d;
  }
  if (link.sf_state.$active === 'false') {
    d.quiet = { action: 'unchanged', reason: 'inactive in QuickBooks; already handled in Salesforce' };
    return d;
  }
  if (policy === 'delete') {
    d.sf = { op: 'delete', main: {}, related: {}, changes: [] };
  } else {
    const field = model.sf.activeField!;
    d.sf = {
      op: 'deactivate',
      main: { [field]: false },
      related: {},
      changes: [{ field, from: true, to: false }],
    };
  }
  d.written.sf.$active = 'false';
  return d;
}

/**
 * After QuickBooks answered a write with the record as it now is, values QuickBooks computes itself
 * (Balance, FullyQualifiedName …) may be new for Salesforce: add them to this unit's Salesforce write.
 */
export function followQuickbooksResult(
  model: FlowModel,
  d: Decision,
  entity: QbRecord,
  ctx: Omit<MapContext, 'isCreate'>,
): void {
  if (!flows(model, 'qb->sf') || d.sf?.op === 'delete' || d.sf?.op === 'deactivate') return;
  const { s, link } = d.unit;
  if (!s && !link && !d.sf) return;
  const planned = new Map<string, MappedValue>();
  for (const [k, v] of Object.entries(d.sf?.main ?? {})) planned.set(k, v);
  for (const [rel, values] of Object.entries(d.sf?.related ?? {}))
    for (const [k, v] of Object.entries(values)) planned.set(`related.${rel}.${k}`, v);
  const after = projectSf(model, s ?? { Id: link?.sf_id ?? '' }, planned);
  const relatedIsCreate = Object.fromEntries(
    model.sf.related.map((r) => [
      r.name,
      !(after[r.name] as { Id?: string } | null | undefined)?.Id && !link?.sf_related[r.name],
    ]),
  );
  const res = model.toSf(entity, { ...ctx, isCreate: false, relatedIsCreate });
  const now = s ? model.sfState(after) : { ...(link?.sf_state ?? {}), ...d.written.sf };
  const conflicted = new Set((d.conflict?.fields ?? []).map((f) => f.split(' ↔ ')[0]!));
  for (const [g, v] of Object.entries(res.values)) {
    if (res.hashes[g] === now[g] || conflicted.has(g)) continue;
    if (res.problems.some((p) => p.field === g)) continue;
    d.sf ??= { op: 'update', main: {}, related: {}, changes: [] };
    const { rel, field } = splitSfKey(model, g);
    if (rel) (d.sf.related[rel] ??= {})[field] = v;
    else d.sf.main[field] = v;
    d.sf.changes.push({ field: g, from: displayValue(s ? readSfKey(model, s, g) : null), to: v });
    d.written.sf[g] = res.hashes[g]!;
  }
}
