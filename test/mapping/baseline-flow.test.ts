import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.ts';
import { compileFlow, type MappedValue, type QbRecord, type SfRecord } from '../../src/mapping/index.ts';
import { catalogs, context } from './helpers.ts';

/** The shipped customer-account pack, mapped both ways over realistic records. */

const flow = compileFlow(defaultConfig().flows[0]!, catalogs());

const PARENT_SF = '001000000000009AAA';
const PARENT_QB = '3';
const links = { [PARENT_SF]: PARENT_QB };

function account(overrides: Partial<SfRecord> = {}): SfRecord {
  return {
    attributes: { type: 'Account', url: '/services/data/v62.0/sobjects/Account/001000000000001AAA' },
    Id: '001000000000001AAA',
    Name: "Amy's Bird Sanctuary",
    QBO_Id__c: '7',
    Type: 'Customer - Direct',
    ParentId: PARENT_SF,
    BillingStreet: '4581 Finch St.\nSuite 200',
    BillingCity: 'Bayshore',
    BillingState: 'CA',
    BillingPostalCode: '94326',
    BillingCountry: 'USA',
    ShippingStreet: '1 Dock Rd.',
    ShippingCity: 'Half Moon Bay',
    ShippingState: 'CA',
    ShippingPostalCode: '94019',
    ShippingCountry: 'USA',
    Phone: '(650) 555-3311',
    Fax: '(650) 555-0002',
    Website: 'http://amysbirdsanctuary.intuit.com',
    Description: 'Prefers email invoices',
    QB_Balance__c: 1234.5,
    SystemModstamp: '2024-03-04T19:00:00.000+0000',
    contact: {
      Id: '003000000000001AAA',
      AccountId: '001000000000001AAA',
      Salutation: 'Ms.',
      FirstName: 'Amy',
      LastName: 'Lauterbach',
      Email: 'Birds@Intuit.com',
      MobilePhone: '(650) 555-0001',
    },
    ...overrides,
  };
}

function customer(overrides: Partial<QbRecord> = {}): QbRecord {
  return {
    Id: '7',
    SyncToken: '3',
    domain: 'QBO',
    sparse: false,
    MetaData: { CreateTime: '2024-01-02T10:00:00-08:00', LastUpdatedTime: '2024-03-04T11:00:00-08:00' },
    Title: 'Ms.',
    GivenName: 'Amy',
    FamilyName: 'Lauterbach',
    DisplayName: "Amy's Bird Sanctuary",
    CompanyName: "Amy's Bird Sanctuary",
    FullyQualifiedName: "Parent Co:Amy's Bird Sanctuary",
    PrintOnCheckName: "Amy's Bird Sanctuary",
    Active: true,
    PrimaryPhone: { FreeFormNumber: '(650) 555-3311' },
    Mobile: { FreeFormNumber: '(650) 555-0001' },
    Fax: { FreeFormNumber: '(650) 555-0002' },
    PrimaryEmailAddr: { Address: 'Birds@Intuit.com' },
    WebAddr: { URI: 'http://amysbirdsanctuary.intuit.com' },
    BillAddr: {
      Id: '2',
      Line1: '4581 Finch St.',
      Line2: 'Suite 200',
      City: 'Bayshore',
      CountrySubDivisionCode: 'CA',
      PostalCode: '94326',
      Country: 'USA',
    },
    ShipAddr: {
      Id: '3',
      Line1: '1 Dock Rd.',
      City: 'Half Moon Bay',
      CountrySubDivisionCode: 'CA',
      PostalCode: '94019',
      Country: 'USA',
    },
    Notes: 'Prefers email invoices',
    Taxable: false,
    Job: false,
    BillWithParent: false,
    ParentRef: { value: PARENT_QB, name: 'Parent Co' },
    Level: 1,
    Balance: 1234.5,
    BalanceWithJobs: 1234.5,
    CurrencyRef: { value: 'USD', name: 'United States Dollar' },
    PreferredDeliveryMethod: 'Print',
    ...overrides,
  };
}

/** Applies dotted QuickBooks values onto a customer, as a sparse update would. */
function applyToQb(base: QbRecord, values: Record<string, MappedValue>): QbRecord {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [path, v] of Object.entries(values)) {
    const parts = path.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    const leaf = parts[parts.length - 1]!;
    if (v !== null && typeof v === 'object') cur[leaf] = 'ref' in v ? { value: v.ref } : Number(v.decimal);
    else if (v === null) delete cur[leaf];
    else cur[leaf] = v;
  }
  return out;
}

/** Applies Salesforce values (main fields and related.<name>.<field>) onto an account. */
function applyToSf(base: SfRecord, values: Record<string, MappedValue>): SfRecord {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [key, v] of Object.entries(values)) {
    const value = v !== null && typeof v === 'object' ? ('ref' in v ? v.ref : Number(v.decimal)) : v;
    const m = /^related\.([^.]+)\.(.+)$/.exec(key);
    if (m) ((out[m[1]!] ??= {}) as Record<string, unknown>)[m[2]!] = value;
    else out[key] = value;
  }
  return out;
}

describe('baseline customer-account flow', () => {
  it('maps every field Salesforce → QuickBooks', () => {
    const r = flow.toQb(account(), context(false, links));
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({
      DisplayName: "Amy's Bird Sanctuary",
      CompanyName: "Amy's Bird Sanctuary",
      Title: 'Ms.',
      GivenName: 'Amy',
      FamilyName: 'Lauterbach',
      'PrimaryEmailAddr.Address': 'Birds@Intuit.com',
      'Mobile.FreeFormNumber': '(650) 555-0001',
      'PrimaryPhone.FreeFormNumber': '(650) 555-3311',
      'Fax.FreeFormNumber': '(650) 555-0002',
      'WebAddr.URI': 'http://amysbirdsanctuary.intuit.com',
      'BillAddr.Line1': '4581 Finch St.',
      'BillAddr.Line2': 'Suite 200',
      'BillAddr.Line3': null,
      'BillAddr.City': 'Bayshore',
      'BillAddr.CountrySubDivisionCode': 'CA',
      'BillAddr.PostalCode': '94326',
      'BillAddr.Country': 'USA',
      'ShipAddr.Line1': '1 Dock Rd.',
      'ShipAddr.Line2': null,
      'ShipAddr.Line3': null,
      'ShipAddr.City': 'Half Moon Bay',
      'ShipAddr.CountrySubDivisionCode': 'CA',
      'ShipAddr.PostalCode': '94019',
      'ShipAddr.Country': 'USA',
      Notes: 'Prefers email invoices',
      ParentRef: { ref: PARENT_QB },
    });
    // Taxable is set when the customer is created, never afterwards.
    expect(flow.toQb(account(), context(true, links)).values.Taxable).toBe(true);
  });

  it('maps every field QuickBooks → Salesforce', () => {
    const r = flow.toSf(customer(), context(false, links));
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({
      Name: "Amy's Bird Sanctuary",
      'related.contact.Salutation': 'Ms.',
      'related.contact.FirstName': 'Amy',
      'related.contact.LastName': 'Lauterbach',
      'related.contact.Email': 'Birds@Intuit.com',
      'related.contact.MobilePhone': '(650) 555-0001',
      Phone: '(650) 555-3311',
      Fax: '(650) 555-0002',
      Website: 'http://amysbirdsanctuary.intuit.com',
      BillingStreet: '4581 Finch St.\nSuite 200',
      BillingCity: 'Bayshore',
      BillingState: 'CA',
      BillingPostalCode: '94326',
      BillingCountry: 'USA',
      ShippingStreet: '1 Dock Rd.',
      ShippingCity: 'Half Moon Bay',
      ShippingState: 'CA',
      ShippingPostalCode: '94019',
      ShippingCountry: 'USA',
      Description: 'Prefers email invoices',
      ParentId: PARENT_SF,
      QB_Balance__c: { decimal: '1234.5' },
    });
    // New accounts get their type; existing ones keep theirs.
    expect(flow.toSf(customer(), context(true, links)).values.Type).toBe('Customer - Direct');
  });

  it('round-trips: what one side writes, the other maps back unchanged, and the hashes agree', () => {
    const sf = account();
    const toQb = flow.toQb(sf, context(false, links));
    const qb = applyToQb(customer({ Title: undefined, GivenName: 'x', Notes: 'old' }), toQb.values);
    // QuickBooks now holds exactly what was written: its state hashes equal the written hashes (our own echo).
    const qbState = flow.qbState(qb);
    for (const [k, h] of Object.entries(toQb.hashes)) expect(qbState[k], k).toBe(h);
    const back = flow.toSf(qb, context(false, links));
    const sfState = flow.sfState(sf);
    const bothWays = flow.pairs.filter((p) => p.direction === 'both' && p.sf);
    expect(bothWays.length).toBeGreaterThan(20);
    for (const p of bothWays) {
      const key = p.sf!.includes('.') ? `related.${p.sf}` : p.sf!;
      expect(back.hashes[key], key).toBe(sfState[key]);
    }
    // And the other way round, starting from QuickBooks.
    const qb2 = customer();
    const toSf = flow.toSf(qb2, context(false, links));
    const sf2 = applyToSf(account({ Phone: null, contact: null }), toSf.values);
    const again = flow.toQb(sf2, context(false, links));
    const qbState2 = flow.qbState(qb2);
    for (const p of flow.pairs.filter((x) => x.direction === 'both' && x.qb))
      expect(again.hashes[p.qb!], p.qb).toBe(qbState2[p.qb!]);
  });

  it('leaves QuickBooks contact fields alone when the account has no contact', () => {
    const r = flow.toQb(account({ contact: null }), context(false, links));
    for (const k of ['Title', 'GivenName', 'FamilyName', 'PrimaryEmailAddr.Address', 'Mobile.FreeFormNumber'])
      expect(r.values, k).not.toHaveProperty(k);
    expect(r.values.DisplayName).toBe("Amy's Bird Sanctuary");
  });

  it('creates no contact for a customer with no person in it, and names one that has', () => {
    const company = customer({
      Title: undefined,
      GivenName: undefined,
      FamilyName: undefined,
      PrimaryEmailAddr: undefined,
      Mobile: undefined,
    });
    const r = flow.toSf(company, context(true, links));
    expect(Object.keys(r.values).filter((k) => k.startsWith('related.'))).toEqual([]);
    expect(r.problems).toEqual([]);
    // A person without a family name: Contact.LastName (required) falls back to the display name's last word.
    const person = customer({ DisplayName: 'Diego Rodriguez', FamilyName: undefined, GivenName: 'Diego' });
    const p = flow.toSf(person, context(true, links));
    expect(p.values['related.contact.LastName']).toBe('Rodriguez');
    expect(p.problems).toEqual([]);
  });

  it('translates parents through links and holds the record back when the parent is not linked', () => {
    const r = flow.toQb(account(), context(false, {}));
    expect(r.values).not.toHaveProperty('ParentRef');
    expect(r.problems).toEqual([
      {
        field: 'ParentRef',
        code: 'unresolved-lookup',
        message: `QuickBooks Customer.ParentRef: Salesforce record ${PARENT_SF} is not linked yet`,
      },
    ]);
    const s = flow.toSf(customer(), context(false, {}));
    expect(s.problems.map((p) => p.code)).toEqual(['unresolved-lookup']);
    // No parent is no problem: the field is cleared.
    expect(flow.toQb(account({ ParentId: null }), context(false, {})).values.ParentRef).toBeNull();
  });

  it('cuts free text to fit and holds back values that would be corrupted by cutting', () => {
    const longName = `${'Very Long Company Name '.repeat(6)}Inc.`; // 142 characters
    const notes = 'n'.repeat(2500);
    const r = flow.toQb(account({ Name: longName, Description: notes }), context(false, links));
    expect(r.values.DisplayName).toBe(longName);
    expect((r.values.CompanyName as string).length).toBeLessThanOrEqual(100);
    expect(longName.startsWith(r.values.CompanyName as string)).toBe(true);
    expect((r.values.Notes as string).length).toBe(2000);
    expect(r.problems).toEqual([]);

    const s = flow.toSf(
      customer({
        DisplayName: 'D'.repeat(300),
        GivenName: 'G'.repeat(60),
        PrimaryEmailAddr: { Address: `${'e'.repeat(90)}@example.com` },
      }),
      context(false, links),
    );
    expect((s.values['related.contact.FirstName'] as string).length).toBe(40);
    expect(s.problems.map((p) => [p.field, p.code])).toEqual([
      ['Name', 'too-long'],
      ['related.contact.Email', 'too-long'],
    ]);
    expect(s.problems[0]!.message).toBe(
      `Account.Name takes at most 255 characters; this value has 300: '${'D'.repeat(57)}...'`,
    );
  });

  it('reports invalid emails and missing required values', () => {
    const r = flow.toQb(
      account({ Name: '  ', contact: { ...(account().contact as object), Email: 'amy@localhost' } }),
      context(true, links),
    );
    expect(r.problems).toEqual([
      {
        field: 'DisplayName',
        code: 'required',
        message: 'QuickBooks Customer.DisplayName needs a value; QuickBooks does not allow it empty',
      },
      {
        field: 'PrimaryEmailAddr.Address',
        code: 'invalid',
        message:
          "'amy@localhost' is not a valid email address for QuickBooks Customer.PrimaryEmailAddr.Address",
      },
    ]);
  });

  it('keeps onCreateOnly fields out of the state hashes', () => {
    expect(flow.qbState(customer())).not.toHaveProperty('Taxable');
    expect(flow.sfState(account())).not.toHaveProperty('Type');
    expect(Object.keys(flow.qbState(customer()))).toContain('ParentRef');
    expect(Object.keys(flow.sfState(account()))).toContain('related.contact.Email');
  });

  it('reads what it maps, and only that', () => {
    expect(flow.sfRead.main).toEqual(
      expect.arrayContaining([
        'Id',
        'Name',
        'QBO_Id__c',
        'SystemModstamp',
        'BillingStreet',
        'ParentId',
        'QB_Balance__c',
        'Type',
      ]),
    );
    expect(flow.sfRead.main).not.toContain('Industry');
    expect(flow.sfRead.related.contact).toEqual(
      expect.arrayContaining([
        'Id',
        'AccountId',
        'QBO_Id__c',
        'CreatedDate',
        'FirstName',
        'LastName',
        'Email',
        'Salutation',
        'MobilePhone',
      ]),
    );
  });

  it('computes matching keys on both sides', () => {
    expect(flow.keys('sf', account({ Name: "AMY'S  BIRD SANCTUARY" }))).toEqual({
      name: 'amysbirdsanctuary',
      email: 'birds@intuit.com',
      fuzzy: 'amys bird sanctuary',
      label: "AMY'S  BIRD SANCTUARY",
    });
    expect(flow.keys('qb', customer())).toMatchObject({
      name: 'amysbirdsanctuary',
      email: 'birds@intuit.com',
    });
    // An inactive QuickBooks customer is renamed "<name> (deleted)" but keeps its key.
    expect(
      flow.keys('qb', customer({ Active: false, DisplayName: "Amy's Bird Sanctuary (deleted)" })).name,
    ).toBe('amysbirdsanctuary');
    expect(flow.keys('sf', account({ contact: null })).email).toBeNull();
  });

  it('lists its pairs with stable ids', () => {
    const ids = flow.pairs.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(flow.pairs).toContainEqual({
      id: 'Name~DisplayName',
      sf: 'Name',
      qb: 'DisplayName',
      direction: 'both',
    });
    expect(flow.pairs).toContainEqual({ id: '~Taxable', qb: 'Taxable', direction: 'sf->qb' });
    expect(flow.pairs).toContainEqual({
      id: 'QB_Balance__c~Balance',
      sf: 'QB_Balance__c',
      qb: 'Balance',
      direction: 'qb->sf',
    });
    expect(compileFlow(defaultConfig().flows[0]!, catalogs()).pairs.map((p) => p.id)).toEqual(ids);
  });
});
