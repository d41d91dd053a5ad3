import { canonical } from '../money/decimal.ts';
import type { FieldInfo, ObjectCatalog } from './catalog.ts';
import {
  DateValue,
  ExpressionRuntimeError,
  isEmpty,
  toBoolean,
  toDate,
  toNumber,
  toText,
  type ExprValue,
} from './expressions/index.ts';
import type { MappedValue } from './records.ts';

/**
 * Turning a computed value into what the target field takes, and checking it against the target
 * catalog: too long, not an email, not in a restricted picklist, missing though required.
 */

export type ProblemCode = 'too-long' | 'invalid' | 'required' | 'unresolved-lookup' | 'not-in-picklist';

export interface ValueProblem {
  field: string;
  code: ProblemCode;
  message: string;
}

/** Where a value goes, for messages: `Account.Name`, `Contact.Email`, `QuickBooks Customer.Notes`. */
export interface TargetField {
  info: FieldInfo;
  catalog: ObjectCatalog;
  /** The key in MapResult.values. */
  key: string;
}

/** `Account.Name` or `QuickBooks Customer.Notes`. */
export function targetLabel(t: TargetField): string {
  return `${t.catalog.system === 'qbo' ? 'QuickBooks ' : ''}${t.catalog.object}.${t.info.name}`;
}

function system(t: TargetField): string {
  return t.catalog.system === 'qbo' ? 'QuickBooks' : 'Salesforce';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function show(v: ExprValue): string {
  const t = toText(v);
  return t === null ? 'null' : `'${t.length > 60 ? `${t.slice(0, 57)}...` : t}'`;
}

/** The value converted to the target's type, or why it cannot be. */
export function convertForTarget(v: ExprValue, t: TargetField): { value: MappedValue } | { invalid: string } {
  // Both systems show an unset checkbox as unchecked, and Salesforce rejects null for one.
  if (isEmpty(v)) return { value: t.info.type === 'boolean' ? false : null };
  const info = t.info;
  try {
    switch (info.type) {
      case 'boolean':
        return { value: toBoolean(v) };
      case 'currency':
      case 'decimal':
      case 'integer': {
        const n = toNumber(v)!;
        if (info.type === 'integer' && !n.isInteger())
          return { invalid: `${targetLabel(t)} takes whole numbers, not ${canonical(n)}` };
        if (info.precision !== undefined) {
          const intDigits = n.abs().truncated().toFixed().replace(/^0$/, '').length;
          const room = info.precision - (info.scale ?? 0);
          if (intDigits > room)
            return {
              invalid: `${canonical(n)} is too large for ${targetLabel(t)} (at most ${room} digits before the decimal point)`,
            };
        }
        return { value: { decimal: canonical(n) } };
      }
      case 'date': {
        const d = toDate(v)!;
        return { value: d.date };
      }
      case 'datetime': {
        const d = toDate(v)!;
        // A plain date becomes midnight UTC of that day.
        return { value: d.instant === null ? `${d.date}T00:00:00.000Z` : d.toString() };
      }
      case 'reference':
        return { value: t.catalog.system === 'qbo' ? { ref: toText(v)!.trim() } : toText(v)!.trim() };
      case 'object':
        return { invalid: `${targetLabel(t)} is a group of fields, not a value` };
      default: {
        if (v instanceof DateValue) return { value: v.instant === null ? v.date : v.toString() };
        return { value: toText(v) };
      }
    }
  } catch (e) {
    if (e instanceof ExpressionRuntimeError) return { invalid: `${targetLabel(t)}: ${e.message}` };
    throw e;
  }
}

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair; trailing spaces dropped. */
export function truncateText(s: string, max: number): string {
  let cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/**
 * Checks a converted value against the target field, adding any problems to `problems`; returns
 * the value to write (cut to fit when `truncate`, a picklist value in the picklist's own spelling).
 */
export function checkForTarget(
  value: MappedValue,
  t: TargetField,
  truncate: boolean,
  problems: ValueProblem[],
): MappedValue {
  const info = t.info;
  if (value === null) {
    if (!info.nillable)
      problems.push({
        field: t.key,
        code: 'required',
        message: `${targetLabel(t)} needs a value; ${system(t)} does not allow it empty`,
      });
    return value;
  }
  if (typeof value !== 'string') return value;
  let out = value;
  if (info.type === 'picklist' && info.picklist) out = checkPicklist(out, t, problems);
  if (info.type === 'email' && !EMAIL.test(out.trim()))
    problems.push({
      field: t.key,
      code: 'invalid',
      message: `${show(out)} is not a valid email address for ${targetLabel(t)}`,
    });
  if (info.length !== undefined && out.length > info.length) {
    if (truncate) out = truncateText(out, info.length);
    else
      problems.push({
        field: t.key,
        code: 'too-long',
        message: `${targetLabel(t)} takes at most ${info.length} characters; this value has ${out.length}: ${show(out)}`,
      });
  }
  return out;
}

function checkPicklist(value: string, t: TargetField, problems: ValueProblem[]): string {
  const picklist = t.info.picklist!;
  const values = t.info.multiple ? value.split(';').map((s) => s.trim()) : [value.trim()];
  const fixed: string[] = [];
  for (const v of values) {
    const lower = v.toLowerCase();
    const hit = picklist.find((p) => p === v) ?? picklist.find((p) => p.toLowerCase() === lower);
    if (!hit && t.info.restricted) {
      const list = picklist.length <= 12 ? `: ${picklist.join(', ')}` : '';
      problems.push({
        field: t.key,
        code: 'not-in-picklist',
        message: `'${v}' is not a value of the restricted picklist ${targetLabel(t)}${list}`,
      });
    }
    fixed.push(hit ?? v);
  }
  return fixed.join(';');
}
