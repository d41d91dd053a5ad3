import type { z } from 'zod';
import { didYouMean } from '../mapping/suggest.ts';
import type { ConfigIssue } from './issues.ts';
import { allowedKeysAt } from './schema.ts';
import type { PathKey, SourceTable } from './source.ts';

/**
 * Turns zod's validation issues into messages an admin can act on, each at the line and column
 * of the offending key or value.
 */

export interface IssueContext {
  /** The object zod validated (as read from YAML, possibly merged). */
  root: unknown;
  /** The schema it was validated against (for the keys an object accepts). */
  schema: z.ZodType;
  table: SourceTable;
  /** The file to name when a position is unknown. */
  file: string;
  /** Flow and field labels for a path, and how many leading path elements they account for. */
  label(path: readonly PathKey[]): { flow?: string; field?: string; skip: number };
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  null: 'null',
};

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathKey, unknown>)[k];
  }
  return cur;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** ConfigIssues for every zod issue, positioned through the source table. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: readonly PathKey[], message: string, mode: 'value' | 'key' = 'value') => {
    const loc = ctx.table.locate(ctx.root, path, mode);
    const { flow, field } = ctx.label(path);
    const issue: ConfigIssue = { file: loc?.file ?? ctx.file, message };
    if (loc) {
      issue.line = loc.line;
      issue.column = loc.column;
    }
    if (flow !== undefined) issue.flow = flow;
    if (field !== undefined) issue.field = field;
    out.push(issue);
  };
  for (const issue of issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    const { skip } = ctx.label(path);
    const rel = path.slice(skip).filter((k) => typeof k === 'string');
    const name = rel.length ? rel.join('.') : '';
    const subject = name ? `'${name}'` : 'this';
    const input = valueAt(ctx.root, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(ctx.schema, path);
        for (const key of issue.keys) {
          const where = name ? ` in '${name}'` : '';
          push([...path, key], `unknown key '${key}'${where}${didYouMean(key, allowed)}`, 'key');
        }
        break;
      }
      case 'invalid_type':
        if (input === undefined) push(path, `${subject} is required`);
        else
          push(
            path,
            `${subject} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${show(input)}`,
          );
        break;
      case 'invalid_value': {
        const values = issue.values.map((v) => String(v));
        const hint = typeof input === 'string' ? didYouMean(input, values) : '';
        push(path, `${subject} must be one of ${values.join(', ')}, not ${show(input)}${hint}`);
        break;
      }
      case 'invalid_union':
      case 'invalid_format':
      case 'too_small':
      case 'too_big':
      case 'custom':
      default:
        push(path, `${subject} ${issue.message.replace(/^Invalid input: /, '')}`);
    }
  }
  return out;
}
