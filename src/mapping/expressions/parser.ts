import { at, ExpressionError } from './errors.ts';

/**
 * The expression language's syntax: literals ('text', "text", 12.50, -3, true, false, null),
 * field paths (Name, contact.Email, BillAddr.Line1) and function calls (concat(a, ' ', b)).
 * There are no operators: everything is a function, as in a spreadsheet formula, so there is no
 * precedence to get wrong. Hand-written tokenizer and recursive-descent parser, no eval.
 */

export type Node =
  | { kind: 'literal'; value: string | boolean | null; numeric: boolean; column: number; end: number }
  | { kind: 'field'; path: string; column: number; end: number }
  | { kind: 'call'; name: string; args: Node[]; column: number; end: number };

type Token =
  | { type: 'string'; value: string; column: number; end: number }
  | { type: 'number'; value: string; column: number; end: number }
  | { type: 'name'; value: string; column: number; end: number }
  | { type: '(' | ')' | ','; column: number; end: number }
  | { type: 'eof'; column: number; end: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string, index: number): never => {
    throw new ExpressionError(source, [{ column: index + 1, message: at(what, index + 1, source) }]);
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, column: start + 1, end: start + 2 });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(`unterminated text starting`, start);
        const c = source[i]!;
        if (c === ch) break;
        if (c === '\\') {
          const next = source[i + 1];
          if (next === undefined || !(next in ESCAPES)) fail(`unknown escape '\\${next ?? ''}'`, i);
          value += ESCAPES[next!];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      tokens.push({ type: 'string', value, column: start + 1, end: i + 1 });
      continue;
    }
    const num = /^-?(\d+(\.\d*)?|\.\d+)/.exec(source.slice(i));
    if (num && (ch !== '-' || /[\d.]/.test(source[i + 1] ?? ''))) {
      i += num[0].length;
      if (/[A-Za-z_]/.test(source[i] ?? '')) fail(`unexpected '${source[i]!}' after the number`, i);
      tokens.push({ type: 'number', value: num[0], column: start + 1, end: i + 1 });
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(source.slice(i));
    if (name) {
      i += name[0].length;
      if (source[i] === '.') fail(`expected a field name after '.'`, i + 1);
      tokens.push({ type: 'name', value: name[0], column: start + 1, end: i + 1 });
      continue;
    }
    const hint =
      ch === '+' || ch === '&'
        ? ' (join text with concat(a, b))'
        : ch === '=' || ch === '<' || ch === '>' || ch === '!'
          ? ' (compare with eq(a, b) or ne(a, b))'
          : '';
    fail(`unexpected '${ch}'${hint}`, start);
  }
  tokens.push({ type: 'eof', column: source.length + 1, end: source.length + 1 });
  return tokens;
}

/** Parses an expression into its syntax tree; throws ExpressionError naming the column. */
export function parseExpression(source: string): Node {
  if (source.trim() === '')
    throw new ExpressionError(source, [{ column: 1, message: 'the expression is empty' }]);
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const fail = (what: string, token: Token): never => {
    throw new ExpressionError(source, [{ column: token.column, message: at(what, token.column, source) }]);
  };
  const describe = (t: Token): string =>
    t.type === 'eof'
      ? 'end of expression'
      : t.type === 'string'
        ? `'${t.value}'`
        : t.type === 'number' || t.type === 'name'
          ? `'${t.value}'`
          : `'${t.type}'`;

  const expression = (): Node => {
    const t = peek();
    switch (t.type) {
      case 'string':
        pos++;
        return { kind: 'literal', value: t.value, numeric: false, column: t.column, end: t.end };
      case 'number':
        pos++;
        return { kind: 'literal', value: t.value, numeric: true, column: t.column, end: t.end };
      case 'name': {
        pos++;
        const lower = t.value.toLowerCase();
        if (peek().type !== '(') {
          if (lower === 'true' || lower === 'false')
            return { kind: 'literal', value: lower === 'true', numeric: false, column: t.column, end: t.end };
          if (lower === 'null')
            return { kind: 'literal', value: null, numeric: false, column: t.column, end: t.end };
          return { kind: 'field', path: t.value, column: t.column, end: t.end };
        }
        if (t.value.includes('.')) fail(`'${t.value}' is a field, not a function`, t);
        pos++;
        const args: Node[] = [];
        if (peek().type === ')') {
          const close = tokens[pos++]!;
          return { kind: 'call', name: t.value, args, column: t.column, end: close.end };
        }
        for (;;) {
          args.push(expression());
          const next = peek();
          if (next.type === ',') {
            pos++;
            continue;
          }
          if (next.type === ')') {
            pos++;
            return { kind: 'call', name: t.value, args, column: t.column, end: next.end };
          }
          if (next.type === 'eof') fail(`expected ')'`, next);
          fail(`expected ',' or ')' but found ${describe(next)}`, next);
        }
      }
      default:
        return fail(t.type === 'eof' ? 'expected a value' : `expected a value but found ${describe(t)}`, t);
    }
  };

  const node = expression();
  const rest = peek();
  if (rest.type !== 'eof') fail(`unexpected ${describe(rest)} after the end of the expression`, rest);
  return node;
}
