import { setTimeout as sleep } from 'node:timers/promises';
import type { LinkRow } from '../store/schema.ts';
import type { QboRest, SalesforceRest } from './emulator-rest.ts';

/** One scripted change made on one side, and what the other side should show after the next sync. */
export interface DemoEdit {
  /** Where the change was made. */
  side: 'salesforce' | 'quickbooks' | 'both';
  what: string;
  /** Where the change should land, and the value it should have there. */
  expect: { system: 'salesforce' | 'quickbooks'; record: string; field: string; value: string };
  /** What that field holds after the sync (filled in by checkEdits). */
  seen?: unknown;
  crossed?: boolean;
}

function getPath(o: Record<string, unknown>, path: string): unknown {
  let v: unknown = o;
  for (const part of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/**
 * Makes a few edits on each side the way people do (through each system's own API), including one
 * record edited on both sides, so the next sync has something to carry across and a conflict to decide.
 */
export async function makeEdits(
  pairs: LinkRow[],
  sf: SalesforceRest,
  qb: QboRest,
  stamp: string,
): Promise<DemoEdit[]> {
  if (pairs.length < 5) throw new Error(`the demo needs 5 linked pairs to edit, found ${pairs.length}`);
  const [a, b, c, d, e] = pairs as [LinkRow, LinkRow, LinkRow, LinkRow, LinkRow];
  const edits: DemoEdit[] = [];

  const phone = `(415) 555-${stamp.slice(-4)}`;
  await sf.update('Account', a.sf_id, { Phone: phone });
  edits.push({
    side: 'salesforce',
    what: `Phone of account ${a.sf_id} set to ${phone}`,
    expect: { system: 'quickbooks', record: a.qb_id, field: 'PrimaryPhone.FreeFormNumber', value: phone },
  });

  const city = 'Sausalito';
  await sf.update('Account', b.sf_id, { BillingCity: city });
  edits.push({
    side: 'salesforce',
    what: `Billing city of account ${b.sf_id} set to ${city}`,
    expect: { system: 'quickbooks', record: b.qb_id, field: 'BillAddr.City', value: city },
  });

  const email = `billing+${stamp}@example.com`;
  await qb.update('Customer', c.qb_id, { PrimaryEmailAddr: { Address: email } });
  edits.push({
    side: 'quickbooks',
    what: `Email of customer ${c.qb_id} set to ${email}`,
    expect: { system: 'salesforce', record: c.sf_id, field: 'contact.Email', value: email },
  });

  const notes = `Net 15 agreed on ${stamp}`;
  await qb.update('Customer', d.qb_id, { Notes: notes });
  edits.push({
    side: 'quickbooks',
    what: `Notes of customer ${d.qb_id} set to "${notes}"`,
    expect: { system: 'salesforce', record: d.sf_id, field: 'Description', value: notes },
  });

  const name = `Harbor Light Bakery ${stamp}`;
  const created = await qb.create('Customer', {
    DisplayName: name,
    CompanyName: name,
    PrimaryEmailAddr: { Address: `orders+${stamp}@harborlight.example` },
    BillAddr: {
      Line1: '12 Pier Street',
      City: 'Monterey',
      CountrySubDivisionCode: 'CA',
      PostalCode: '93940',
    },
  });
  edits.push({
    side: 'quickbooks',
    what: `New customer "${name}" (${String(created.Id)})`,
    expect: { system: 'salesforce', record: `QBO_Id__c=${String(created.Id)}`, field: 'Name', value: name },
  });

  // The same record changed on both sides: QuickBooks first, Salesforce a moment later, so the
  // last-writer-wins policy of the embedded flow must keep the Salesforce value on both.
  await qb.update('Customer', e.qb_id, { PrimaryPhone: { FreeFormNumber: '(650) 555-0101' } });
  await sleep(1100);
  const later = '(650) 555-0202';
  await sf.update('Account', e.sf_id, { Phone: later });
  edits.push({
    side: 'both',
    what: `Phone of pair ${e.sf_id} ↔ ${e.qb_id} changed on both sides (QuickBooks first, Salesforce last)`,
    expect: { system: 'quickbooks', record: e.qb_id, field: 'PrimaryPhone.FreeFormNumber', value: later },
  });
  return edits;
}

/** Reads each expected field back from its system and marks whether the edit crossed. */
export async function checkEdits(edits: DemoEdit[], sf: SalesforceRest, qb: QboRest): Promise<DemoEdit[]> {
  for (const edit of edits) {
    const { system, record, field } = edit.expect;
    if (system === 'quickbooks') {
      edit.seen = getPath(await qb.read('Customer', record), field) ?? null;
    } else if (field.startsWith('contact.')) {
      const rows = await sf.query(
        `SELECT ${field.slice(8)} FROM Contact WHERE AccountId = '${record}' ORDER BY CreatedDate LIMIT 1`,
      );
      edit.seen = rows[0] ? getPath(rows[0], field.slice(8)) : null;
    } else {
      const where = record.includes('=')
        ? `${record.split('=')[0]} = '${record.split('=')[1]}'`
        : `Id = '${record}'`;
      const rows = await sf.query(`SELECT ${field} FROM Account WHERE ${where}`);
      edit.seen = rows[0] ? getPath(rows[0], field) : null;
    }
    edit.crossed = edit.seen === edit.expect.value;
  }
  return edits;
}
