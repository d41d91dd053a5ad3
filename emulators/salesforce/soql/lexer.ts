import { SoqlError } from './errors.ts';

/** SOQL tokens: identifiers, literals, operators and punctuation, each with its offset. */
export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text (for strings: the unescaped value). */
  text: string;
  pos: number;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  // LIKE wildcards stay escaped so the pattern compiler can tell them from wildcards.
  _: '\\_',
  '%': '\\%',
};

/** Splits a statement into tokens; MALFORMED_QUERY for characters SOQL does not know. */
export function tokenize(soql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const rest = soql.slice(i, i + 40);
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < soql.length; j++) {
        const ch = soql[j]!;
        if (ch === '\\') {
          const next = soql[j + 1];
          const esc = next === undefined ? undefined : ESCAPES[next];
          if (esc === undefined)
            throw new SoqlError(
              'MALFORMED_QUERY',
              soql,
              j,
              `Invalid string literal '${soql.slice(i, j + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`,
            );
          value += esc;
          j++;
        } else if (ch === "'") break;
        else value += ch;
      }
      if (j >= soql.length)
        throw new SoqlError('MALFORMED_QUERY', soql, i, `unexpected token: '${soql.slice(i)}'`);
      out.push({ kind: 'string', text: value, pos: i });
      i = j + 1;
      continue;
    }
    let m = DATETIME_RE.exec(rest);
    if (m) {
      out.push({ kind: 'datetime', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = DATE_RE.exec(rest);
    if (m) {
      out.push({ kind: 'date', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const prev = out[out.length - 1];
    const signAllowed = !(
      prev &&
      (prev.kind === 'ident' || prev.kind === 'number' || (prev.kind === 'punct' && prev.text === ')'))
    );
    m = NUMBER_RE.exec(rest);
    if (m && (/\d|\./.test(c) || signAllowed)) {
      out.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = IDENT_RE.exec(rest.length === 40 ? soql.slice(i) : rest);
    if (m) {
      out.push({ kind: 'ident', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const two = soql.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      out.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      out.push({ kind: 'op', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.' || c === ':') {
      out.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', soql, i, `unexpected token: '${c}'`);
  }
  out.push({ kind: 'eof', text: '<EOF>', pos: soql.length });
  return out;
}
