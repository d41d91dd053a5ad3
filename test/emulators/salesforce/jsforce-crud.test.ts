import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

describe('records through jsforce', () => {
  it('creates, retrieves, updates and deletes one record', async () => {
    const conn = connect(emu);
    const created = await conn
      .sobject('Account')
      .create({ Name: 'Acme Widgets', AnnualRevenue: 1234.5, Phone: '(555) 010-0000' });
    expect(created).toEqual({ id: expect.stringMatching(/^001[0-9A-Za-z]{15}$/), success: true, errors: [] });
    const rec = (await conn.sobject('Account').retrieve(created.id!)) as Record<string, unknown>;
    expect(rec.attributes).toEqual({
      type: 'Account',
      url: `/services/data/v62.0/sobjects/Account/${created.id}`,
    });
    expect(rec).toMatchObject({
      Id: created.id,
      Name: 'Acme Widgets',
      AnnualRevenue: 1235,
      IsDeleted: false,
      OwnerId: emu.info.userId,
    });
    expect(rec.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    expect(rec.SystemModstamp).toBe(rec.CreatedDate);
    const upd = await conn.sobject('Account').update({ Id: created.id!, Name: 'Acme Widgets Inc.' });
    expect(upd).toEqual({ id: created.id, success: true, errors: [] });
    const again = (await conn.sobject('Account').retrieve(created.id!, { fields: ['Name'] })) as Record<
      string,
      unknown
    >;
    expect(Object.keys(again)).toEqual(['attributes', 'Name']);
    expect(again.Name).toBe('Acme Widgets Inc.');
    await conn.sobject('Account').destroy(created.id!);
    await expect(conn.sobject('Account').retrieve(created.id!)).rejects.toMatchObject({
      errorCode: 'ENTITY_IS_DELETED',
      name: 'ENTITY_IS_DELETED',
    });
  });

  it('accepts 15- and 18-character ids, the latter in any case', async () => {
    const conn = connect(emu);
    const { id } = await conn.sobject('Contact').create({ LastName: 'Case' });
    const byShort = (await conn.sobject('Contact').retrieve(id!.slice(0, 15))) as { Id: string };
    expect(byShort.Id).toBe(id);
    const byLower = (await conn
      .sobject('Contact')
      .retrieve(id!.toLowerCase().slice(0, 15) + id!.slice(15))) as { Id: string };
    expect(byLower.Id).toBe(id);
    await expect(conn.sobject('Contact').retrieve(id!.slice(0, 15).toLowerCase())).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
  });

  it('works on arrays through sObject collections', async () => {
    const conn = connect(emu);
    const results = await conn
      .sobject('Contact')
      .create([
        { LastName: 'One', Email: 'one@example.com' },
        { FirstName: 'NoLast' },
        { LastName: 'Three' },
      ]);
    expect(results[0]).toMatchObject({ success: true });
    expect(results[1]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [LastName]',
          fields: ['LastName'],
        },
      ],
    });
    const ids = [results[0]!.id!, results[2]!.id!];
    const fetched = (await conn.sobject('Contact').retrieve(ids)) as Array<{
      Id: string;
      LastName: string;
      Name: string;
    }>;
    expect(fetched.map((r) => r.LastName)).toEqual(['One', 'Three']);
    expect(fetched[0]!.Name).toBe('One');
    const upd = await conn.sobject('Contact').update(ids.map((Id) => ({ Id, Title: 'Buyer' })));
    expect(upd.every((r) => r.success)).toBe(true);
    const del = await conn.sobject('Contact').destroy(ids);
    expect(del).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
  });

  it('upserts on an external id: 201 created, 200 updated, 300 for several matches', async () => {
    const conn = connect(emu);
    const first = await conn
      .sobject('Account')
      .upsert({ QBO_Id__c: 'QB-1001', Name: 'Upsert Co' }, 'QBO_Id__c');
    expect(first).toEqual({ id: expect.any(String), success: true, errors: [], created: true });
    const second = await conn
      .sobject('Account')
      .upsert({ QBO_Id__c: 'qb-1001', Name: 'Upsert Co 2' }, 'QBO_Id__c');
    expect(second).toEqual({ id: first.id, success: true, errors: [], created: false });
    const rec = (await conn.sobject('Account').retrieve(first.id!)) as { Name: string; QBO_Id__c: string };
    expect(rec).toMatchObject({ Name: 'Upsert Co 2', QBO_Id__c: 'QB-1001' });

    // Contact.Email is an idLookup field but not an external id: upserting on it is a 404.
    await expect(
      conn.sobject('Contact').upsert({ Email: 'x@example.com', LastName: 'X' }, 'Email'),
    ).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
      message: 'Provided external ID field does not exist or is not accessible: Email',
    });

    const many = await conn.sobject('Account').upsert(
      [
        { QBO_Id__c: 'QB-2001', Name: 'Bulk A' },
        { QBO_Id__c: 'QB-1001', Name: 'Bulk B' },
      ],
      'QBO_Id__c',
    );
    expect(many.map((r) => r.created)).toEqual([true, false]);
    expect(many[1]!.id).toBe(first.id);
  });

  it('fails every record that repeats an external id value within one collection upsert', async () => {
    const conn = connect(emu);
    const before = await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE QBO_Id__c LIKE 'DUP-%'");
    expect(before.totalSize).toBe(0);

    // allOrNone false: both duplicates fail (the match ignores case), the other record is written.
    const partial = await conn.sobject('Account').upsert(
      [
        { QBO_Id__c: 'DUP-1', Name: 'Dup A' },
        { QBO_Id__c: 'DUP-2', Name: 'Dup B' },
        { QBO_Id__c: 'dup-1', Name: 'Dup C' },
      ],
      'QBO_Id__c',
      { allOrNone: false },
    );
    expect(partial).toEqual([
      {
        success: false,
        errors: [
          { statusCode: 'DUPLICATE_VALUE', message: 'Duplicate external id specified: DUP-1', fields: [] },
        ],
      },
      { id: expect.any(String), success: true, errors: [], created: true },
      {
        success: false,
        errors: [
          { statusCode: 'DUPLICATE_VALUE', message: 'Duplicate external id specified: dup-1', fields: [] },
        ],
      },
    ]);
    const written = await conn.query<{ QBO_Id__c: string }>(
      "SELECT QBO_Id__c FROM Account WHERE QBO_Id__c LIKE 'DUP-%'",
    );
    expect(written.records.map((r) => r.QBO_Id__c)).toEqual(['DUP-2']);

    // allOrNone true: the duplicates fail, every other record is rolled back.
    const all = await conn.sobject('Account').upsert(
      [
        { QBO_Id__c: 'DUP-3', Name: 'Dup D' },
        { QBO_Id__c: 'DUP-2', Name: 'Dup B renamed' },
        { QBO_Id__c: 'DUP-3', Name: 'Dup E' },
      ],
      'QBO_Id__c',
      { allOrNone: true },
    );
    expect(
      all.map((r) => [r.success, (r.errors[0] as { statusCode?: string } | undefined)?.statusCode]),
    ).toEqual([
      [false, 'DUPLICATE_VALUE'],
      [false, 'ALL_OR_NONE_OPERATION_ROLLED_BACK'],
      [false, 'DUPLICATE_VALUE'],
    ]);
    const after = await conn.query<{ QBO_Id__c: string; Name: string }>(
      "SELECT QBO_Id__c, Name FROM Account WHERE QBO_Id__c LIKE 'DUP-%'",
    );
    expect(after.records.map((r) => [r.QBO_Id__c, r.Name])).toEqual([['DUP-2', 'Dup B']]);
  });

  it('answers 300 with the matching URLs when a non-unique external id matches twice', async () => {
    const multi = await startEmulator({
      records: 0,
      schema: { fields: { Account: { Legacy_Id__c: { type: 'string', length: 20, externalId: true } } } },
    });
    try {
      const conn = connect(multi);
      const a = await conn.sobject('Account').create({ Name: 'A', Legacy_Id__c: 'L1' });
      const b = await conn.sobject('Account').create({ Name: 'B', Legacy_Id__c: 'L1' });
      const err = await conn
        .sobject('Account')
        .upsert({ Legacy_Id__c: 'L1', Name: 'C' }, 'Legacy_Id__c')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ errorCode: 'MULTIPLE_CHOICES' });
      expect((err as { data: string[] }).data.sort()).toEqual(
        [a.id, b.id].map((id) => `/services/data/v62.0/sobjects/Account/${id}`).sort(),
      );
    } finally {
      await multi.close();
    }
  });

  it('surfaces validation errors with the real codes', async () => {
    const conn = connect(emu);
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [
        'Account',
        { Name: 'x'.repeat(256) },
        'STRING_TOO_LONG',
        /^Account Name: data value too large: x+ \(max length=255\)$/,
      ],
      [
        'Contact',
        { LastName: 'E', Email: 'not-an-email' },
        'INVALID_EMAIL_ADDRESS',
        /^Email: invalid email address: not-an-email$/,
      ],
      [
        'Product2',
        { Name: 'P', QB_Item_Type__c: 'Gadget' },
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        /bad value for restricted picklist field: Gadget/,
      ],
      [
        'Account',
        { Name: 'A', CreatedDate: '2020-01-01T00:00:00Z' },
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        /^Unable to create\/update fields: CreatedDate\./,
      ],
      [
        'Account',
        { Name: 'A', Colour__c: 'red' },
        'INVALID_FIELD',
        /^No such column 'Colour__c' on sobject of type Account$/,
      ],
      [
        'Contact',
        { LastName: 'L', AccountId: 'nonsense' },
        'MALFORMED_ID',
        /^Account ID: id value of incorrect type: nonsense$/,
      ],
      [
        'Opportunity',
        { Name: 'O' },
        'REQUIRED_FIELD_MISSING',
        /^Required fields are missing: \[StageName, CloseDate\]$/,
      ],
      [
        'Account',
        { Name: 'A', NumberOfEmployees: 'many' },
        'JSON_PARSER_ERROR',
        /Cannot deserialize instance of int from VALUE_STRING value many/,
      ],
    ];
    for (const [type, body, code, message] of cases) {
      const err = (await conn
        .sobject(type)
        .create(body)
        .catch((e: unknown) => e)) as { errorCode: string; message: string };
      expect(err.errorCode, `${type} ${JSON.stringify(body).slice(0, 60)}`).toBe(code);
      expect(err.message).toMatch(message);
    }
    const contact = await conn.sobject('Contact').create({ LastName: 'Ref' });
    const wrongType = (await conn
      .sobject('Contact')
      .create({ LastName: 'L', AccountId: contact.id })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(wrongType.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const missing = (await conn
      .sobject('Contact')
      .create({ LastName: 'L', AccountId: '001000000000000AAA' })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(missing.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
  });

  it('describes objects and the org', async () => {
    const conn = connect(emu);
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'Account',
        'Contact',
        'Opportunity',
        'OpportunityLineItem',
        'Product2',
        'Pricebook2',
        'PricebookEntry',
        'User',
      ]),
    );
    const account = await conn.describe('Account');
    expect(account).toMatchObject({ name: 'Account', keyPrefix: '001', createable: true, custom: false });
    const byName = new Map(account.fields.map((f) => [f.name, f]));
    expect(byName.get('QBO_Id__c')).toMatchObject({
      type: 'string',
      length: 64,
      externalId: true,
      unique: true,
      custom: true,
      idLookup: true,
    });
    expect(byName.get('QB_Balance__c')).toMatchObject({ type: 'currency', precision: 16, scale: 2 });
    expect(byName.get('Name')).toMatchObject({
      type: 'string',
      nillable: false,
      createable: true,
      nameField: true,
    });
    expect(byName.get('BillingAddress')).toMatchObject({ type: 'address', createable: false });
    expect(byName.get('BillingCity')).toMatchObject({ compoundFieldName: 'BillingAddress', length: 40 });
    expect(byName.get('CreatedDate')).toMatchObject({
      type: 'datetime',
      createable: false,
      updateable: false,
    });
    expect(account.childRelationships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          childSObject: 'Contact',
          field: 'AccountId',
          relationshipName: 'Contacts',
        }),
      ]),
    );
    const product = await conn.describe('Product2');
    const itemType = product.fields.find((f) => f.name === 'QB_Item_Type__c')!;
    expect(itemType).toMatchObject({ type: 'picklist', restrictedPicklist: true });
    expect(itemType.picklistValues!.map((p) => p.value)).toEqual(['Inventory', 'NonInventory', 'Service']);
    const opp = await conn.describe('Opportunity');
    const stage = opp.fields.find((f) => f.name === 'StageName')!;
    expect(stage.picklistValues!.map((p) => p.value)).toContain('Closed Won');
    await expect(conn.describe('Nope__c')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});
