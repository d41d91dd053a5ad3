import { parseDate } from '../datetime.ts';
import { divide, isZero, multiply, percentOf, sum } from '../decimal.ts';
import { SfError } from '../errors.ts';
import { FORECAST_NAMES, OPPORTUNITY_STAGES } from '../schema/standard-objects.ts';
import type { DmlContext, SalesforceOrg } from './org.ts';
import type { Rec, Value } from './table.ts';

/**
 * The platform behaviour of the standard objects beyond field validation: computed fields (Contact
 * Name, Opportunity stage defaults and fiscal period, line item prices), roll-ups (Opportunity
 * Amount from its line items) and the price book rules.
 */
export interface ObjectRules {
  /** Fills derived fields of `rec` (mutable) and rejects invalid combinations. */
  beforeWrite?(
    org: SalesforceOrg,
    rec: Record<string, Value>,
    old: Rec | undefined,
    given: Set<string>,
    ctx: DmlContext,
  ): void;
  /** Side effects on other records once `rec` is stored. */
  afterWrite?(org: SalesforceOrg, rec: Rec, old: Rec | undefined, ctx: DmlContext): void;
  /** Rejects a delete the platform refuses. */
  beforeDelete?(org: SalesforceOrg, rec: Rec, ctx: DmlContext): void;
  /** Side effects once `rec` is in the recycle bin. */
  afterDelete?(org: SalesforceOrg, rec: Rec, ctx: DmlContext): void;
}

function integrity(message: string, fields: string[] = []): SfError {
  return new SfError(400, 'FIELD_INTEGRITY_EXCEPTION', `field integrity exception: ${message}`, fields);
}

function deleteFailed(message: string): SfError {
  return new SfError(400, 'DELETE_FAILED', message);
}

function fullName(rec: Record<string, Value>): void {
  rec.Name = [rec.FirstName, rec.LastName].filter((p) => typeof p === 'string' && p).join(' ');
}

/** Opportunity stage-derived fields: probability, forecast category, closed/won, fiscal period. */
export function opportunityDerived(
  rec: Record<string, Value>,
  old: Rec | undefined,
  given: Set<string>,
): void {
  const stage = OPPORTUNITY_STAGES.find((s) => s.name === rec.StageName);
  const stageChanged = !old || old.StageName !== rec.StageName;
  if (stage) {
    if (stageChanged && !given.has('Probability')) rec.Probability = String(stage.probability);
    if (stageChanged && !given.has('ForecastCategoryName'))
      rec.ForecastCategoryName = FORECAST_NAMES[stage.forecast] ?? null;
    rec.IsClosed = stage.closed;
    rec.IsWon = stage.won;
  } else if (stageChanged) {
    rec.IsClosed = false;
    rec.IsWon = false;
    if (!given.has('ForecastCategoryName')) rec.ForecastCategoryName = 'Pipeline';
  }
  const category = Object.entries(FORECAST_NAMES).find(([, label]) => label === rec.ForecastCategoryName);
  rec.ForecastCategory = category ? category[0] : 'Pipeline';
  const close = typeof rec.CloseDate === 'string' ? parseDate(rec.CloseDate) : null;
  if (close !== null) {
    const d = new Date(close);
    const quarter = Math.floor(d.getUTCMonth() / 3) + 1;
    rec.FiscalYear = d.getUTCFullYear();
    rec.FiscalQuarter = quarter;
    rec.Fiscal = `${d.getUTCFullYear()} ${quarter}`;
  }
  rec.ExpectedRevenue =
    typeof rec.Amount === 'string' && rec.Probability !== null
      ? percentOf(rec.Amount, String(rec.Probability))
      : null;
}

function liveLines(org: SalesforceOrg, opportunityId: string): Rec[] {
  const t = org.tables.get('OpportunityLineItem')!;
  const out: Rec[] = [];
  for (const id of t.childrenOf('OpportunityId', opportunityId)) {
    const r = t.get(id)!;
    if (!r.IsDeleted) out.push(r);
  }
  return out;
}

/** Opportunity.Amount = Σ line TotalPrice once the opportunity has lines. */
function rollUpOpportunity(org: SalesforceOrg, opportunityId: string, ctx: DmlContext): void {
  const opp = org.tables.get('Opportunity')!.get(opportunityId);
  if (!opp || opp.IsDeleted) return;
  const lines = liveLines(org, opportunityId);
  // The last line going leaves the amount at zero, as the roll-up last computed it.
  const amount = lines.length
    ? sum(
        lines.map((l) => l.TotalPrice as string),
        2,
      )
    : opp.HasOpportunityLineItem
      ? '0.00'
      : opp.Amount;
  const changes: Record<string, Value> = { Amount: amount ?? null, HasOpportunityLineItem: lines.length > 0 };
  const probability = opp.Probability;
  const a = changes.Amount;
  changes.ExpectedRevenue =
    typeof a === 'string' && probability !== null ? percentOf(a, String(probability)) : null;
  if (changes.Amount === opp.Amount && changes.HasOpportunityLineItem === opp.HasOpportunityLineItem) return;
  org.touch('Opportunity', opportunityId, changes, ctx);
}

function standardPricebookId(org: SalesforceOrg): string | null {
  for (const r of org.tables.get('Pricebook2')!.rows.values())
    if (r.IsStandard && !r.IsDeleted) return r.Id as string;
  return null;
}

function entriesOfProduct(org: SalesforceOrg, productId: string): Rec[] {
  const t = org.tables.get('PricebookEntry')!;
  return [...t.childrenOf('Product2Id', productId)].map((id) => t.get(id)!).filter((r) => !r.IsDeleted);
}

export const RULES: Record<string, ObjectRules> = {
  Contact: {
    beforeWrite: (_org, rec) => fullName(rec),
  },
  User: {
    beforeWrite: (_org, rec) => fullName(rec),
  },
  Opportunity: {
    beforeWrite(org, rec, old, given) {
      if (old && old.HasOpportunityLineItem) {
        if (given.has('Amount') && rec.Amount !== old.Amount)
          throw integrity('Amount (amount may not be changed when an opportunity has products)', ['Amount']);
        if (rec.Pricebook2Id !== old.Pricebook2Id)
          throw integrity('Pricebook2Id (cannot change pricebook on opportunity with line items)', [
            'Pricebook2Id',
          ]);
      }
      if (typeof rec.Pricebook2Id === 'string' && given.has('Pricebook2Id')) {
        const pb = org.tables.get('Pricebook2')!.get(rec.Pricebook2Id);
        if (pb && !pb.IsActive && !pb.IsStandard)
          throw integrity('Pricebook2Id (price book is not active)', ['Pricebook2Id']);
      }
      opportunityDerived(rec, old, given);
    },
    afterWrite(org, rec, old, ctx) {
      // Line names carry the opportunity name.
      if (old && old.Name !== rec.Name) {
        for (const line of liveLines(org, rec.Id as string)) {
          const product = org.tables.get('Product2')!.get(line.Product2Id as string);
          org.touch(
            'OpportunityLineItem',
            line.Id as string,
            { Name: `${String(rec.Name)} ${String(product?.Name ?? '')}` },
            ctx,
            false,
          );
        }
      }
    },
  },
  OpportunityLineItem: {
    beforeWrite(org, rec, old, given) {
      const opp = org.tables.get('Opportunity')!.get(rec.OpportunityId as string)!;
      if (!old) {
        const entries = org.tables.get('PricebookEntry')!;
        let entry = typeof rec.PricebookEntryId === 'string' ? entries.get(rec.PricebookEntryId) : undefined;
        if (!entry && typeof rec.Product2Id === 'string') {
          const pricebook = (opp.Pricebook2Id as string | null) ?? standardPricebookId(org);
          entry = entriesOfProduct(org, rec.Product2Id).find(
            (e) => e.Pricebook2Id === pricebook && e.IsActive,
          );
          if (!entry)
            throw integrity('PricebookEntryId (pricebook entry is missing for this product)', [
              'PricebookEntryId',
            ]);
        }
        if (!entry)
          throw new SfError(
            400,
            'REQUIRED_FIELD_MISSING',
            'Required fields are missing: [PricebookEntryId]',
            ['PricebookEntryId'],
          );
        if (!entry.IsActive)
          throw integrity('PricebookEntryId (pricebook entry is inactive)', ['PricebookEntryId']);
        if (typeof rec.Product2Id === 'string' && rec.Product2Id !== entry.Product2Id)
          throw integrity('Product2Id (product does not match the pricebook entry)', ['Product2Id']);
        if (opp.Pricebook2Id && opp.Pricebook2Id !== entry.Pricebook2Id)
          throw integrity(
            'PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
            ['PricebookEntryId'],
          );
        const product = org.tables.get('Product2')!.get(entry.Product2Id as string)!;
        rec.PricebookEntryId = entry.Id as string;
        rec.Product2Id = entry.Product2Id as string;
        rec.ProductCode = product.ProductCode ?? null;
        rec.Name = `${String(opp.Name)} ${String(product.Name)}`;
        rec.ListPrice = entry.UnitPrice as string;
      }
      const unitGiven = given.has('UnitPrice') && rec.UnitPrice !== null;
      const totalGiven = given.has('TotalPrice') && rec.TotalPrice !== null;
      if (unitGiven && totalGiven)
        throw integrity('TotalPrice (only one of unit price or total price may be specified)', [
          'TotalPrice',
        ]);
      if (!old && !unitGiven && !totalGiven)
        throw integrity('unknown (must specify either listprice or discount)');
      const qty = rec.Quantity as string;
      if (isZero(qty)) throw integrity('Quantity (quantity must be nonzero)', ['Quantity']);
      if (totalGiven) rec.UnitPrice = divide(rec.TotalPrice as string, qty, 2);
      else if (rec.UnitPrice !== null) rec.TotalPrice = multiply(qty, rec.UnitPrice as string, 2);
      else throw integrity('unknown (must specify either listprice or discount)');
    },
    afterWrite(org, rec, old, ctx) {
      const opp = org.tables.get('Opportunity')!.get(rec.OpportunityId as string)!;
      if (!old && !opp.Pricebook2Id) {
        const entry = org.tables.get('PricebookEntry')!.get(rec.PricebookEntryId as string)!;
        org.touch('Opportunity', opp.Id as string, { Pricebook2Id: entry.Pricebook2Id ?? null }, ctx);
      }
      rollUpOpportunity(org, rec.OpportunityId as string, ctx);
    },
    afterDelete(org, rec, ctx) {
      if (!ctx.cascade) rollUpOpportunity(org, rec.OpportunityId as string, ctx);
    },
  },
  Product2: {
    afterWrite(org, rec, old, ctx) {
      if (!old || (old.Name === rec.Name && old.ProductCode === rec.ProductCode)) return;
      for (const e of entriesOfProduct(org, rec.Id as string))
        org.touch(
          'PricebookEntry',
          e.Id as string,
          { Name: rec.Name ?? null, ProductCode: rec.ProductCode ?? null },
          ctx,
          false,
        );
    },
    beforeDelete(org, rec) {
      const lines = org.tables.get('OpportunityLineItem')!;
      for (const id of lines.childrenOf('Product2Id', rec.Id as string))
        if (!lines.get(id)!.IsDeleted)
          throw deleteFailed(
            `Your attempt to delete ${String(rec.Name)} could not be completed because it is associated with the following opportunities.`,
          );
    },
  },
  Pricebook2: {
    beforeWrite(_org, rec, old) {
      if (!old) rec.IsStandard = false;
    },
    beforeDelete(_org, rec) {
      if (rec.IsStandard) throw deleteFailed('Cannot delete the standard price book');
    },
  },
  PricebookEntry: {
    beforeWrite(org, rec, old) {
      if (old) return;
      const standard = standardPricebookId(org);
      const product = org.tables.get('Product2')!.get(rec.Product2Id as string)!;
      const siblings = entriesOfProduct(org, rec.Product2Id as string);
      if (siblings.some((e) => e.Pricebook2Id === rec.Pricebook2Id))
        throw new SfError(
          400,
          'DUPLICATE_VALUE',
          'This price definition already exists in this price book',
          [],
        );
      if (rec.Pricebook2Id !== standard && !siblings.some((e) => e.Pricebook2Id === standard))
        throw new SfError(
          400,
          'STANDARD_PRICE_NOT_DEFINED',
          'No standard price defined for this product',
          [],
        );
      if (rec.Pricebook2Id === standard && rec.UseStandardPrice)
        throw integrity('UseStandardPrice (standard price entries cannot use the standard price)', [
          'UseStandardPrice',
        ]);
      rec.Name = product.Name ?? null;
      rec.ProductCode = product.ProductCode ?? null;
    },
    beforeDelete(org, rec, ctx) {
      const lines = org.tables.get('OpportunityLineItem')!;
      for (const id of lines.childrenOf('PricebookEntryId', rec.Id as string))
        if (!lines.get(id)!.IsDeleted)
          throw deleteFailed(
            `Your attempt to delete ${String(rec.Name)} could not be completed because it is associated with the following opportunities.`,
          );
      if (!ctx.cascade && rec.Pricebook2Id === standardPricebookId(org)) {
        const custom = entriesOfProduct(org, rec.Product2Id as string).filter((e) => e.Id !== rec.Id);
        if (custom.length)
          throw deleteFailed(
            'Cannot delete a standard price entry while the product has entries in other price books',
          );
      }
    },
  },
};
