import { didYouMean } from '../mapping/suggest.ts';
import type { ConfigIssue } from './issues.ts';
import type { NodeInfo, PathKey, SourceTable } from './source.ts';

/**
 * `extends: baseline/<pack>`: a flow starts from a shipped pack and overrides it. Mappings
 * (objects) merge key by key; lists (match, ...) and plain values are replaced. Field mappings
 * merge by their pair: a field with the same sf and qb as a pack field replaces it in place, a
 * new pair is added, and `omitFields` removes pack fields by either side's name (`Fax`,
 * `qb:Fax.FreeFormNumber`).
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function emptyInfo(self: NodeInfo['self']): NodeInfo {
  return { self, values: new Map(), keys: new Map(), numbers: new Map() };
}

function copyMember(from: NodeInfo | undefined, fromKey: PathKey, to: NodeInfo, toKey: PathKey): void {
  if (!from) return;
  const v = from.values.get(fromKey);
  const k = from.keys.get(fromKey);
  const n = from.numbers.get(fromKey);
  if (v) to.values.set(toKey, v);
  if (k) to.keys.set(toKey, k);
  if (n !== undefined) to.numbers.set(toKey, n);
}

/** Deep merge of two objects read from YAML, keeping every value's source position. */
function mergeObjects(base: Obj, over: Obj, table: SourceTable, skip: ReadonlySet<string> = new Set()): Obj {
  const bi = table.get(base);
  const oi = table.get(over);
  const self = oi?.self ?? bi?.self;
  const out: Obj = {};
  const info = self ? emptyInfo(self) : undefined;
  for (const key of new Set([...Object.keys(base), ...Object.keys(over)])) {
    if (skip.has(key)) continue;
    const inOver = Object.prototype.hasOwnProperty.call(over, key);
    const b = base[key];
    const o = over[key];
    if (inOver && isObj(b) && isObj(o)) out[key] = mergeObjects(b, o, table);
    else out[key] = inOver ? o : b;
    if (info) copyMember(inOver ? oi : bi, key, info, key);
  }
  if (info) table.set(out, info);
  return out;
}

function fieldIdentity(f: unknown): string | null {
  if (!isObj(f)) return null;
  const sf = typeof f.sf === 'string' ? f.sf.trim().toLowerCase() : '';
  const qb = typeof f.qb === 'string' ? f.qb.trim() : '';
  return sf || qb ? `${sf}|${qb}` : null;
}

function omits(entry: string, f: Obj): boolean {
  const e = entry.trim();
  const sf = typeof f.sf === 'string' ? f.sf.trim() : undefined;
  const qb = typeof f.qb === 'string' ? f.qb.trim() : undefined;
  if (e.startsWith('sf:')) return sf !== undefined && sf.toLowerCase() === e.slice(3).trim().toLowerCase();
  if (e.startsWith('qb:')) return qb !== undefined && qb === e.slice(3).trim();
  return (sf !== undefined && sf.toLowerCase() === e.toLowerCase()) || qb === e;
}

export interface MergedFlow {
  raw: unknown;
  /** The field mapping objects that came from the pack (not written in the config file). */
  packFields: Set<object>;
  issues: ConfigIssue[];
}

/** A flow of the config file merged over the pack it extends. */
export function mergeWithPack(
  pack: unknown,
  flow: Obj,
  table: SourceTable,
  flowName: string,
  file: string,
): MergedFlow {
  const issues: ConfigIssue[] = [];
  const packFields = new Set<object>();
  if (!isObj(pack)) return { raw: flow, packFields, issues };
  const packFieldList = pack.fields;
  const ownFields = flow.fields;
  const omitFields = flow.omitFields;
  const merged = mergeObjects(pack, flow, table, new Set(['fields', 'omitFields']));
  const info = table.get(merged);

  const fromPack = Array.isArray(packFieldList) ? packFieldList : [];
  const packInfo = table.get(packFieldList);
  const kept: Array<{ value: unknown; from: NodeInfo | undefined; index: number }> = [];
  const omitted = new Set<number>();
  if (Array.isArray(omitFields)) {
    const omitInfo = table.get(omitFields);
    omitFields.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const hits = fromPack.map((f, j) => (isObj(f) && omits(entry, f) ? j : -1)).filter((j) => j >= 0);
      if (!hits.length) {
        const names = fromPack.flatMap((f) =>
          isObj(f) ? [f.sf, f.qb].filter((n): n is string => typeof n === 'string') : [],
        );
        const loc = omitInfo?.values.get(i);
        issues.push({
          file: loc?.file ?? file,
          ...(loc ? { line: loc.line, column: loc.column } : {}),
          flow: flowName,
          message: `omitFields: the pack has no field '${entry}'${didYouMean(entry.replace(/^(sf|qb):/, ''), names)}`,
        });
      }
      hits.forEach((j) => omitted.add(j));
    });
  }
  fromPack.forEach((f, j) => {
    if (omitted.has(j)) return;
    kept.push({ value: f, from: packInfo, index: j });
    if (isObj(f)) packFields.add(f);
  });
  const own = Array.isArray(ownFields) ? ownFields : ownFields === undefined ? [] : null;
  const ownInfo = table.get(ownFields);
  if (own === null) {
    // Not a list: keep it as written so validation reports it.
    merged.fields = ownFields;
    if (info) copyMember(table.get(flow), 'fields', info, 'fields');
    return { raw: merged, packFields, issues };
  }
  own.forEach((f, i) => {
    const id = fieldIdentity(f);
    const at =
      id === null
        ? -1
        : kept.findIndex((k) => fieldIdentity(k.value) === id && packFields.has(k.value as object));
    const entry = { value: f, from: ownInfo, index: i };
    if (at >= 0) {
      packFields.delete(kept[at]!.value as object);
      kept[at] = entry;
    } else kept.push(entry);
  });
  const fields = kept.map((k) => k.value);
  const self = ownInfo?.self ?? packInfo?.self;
  if (self) {
    const fi = emptyInfo(self);
    kept.forEach((k, i) => copyMember(k.from, k.index, fi, i));
    table.set(fields, fi);
  }
  merged.fields = fields;
  if (info) {
    const flowInfo = table.get(flow);
    if (flowInfo?.values.has('fields')) copyMember(flowInfo, 'fields', info, 'fields');
    else copyMember(table.get(pack), 'fields', info, 'fields');
  }
  return { raw: merged, packFields, issues };
}
