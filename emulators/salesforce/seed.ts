import { flat } from '../kit/flat.ts';
import { Rng, hashString } from '../kit/rng.ts';
import { company, item, itemCount, type SeedCompany, type SeedItem } from '../seed/universe.ts';
import { DAY_MS, formatDate, formatSecond } from './datetime.ts';
import type { SalesforceOrg } from './org/org.ts';
import { opportunityDerived } from './org/rules.ts';
import type { Table, Value } from './org/table.ts';
import { OPPORTUNITY_STAGES } from './schema/standard-objects.ts';

/**
 * Fills an org from the shared seed universe: the companies Salesforce knows (presence 'both' or
 * 'sf') as Accounts with a primary Contact and 0–2 Opportunities with line items, the catalog's
 * Salesforce products with standard prices, the standard price book and the users. Records are
 * stored directly (no API calls, no validation round trips) so 100,000 companies seed in seconds;
 * ids and values depend only on (seed, records), timestamps on the seeding instant.
 */

export interface SeedUsers {
  integrationUserId: string;
  userIds: string[];
}

const OWNERS = [
  { first: 'Integration', last: 'User', alias: 'integ', title: 'API Integration' },
  { first: 'Morgan', last: 'Lee', alias: 'mlee', title: 'Account Executive' },
  { first: 'Sam', last: 'Rivera', alias: 'srive', title: 'Sales Manager' },
];

/** Creates the users and the standard price book every org has, seeded or not. */
export function seedBase(org: SalesforceOrg, opts: { username: string; now: number }): SeedUsers {
  const users = org.tables.get('User')!;
  const ids: string[] = [];
  const created = formatSecond(opts.now - 800 * DAY_MS);
  let stamps: Record<string, Value> = {};
  OWNERS.forEach((o, i) => {
    const id = org.ids.next('005');
    ids.push(id);
    if (i === 0) stamps = audit(id, created); // the integration user created every user, itself included
    const username =
      i === 0 ? opts.username : `${o.first}.${o.last}@${opts.username.split('@')[1]}`.toLowerCase();
    put(
      org,
      users,
      {
        Id: id,
        Username: username,
        FirstName: o.first,
        LastName: o.last,
        Name: `${o.first} ${o.last}`,
        CompanyName: 'ledgerbridge demo',
        Title: o.title,
        Email: i === 0 ? opts.username : username,
        Alias: o.alias,
        CommunityNickname: o.alias,
        IsActive: true,
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: org.ids.next('00e'),
        UserType: 'Standard',
      },
      stamps,
    );
  });
  put(
    org,
    org.tables.get('Pricebook2')!,
    {
      Id: org.ids.next('01s'),
      IsDeleted: false,
      Name: 'Standard Price Book',
      IsActive: true,
      IsArchived: false,
      IsStandard: true,
      Description: null,
    },
    stamps,
  );
  return { integrationUserId: ids[0]!, userIds: ids };
}

function put(
  org: SalesforceOrg,
  table: Table,
  ...values: Array<Record<string, Value>>
): Record<string, Value> {
  const rec = table.make(...values);
  org.put(table, undefined, rec);
  return rec;
}

/** The audit fields of a record `by` created at `created` and last changed at `modified`. */
function audit(by: string, created: string, modified = created): Record<string, Value> {
  return {
    CreatedDate: created,
    CreatedById: by,
    LastModifiedDate: modified,
    LastModifiedById: by,
    SystemModstamp: modified,
  };
}

/** qty × price to the cent, half up, in integers: both have at most two decimals. */
function times(qty: string, price: string): string {
  const q = Math.round(Number(qty) * 100);
  const p = Math.round(Number(price) * 100);
  const tenThousandths = q * p;
  const cents = Math.floor((tenThousandths + 50) / 100);
  return cents2(cents);
}

function cents2(cents: number): string {
  const s = String(cents).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

interface PricedProduct {
  productId: string;
  entryId: string;
  name: string;
  code: string;
  price: string;
  type: SeedItem['type'];
}

/** Seeds `records` companies of the universe for `seed` into an org that has seedBase's data. */
export function seedUniverse(
  org: SalesforceOrg,
  opts: { seed: number | string; records: number; now: number; users: SeedUsers },
): void {
  if (opts.records <= 0) return;
  const { now, users } = opts;
  const admin = users.integrationUserId;
  const standardPricebook = [...org.tables.get('Pricebook2')!.rows.values()].find((r) => r.IsStandard)!
    .Id as string;
  const catalogStart = now - 760 * DAY_MS;
  const products = seedProducts(org, opts.seed, opts.records, catalogStart, admin, standardPricebook);
  const accounts = org.tables.get('Account')!;
  const contacts = org.tables.get('Contact')!;
  const opportunities = org.tables.get('Opportunity')!;
  const lines = org.tables.get('OpportunityLineItem')!;
  // Bulk loads stamp many records with the same second, as a real data import does.
  const bulkLoads = Array.from({ length: 12 }, (_, k) =>
    formatSecond(now - (k * 53 + 11) * DAY_MS - 3_600_000),
  );
  for (let i = 0; i < opts.records; i++) {
    const c: SeedCompany = company(opts.seed, i);
    if (c.presence === 'qbo') continue;
    const rng = new Rng(`${opts.seed}:sf:${i}`);
    const createdMs = now - rng.int(2, 730) * DAY_MS - rng.int(0, 86_399) * 1000;
    const created = formatSecond(createdMs);
    const modified = rng.chance(0.08)
      ? rng.pick(bulkLoads)
      : rng.chance(0.5)
        ? created
        : formatSecond(createdMs + rng.int(0, now - createdMs - 1000));
    const lastMod = modified < created ? created : modified;
    const owner = rng.pick(users.userIds);
    const accountId = org.ids.next('001');
    const stamps = audit(admin, created, lastMod);
    put(
      org,
      accounts,
      {
        Id: accountId,
        Name: c.sfName,
        Type: 'Customer - Direct',
        BillingStreet: c.billing.line1,
        BillingCity: c.billing.city,
        BillingState: c.billing.state,
        BillingPostalCode: c.billing.postalCode,
        BillingCountry: c.billing.country,
        ShippingStreet: c.shipping?.line1 ?? null,
        ShippingCity: c.shipping?.city ?? null,
        ShippingState: c.shipping?.state ?? null,
        ShippingPostalCode: c.shipping?.postalCode ?? null,
        ShippingCountry: c.shipping?.country ?? null,
        Phone: c.contact.phone,
        Fax: c.fax,
        Website: c.website,
        Industry: c.industry,
        Description: c.notes,
        NumberOfEmployees: c.individual ? 1 : rng.int(2, 500),
        AccountSource: rng.pick(['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other']),
        OwnerId: owner,
      },
      stamps,
    );
    const p = c.contact;
    put(
      org,
      contacts,
      {
        Id: org.ids.next('003'),
        AccountId: accountId,
        FirstName: p.firstName,
        LastName: p.lastName,
        Name: flat(`${p.firstName} ${p.lastName}`),
        Salutation: p.salutation || null,
        Email: c.sfEmail,
        Phone: p.phone,
        MobilePhone: p.mobile,
        Title: p.title || null,
        MailingStreet: c.billing.line1,
        MailingCity: c.billing.city,
        MailingState: c.billing.state,
        MailingPostalCode: c.billing.postalCode,
        MailingCountry: c.billing.country,
        OwnerId: owner,
      },
      stamps,
    );
    const oppCount = products.length ? rng.int(0, 2) : 0;
    for (let o = 0; o < oppCount; o++) {
      const stage = pickStage(rng);
      const oppCreatedMs =
        createdMs + rng.int(0, Math.max(0, Math.floor((now - createdMs) / 1000) - 1)) * 1000;
      const oppStamps = audit(admin, formatSecond(oppCreatedMs));
      const closeMs = stage.closed ? oppCreatedMs + rng.int(5, 90) * DAY_MS : now + rng.int(5, 120) * DAY_MS;
      const generate = stage.won
        ? rng.chance(0.3)
          ? 'Invoice'
          : rng.chance(0.15)
            ? 'Sales Order'
            : rng.chance(0.5)
              ? 'None'
              : null
        : rng.chance(0.3)
          ? 'None'
          : null;
      const oppId = org.ids.next('006');
      const count = rng.int(1, 4);
      const chosen = new Set<PricedProduct>();
      while (chosen.size < count) chosen.add(rng.pick(products));
      let amountCents = 0;
      const plans: Array<{ pr: PricedProduct; qty: string; unit: string; total: string }> = [];
      for (const pr of chosen) {
        const qty =
          pr.type === 'Service' && rng.chance(0.3) ? `${rng.int(1, 40)}.50` : `${rng.int(1, 20)}.00`;
        const unit = rng.chance(0.2) ? times('0.90', pr.price) : pr.price;
        const total = times(qty, unit);
        amountCents += Math.round(Number(total) * 100);
        plans.push({ pr, qty, unit, total });
      }
      const oppName = flat(
        `${c.sfName} - ${rng.pick(['Spring Service', 'Renewal', 'New Install', 'Expansion', 'Maintenance Plan', 'Upgrade'])} ${o + 1}`,
      );
      const opp = opportunities.make(
        {
          Id: oppId,
          AccountId: accountId,
          Name: oppName,
          StageName: stage.name,
          CloseDate: formatDate(closeMs),
          Type: rng.pick(['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Replacement']),
          LeadSource: rng.pick(['Web', 'Phone Inquiry', 'Partner Referral']),
          Pricebook2Id: standardPricebook,
          HasOpportunityLineItem: true,
          Amount: cents2(amountCents),
          Generate__c: generate,
          OwnerId: owner,
        },
        oppStamps,
      );
      opportunityDerived(opp, undefined, new Set());
      org.put(opportunities, undefined, opp);
      plans.forEach((l, i) =>
        put(
          org,
          lines,
          {
            Id: org.ids.next('00k'),
            OpportunityId: oppId,
            SortOrder: i + 1,
            PricebookEntryId: l.pr.entryId,
            Product2Id: l.pr.productId,
            ProductCode: l.pr.code,
            Name: flat(`${oppName} ${l.pr.name}`),
            Quantity: l.qty,
            UnitPrice: l.unit,
            TotalPrice: l.total,
            ListPrice: l.pr.price,
          },
          oppStamps,
        ),
      );
    }
  }
}

function pickStage(rng: Rng): (typeof OPPORTUNITY_STAGES)[number] {
  const r = rng.next();
  const name =
    r < 0.35 ? 'Closed Won' : r < 0.5 ? 'Closed Lost' : rng.pick(OPPORTUNITY_STAGES.slice(0, 8)).name;
  return OPPORTUNITY_STAGES.find((s) => s.name === name)!;
}

function seedProducts(
  org: SalesforceOrg,
  seed: number | string,
  records: number,
  at: number,
  admin: string,
  standardPricebook: string,
): PricedProduct[] {
  const productTable = org.tables.get('Product2')!;
  const entries = org.tables.get('PricebookEntry')!;
  const priced: PricedProduct[] = [];
  const stamps = audit(admin, formatSecond(at));
  for (let i = 0; i < itemCount(records); i++) {
    const it = item(seed, i);
    if (it.presence === 'qbo') continue;
    const h = hashString(`${seed}:sfitem:${i}`);
    const productId = org.ids.next('01t');
    const active = h % 20 !== 7;
    put(
      org,
      productTable,
      {
        Id: productId,
        Name: it.name,
        ProductCode: it.sku,
        Description: it.description,
        IsActive: active,
        Family: it.family,
        // A few products lack their QuickBooks item type, so prerequisite checks have work to do.
        QB_Item_Type__c: h % 29 === 3 ? null : it.type,
        QuantityUnitOfMeasure: 'Each',
      },
      stamps,
    );
    if (h % 17 === 5) continue;
    const entryId = org.ids.next('01u');
    put(
      org,
      entries,
      {
        Id: entryId,
        Name: it.name,
        Pricebook2Id: standardPricebook,
        Product2Id: productId,
        UnitPrice: it.unitPrice,
        IsActive: active,
        UseStandardPrice: false,
        ProductCode: it.sku,
      },
      stamps,
    );
    if (active)
      priced.push({ productId, entryId, name: it.name, code: it.sku, price: it.unitPrice, type: it.type });
  }
  return priced;
}
