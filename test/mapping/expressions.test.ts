import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  ExpressionError,
  ExpressionRuntimeError,
  toText,
  type ExprValue,
  type FieldResolver,
} from '../../src/mapping/expressions/index.ts';
import { dec } from '../../src/money/decimal.ts';

/** Evaluates an expression over a record of already-typed values. */
function run(source: string, record: Record<string, ExprValue> = {}, resolve?: FieldResolver): ExprValue {
  return compileExpression(source, resolve).evaluate((k) => record[k] ?? null);
}

function text(source: string, record: Record<string, ExprValue> = {}): string | null {
  return toText(run(source, record));
}

function issuesOf(source: string, resolve?: FieldResolver): string[] {
  try {
    compileExpression(source, resolve);
  } catch (e) {
    if (e instanceof ExpressionError) return e.issues.map((i) => i.message);
    throw e;
  }
  return [];
}

const fields: Record<string, 'text' | 'number' | 'boolean' | 'date'> = {
  Name: 'text',
  'contact.FirstName': 'text',
  'contact.LastName': 'text',
  Balance: 'number',
  Taxable: 'boolean',
  CloseDate: 'date',
};
const resolve: FieldResolver = (path) =>
  fields[path]
    ? { key: path, type: fields[path] }
    : { error: `Account has no field ${path}${path === 'Nmae' ? ' (did you mean Name?)' : ''}` };

describe('expression syntax errors name the column', () => {
  it.each([
    ["concat(Name, ' '", `expected ')' at column 17 in "concat(Name, ' '"`],
    ['concat(Name ', `expected ')' at column 13 in "concat(Name "`],
    ["concat(Name 'x')", `expected ',' or ')' but found 'x' at column 13 in "concat(Name 'x')"`],
    ["upper(Name) + 'x'", `unexpected '+' (join text with concat(a, b)) at column 13 in "upper(Name) + 'x'"`],
    ["eq(Name = 'x')", `unexpected '=' (compare with eq(a, b) or ne(a, b)) at column 9 in "eq(Name = 'x')"`],
    ["concat('abc", `unterminated text starting at column 8 in "concat('abc"`],
    ['trim(,)', `expected a value but found ',' at column 6 in "trim(,)"`],
    ['trim(Name))', `unexpected ')' after the end of the expression at column 11 in "trim(Name))"`],
    ['contact.', `expected a field name after '.' at column 9 in "contact."`],
    ['12abc', `unexpected 'a' after the number at column 3 in "12abc"`],
  ])('%s', (source, message) => {
    expect(issuesOf(source)).toEqual([message]);
  });

  it('rejects an empty expression', () => {
    expect(issuesOf('   ')).toEqual(['the expression is empty']);
  });
});

describe('compile-time checks', () => {
  it('reports unknown functions with a suggestion', () => {
    expect(issuesOf('concatt(Name)')).toEqual([
      `unknown function 'concatt' (did you mean concat?) at column 1 in "concatt(Name)"`,
    ]);
    expect(issuesOf('title(Name)')[0]).toMatch(/unknown function 'title' \(did you mean title_case\?\)/);
  });

  it('reports unknown fields through the resolver, every one of them', () => {
    expect(issuesOf('concat(Nmae, Foo)', resolve)).toEqual([
      `Account has no field Nmae (did you mean Name?) at column 8 in "concat(Nmae, Foo)"`,
      `Account has no field Foo at column 14 in "concat(Nmae, Foo)"`,
    ]);
  });

  it('checks argument counts and types', () => {
    expect(issuesOf('trim(Name, Name)', resolve)[0]).toMatch(/^trim takes 1 argument but has 2 \(trim\(x\)/);
    expect(issuesOf('and(Taxable)', resolve)[0]).toMatch(/^and takes at least 2 arguments but has 1/);
    expect(issuesOf("if(Name, 'a', 'b')", resolve)).toEqual([
      `if needs true/false as argument 1, but Name is text (test it with empty(Name) or eq(Name, ...)) at column 4 in "if(Name, 'a', 'b')"`,
    ]);
    expect(issuesOf("format_date(Taxable, 'YYYY')", resolve)[0]).toMatch(
      /format_date needs a date as argument 1, but Taxable is true\/false/,
    );
    expect(issuesOf('round(Taxable, 2)', resolve)[0]).toMatch(/round needs a number as argument 1/);
  });

  it('checks literal arguments', () => {
    expect(issuesOf("split_name(Name, 'surname')")[0]).toMatch(
      /split_name needs 'first', 'middle' or 'last' as its second argument at column 18/,
    );
    expect(issuesOf('left(Name, 2.5)')[0]).toMatch(/left needs the number of characters as a whole number/);
    expect(issuesOf("left(Name, 'x')")).toEqual([
      `left argument 2: 'x' is not a number at column 12 in "left(Name, 'x')"`,
    ]);
    expect(issuesOf("format_date(CloseDate, 'YYYY-mm-dd')")[0]).toMatch(
      /unknown date part 'dd' in the pattern \(use DD for the day\)/,
    );
    expect(issuesOf("format_date(CloseDate, 'YYYY-mm')")[0]).toMatch(
      /'mm' in a date pattern means minutes; use MM for the month/,
    );
    expect(issuesOf("date('2024-02-30')")[0]).toMatch(/'2024-02-30' is not a date/);
  });

  it('infers result types', () => {
    expect(compileExpression("concat(Name, ' ')", resolve).type).toBe('text');
    expect(compileExpression('round(Balance, 0)', resolve).type).toBe('number');
    expect(compileExpression("eq(Name, 'x')", resolve).type).toBe('boolean');
    expect(compileExpression('coalesce(CloseDate, CloseDate)', resolve).type).toBe('date');
    expect(compileExpression("if(Taxable, 1, 'x')", resolve).type).toBe('any');
    expect(compileExpression('concat(contact.FirstName, Name)', resolve).fields).toEqual([
      'contact.FirstName',
      'Name',
    ]);
  });
});

describe('functions', () => {
  const rec: Record<string, ExprValue> = {
    Name: "  amy's bird  sanctuary ",
    'contact.FirstName': 'Amy',
    'contact.LastName': null,
    Balance: dec('1234.5'),
    Street: '4581 Finch St.\r\nSuite 200\n\nBuilding C',
  };

  it('concat, coalesce, join are null-safe', () => {
    expect(text("concat(contact.FirstName, ' ', contact.LastName)", rec)).toBe('Amy ');
    expect(text("trim(concat(contact.FirstName, ' ', contact.LastName))", rec)).toBe('Amy');
    expect(run('concat(contact.LastName, contact.LastName)', rec)).toBeNull();
    expect(text("coalesce(contact.LastName, '', '  ', contact.FirstName)", rec)).toBe('Amy');
    expect(run('coalesce(contact.LastName, null)', rec)).toBeNull();
    expect(text("join(', ', 'Bayshore', null, '', 'CA')", rec)).toBe('Bayshore, CA');
  });

  it('changes case and trims', () => {
    expect(text('trim(Name)', rec)).toBe("amy's bird  sanctuary");
    expect(text('upper(trim(Name))', rec)).toBe("AMY'S BIRD  SANCTUARY");
    expect(text('lower(contact.FirstName)', rec)).toBe('amy');
    expect(text('title_case(trim(Name))', rec)).toBe("Amy's Bird  Sanctuary");
    expect(text("title_case('o\\'neil')", rec)).toBe("O'Neil");
    expect(run('upper(contact.LastName)', rec)).toBeNull();
  });

  it('takes parts of text', () => {
    expect(text('left(trim(Name), 3)', rec)).toBe('amy');
    expect(text('right(trim(Name), 4)', rec)).toBe('uary');
    expect(text("replace(trim(Name), ' ', '_')", rec)).toBe("amy's_bird__sanctuary");
    expect(text("split('a;b;c', ';', 2)", rec)).toBe('b');
    expect(text("split('a;b;c', ';', -1)", rec)).toBe('c');
    expect(run("split('a;b;c', ';', 5)", rec)).toBeNull();
    expect(text('line(Street, 1)', rec)).toBe('4581 Finch St.');
    expect(text('line(Street, 2)', rec)).toBe('Suite 200');
    expect(text('line(Street, 3)', rec)).toBe('Building C');
    expect(run('line(Street, 4)', rec)).toBeNull();
    expect(text('length(contact.FirstName)', rec)).toBe('3');
    expect(run("contains(Name, 'BIRD')", rec)).toBe(true);
  });

  it.each([
    ['Amy Lauterbach', 'Amy', null, 'Lauterbach'],
    ['Dr. Amy Jo Lauterbach Jr.', 'Amy', 'Jo', 'Lauterbach'],
    ['Lauterbach, Amy Jo', 'Amy', 'Jo', 'Lauterbach'],
    ['Jean-Luc van der Berg', 'Jean-Luc', null, 'van der Berg'],
    ['Cher', null, null, 'Cher'],
    ['Mr. Smith', null, null, 'Smith'],
  ])('split_name(%j)', (name, first, middle, last) => {
    const r = { N: name };
    expect(run("split_name(N, 'first')", r)).toBe(first);
    expect(run("split_name(N, 'middle')", r)).toBe(middle);
    expect(run("split_name(N, 'last')", r)).toBe(last);
  });

  it('reads and formats dates of both systems', () => {
    const r = {
      sf: '2013-05-20T20:49:32.000+0000',
      qb: '2020-09-29T06:02:35-07:00',
      d: '2024-01-31',
      us: '01/31/2024',
    };
    expect(text("format_date(sf, 'YYYY-MM-DD HH:mm:ss')", r)).toBe('2013-05-20 20:49:32');
    // A QuickBooks time keeps its company's offset.
    expect(text("format_date(qb, 'MMM D, YYYY h:mm A Z')", r)).toBe('Sep 29, 2020 6:02 AM -07:00');
    expect(text("format_date(d, 'DD/MM/YY')", r)).toBe('31/01/24');
    expect(text("format_date(us, 'MMMM D, YYYY')", r)).toBe('January 31, 2024');
    expect(text("format_date(d, 'D [de] MMMM')", r)).toBe('31 de January');
    expect(text('date(qb)', r)).toBe('2020-09-29T13:02:35.000Z');
    expect(text('date(d)', r)).toBe('2024-01-31');
    expect(() => run("format_date(x, 'YYYY')", { x: '31.01.2024' })).toThrow(ExpressionRuntimeError);
    // A literal that is not a date is caught before anything runs.
    expect(issuesOf("format_date('31.01.2024', 'YYYY')")[0]).toMatch(
      /'31.01.2024' is not a date at column 13/,
    );
  });

  it('computes with exact decimals', () => {
    expect(text("number('0.1')")).toBe('0.1');
    expect(text("format_number(number('0.1'), 2)")).toBe('0.10');
    expect(text("format_number(Balance, 2, ',')", rec)).toBe('1,234.50');
    expect(text("format_number('-1234567.005', 2, ',')")).toBe('-1,234,567.01');
    expect(text("round('2.345', 2)")).toBe('2.35');
    expect(text("round('12345678901234567890.125', 2)")).toBe('12345678901234567890.13');
    expect(text("number('$1,250.00')")).toBe('1250');
    expect(() => run("number('12 apples')")).toThrow(/'12 apples' is not a number/);
  });

  it('compares and branches', () => {
    expect(run("eq('12.50', 12.5)")).toBe(true);
    expect(run("eq(null, '')")).toBe(true);
    expect(run("ne('a', 'A')")).toBe(true);
    expect(run('empty(contact.LastName)', rec)).toBe(true);
    expect(run("empty('  ')")).toBe(true);
    expect(run('not(empty(contact.FirstName))', rec)).toBe(true);
    expect(run('and(true, not(false), eq(1, 1))')).toBe(true);
    expect(run('or(false, false)')).toBe(false);
    expect(text("if(empty(contact.LastName), 'none', contact.LastName)", rec)).toBe('none');
    // The branch not taken is never evaluated.
    expect(text("if(true, 'ok', number(x))", { x: 'x' })).toBe('ok');
    expect(() => run("if(false, 'ok', number(x))", { x: 'x' })).toThrow(/'x' is not a number/);
    expect(() => run('not(x)', { x: 'maybe' })).toThrow(/'maybe' is not true or false/);
    expect(run('not(x)', { x: 'yes' })).toBe(false);
  });
});
