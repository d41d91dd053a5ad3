import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './issues.ts';
import type { SourceLoc } from './types.ts';

/**
 * YAML read into plain values while remembering where each value came from, so that a problem
 * found later (by zod, by the catalog checks) can be reported at its file, line and column —
 * even after a flow has been merged with the pack it extends.
 */

export type PathKey = string | number;

export interface NodeInfo {
  /** Where the object/array itself starts. */
  self: SourceLoc;
  /** Where each member's value starts. */
  values: Map<PathKey, SourceLoc>;
  /** Where each member's key starts (maps only). */
  keys: Map<PathKey, SourceLoc>;
  /** The source text of numeric members, so decimals keep their exact digits (12.50). */
  numbers: Map<PathKey, string>;
}

/** Side table from the objects and arrays read from YAML to their source positions. */
export class SourceTable {
  private readonly infos = new WeakMap<object, NodeInfo>();

  /** Positions of an object or array read from YAML (or merged from such). */
  get(obj: unknown): NodeInfo | undefined {
    return obj !== null && typeof obj === 'object' ? this.infos.get(obj) : undefined;
  }

  /** Attaches positions to an object or array. */
  set(obj: object, info: NodeInfo): void {
    this.infos.set(obj, info);
  }

  /**
   * Where the value at `path` under `root` is written; for `key` mode where its key is. Falls back
   * to the nearest enclosing value that has a position (a missing key is reported at its parent).
   */
  locate(root: unknown, path: readonly PathKey[], mode: 'value' | 'key' = 'value'): SourceLoc | undefined {
    let best = this.get(root)?.self;
    let cur: unknown = root;
    for (let i = 0; i < path.length; i++) {
      const info = this.get(cur);
      const k = path[i]!;
      const last = i === path.length - 1;
      const here = last && mode === 'key' ? (info?.keys.get(k) ?? info?.values.get(k)) : info?.values.get(k);
      if (here) best = here;
      if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) break;
      cur = (cur as Record<PathKey, unknown>)[k];
    }
    return best;
  }
}

/** Reads YAML text; syntax errors come back as issues (with positions), never as exceptions. */
export function readYaml(
  text: string,
  file: string,
  table: SourceTable,
): { value: unknown; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLoc => {
    const p = lines.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const loc = at(e.pos[0]);
    const message = e.code === 'DUPLICATE_KEY' ? 'this key is given twice' : e.message.split('\n')[0]!;
    return { file, line: loc.line, column: loc.column, message: `YAML: ${message}` };
  });
  if (issues.length) return { value: null, issues };
  const convert = (node: Node | null, seen: Set<Node>): unknown => {
    if (node === null) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc as Document) as Node | undefined;
      if (!target || seen.has(target)) return null;
      return convert(target, new Set([...seen, target]));
    }
    if (isScalar(node)) return node.value;
    const self = at(node.range?.[0] ?? 0);
    const info: NodeInfo = { self, values: new Map(), keys: new Map(), numbers: new Map() };
    const member = (k: PathKey, valueNode: unknown, fallback: SourceLoc): unknown => {
      const vn = valueNode as Node | null;
      const range = vn && 'range' in vn ? vn.range : undefined;
      info.values.set(k, range ? at(range[0]) : fallback);
      if (vn && isScalar(vn) && typeof vn.value === 'number' && range)
        info.numbers.set(k, text.slice(range[0], range[1]).trim());
      return convert(vn, seen);
    };
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : String(pair.key);
        const keyLoc = keyNode && keyNode.range ? at(keyNode.range[0]) : self;
        if (key === '__proto__') {
          issues.push({
            file,
            line: keyLoc.line,
            column: keyLoc.column,
            message: "'__proto__' cannot be used as a key",
          });
          continue;
        }
        info.keys.set(key, keyLoc);
        obj[key] = member(key, pair.value, keyLoc);
      }
      table.set(obj, info);
      return obj;
    }
    if (isSeq(node)) {
      const arr = node.items.map((item, i) => member(i, item, self));
      table.set(arr, info);
      return arr;
    }
    return null;
  };
  const value = convert(doc.contents as Node | null, new Set());
  return { value, issues };
}
