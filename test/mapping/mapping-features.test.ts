import { describe, expect, it } from 'vitest';
import { hashValue } from '../../src/mapping/index.ts';
import { catalogs, compiled, context, flowYaml } from './helpers.ts';

const acct = (fields: Record<string, unknown> = {}) => ({
  Id: '001000000000001AAA',
  Name: 'Acme',
  ...fields,
});
const cust = (fields: Record<string, unknown> = {}) => ({ Id: '9', DisplayName: 'Acme', ...fields });

describe('value maps', () => {
  const flow = compiled(
    flowYaml([
      '{ sf: Name, qb: DisplayName }',
      "{ sf: Industry, qb: Notes, valueMap: { Retail: R, Banking: B }, default: { toQuickbooks: 'O', toSalesforce: Other } }",
    ]),
  );

  it('maps Salesforce values to QuickBooks ones, ignoring case, with a default for the rest', () => {
    expect(flow.toQb(acct({ Industry: 'Retail' }), context()).values.Notes).toBe('R');
    expect(flow.toQb(acct({ Industry: 'retail ' }), context()).values.Notes).toBe('R');
    expect(flow.toQb(acct({ Industry: 'Energy' }), context()).values.Notes).toBe('O');
    expect(flow.toQb(acct({ Industry: null }), context()).values.Notes).toBe('O');
  });

  it('inverts the map for QuickBooks → Salesforce', () => {
    expect(flow.toSf(cust({ Notes: 'B' }), context()).values.Industry).toBe('Banking');
    expect(flow.toSf(cust({ Notes: 'zzz' }), context()).values.Industry).toBe('Other');
  });

  it('takes an explicit reverseMap when the map is not one-to-one', () => {
    const f = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        '{ sf: Industry, qb: Notes, valueMap: { Retail: SHOP, Apparel: SHOP }, reverseMap: { SHOP: Retail } }',
      ]),
    );
    expect(f.toQb(acct({ Industry: 'Apparel' }), context()).values.Notes).toBe('SHOP');
    expect(f.toSf(cust({ Notes: 'SHOP' }), context()).values.Industry).toBe('Retail');
    // Unmapped values without a default pass through unchanged.
    expect(f.toSf(cust({ Notes: 'Energy' }), context()).values.Industry).toBe('Energy');
  });

  it('checks values against restricted picklists, fixing their case', () => {
    const f = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        '{ sf: BillingGeocodeAccuracy, qb: Notes }',
        '{ sf: Description, qb: PreferredDeliveryMethod, direction: sf->qb }',
      ]),
    );
    expect(f.toSf(cust({ Notes: 'zip' }), context()).values.BillingGeocodeAccuracy).toBe('Zip');
    const bad = f.toSf(cust({ Notes: 'Roof' }), context());
    expect(bad.problems).toEqual([
      {
        field: 'BillingGeocodeAccuracy',
        code: 'not-in-picklist',
        message:
          "'Roof' is not a value of the restricted picklist Account.BillingGeocodeAccuracy: Address, NearAddress, Block, Street, ExtendedZip, Zip, Neighborhood, City, County, State, Unknown",
      },
    ]);
    expect(f.toQb(acct({ Description: 'Fax' }), context()).problems[0]).toMatchObject({
      field: 'PreferredDeliveryMethod',
      code: 'not-in-picklist',
    });
    expect(f.toQb(acct({ Description: 'email' }), context()).values.PreferredDeliveryMethod).toBe('Email');
  });
});

describe('constants, defaults and onCreateOnly', () => {
  const flow = compiled(
    flowYaml([
      '{ sf: Name, qb: DisplayName }',
      '{ qb: PreferredDeliveryMethod, constant: Email }',
      '{ sf: QB_Balance__c, constant: 99999999999999.99, onCreateOnly: true }',
      '{ sf: Description, qb: Notes, default: n/a }',
      "{ sf: Site, constant: 'Imported from QuickBooks', onCreateOnly: true }",
    ]),
  );

  it('writes constants, with numbers exact to the last digit', () => {
    expect(flow.toQb(acct(), context()).values.PreferredDeliveryMethod).toBe('Email');
    const created = flow.toSf(cust(), context(true));
    expect(created.values.QB_Balance__c).toEqual({ decimal: '99999999999999.99' });
    expect(created.values.Site).toBe('Imported from QuickBooks');
    const updated = flow.toSf(cust(), context(false));
    expect(updated.values).not.toHaveProperty('QB_Balance__c');
    expect(updated.values).not.toHaveProperty('Site');
  });

  it('uses the default for empty values in both directions', () => {
    expect(flow.toQb(acct({ Description: '' }), context()).values.Notes).toBe('n/a');
    expect(flow.toSf(cust({ Notes: null }), context()).values.Description).toBe('n/a');
    expect(flow.toSf(cust({ Notes: 'kept' }), context()).values.Description).toBe('kept');
  });
});

describe('expressions in fields', () => {
  it('computes values each way from the other side’s fields', () => {
    const flow = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        `{ sf: Site, qb: PrintOnCheckName, toQuickbooks: "upper(concat(Name, ' - ', contact.LastName))", toSalesforce: "title_case(PrintOnCheckName)" }`,
        `{ qb: Notes, toQuickbooks: "concat('Customer since ', format_date(CreatedDate, 'MMMM YYYY'))" }`,
      ]),
    );
    const r = flow.toQb(
      acct({ CreatedDate: '2024-01-31T23:30:00.000+0000', contact: { LastName: 'Smith' } }),
      context(),
    );
    expect(r.values.PrintOnCheckName).toBe('ACME - SMITH');
    expect(r.values.Notes).toBe('Customer since January 2024');
    expect(flow.toSf(cust({ PrintOnCheckName: 'ACME - SMITH' }), context()).values.Site).toBe('Acme - Smith');
    expect(flow.sfRead.main).toEqual(expect.arrayContaining(['Name', 'CreatedDate', 'Site']));
    expect(flow.sfRead.related.contact).toContain('LastName');
  });

  it('turns a value an expression cannot handle into a problem, not a crash', () => {
    const flow = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        `{ qb: Notes, toQuickbooks: "format_date(Description, 'YYYY')" }`,
      ]),
    );
    const r = flow.toQb(acct({ Description: 'soon' }), context());
    expect(r.values).not.toHaveProperty('Notes');
    expect(r.problems).toEqual([
      { field: 'Notes', code: 'invalid', message: "QuickBooks Customer.Notes: 'soon' is not a date" },
    ]);
  });

  it('converts dates, numbers and checkboxes to the target type', () => {
    const flow = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        '{ qb: OpenBalanceDate, toQuickbooks: CreatedDate, onCreateOnly: true }',
        '{ sf: NumberOfEmployees, qb: Notes, direction: qb->sf }',
        '{ sf: contact.DoNotCall, qb: Taxable }',
        '{ sf: contact.LastName, qb: FamilyName }',
      ]),
    );
    const r = flow.toQb(
      acct({ CreatedDate: '2024-01-31T23:30:00.000+0000', contact: { DoNotCall: true } }),
      context(true),
    );
    expect(r.values.OpenBalanceDate).toBe('2024-01-31');
    expect(r.values.Taxable).toBe(true);
    const person = (f: Record<string, unknown>) => cust({ FamilyName: 'Smith', ...f });
    expect(flow.toSf(person({ Notes: ' 12 ' }), context()).values.NumberOfEmployees).toEqual({
      decimal: '12',
    });
    expect(flow.toSf(person({ Notes: '12.5' }), context()).problems).toEqual([
      {
        field: 'NumberOfEmployees',
        code: 'invalid',
        message: 'Account.NumberOfEmployees takes whole numbers, not 12.5',
      },
    ]);
    expect(flow.toSf(person({ Notes: '123456789' }), context()).problems[0]?.message).toBe(
      '123456789 is too large for Account.NumberOfEmployees (at most 8 digits before the decimal point)',
    );
    expect(flow.toSf(person({ Taxable: false }), context()).values['related.contact.DoNotCall']).toBe(false);
  });
});

describe('criteria and related records', () => {
  it('accepts only records that meet the criteria', () => {
    const flow = compiled(
      flowYaml(
        ['{ sf: Name, qb: DisplayName }'],
        `    criteria:\n      salesforce: "eq(Type, 'Customer - Direct')"\n      quickbooks: "not(Job)"\n`,
      ),
    );
    expect(flow.accepts('sf', acct({ Type: 'Customer - Direct' }))).toBe(true);
    expect(flow.accepts('sf', acct({ Type: 'Prospect' }))).toBe(false);
    expect(flow.accepts('qb', cust({ Job: false }))).toBe(true);
    expect(flow.accepts('qb', cust({ Job: true }))).toBe(false);
    expect(flow.sfRead.main).toContain('Type');
  });

  it('requires the related record’s required fields when it is created', () => {
    const flow = compiled(
      flowYaml(['{ sf: Name, qb: DisplayName }', '{ sf: contact.LastName, qb: FamilyName }']),
    );
    const creating = { ...context(false), relatedIsCreate: { contact: true } };
    expect(flow.toSf(cust({ FamilyName: null }), creating).problems).toEqual([
      {
        field: 'related.contact.LastName',
        code: 'required',
        message: 'Contact.LastName needs a value; Salesforce does not allow it empty',
      },
    ]);
  });
});

describe('state hashes', () => {
  it('treat equivalent values as equal across systems', () => {
    const flow = compiled(
      flowYaml([
        '{ sf: Name, qb: DisplayName }',
        '{ sf: contact.Email, qb: PrimaryEmailAddr.Address }',
        '{ sf: QB_Balance__c, qb: Balance, direction: qb->sf }',
        '{ sf: contact.DoNotCall, qb: Taxable }',
      ]).replace('parentField: AccountId', 'parentField: AccountId, create: false'),
    );
    const written = flow.toSf(
      cust({
        DisplayName: ' Acme ',
        PrimaryEmailAddr: { Address: 'Bob@Acme.com' },
        Balance: 12.5,
        Taxable: false,
      }),
      context(),
    );
    const sfNow = acct({
      Name: 'Acme',
      QB_Balance__c: 12.5,
      contact: { Email: 'bob@acme.com', DoNotCall: false },
    });
    expect(flow.sfState(sfNow)).toEqual(written.hashes);
    const info = catalogs().sf.Account!.fields.get('QB_Balance__c')!;
    expect(hashValue({ decimal: '12.50' }, info)).toBe(hashValue(12.5, info));
    expect(hashValue('12.5', info)).toBe(hashValue(12.5, info));
  });
});
