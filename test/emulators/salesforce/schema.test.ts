import { describe, expect, it } from 'vitest';
import { CustomSchemaError, parseCustomSchema } from '../../../emulators/salesforce/schema/custom-schema.ts';
import { Schema } from '../../../emulators/salesforce/schema/registry.ts';
import { PACKAGE_SCHEMA } from '../../../emulators/salesforce/package-schema.ts';
import { connect, startEmulator } from './helpers.ts';

const build = (doc: unknown) => Schema.build([parseCustomSchema(PACKAGE_SCHEMA), parseCustomSchema(doc)]);

describe('custom schema', () => {
  it('names the object and field at fault', () => {
    const bad: Array<[unknown, RegExp]> = [
      [
        { objects: { Invoice__c: { fields: { Total__c: { type: 'money' } } } } },
        /object Invoice__c, field Invoice__c\.Total__c.*type must be one of/,
      ],
      [{ objects: { Invoice: { fields: {} } } }, /Invoice.*must be an API name/],
      [
        { fields: { Account: { Tier__c: { type: 'picklist' } } } },
        /object Account, field Account\.Tier__c.*needs "picklist"/,
      ],
      [
        { fields: { Account: { Ref__c: { type: 'reference' } } } },
        /field Account\.Ref__c.*needs "referenceTo"/,
      ],
      [
        { fields: { Account: { Big__c: { type: 'string', length: 300 } } } },
        /field Account\.Big__c.*at most 255/,
      ],
      [
        { fields: { Account: { N__c: { type: 'currency', precision: 4, scale: 6 } } } },
        /field Account\.N__c.*scale must not exceed precision/,
      ],
      [{ fields: { Account: { X__c: { type: 'string', colour: 'red' } } } }, /field Account\.X__c/],
    ];
    for (const [doc, message] of bad) expect(() => build(doc), JSON.stringify(doc)).toThrow(message);
    expect(() => build({ fields: { Nope: { A__c: { type: 'string' } } } })).toThrow(CustomSchemaError);
    expect(() => build({ fields: { Nope: { A__c: { type: 'string' } } } })).toThrow(
      /object Nope: no such object/,
    );
    expect(() => build({ fields: { Account: { QBO_Id__c: { type: 'string' } } } })).toThrow(
      /field Account\.QBO_Id__c: already exists/,
    );
    expect(() =>
      build({ fields: { Account: { R__c: { type: 'reference', referenceTo: 'Ghost__c' } } } }),
    ).toThrow(/referenceTo Ghost__c is not an object/);
  });

  it('serves declared objects and fields through describe, DML and SOQL', async () => {
    const emu = await startEmulator({
      records: 0,
      schema: {
        objects: {
          Invoice__c: {
            label: 'Invoice',
            labelPlural: 'Invoices',
            fields: {
              Account__c: {
                type: 'reference',
                referenceTo: 'Account',
                required: true,
                deleteWithParent: true,
              },
              Total__c: { type: 'currency', precision: 16, scale: 2 },
              Status__c: {
                type: 'picklist',
                picklist: ['Open', 'Paid', 'Voided'],
                restricted: true,
                defaultValue: 'Open',
              },
              QBO_Id__c: { type: 'text', length: 64, externalId: true, unique: true },
              Due__c: { type: 'date' },
            },
          },
        },
        fields: { Account: { Tier__c: { type: 'picklist', picklist: ['Gold', 'Silver'] } } },
      },
    });
    try {
      const conn = connect(emu);
      const d = await conn.describe('Invoice__c');
      expect(d).toMatchObject({
        name: 'Invoice__c',
        custom: true,
        keyPrefix: 'a00',
        label: 'Invoice',
        labelPlural: 'Invoices',
      });
      expect(d.fields.map((f) => f.name)).toEqual(
        expect.arrayContaining([
          'Id',
          'OwnerId',
          'IsDeleted',
          'Name',
          'CreatedDate',
          'SystemModstamp',
          'Account__c',
          'Total__c',
          'Status__c',
          'QBO_Id__c',
          'Due__c',
        ]),
      );
      expect(d.fields.find((f) => f.name === 'Account__c')).toMatchObject({
        type: 'reference',
        relationshipName: 'Account__r',
        referenceTo: ['Account'],
        nillable: false,
      });
      const account = await conn.describe('Account');
      expect(account.childRelationships).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ childSObject: 'Invoice__c', relationshipName: 'Invoices__r' }),
        ]),
      );
      const { id: acct } = await conn.sobject('Account').create({ Name: 'Customer', Tier__c: 'Gold' });
      const inv = await conn
        .sobject('Invoice__c')
        .upsert(
          { QBO_Id__c: '1042', Name: 'INV-1042', Account__c: acct, Total__c: 99.95, Due__c: '2030-02-01' },
          'QBO_Id__c',
        );
      expect(inv).toMatchObject({ created: true });
      expect(inv.id!.startsWith('a00')).toBe(true);
      const res = await conn.query<Record<string, unknown>>(
        'SELECT Name, Status__c, Total__c, Account__r.Name, Account__r.Tier__c FROM Invoice__c',
      );
      expect(res.records[0]).toMatchObject({
        Name: 'INV-1042',
        Status__c: 'Open',
        Total__c: 99.95,
        Account__r: { Name: 'Customer', Tier__c: 'Gold' },
      });
      const parents = await conn.query<Record<string, unknown>>(
        'SELECT Name, (SELECT Name FROM Invoices__r) FROM Account',
      );
      expect(parents.records[0]).toMatchObject({ Invoices__r: { totalSize: 1 } });
      const bad = (await conn
        .sobject('Invoice__c')
        .create({ Name: 'X', Account__c: acct, Status__c: 'Lost' })
        .catch((e: unknown) => e)) as { errorCode: string };
      expect(bad.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      const noParent = (await conn
        .sobject('Invoice__c')
        .create({ Name: 'X' })
        .catch((e: unknown) => e)) as { errorCode: string };
      expect(noParent.errorCode).toBe('REQUIRED_FIELD_MISSING');
      await conn.sobject('Account').destroy(acct!);
      expect((await conn.query('SELECT Id FROM Invoice__c')).totalSize).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
