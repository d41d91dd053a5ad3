import { dec, fixed, round } from '../../money/decimal.ts';
import { DatePatternError, formatDate, parsePattern } from './dates.ts';
import { ExpressionRuntimeError } from './errors.ts';
import { splitName, titleCase, type NamePart } from './names.ts';
import {
  isEmpty,
  looselyEqual,
  toBoolean,
  toDate,
  toNumber,
  toText,
  typeOf,
  type ExprType,
  type ExprValue,
} from './values.ts';

/**
 * The functions of the expression language. Every one is null-safe: an empty input gives an
 * empty output (or is skipped, for concat/join/coalesce) instead of an error. Numbers are exact
 * decimals throughout.
 */

/** What the compiler knows about an argument: its static type and, for a literal, its value. */
export interface ArgInfo {
  type: ExprType;
  literal?: ExprValue;
  isLiteral: boolean;
}

export interface FunctionSpec {
  name: string;
  /** One line for help texts: signature and what it does. */
  usage: string;
  min: number;
  max: number;
  /** The accepted type of argument i. */
  param(i: number): ExprType;
  returns(args: ArgInfo[]): ExprType;
  /** Literal-argument checks: the index of the bad argument and why, or null. */
  check?(args: ArgInfo[]): { index: number; message: string } | null;
  /** Arguments come as thunks, so if/coalesce/and/or evaluate only what they need. */
  run(args: Array<() => ExprValue>): ExprValue;
}

const text = (v: ExprValue): string | null => {
  const t = toText(v);
  return t === null || t === '' ? null : t;
};

function integerArg(name: string, index: number, what: string, min = 0) {
  return (args: ArgInfo[]) => {
    const a = args[index];
    if (!a?.isLiteral || a.literal === null || a.literal === undefined) return null;
    const n = typeof a.literal === 'string' ? Number(a.literal) : Number(toText(a.literal));
    if (!Number.isInteger(n) || n < min)
      return { index, message: `${name} needs ${what} as a whole number${min > 0 ? ` from ${min}` : ''}` };
    return null;
  };
}

function intValue(v: ExprValue, fn: string): number | null {
  const n = toNumber(v);
  if (n === null) return null;
  if (!n.isInteger()) throw new ExpressionRuntimeError(`${fn} needs a whole number, not ${n.toString()}`);
  return n.toNumber();
}

const same = (t: ExprType) => () => t;

function common(types: ExprType[]): ExprType {
  const known = types.filter((t) => t !== 'any');
  if (!known.length) return 'any';
  return known.every((t) => t === known[0]) ? known[0]! : 'any';
}

const specs: FunctionSpec[] = [
  {
    name: 'concat',
    usage: 'concat(a, b, ...): the values joined as text; empty values count as ""',
    min: 1,
    max: Infinity,
    param: () => 'text',
    returns: same('text'),
    run: (args) => {
      const parts = args.map((a) => toText(a()) ?? '');
      const joined = parts.join('');
      return joined === '' ? null : joined;
    },
  },
  {
    name: 'coalesce',
    usage: 'coalesce(a, b, ...): the first value that is not empty',
    min: 1,
    max: Infinity,
    param: () => 'any',
    returns: (args) => common(args.map((a) => a.type)),
    run: (args) => {
      for (const a of args) {
        const v = a();
        if (!isEmpty(v)) return v;
      }
      return null;
    },
  },
  {
    name: 'trim',
    usage: 'trim(x): x without leading and trailing spaces',
    min: 1,
    max: 1,
    param: () => 'text',
    returns: same('text'),
    run: ([a]) => text(text(a!())?.trim() ?? null),
  },
  {
    name: 'upper',
    usage: 'upper(x): x in capitals',
    min: 1,
    max: 1,
    param: () => 'text',
    returns: same('text'),
    run: ([a]) => text(a!())?.toUpperCase() ?? null,
  },
  {
    name: 'lower',
    usage: 'lower(x): x in small letters',
    min: 1,
    max: 1,
    param: () => 'text',
    returns: same('text'),
    run: ([a]) => text(a!())?.toLowerCase() ?? null,
  },
  {
    name: 'title_case',
    usage: "title_case(x): Each Word Capitalized (O'Neil, Amy's)",
    min: 1,
    max: 1,
    param: () => 'text',
    returns: same('text'),
    run: ([a]) => {
      const t = text(a!());
      return t === null ? null : titleCase(t);
    },
  },
  {
    name: 'left',
    usage: 'left(x, n): the first n characters of x',
    min: 2,
    max: 2,
    param: (i) => (i === 0 ? 'text' : 'number'),
    returns: same('text'),
    check: integerArg('left', 1, 'the number of characters'),
    run: ([a, n]) => {
      const t = text(a!());
      const k = intValue(n!(), 'left');
      return t === null || k === null ? t : text([...t].slice(0, k).join(''));
    },
  },
  {
    name: 'right',
    usage: 'right(x, n): the last n characters of x',
    min: 2,
    max: 2,
    param: (i) => (i === 0 ? 'text' : 'number'),
    returns: same('text'),
    check: integerArg('right', 1, 'the number of characters'),
    run: ([a, n]) => {
      const t = text(a!());
      const k = intValue(n!(), 'right');
      if (t === null || k === null) return t;
      const chars = [...t];
      return text(k === 0 ? '' : chars.slice(-k).join(''));
    },
  },
  {
    name: 'replace',
    usage: 'replace(x, from, to): x with every occurrence of from replaced by to',
    min: 3,
    max: 3,
    param: () => 'text',
    returns: same('text'),
    check: (args) =>
      args[1]?.isLiteral && (args[1].literal === null || args[1].literal === '')
        ? { index: 1, message: 'replace needs the text to look for' }
        : null,
    run: ([a, from, to]) => {
      const t = text(a!());
      const f = toText(from!());
      if (t === null || !f) return t;
      return text(t.split(f).join(toText(to!()) ?? ''));
    },
  },
  {
    name: 'split_name',
    usage: "split_name(x, 'first'|'middle'|'last'): a part of a person's name",
    min: 2,
    max: 2,
    param: () => 'text',
    returns: same('text'),
    check: (args) => {
      const a = args[1]!;
      if (!a.isLiteral || !['first', 'middle', 'last'].includes(String(a.literal)))
        return { index: 1, message: "split_name needs 'first', 'middle' or 'last' as its second argument" };
      return null;
    },
    run: ([a, part]) => {
      const t = text(a!());
      return t === null ? null : splitName(t, toText(part!()) as NamePart);
    },
  },
  {
    name: 'date',
    usage: 'date(x): x read as a date (2024-01-31, 2024-01-31T10:00:00-07:00, 01/31/2024)',
    min: 1,
    max: 1,
    param: () => 'date',
    returns: same('date'),
    run: ([a]) => toDate(a!()),
  },
  {
    name: 'format_date',
    usage: "format_date(x, 'YYYY-MM-DD'): a date as text (YYYY YY MMMM MMM MM M DD D HH hh mm ss A)",
    min: 2,
    max: 2,
    param: (i) => (i === 0 ? 'date' : 'text'),
    returns: same('text'),
    check: (args) => {
      const p = args[1]!;
      if (!p.isLiteral || typeof p.literal !== 'string')
        return { index: 1, message: "format_date needs the pattern as text, e.g. 'YYYY-MM-DD'" };
      try {
        parsePattern(p.literal);
      } catch (e) {
        if (e instanceof DatePatternError) return { index: 1, message: e.message };
        throw e;
      }
      return null;
    },
    run: ([a, p]) => {
      const d = toDate(a!());
      return d === null ? null : formatDate(d, toText(p!())!);
    },
  },
  {
    name: 'number',
    usage: 'number(x): x read as an exact decimal number ("1,234.50" → 1234.5)',
    min: 1,
    max: 1,
    param: () => 'number',
    returns: same('number'),
    run: ([a]) => toNumber(a!()),
  },
  {
    name: 'round',
    usage: 'round(x, places): x rounded half-up to that many decimal places',
    min: 2,
    max: 2,
    param: () => 'number',
    returns: same('number'),
    check: integerArg('round', 1, 'the number of decimal places'),
    run: ([a, places]) => {
      const n = toNumber(a!());
      const k = intValue(places!(), 'round');
      return n === null || k === null ? n : round(n, k);
    },
  },
  {
    name: 'format_number',
    usage:
      "format_number(x, places[, ',']): x as text with that many decimals, half-up, optional thousands separator",
    min: 2,
    max: 3,
    param: (i) => (i === 2 ? 'text' : 'number'),
    returns: same('text'),
    check: integerArg('format_number', 1, 'the number of decimal places'),
    run: ([a, places, sep]) => {
      const n = toNumber(a!());
      const k = intValue(places!(), 'format_number');
      if (n === null || k === null) return null;
      const formatted = fixed(n, k);
      const separator = sep ? (toText(sep()) ?? '') : '';
      if (!separator) return formatted;
      const [int, frac] = formatted.split('.') as [string, string | undefined];
      const sign = int.startsWith('-') ? '-' : '';
      const digits = sign ? int.slice(1) : int;
      const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
      return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
    },
  },
  {
    name: 'if',
    usage: 'if(condition, then, else): then when the condition is true, else otherwise',
    min: 3,
    max: 3,
    param: (i) => (i === 0 ? 'boolean' : 'any'),
    returns: (args) => common([args[1]!.type, args[2]!.type]),
    run: ([c, a, b]) => (toBoolean(c!()) === true ? a!() : b!()),
  },
  {
    name: 'eq',
    usage: 'eq(a, b): whether a equals b (numbers by value; empty equals null)',
    min: 2,
    max: 2,
    param: () => 'any',
    returns: same('boolean'),
    run: ([a, b]) => looselyEqual(a!(), b!()),
  },
  {
    name: 'ne',
    usage: 'ne(a, b): whether a differs from b',
    min: 2,
    max: 2,
    param: () => 'any',
    returns: same('boolean'),
    run: ([a, b]) => !looselyEqual(a!(), b!()),
  },
  {
    name: 'empty',
    usage: 'empty(x): whether x is null or blank',
    min: 1,
    max: 1,
    param: () => 'any',
    returns: same('boolean'),
    run: ([a]) => isEmpty(a!()),
  },
  {
    name: 'not',
    usage: 'not(x): true when x is false',
    min: 1,
    max: 1,
    param: () => 'boolean',
    returns: same('boolean'),
    run: ([a]) => {
      const v = toBoolean(a!());
      return v === null ? null : !v;
    },
  },
  {
    name: 'and',
    usage: 'and(a, b, ...): true when all are true',
    min: 2,
    max: Infinity,
    param: () => 'boolean',
    returns: same('boolean'),
    run: (args) => args.every((a) => toBoolean(a()) === true),
  },
  {
    name: 'or',
    usage: 'or(a, b, ...): true when any is true',
    min: 2,
    max: Infinity,
    param: () => 'boolean',
    returns: same('boolean'),
    run: (args) => args.some((a) => toBoolean(a()) === true),
  },
  {
    name: 'join',
    usage:
      "join(separator, a, b, ...): the non-empty values joined with the separator (join(', ', City, State))",
    min: 2,
    max: Infinity,
    param: () => 'text',
    returns: same('text'),
    run: ([sep, ...rest]) => {
      const s = toText(sep!()) ?? '';
      return text(
        rest
          .map((a) => toText(a()))
          .filter((v): v is string => v !== null && v.trim() !== '')
          .join(s),
      );
    },
  },
  {
    name: 'split',
    usage: 'split(x, separator, n): the n-th part of x (1 = first, -1 = last)',
    min: 3,
    max: 3,
    param: (i) => (i === 2 ? 'number' : 'text'),
    returns: same('text'),
    check: (args) =>
      args[1]?.isLiteral && (args[1].literal === null || args[1].literal === '')
        ? { index: 1, message: 'split needs a separator' }
        : integerArg('split', 2, 'the part number', -Infinity)(args),
    run: ([a, sep, n]) => {
      const t = text(a!());
      const k = intValue(n!(), 'split');
      const s = toText(sep!());
      if (t === null || k === null || !s || k === 0) return null;
      const parts = t.split(s);
      return text((k > 0 ? parts[k - 1] : parts[parts.length + k]) ?? null);
    },
  },
  {
    name: 'line',
    usage: 'line(x, n): the n-th line of x (1 = first), for multi-line street addresses',
    min: 2,
    max: 2,
    param: (i) => (i === 0 ? 'text' : 'number'),
    returns: same('text'),
    check: integerArg('line', 1, 'the line number', 1),
    run: ([a, n]) => {
      const t = text(a!());
      const k = intValue(n!(), 'line');
      if (t === null || k === null || k < 1) return null;
      const lines = t
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      return lines[k - 1] ?? null;
    },
  },
  {
    name: 'length',
    usage: 'length(x): the number of characters in x',
    min: 1,
    max: 1,
    param: () => 'text',
    returns: same('number'),
    run: ([a]) => {
      const t = toText(a!());
      return t === null ? null : dec(String([...t].length));
    },
  },
  {
    name: 'contains',
    usage: 'contains(x, part): whether x contains part (ignoring case)',
    min: 2,
    max: 2,
    param: () => 'text',
    returns: same('boolean'),
    run: ([a, b]) => {
      const t = toText(a!());
      const p = toText(b!());
      if (t === null || p === null) return false;
      return t.toLowerCase().includes(p.toLowerCase());
    },
  },
];

/** Every function, by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(specs.map((s) => [s.name, s]));

/** Whether a value of static type `actual` can be passed where `wanted` is expected. */
export function accepts(wanted: ExprType, actual: ExprType): boolean {
  if (wanted === 'any' || actual === 'any' || wanted === 'text') return true;
  if (wanted === 'number') return actual === 'number' || actual === 'text';
  if (wanted === 'date') return actual === 'date' || actual === 'text';
  return actual === wanted;
}

/** A literal's value and type as the compiler sees it. */
export function literalInfo(value: string | boolean | null, numeric: boolean): ArgInfo {
  const v: ExprValue = numeric && typeof value === 'string' ? dec(value) : value;
  return { type: numeric ? 'number' : typeOf(v), literal: v, isLiteral: true };
}
