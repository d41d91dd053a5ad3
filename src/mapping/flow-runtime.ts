import { findField, requiredOnCreate, type ObjectCatalog } from './catalog.ts';
import { ExpressionRuntimeError, isEmpty, toText, type ExprValue } from './expressions/index.ts';
import type { Conditions } from './flow-checks.ts';
import type { FlowScope } from './flow-scope.ts';
import type { CompiledFlow, FieldPair, MapContext, MapResult, Step } from './flow-types.ts';
import { hashValue } from './hash.ts';
import { emailKey, fuzzyKey, nameKey } from './keys.ts';
import { readQb, readSf, relatedRecord, type QbRecord } from './records.ts';
import type { FieldRef } from './resolve.ts';
import { checkForTarget, convertForTarget, targetLabel } from './target-values.ts';

/** The per-record functions of a compiled flow, run by the engine for every record it syncs. */

/** Computes one step's value for a record and adds it (with its hash) or its problem to `out`. */
function applyStep(step: Step, record: Record<string, unknown>, ctx: MapContext, out: MapResult): void {
  let v: ExprValue;
  try {
    v = step.compute(record);
  } catch (e) {
    if (!(e instanceof ExpressionRuntimeError)) throw e;
    out.problems.push({
      field: step.target.key,
      code: 'invalid',
      message: `${targetLabel(step.target)}: ${e.message}`,
    });
    return;
  }
  if (step.lookup && !isEmpty(v)) {
    const id = toText(v)!.trim();
    const linked = ctx.linked(step.way, id);
    if (linked === null) {
      const system = step.way === 'sf->qb' ? 'Salesforce' : 'QuickBooks';
      out.problems.push({
        field: step.target.key,
        code: 'unresolved-lookup',
        message: `${targetLabel(step.target)}: ${system} record ${id} is not linked yet`,
      });
      return;
    }
    v = linked;
  }
  if (step.map) {
    const key = toText(v);
    const hit =
      key === null ? undefined : (step.map.exact.get(key) ?? step.map.folded.get(key.trim().toLowerCase()));
    if (hit !== undefined) v = hit;
    else if (step.fallback !== undefined && !isEmpty(v)) v = step.fallback;
  }
  if (isEmpty(v) && step.fallback !== undefined) v = step.fallback;
  const conv = convertForTarget(v, step.target);
  if ('invalid' in conv) {
    out.problems.push({ field: step.target.key, code: 'invalid', message: conv.invalid });
    return;
  }
  const value = checkForTarget(conv.value, step.target, step.truncate, out.problems);
  out.values[step.target.key] = value;
  out.hashes[step.target.key] = hashValue(value, step.target.info);
}

/** A 'required' problem for each field a create needs that has no value (and no problem yet). */
function requireForCreate(
  out: MapResult,
  cat: ObjectCatalog,
  prefix: string,
  exclude: ReadonlySet<string>,
): void {
  for (const x of cat.fields.values()) {
    if (!requiredOnCreate(x) || exclude.has(x.name)) continue;
    const key = `${prefix}${x.name}`;
    if (out.values[key] !== null && out.values[key] !== undefined) continue;
    if (out.problems.some((p) => p.field === key)) continue;
    out.problems.push({
      field: key,
      code: 'required',
      message: `${cat.system === 'qbo' ? 'QuickBooks ' : ''}${cat.object}.${x.name} is required to create the record, and this record has no value for it`,
    });
  }
}

/** The related records whose writeIf condition rules them out for this QuickBooks record. */
function relatedToSkip(conditions: Conditions, qb: QbRecord, out: MapResult): Set<string> {
  const skip = new Set<string>();
  for (const [name, test] of conditions.writeIf) {
    try {
      if (test(qb) !== true) skip.add(name);
    } catch (e) {
      if (!(e instanceof ExpressionRuntimeError)) throw e;
      skip.add(name);
      out.problems.push({
        field: `related.${name}`,
        code: 'invalid',
        message: `salesforce.related.${name}.writeIf: ${e.message}`,
      });
    }
  }
  return skip;
}

/** Assembles the compiled flow from its checked parts. */
export function runtimeFlow(
  scope: FlowScope,
  steps: Step[],
  pairs: FieldPair[],
  conditions: Conditions,
  sfRead: CompiledFlow['sfRead'],
  qbRead: string[],
): CompiledFlow {
  const { flow, main, qb } = scope;
  const toQbSteps = steps.filter((s) => s.way === 'sf->qb');
  const toSfSteps = steps.filter((s) => s.way === 'qb->sf');
  const qbRequiredGroups = qb.requiredOneOf ?? [];
  const qbExempt = new Set(qbRequiredGroups.flat());
  const mainExempt = new Set([flow.salesforce.externalIdField ?? '']);
  const { keys, criteria } = conditions;

  return {
    config: flow,
    sfRead,
    qbRead,
    pairs,
    toQb(sf, ctx) {
      const out: MapResult = { values: {}, hashes: {}, problems: [] };
      for (const step of toQbSteps) {
        if (step.onCreateOnly && !ctx.isCreate) continue;
        // No related record: leave QuickBooks' values alone rather than clear them.
        if (step.onlyRelated && step.onlyRelated.every((r) => relatedRecord(sf, r) === null)) continue;
        applyStep(step, sf, ctx, out);
      }
      if (ctx.isCreate) {
        for (const g of qbRequiredGroups)
          if (!g.some((n) => out.values[n] !== null && out.values[n] !== undefined))
            out.problems.push({
              field: g[0]!,
              code: 'required',
              message: `QuickBooks needs one of ${g.join(', ')} to create a ${qb.object}, and this record has none`,
            });
        requireForCreate(out, qb, '', qbExempt);
      }
      return out;
    },
    toSf(qbRecord, ctx) {
      const out: MapResult = { values: {}, hashes: {}, problems: [] };
      const skip = relatedToSkip(conditions, qbRecord, out);
      for (const step of toSfSteps) {
        const rel = step.targetRelated;
        if (rel && skip.has(rel)) continue;
        const creating = rel ? (ctx.relatedIsCreate?.[rel] ?? ctx.isCreate) : ctx.isCreate;
        if (step.onCreateOnly && !creating) continue;
        applyStep(step, qbRecord, ctx, out);
      }
      if (ctx.isCreate) requireForCreate(out, main, '', mainExempt);
      for (const [name, cat] of scope.related) {
        const rel = flow.salesforce.related[name]!;
        if (skip.has(name) || !rel.create || !(ctx.relatedIsCreate?.[name] ?? ctx.isCreate)) continue;
        if (!Object.keys(out.values).some((k) => k.startsWith(`related.${name}.`))) continue;
        const parent = findField(cat, rel.parentField)?.name ?? rel.parentField;
        requireForCreate(out, cat, `related.${name}.`, new Set([parent, rel.externalIdField ?? '']));
      }
      return out;
    },
    sfState(sf) {
      const state: Record<string, string> = {};
      for (const step of toSfSteps) {
        if (step.onCreateOnly) continue;
        const name = step.target.info.name;
        const raw = step.targetRelated ? (relatedRecord(sf, step.targetRelated)?.[name] ?? null) : sf[name];
        state[step.target.key] = hashValue(raw, step.target.info);
      }
      return state;
    },
    qbState(qbRecord) {
      const state: Record<string, string> = {};
      for (const step of toQbSteps) {
        if (step.onCreateOnly) continue;
        state[step.target.key] = hashValue(readQb(qbRecord, step.target.info.name), step.target.info);
      }
      return state;
    },
    keys(side, record) {
      const read = (ref: FieldRef | null): unknown =>
        !ref ? null : ref.side === 'sf' ? readSf(record, ref) : readQb(record, ref.path);
      let name = read(side === 'sf' ? keys.nameSf : keys.nameQb);
      // QuickBooks renames an inactive customer "Name (deleted)"; it is still the same name.
      if (side === 'qb' && typeof name === 'string' && qb.activeField && record[qb.activeField] === false)
        name = name.replace(/ \(deleted(?: \d+)?\)$/, '');
      const label =
        typeof name === 'string' && name.trim()
          ? name.trim()
          : typeof record.Id === 'string'
            ? record.Id
            : '(no name)';
      const email = read(side === 'sf' ? keys.emailSf : keys.emailQb);
      return { name: nameKey(name), email: emailKey(email), fuzzy: fuzzyKey(name), label };
    },
    accepts(side, record) {
      const run = side === 'sf' ? criteria.sf : criteria.qb;
      if (!run) return true;
      try {
        return run(record) === true;
      } catch (e) {
        if (e instanceof ExpressionRuntimeError) return false;
        throw e;
      }
    },
  };
}
