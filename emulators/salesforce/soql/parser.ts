import type {
  AggregateFn,
  CompareOp,
  Condition,
  FieldRef,
  Literal,
  OrderItem,
  SelectItem,
  SelectStatement,
} from './ast.ts';
import { SoqlError } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

/**
 * A recursive-descent parser for the SOQL the REST query resource accepts: field lists with
 * relationship paths, child subqueries, aggregate functions, FIELDS(), WHERE with AND/OR/NOT (never
 * mixed without parentheses, as in real SOQL), IN/NOT IN (values or a semi-join), LIKE,
 * INCLUDES/EXCLUDES, date literals, GROUP BY, ORDER BY ... NULLS FIRST|LAST, LIMIT and OFFSET.
 */

const CLAUSE_WORDS = new Set([
  'FROM',
  'WHERE',
  'ORDER',
  'GROUP',
  'LIMIT',
  'OFFSET',
  'HAVING',
  'WITH',
  'USING',
  'FOR',
  'UPDATE',
  'VIEW',
  'REFERENCE',
  'AND',
  'OR',
  'NOT',
  'SELECT',
]);

const AGGREGATES = new Set<AggregateFn>(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

const DATE_LITERALS = new Set([
  'YESTERDAY',
  'TODAY',
  'TOMORROW',
  'LAST_WEEK',
  'THIS_WEEK',
  'NEXT_WEEK',
  'LAST_MONTH',
  'THIS_MONTH',
  'NEXT_MONTH',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_QUARTER',
  'LAST_QUARTER',
  'NEXT_QUARTER',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR',
]);

const DATE_LITERALS_N = new Set([
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'N_DAYS_AGO',
  'LAST_N_WEEKS',
  'NEXT_N_WEEKS',
  'N_WEEKS_AGO',
  'LAST_N_MONTHS',
  'NEXT_N_MONTHS',
  'N_MONTHS_AGO',
  'LAST_N_QUARTERS',
  'NEXT_N_QUARTERS',
  'N_QUARTERS_AGO',
  'LAST_N_YEARS',
  'NEXT_N_YEARS',
  'N_YEARS_AGO',
]);

class Parser {
  private i = 0;

  constructor(
    private readonly soql: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private unexpected(t: Token = this.peek()): SoqlError {
    return new SoqlError('MALFORMED_QUERY', this.soql, t.pos, `unexpected token: '${t.text}'`);
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.unexpected();
    return this.next();
  }

  private isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === p;
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) throw this.unexpected();
    return this.next();
  }

  /** The whole statement: anything left after it is an error. */
  statement(): SelectStatement {
    const q = this.select(false);
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return q;
  }

  private select(nested: boolean): SelectStatement {
    this.expectWord('SELECT');
    const select = this.selectList(nested);
    this.expectWord('FROM');
    const fromTok = this.next();
    if (fromTok.kind !== 'ident' || CLAUSE_WORDS.has(fromTok.text.toUpperCase()))
      throw this.unexpected(fromTok);
    let name = fromTok.text;
    // Child relationship names in subqueries may be written Parent.Children__r.
    while (this.isPunct('.') && this.peek(1).kind === 'ident') {
      this.next();
      name = `${name}.${this.next().text}`;
    }
    let alias: string | null = null;
    const a = this.peek();
    if (a.kind === 'ident' && !CLAUSE_WORDS.has(a.text.toUpperCase())) alias = this.next().text;
    const q: SelectStatement = {
      select,
      from: { name, alias, pos: fromTok.pos },
      where: null,
      groupBy: [],
      orderBy: [],
      limit: null,
      offset: null,
    };
    if (this.isWord('USING')) {
      this.next();
      this.expectWord('SCOPE');
      if (this.peek().kind !== 'ident') throw this.unexpected();
      this.next();
    }
    if (this.isWord('WHERE')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isWord('WITH')) {
      this.next();
      if (this.isWord('SECURITY_ENFORCED') || this.isWord('USER_MODE') || this.isWord('SYSTEM_MODE'))
        this.next();
      else throw this.unexpected();
    }
    if (this.isWord('GROUP')) {
      this.next();
      this.expectWord('BY');
      do q.groupBy.push(this.fieldRef());
      while (this.isPunct(',') && this.next());
    }
    if (this.isWord('ORDER')) {
      this.next();
      this.expectWord('BY');
      do q.orderBy.push(this.orderItem());
      while (this.isPunct(',') && this.next());
    }
    if (this.isWord('LIMIT')) {
      this.next();
      q.limit = this.integer();
    }
    if (this.isWord('OFFSET')) {
      this.next();
      q.offset = this.integer();
    }
    if (!nested && this.isWord('FOR')) {
      this.next();
      if (this.isWord('VIEW') || this.isWord('REFERENCE') || this.isWord('UPDATE')) this.next();
      else throw this.unexpected();
    }
    return q;
  }

  private integer(): { value: number; pos: number } {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected(t);
    return { value: Number(t.text), pos: t.pos };
  }

  private selectList(nested: boolean): SelectItem[] {
    const items: SelectItem[] = [];
    for (;;) {
      items.push(this.selectItem(nested));
      if (!this.isPunct(',')) break;
      this.next();
    }
    return items;
  }

  private selectItem(nested: boolean): SelectItem {
    const t = this.peek();
    if (this.isPunct('(')) {
      if (nested) throw this.unexpected();
      this.next();
      const query = this.select(true);
      this.expectPunct(')');
      return { kind: 'subquery', query, pos: t.pos };
    }
    if (t.kind !== 'ident' || (CLAUSE_WORDS.has(t.text.toUpperCase()) && !this.isPunct('(', 1)))
      throw this.unexpected();
    const upper = t.text.toUpperCase();
    if (this.isPunct('(', 1)) {
      if (upper === 'FIELDS') {
        this.next();
        this.next();
        const which = this.next();
        const w = which.text.toUpperCase();
        if (which.kind !== 'ident' || (w !== 'ALL' && w !== 'STANDARD' && w !== 'CUSTOM'))
          throw this.unexpected(which);
        this.expectPunct(')');
        return { kind: 'fields', which: w, pos: t.pos };
      }
      if (AGGREGATES.has(upper as AggregateFn)) {
        this.next();
        this.next();
        if (upper === 'COUNT' && this.isPunct(')')) {
          this.next();
          return { kind: 'count', pos: t.pos };
        }
        const ref = this.fieldRef();
        this.expectPunct(')');
        let alias: string | null = null;
        const a = this.peek();
        if (a.kind === 'ident' && !CLAUSE_WORDS.has(a.text.toUpperCase())) alias = this.next().text;
        return { kind: 'aggregate', fn: upper as AggregateFn, ref, alias, pos: t.pos };
      }
      throw this.unexpected(this.peek(1));
    }
    return { kind: 'field', ref: this.fieldRef() };
  }

  private fieldRef(): FieldRef {
    const first = this.next();
    if (first.kind !== 'ident') throw this.unexpected(first);
    const path = [first.text];
    while (this.isPunct('.')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'ident') throw this.unexpected(t);
      path.push(t.text);
    }
    return { path, pos: first.pos };
  }

  private orderItem(): OrderItem {
    const ref = this.fieldRef();
    let descending = false;
    if (this.isWord('ASC')) this.next();
    else if (this.isWord('DESC')) {
      this.next();
      descending = true;
    }
    let nullsLast = descending;
    if (this.isWord('NULLS')) {
      this.next();
      if (this.isWord('FIRST')) nullsLast = false;
      else if (this.isWord('LAST')) nullsLast = true;
      else throw this.unexpected();
      this.next();
    }
    return { ref, descending, nullsLast };
  }

  /** AND and OR may not be mixed at one level without parentheses. */
  private condition(): Condition {
    const first = this.unary();
    const word = this.isWord('AND') ? 'AND' : this.isWord('OR') ? 'OR' : null;
    if (!word) return first;
    const items = [first];
    while (this.isWord(word)) {
      this.next();
      items.push(this.unary());
    }
    if (this.isWord(word === 'AND' ? 'OR' : 'AND')) throw this.unexpected();
    return { kind: word === 'AND' ? 'and' : 'or', items };
  }

  private unary(): Condition {
    if (this.isWord('NOT')) {
      this.next();
      return { kind: 'not', item: this.unary() };
    }
    if (this.isPunct('(')) {
      this.next();
      const c = this.condition();
      this.expectPunct(')');
      return c;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const ref = this.fieldRef();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      return { kind: 'compare', ref, op: t.text as CompareOp, value: this.literal() };
    }
    if (this.isWord('LIKE')) {
      this.next();
      return { kind: 'like', ref, pattern: this.literal() };
    }
    let negated = false;
    if (this.isWord('NOT') && (this.isWord('IN', 1) || this.isWord('LIKE', 1))) {
      this.next();
      negated = true;
      if (this.isWord('LIKE')) {
        this.next();
        return { kind: 'not', item: { kind: 'like', ref, pattern: this.literal() } };
      }
    }
    if (this.isWord('IN')) {
      this.next();
      const open = this.expectPunct('(');
      if (this.isWord('SELECT')) {
        const query = this.select(true);
        this.expectPunct(')');
        return { kind: 'semijoin', ref, negated, query, pos: open.pos };
      }
      return { kind: 'in', ref, negated, values: this.literalList() };
    }
    if (!negated && (this.isWord('INCLUDES') || this.isWord('EXCLUDES'))) {
      const excludes = this.next().text.toUpperCase() === 'EXCLUDES';
      this.expectPunct('(');
      return { kind: 'includes', ref, negated: excludes, values: this.literalList() };
    }
    throw this.unexpected();
  }

  private literalList(): Literal[] {
    const values: Literal[] = [];
    for (;;) {
      values.push(this.literal());
      if (this.isPunct(')')) {
        this.next();
        return values;
      }
      this.expectPunct(',');
    }
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text, pos: t.pos };
      case 'number':
        return { kind: 'number', text: t.text, pos: t.pos };
      case 'date':
        return { kind: 'date', text: t.text, pos: t.pos };
      case 'datetime':
        return { kind: 'datetime', text: t.text, pos: t.pos };
      case 'ident': {
        const u = t.text.toUpperCase();
        if (u === 'TRUE' || u === 'FALSE') return { kind: 'boolean', value: u === 'TRUE', pos: t.pos };
        if (u === 'NULL') return { kind: 'null', pos: t.pos };
        if (DATE_LITERALS.has(u)) return { kind: 'dateLiteral', name: u, n: null, pos: t.pos };
        if (DATE_LITERALS_N.has(u)) {
          this.expectPunct(':');
          const n = this.next();
          if (n.kind !== 'number' || !/^\d+$/.test(n.text)) throw this.unexpected(n);
          return { kind: 'dateLiteral', name: u, n: Number(n.text), pos: t.pos };
        }
        throw this.unexpected(t);
      }
      default:
        throw this.unexpected(t);
    }
  }
}

/** Parses a SOQL statement; MALFORMED_QUERY with the real caret message when it is not valid. */
export function parseSoql(soql: string): SelectStatement {
  return new Parser(soql, tokenize(soql)).statement();
}
