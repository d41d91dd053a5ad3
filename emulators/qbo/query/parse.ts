import { queryParseError } from '../errors.ts';

/**
 * The QuickBooks query language:
 *   SELECT * | COUNT(*) | <prop>[, …] FROM <Entity>
 *   [WHERE <prop> <op> <value> [AND …]] [ORDERBY <prop> [ASC|DESC][, …]]
 *   [STARTPOSITION n] [MAXRESULTS m]
 * with ops = < > <= >= != IN LIKE, no OR; keywords are case-insensitive; strings are single-quoted
 * with backslash escapes. Errors read like the service's JavaCC parser:
 *   QueryParserError: Encountered " <IDENTIFIER> "TxnDate "" at line 1, column 29.
 */

export type CompareOp = '=' | '<' | '>' | '<=' | '>=' | '!=';
export type Literal =
  { kind: 'string'; value: string } | { kind: 'number'; value: string } | { kind: 'bool'; value: boolean };

export type Condition =
  | { field: string; op: CompareOp; value: Literal }
  | { field: string; op: 'IN'; values: Literal[] }
  | { field: string; op: 'LIKE'; value: Literal };

export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy: Array<{ field: string; desc: boolean }>;
  startPosition?: number;
  maxResults?: number;
}

type TokenKind = 'ident' | 'string' | 'number' | 'symbol' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  column: number;
}

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'not',
  'orderby',
  'order',
  'by',
  'asc',
  'desc',
  'startposition',
  'maxresults',
  'in',
  'like',
  'count',
  'true',
  'false',
]);

function describe(t: Token): string {
  if (t.kind === 'eof') return `"<EOF>" at line 1, column ${t.column}.`;
  const lower = t.text.toLowerCase();
  if (t.kind === 'ident' && KEYWORDS.has(lower))
    return `" "${lower}" "${t.text} "" at line 1, column ${t.column}.`;
  const kind = { ident: 'IDENTIFIER', string: 'STRING', number: 'INTEGER', symbol: '' }[t.kind];
  if (!kind) return `" "${t.text}" "${t.text} "" at line 1, column ${t.column}.`;
  return `" <${kind}> "${t.text} "" at line 1, column ${t.column}.`;
}

function unexpected(t: Token): never {
  throw queryParseError(`Encountered ${describe(t)}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const column = i + 1;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.]/.test(src[j]!)) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), column });
      i = j;
    } else if (
      /[0-9]/.test(c) ||
      (c === '-' && /[0-9.]/.test(src[i + 1] ?? '')) ||
      (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))
    ) {
      let j = i + 1;
      while (j < src.length && /[0-9.]/.test(src[j]!)) j++;
      const text = src.slice(i, j);
      if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text))
        throw queryParseError(`Lexical error at line 1, column ${column}.  Encountered: "${text}"`);
      tokens.push({ kind: 'number', text, column });
      i = j;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      let closed = false;
      while (j < src.length) {
        const ch = src[j]!;
        if (ch === '\\' && j + 1 < src.length) {
          value += src[j + 1];
          j += 2;
        } else if (ch === "'") {
          closed = true;
          j++;
          break;
        } else {
          value += ch;
          j++;
        }
      }
      if (!closed) {
        throw queryParseError(
          `Lexical error at line 1, column ${src.length + 1}.  Encountered: <EOF> after : "${src.slice(i, Math.min(src.length, i + 40))}"`,
        );
      }
      tokens.push({ kind: 'string', text: value, column });
      i = j;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
        tokens.push({ kind: 'symbol', text: two === '<>' ? '!=' : two, column });
        i += 2;
      } else if ('=<>*(),'.includes(c)) {
        tokens.push({ kind: 'symbol', text: c, column });
        i++;
      } else {
        throw queryParseError(
          `Lexical error at line 1, column ${column}.  Encountered: "${c}" (${c.charCodeAt(0)}), after : ""`,
        );
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', column: src.length + 1 });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.pos]!;
  }
  next(): Token {
    return this.tokens[this.pos++]!;
  }
  isKeyword(word: string, t = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }
  keyword(word: string): void {
    const t = this.next();
    if (!this.isKeyword(word, t)) unexpected(t);
  }
  symbol(s: string): void {
    const t = this.next();
    if (t.kind !== 'symbol' || t.text !== s) unexpected(t);
  }
  identifier(): string {
    const t = this.next();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) unexpected(t);
    return t.text;
  }
  integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) unexpected(t);
    return Number(t.text);
  }
  literal(): Literal {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'number') return { kind: 'number', value: t.text };
    if (this.isKeyword('true', t)) return { kind: 'bool', value: true };
    if (this.isKeyword('false', t)) return { kind: 'bool', value: false };
    return unexpected(t);
  }

  query(): ParsedQuery {
    this.keyword('select');
    let count = false;
    const t = this.peek();
    if (t.kind === 'symbol' && t.text === '*') {
      this.next();
    } else if (this.isKeyword('count')) {
      this.next();
      this.symbol('(');
      this.symbol('*');
      this.symbol(')');
      count = true;
    } else if (!this.isKeyword('from')) {
      // projections parse, but QuickBooks always returns whole entities
      this.identifier();
      while (this.peek().kind === 'symbol' && this.peek().text === ',') {
        this.next();
        this.identifier();
      }
    }
    this.keyword('from');
    const entity = this.identifier();
    const where: Condition[] = [];
    if (this.isKeyword('where')) {
      this.next();
      where.push(this.condition());
      while (this.isKeyword('and')) {
        this.next();
        where.push(this.condition());
      }
    }
    const orderBy: ParsedQuery['orderBy'] = [];
    if (this.isKeyword('orderby') || this.isKeyword('order')) {
      if (this.next().text.toLowerCase() === 'order') this.keyword('by');
      do {
        if (orderBy.length) this.next();
        const field = this.identifier();
        let desc = false;
        if (this.isKeyword('asc')) this.next();
        else if (this.isKeyword('desc')) {
          this.next();
          desc = true;
        }
        orderBy.push({ field, desc });
      } while (this.peek().kind === 'symbol' && this.peek().text === ',');
    }
    const q: ParsedQuery = { count, entity, where, orderBy };
    for (let n = 0; n < 2; n++) {
      if (this.isKeyword('startposition') && q.startPosition === undefined) {
        this.next();
        q.startPosition = this.integer();
      } else if (this.isKeyword('maxresults') && q.maxResults === undefined) {
        this.next();
        q.maxResults = this.integer();
      }
    }
    const end = this.next();
    if (end.kind !== 'eof') unexpected(end);
    return q;
  }

  condition(): Condition {
    const field = this.identifier();
    const t = this.next();
    if (t.kind === 'symbol' && ['=', '<', '>', '<=', '>=', '!='].includes(t.text)) {
      return { field, op: t.text as CompareOp, value: this.literal() };
    }
    if (this.isKeyword('in', t)) {
      this.symbol('(');
      const values = [this.literal()];
      while (this.peek().kind === 'symbol' && this.peek().text === ',') {
        this.next();
        values.push(this.literal());
      }
      this.symbol(')');
      return { field, op: 'IN', values };
    }
    if (this.isKeyword('like', t)) {
      const value = this.literal();
      if (value.kind !== 'string') unexpected(this.tokens[this.pos - 1]!);
      return { field, op: 'LIKE', value };
    }
    return unexpected(t);
  }
}

/** Parses a query statement; throws 4000 (QueryParserError) when it does not parse. */
export function parseQuery(text: string): ParsedQuery {
  return new Parser(tokenize(text)).query();
}
