import { beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../emulators/kit/clock.ts';
import { SfError } from '../../../emulators/salesforce/errors.ts';
import { SalesforceOrg } from '../../../emulators/salesforce/org/org.ts';
import { PACKAGE_SCHEMA } from '../../../emulators/salesforce/package-schema.ts';
import { parseCustomSchema } from '../../../emulators/salesforce/schema/custom-schema.ts';
import { Schema } from '../../../emulators/salesforce/schema/registry.ts';
import { seedBase } from '../../../emulators/salesforce/seed.ts';
import { QueryService } from '../../../emulators/salesforce/soql/query-service.ts';

let org: SalesforceOrg;
let queries: QueryService;
let userId: string;
const clock = new Clock();
const ids: Record<string, string> = {};

function q(soql: string, scanAll = false) {
  return queries.run(soql, { scanAll, version: '62.0', userId });
}

function rows(soql: string): Array<Record<string, unknown>> {
  return JSON.parse(JSON.stringify(q(soql).records)) as Array<Record<string, unknown>>;
}

function names(soql: string): string[] {
  return rows(soql).map((r) => r.Name as string);
}

function error(soql: string): SfError {
  try {
    q(soql);
  } catch (e) {
    if (e instanceof SfError) return e;
    throw e;
  }
  throw new Error(`no error for ${soql}`);
}

beforeAll(() => {
  org = new SalesforceOrg(Schema.build([parseCustomSchema(PACKAGE_SCHEMA)]), '00DAA0000000001AAA', 'AA');
  userId = seedBase(org, { username: 'u@example.com', now: clock.now() }).integrationUserId;
  queries = new QueryService(org, clock);
  const ctx = { userId, now: clock.now() };
  const acct = (name: string, extra: Record<string, unknown> = {}) =>
    (ids[name] = org.create('Account', { Name: name, ...extra }, ctx));
  acct('Alpha Inc', { QB_Balance__c: 100, NumberOfEmployees: 5, BillingCity: 'Oslo', Industry: 'Retail' });
  acct('beta llc', {
    QB_Balance__c: 250.5,
    AnnualRevenue: 250.5,
    NumberOfEmployees: 50,
    BillingCity: 'Bergen',
    Industry: 'Retail',
  });
  acct('Gamma_Co', { QB_Balance__c: null, BillingCity: 'Oslo', Industry: 'Energy' });
  acct("O'Brien & Sons", { QB_Balance__c: 99.99, Industry: null });
  acct('100% Organic', { NumberOfEmployees: 7 });
  for (const [last, account] of [
    ['Smith', 'Alpha Inc'],
    ['Jones', 'Alpha Inc'],
    ['Brown', 'beta llc'],
  ] as const)
    ids[last] = org.create(
      'Contact',
      { LastName: last, AccountId: ids[account], Email: `${last.toLowerCase()}@example.com` },
      ctx,
    );
  ids.Orphan = org.create('Contact', { LastName: 'Orphan' }, ctx);
  ids.Opp = org.create(
    'Opportunity',
    { Name: 'Deal', StageName: 'Closed Won', CloseDate: '2024-03-15', AccountId: ids['Alpha Inc'] },
    ctx,
  );
});

describe('SOQL filters', () => {
  it('compares strings case-insensitively and handles escapes', () => {
    expect(names("SELECT Name FROM Account WHERE Name = 'ALPHA INC'")).toEqual(['Alpha Inc']);
    expect(names("SELECT Name FROM Account WHERE Name = 'O\\'Brien & Sons'")).toEqual(["O'Brien & Sons"]);
    expect(
      names("SELECT Name FROM Account WHERE Name != 'alpha inc' AND Name != 'beta llc' ORDER BY Name"),
    ).toEqual(['100% Organic', 'Gamma_Co', "O'Brien & Sons"]);
  });

  it('supports LIKE with % and _ (and escaped wildcards)', () => {
    expect(names("SELECT Name FROM Account WHERE Name LIKE 'a%' ORDER BY Name")).toEqual(['Alpha Inc']);
    expect(names("SELECT Name FROM Account WHERE Name LIKE '%LL_' ORDER BY Name")).toEqual(['beta llc']);
    expect(names("SELECT Name FROM Account WHERE Name LIKE 'Gamma\\_%'")).toEqual(['Gamma_Co']);
    expect(names("SELECT Name FROM Account WHERE Name LIKE '100\\%%'")).toEqual(['100% Organic']);
    expect(names("SELECT Name FROM Account WHERE NOT Name LIKE '%a%' ORDER BY Name")).toEqual([
      "O'Brien & Sons",
    ]);
  });

  it('compares numbers exactly, with nulls never matching a range', () => {
    expect(names('SELECT Name FROM Account WHERE QB_Balance__c > 99.99 ORDER BY Name')).toEqual([
      'Alpha Inc',
      'beta llc',
    ]);
    expect(names('SELECT Name FROM Account WHERE QB_Balance__c = 250.5')).toEqual(['beta llc']);
    expect(names('SELECT Name FROM Account WHERE QB_Balance__c <= 100 ORDER BY Name')).toEqual([
      'Alpha Inc',
      "O'Brien & Sons",
    ]);
    expect(names('SELECT Name FROM Account WHERE NumberOfEmployees >= 7 ORDER BY Name')).toEqual([
      '100% Organic',
      'beta llc',
    ]);
    expect(names('SELECT Name FROM Account WHERE QB_Balance__c = null ORDER BY Name')).toEqual([
      '100% Organic',
      'Gamma_Co',
    ]);
    expect(names('SELECT Name FROM Account WHERE QB_Balance__c != null ORDER BY Name')).toEqual([
      'Alpha Inc',
      'beta llc',
      "O'Brien & Sons",
    ]);
    expect(names("SELECT Name FROM Account WHERE Industry = '' ORDER BY Name")).toEqual([
      '100% Organic',
      "O'Brien & Sons",
    ]);
  });

  it('supports IN / NOT IN, AND / OR / NOT with parentheses', () => {
    expect(names("SELECT Name FROM Account WHERE BillingCity IN ('oslo', 'Paris') ORDER BY Name")).toEqual([
      'Alpha Inc',
      'Gamma_Co',
    ]);
    expect(names("SELECT Name FROM Account WHERE Industry NOT IN ('Retail') ORDER BY Name")).toEqual([
      '100% Organic',
      'Gamma_Co',
      "O'Brien & Sons",
    ]);
    expect(
      names(
        "SELECT Name FROM Account WHERE (BillingCity = 'Oslo' OR BillingCity = 'Bergen') AND NOT (Industry = 'Energy') ORDER BY Name",
      ),
    ).toEqual(['Alpha Inc', 'beta llc']);
    expect(error("SELECT Name FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'").errorCode).toBe(
      'MALFORMED_QUERY',
    );
  });

  it('filters on parent fields and semi-joins', () => {
    expect(
      rows("SELECT LastName FROM Contact WHERE Account.Name = 'Alpha Inc' ORDER BY LastName").map(
        (r) => r.LastName,
      ),
    ).toEqual(['Jones', 'Smith']);
    expect(
      names('SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name'),
    ).toEqual(['Alpha Inc', 'beta llc']);
    expect(
      names('SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name'),
    ).toHaveLength(3);
  });

  it('understands dates, date-times and date literals', () => {
    const created = org.tables.get('Account')!.get(ids['Alpha Inc']!)!.CreatedDate as string;
    const day = created.slice(0, 10);
    expect(
      names(`SELECT Name FROM Account WHERE CreatedDate >= ${day}T00:00:00Z AND Name = 'Alpha Inc'`),
    ).toEqual(['Alpha Inc']);
    expect(names(`SELECT Name FROM Account WHERE CreatedDate < ${day}T00:00:00.000+0000`)).toEqual([]);
    expect(names(`SELECT Name FROM Account WHERE CreatedDate > ${day}T23:59:59+00:00`)).toEqual([]);
    expect(names("SELECT Name FROM Account WHERE CreatedDate = TODAY AND Name = 'Alpha Inc'")).toEqual([
      'Alpha Inc',
    ]);
    expect(
      names("SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:3 AND Name = 'Alpha Inc'"),
    ).toEqual(['Alpha Inc']);
    expect(names("SELECT Name FROM Account WHERE CreatedDate < YESTERDAY AND Name = 'Alpha Inc'")).toEqual(
      [],
    );
    expect(names('SELECT Name FROM Opportunity WHERE CloseDate = 2024-03-15')).toEqual(['Deal']);
    expect(names('SELECT Name FROM Opportunity WHERE CloseDate > 2024-03-15')).toEqual([]);
  });

  it('rejects literals of the wrong type like the real API', () => {
    const e = error('SELECT Id FROM Account WHERE CreatedDate > 2024-01-01');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toContain(
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    expect(error("SELECT Id FROM Account WHERE AnnualRevenue = '5'").message).toContain(
      'must be of type double',
    );
    expect(error('SELECT Id FROM Account WHERE Name = 5').message).toContain(
      'must be of type string and should be enclosed in quotes',
    );
    expect(error("SELECT Id FROM Account WHERE IsDeleted = 'false'").message).toContain(
      'must be of type boolean',
    );
    const badId = error("SELECT Id FROM Account WHERE Id = 'abc'");
    expect(badId.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(badId.message).toMatch(/invalid ID field: abc$/);
  });
});

describe('SOQL results', () => {
  it('orders by several fields, ASC/DESC and NULLS FIRST/LAST', () => {
    expect(names('SELECT Name FROM Account ORDER BY QB_Balance__c, Name')).toEqual([
      '100% Organic',
      'Gamma_Co',
      "O'Brien & Sons",
      'Alpha Inc',
      'beta llc',
    ]);
    expect(names('SELECT Name FROM Account ORDER BY QB_Balance__c DESC, Name')).toEqual([
      'beta llc',
      'Alpha Inc',
      "O'Brien & Sons",
      '100% Organic',
      'Gamma_Co',
    ]);
    expect(names('SELECT Name FROM Account ORDER BY QB_Balance__c ASC NULLS LAST, Name DESC')).toEqual([
      "O'Brien & Sons",
      'Alpha Inc',
      'beta llc',
      'Gamma_Co',
      '100% Organic',
    ]);
    expect(names('SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1')).toEqual([
      'Alpha Inc',
      'beta llc',
    ]);
  });

  it('answers range filters on the ORDER BY field (binary search in a sorted view) exactly like a scan', () => {
    const ctx = { userId, now: clock.now() };
    for (let i = 0; i < 60; i++)
      org.create(
        'Account',
        {
          Name: `Range ${String.fromCharCode(65 + (i % 26))}${i}`,
          QB_Balance__c: i % 7 === 0 ? null : ((i * 37) % 101) + 0.5,
        },
        ctx,
      );
    const cases = [
      ['QB_Balance__c > 20.5', 'QB_Balance__c'],
      ['QB_Balance__c >= 20.5 AND QB_Balance__c < 80', 'QB_Balance__c DESC'],
      ['QB_Balance__c <= 50', 'QB_Balance__c ASC NULLS LAST, Name'],
      ["QB_Balance__c > 10 AND Name LIKE 'Range%'", 'QB_Balance__c DESC NULLS FIRST'],
      ["Name > 'range m'", 'Name'],
      ["Name < 'RANGE C' AND Name >= 'range'", 'Name DESC'],
      ['CreatedDate >= 2000-01-01T00:00:00Z', 'CreatedDate, Id'],
    ];
    for (const [where, order] of cases) {
      for (const tail of ['', ' LIMIT 7', ' LIMIT 5 OFFSET 3']) {
        const fast = rows(`SELECT Id FROM Account WHERE ${where} ORDER BY ${order}${tail}`).map((r) => r.Id);
        const slow = rows(`SELECT Id FROM Account WHERE NOT (NOT (${where})) ORDER BY ${order}${tail}`).map(
          (r) => r.Id,
        );
        expect(fast, `${where} ORDER BY ${order}${tail}`).toEqual(slow);
      }
    }
    expect(
      rows('SELECT Id FROM Account WHERE QB_Balance__c > 20.5 ORDER BY QB_Balance__c').length,
    ).toBeGreaterThan(10);
  });

  it('nests parent fields and child subqueries, with null for none', () => {
    const r = rows(
      `SELECT Name, Owner.Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name IN ('Alpha Inc', 'Gamma_Co') ORDER BY Name`,
    );
    expect(r[0]).toMatchObject({
      Name: 'Alpha Inc',
      Owner: { attributes: { type: 'User' }, Name: 'Integration User' },
      Contacts: {
        totalSize: 2,
        done: true,
        records: [
          expect.objectContaining({ LastName: 'Jones' }),
          expect.objectContaining({ LastName: 'Smith' }),
        ],
      },
    });
    expect(r[1]!.Contacts).toBeNull();
    const c = rows(
      `SELECT LastName, Account.Name, Account.Owner.Name FROM Contact WHERE Id = '${ids.Orphan}'`,
    );
    expect(c[0]!.Account).toBeNull();
    const s = rows(
      `SELECT LastName, Account.Name, Account.Owner.Name FROM Contact WHERE Id = '${ids.Smith}'`,
    );
    expect(s[0]!.Account).toMatchObject({ Name: 'Alpha Inc', Owner: { Name: 'Integration User' } });
  });

  it('writes field names as describe spells them, whatever the query says', () => {
    const r = rows(
      "SELECT name, ANNUALREVENUE, account.name FROM Account WHERE name = 'beta llc'".replace(
        ', account.name',
        '',
      ),
    );
    expect(Object.keys(r[0]!)).toEqual(['attributes', 'Name', 'AnnualRevenue']);
    expect(r[0]!.AnnualRevenue).toBe(251);
  });

  it('counts and aggregates', () => {
    expect(q("SELECT COUNT() FROM Account WHERE NOT Name LIKE 'Range%'")).toEqual({
      totalSize: 5,
      done: true,
      records: [],
    });
    expect(q("SELECT COUNT() FROM Account WHERE BillingCity = 'Oslo'").totalSize).toBe(2);
    expect(rows('SELECT COUNT(Id) FROM Contact')).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 4 },
    ]);
    expect(
      rows(
        "SELECT Industry, COUNT(Id) n, SUM(QB_Balance__c) FROM Account WHERE NOT Name LIKE 'Range%' GROUP BY Industry ORDER BY Industry",
      ),
    ).toEqual([
      { attributes: { type: 'AggregateResult' }, Industry: null, n: 2, expr0: 99.99 },
      { attributes: { type: 'AggregateResult' }, Industry: 'Energy', n: 1, expr0: null },
      { attributes: { type: 'AggregateResult' }, Industry: 'Retail', n: 2, expr0: 350.5 },
    ]);
    expect(error('SELECT Name, COUNT(Id) FROM Account').message).toContain(
      'Field must be grouped or aggregated: Name',
    );
  });

  it('expands FIELDS(STANDARD) and requires a LIMIT for FIELDS(ALL)', () => {
    const r = rows("SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Alpha Inc'");
    expect(r[0]).toHaveProperty('BillingAddress');
    expect(r[0]).not.toHaveProperty('QBO_Id__c');
    expect(rows("SELECT FIELDS(ALL) FROM Account WHERE Name = 'Alpha Inc' LIMIT 1")[0]).toHaveProperty(
      'QBO_Id__c',
    );
    expect(error('SELECT FIELDS(ALL) FROM Account').errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('SOQL errors', () => {
  it('names the unknown column with the real caret message', () => {
    const e = error('SELECT Id, Nme FROM Account');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe(
      "\nSELECT Id, Nme FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nme' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('reports unknown objects, relationships and syntax errors', () => {
    const t = error('SELECT Id FROM Acount');
    expect(t.errorCode).toBe('INVALID_TYPE');
    expect(t.message).toContain("sObject type 'Acount' is not supported.");
    const rel = error('SELECT Acount.Name FROM Contact');
    expect(rel.errorCode).toBe('INVALID_FIELD');
    expect(rel.message).toContain("Didn't understand relationship 'Acount' in field path.");
    const child = error('SELECT Id, (SELECT Id FROM Kontacts) FROM Account');
    expect(child.errorCode).toBe('INVALID_TYPE');
    expect(child.message).toContain("Didn't understand relationship 'Kontacts' in FROM part of query call.");
    const eof = error('SELECT Id FROM Account WHERE');
    expect(eof.message).toBe(
      "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: '<EOF>'",
    );
    expect(error('SELECT Id FROM Account WHERE Name IS NULL').message).toMatch(/unexpected token: 'IS'$/);
    expect(error('SELECT Id Account').errorCode).toBe('MALFORMED_QUERY');
    expect(error('SELECT Id FROM Account OFFSET 2001').errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    expect(error('SELECT Id, Id FROM Account').message).toMatch(/duplicate field selected: Id$/);
  });

  it('reports the row and column of errors in multi-line queries', () => {
    const e = error('SELECT Id,\n  Nmae\nFROM Account');
    expect(e.message.startsWith('\n  Nmae\n  ^\nERROR at Row:2:Column:3\n')).toBe(true);
  });
});
