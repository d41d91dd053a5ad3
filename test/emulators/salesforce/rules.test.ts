import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, startEmulator, type Emulator } from './helpers.ts';

let emu: Emulator;
let standard: string;
beforeAll(async () => {
  emu = await startEmulator({ records: 0 });
  const conn = connect(emu);
  standard = (await conn.query<{ Id: string }>('SELECT Id FROM Pricebook2 WHERE IsStandard = true'))
    .records[0]!.Id;
});
afterAll(async () => {
  expect(emu.internalErrors).toEqual([]);
  await emu.close();
});

async function product(name: string, price: number | string) {
  const conn = connect(emu);
  const { id } = await conn
    .sobject('Product2')
    .create({ Name: name, IsActive: true, ProductCode: name.toUpperCase(), QB_Item_Type__c: 'Service' });
  const entry = await conn
    .sobject('PricebookEntry')
    .create({ Pricebook2Id: standard, Product2Id: id, UnitPrice: price, IsActive: true });
  return { productId: id!, entryId: entry.id! };
}

describe('price books', () => {
  it('needs a standard price before a custom price book entry, and one entry per book and product', async () => {
    const conn = connect(emu);
    const { id: productId } = await conn.sobject('Product2').create({ Name: 'Lonely', IsActive: true });
    const { id: custom } = await conn.sobject('Pricebook2').create({ Name: 'Partners', IsActive: true });
    const noStandard = (await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: custom, Product2Id: productId, UnitPrice: 5, IsActive: true })
      .catch((e: unknown) => e)) as { errorCode: string; message: string };
    expect(noStandard).toMatchObject({
      errorCode: 'STANDARD_PRICE_NOT_DEFINED',
      message: 'No standard price defined for this product',
    });
    await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: standard, Product2Id: productId, UnitPrice: 6, IsActive: true });
    const ok = await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: custom, Product2Id: productId, UnitPrice: 5, IsActive: true });
    expect(ok.success).toBe(true);
    const dup = (await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: custom, Product2Id: productId, UnitPrice: 4 })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(dup.errorCode).toBe('DUPLICATE_VALUE');
    const entry = (await conn.sobject('PricebookEntry').retrieve(ok.id!)) as {
      Name: string;
      ProductCode: unknown;
    };
    expect(entry.Name).toBe('Lonely');
    const isStandard = (await conn
      .sobject('Pricebook2')
      .create({ Name: 'Fake', IsStandard: true })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(isStandard.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});

describe('opportunity line items', () => {
  it('computes TotalPrice = Quantity × UnitPrice exactly and rolls Amount up to the opportunity', async () => {
    const conn = connect(emu);
    const a = await product('Hours', '0.10');
    const b = await product('Widget', 19.99);
    const { id: opp } = await conn
      .sobject('Opportunity')
      .create({ Name: 'Big Deal', StageName: 'Prospecting', CloseDate: '2030-01-31', Amount: 5 });
    const l1 = await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: a.entryId, Quantity: 3, UnitPrice: 0.1 });
    const l2 = await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, Product2Id: b.productId, Quantity: 2.5, TotalPrice: 50 });
    const lines = await conn.query<{
      Id: string;
      TotalPrice: number;
      UnitPrice: number;
      ListPrice: number;
      Name: string;
      Product2Id: string;
    }>(
      `SELECT Id, Quantity, UnitPrice, TotalPrice, ListPrice, Name, Product2Id FROM OpportunityLineItem WHERE OpportunityId = '${opp}' ORDER BY Name`,
    );
    const byId = new Map(lines.records.map((r) => [r.Id, r]));
    expect(byId.get(l1.id!)).toMatchObject({
      TotalPrice: 0.3,
      UnitPrice: 0.1,
      ListPrice: 0.1,
      Name: 'Big Deal Hours',
      Product2Id: a.productId,
    });
    expect(byId.get(l2.id!)).toMatchObject({ TotalPrice: 50, UnitPrice: 20, Name: 'Big Deal Widget' });
    const o = (await conn.sobject('Opportunity').retrieve(opp!)) as {
      Amount: number;
      HasOpportunityLineItem: boolean;
      Pricebook2Id: string;
      Probability: number;
      IsClosed: boolean;
    };
    expect(o).toMatchObject({
      Amount: 50.3,
      HasOpportunityLineItem: true,
      Pricebook2Id: standard,
      Probability: 10,
      IsClosed: false,
    });
    const raw = await fetch(`${emu.url}/services/data/v62.0/sobjects/Opportunity/${opp}?fields=Amount`, {
      headers: { authorization: `Bearer ${emu.info.accessToken}` },
    });
    expect(await raw.text()).toContain('"Amount":50.3');

    await conn.sobject('OpportunityLineItem').update({ Id: l1.id!, Quantity: 7 });
    expect(((await conn.sobject('Opportunity').retrieve(opp!)) as { Amount: number }).Amount).toBe(50.7);
    const amountLocked = (await conn
      .sobject('Opportunity')
      .update({ Id: opp!, Amount: 1 })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(amountLocked.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const both = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: a.entryId, Quantity: 1, UnitPrice: 1, TotalPrice: 1 })
      .catch((e: unknown) => e)) as { errorCode: string; message: string };
    expect(both).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message:
        'field integrity exception: TotalPrice (only one of unit price or total price may be specified)',
    });
    const neither = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: a.entryId, Quantity: 1 })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(neither.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const noQty = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: a.entryId, UnitPrice: 1 })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(noQty.errorCode).toBe('REQUIRED_FIELD_MISSING');

    await conn.sobject('OpportunityLineItem').destroy(l2.id!);
    expect(((await conn.sobject('Opportunity').retrieve(opp!)) as { Amount: number }).Amount).toBe(0.7);
  });

  it('refuses an entry from another price book, and stage changes set probability and closed flags', async () => {
    const conn = connect(emu);
    const p = await product('Gizmo', 10);
    const { id: book } = await conn.sobject('Pricebook2').create({ Name: 'Resellers', IsActive: true });
    const { id: customEntry } = await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: book, Product2Id: p.productId, UnitPrice: 8, IsActive: true });
    const { id: opp } = await conn
      .sobject('Opportunity')
      .create({ Name: 'Mixed', StageName: 'Qualification', CloseDate: '2030-06-30', Pricebook2Id: standard });
    const err = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: customEntry, Quantity: 1, UnitPrice: 8 })
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(err.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    await conn.sobject('Opportunity').update({ Id: opp!, StageName: 'Closed Won', Generate__c: 'Invoice' });
    const won = (await conn.sobject('Opportunity').retrieve(opp!)) as Record<string, unknown>;
    expect(won).toMatchObject({
      IsClosed: true,
      IsWon: true,
      Probability: 100,
      ForecastCategory: 'Closed',
      ForecastCategoryName: 'Closed',
      Generate__c: 'Invoice',
      FiscalYear: 2030,
      FiscalQuarter: 2,
    });
  });

  it('deletes contacts and opportunities with their account (to the recycle bin) and clears other lookups', async () => {
    const conn = connect(emu);
    const { id: parent } = await conn.sobject('Account').create({ Name: 'Parent Co' });
    const { id: child } = await conn.sobject('Account').create({ Name: 'Child Co', ParentId: parent });
    const { id: contact } = await conn.sobject('Contact').create({ LastName: 'Goes', AccountId: parent });
    const { id: opp } = await conn
      .sobject('Opportunity')
      .create({ Name: 'Goes too', StageName: 'Prospecting', CloseDate: '2030-01-01', AccountId: parent });
    const p = await product('Cascade Item', 3);
    const { id: line } = await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: p.entryId, Quantity: 1, UnitPrice: 3 });
    await conn.sobject('Account').destroy(parent!);
    const gone = await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${contact}'`, {
      scanAll: true,
    });
    expect(gone.records).toEqual([expect.objectContaining({ IsDeleted: true })]);
    const oppGone = await conn.query(`SELECT Id, IsDeleted, Amount FROM Opportunity WHERE Id = '${opp}'`, {
      scanAll: true,
    });
    expect(oppGone.records).toEqual([expect.objectContaining({ IsDeleted: true, Amount: 3 })]);
    const lineGone = await conn.query(`SELECT Id FROM OpportunityLineItem WHERE Id = '${line}'`, {
      scanAll: true,
    });
    expect(lineGone.totalSize).toBe(1);
    const orphan = (await conn.sobject('Account').retrieve(child!)) as { ParentId: string | null };
    expect(orphan.ParentId).toBeNull();
    const product2 = (await conn
      .sobject('Product2')
      .destroy(p.productId)
      .catch((e: unknown) => e)) as { success?: boolean };
    expect(product2).toMatchObject({ success: true });
  });

  it('refuses to delete a product that live opportunity lines use', async () => {
    const conn = connect(emu);
    const p = await product('Busy', 1);
    const { id: opp } = await conn
      .sobject('Opportunity')
      .create({ Name: 'Uses Busy', StageName: 'Prospecting', CloseDate: '2030-01-01' });
    await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opp, PricebookEntryId: p.entryId, Quantity: 1, UnitPrice: 1 });
    const err = (await conn
      .sobject('Product2')
      .destroy(p.productId)
      .catch((e: unknown) => e)) as { errorCode: string };
    expect(err.errorCode).toBe('DELETE_FAILED');
    expect(((await conn.sobject('Product2').retrieve(p.productId)) as { IsDeleted: boolean }).IsDeleted).toBe(
      false,
    );
  });

  it('sets lookups through a parent external id', async () => {
    const conn = connect(emu);
    const { id: account } = await conn.sobject('Account').create({ Name: 'By Ext', QBO_Id__c: 'C-77' });
    const { id } = await conn
      .sobject('Contact')
      .create({ LastName: 'Linked', Account: { QBO_Id__c: 'C-77' } });
    expect(((await conn.sobject('Contact').retrieve(id!)) as { AccountId: string }).AccountId).toBe(account);
    const missing = (await conn
      .sobject('Contact')
      .create({ LastName: 'x', Account: { QBO_Id__c: 'C-78' } })
      .catch((e: unknown) => e)) as { errorCode: string; message: string };
    expect(missing).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: 'Foreign key external ID: C-78 not found for field QBO_Id__c in entity Account',
    });
  });
});
