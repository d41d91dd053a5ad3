import type { Company } from '../store/company.ts';
import type { Entity } from '../store/table.ts';
import { formatDate } from '../time.ts';
import { USD } from '../entities/common.ts';

/**
 * The parts of a company every QuickBooks Online company has before any customer exists: the
 * chart of accounts, the TAX/NON tax codes, the standard sales terms, CompanyInfo (like Intuit's
 * US sandbox) and Preferences. Written without change events: seeding is not API traffic.
 */

const CHART: Array<[name: string, type: string, subType: string, classification: string]> = [
  ['Checking', 'Bank', 'Checking', 'Asset'],
  ['Savings', 'Bank', 'Savings', 'Asset'],
  ['Accounts Receivable (A/R)', 'Accounts Receivable', 'AccountsReceivable', 'Asset'],
  ['Undeposited Funds', 'Other Current Asset', 'UndepositedFunds', 'Asset'],
  ['Inventory Asset', 'Other Current Asset', 'Inventory', 'Asset'],
  ['Accounts Payable (A/P)', 'Accounts Payable', 'AccountsPayable', 'Liability'],
  ['Opening Balance Equity', 'Equity', 'OpeningBalanceEquity', 'Equity'],
  ['Retained Earnings', 'Equity', 'RetainedEarnings', 'Equity'],
  ['Sales of Product Income', 'Income', 'SalesOfProductIncome', 'Revenue'],
  ['Services', 'Income', 'ServiceFeeIncome', 'Revenue'],
  ['Discounts given', 'Income', 'DiscountsRefundsGiven', 'Revenue'],
  ['Cost of Goods Sold', 'Cost of Goods Sold', 'SuppliesMaterialsCogs', 'Expense'],
  ['Advertising', 'Expense', 'AdvertisingPromotional', 'Expense'],
  ['Office Expenses', 'Expense', 'OfficeGeneralAdministrativeExpenses', 'Expense'],
  ['Uncategorized Income', 'Income', 'ServiceFeeIncome', 'Revenue'],
];

const TERMS: Array<[string, number]> = [
  ['Due on receipt', 0],
  ['Net 15', 15],
  ['Net 30', 30],
  ['Net 60', 60],
];

/** Ids of the standard terms, by name. */
export const TERM_IDS = { dueOnReceipt: '1', net15: '2', net30: '3', net60: '4' } as const;

/** Writes the accounts, tax codes, terms, CompanyInfo and Preferences of a new company. */
export function setUpCompany(co: Company, opts: { index: number; at: number }): void {
  const at = opts.at;
  const ids: Record<string, string> = {};
  for (const [name, type, subType, classification] of CHART) {
    const rec = co.commitCreate(
      'Account',
      {
        Name: name,
        SubAccount: false,
        FullyQualifiedName: name,
        Active: true,
        Classification: classification,
        AccountType: type,
        AccountSubType: subType,
        CurrentBalance: '0',
        CurrentBalanceWithSubAccounts: '0',
        CurrencyRef: USD,
      },
      { at, silent: true },
    );
    ids[name] = rec.id;
  }
  co.accounts = {
    checking: ids['Checking']!,
    accountsReceivable: ids['Accounts Receivable (A/R)']!,
    undepositedFunds: ids['Undeposited Funds']!,
    inventoryAsset: ids['Inventory Asset']!,
    salesIncome: ids['Sales of Product Income']!,
    services: ids['Services']!,
    cogs: ids['Cost of Goods Sold']!,
  };
  for (const [id, taxable] of [
    ['TAX', true],
    ['NON', false],
  ] as const) {
    co.commitCreate(
      'TaxCode',
      { Name: id, Description: id, Active: true, Hidden: false, Taxable: taxable, TaxGroup: false },
      { id, at, silent: true },
    );
  }
  for (const [name, days] of TERMS) {
    co.commitCreate(
      'Term',
      { Name: name, Active: true, Type: 'STANDARD', DiscountPercent: '0', DueDays: days, DiscountDays: 0 },
      { at, silent: true },
    );
  }
  co.defaultDueDays = 30;
  const addr = {
    Id: '1',
    Line1: '123 Sierra Way',
    City: 'San Pablo',
    CountrySubDivisionCode: 'CA',
    PostalCode: '87999',
  };
  co.commitCreate('CompanyInfo', companyInfo(opts.index, addr, formatDate(at)), {
    id: '1',
    at,
    silent: true,
  });
  co.commitCreate('Preferences', preferences(), { id: '1', at, silent: true });
}

function companyInfo(index: number, addr: Entity, startDate: string): Entity {
  return {
    CompanyName: `Sandbox Company_US_${index + 1}`,
    LegalName: "Craig's Design and Landscaping Services",
    CompanyAddr: addr,
    CustomerCommunicationAddr: addr,
    LegalAddr: addr,
    CustomerCommunicationEmailAddr: { Address: 'noreply@quickbooks.com' },
    PrimaryPhone: { FreeFormNumber: '4155551234' },
    CompanyStartDate: startDate,
    FiscalYearStartMonth: 'January',
    Country: 'US',
    Email: { Address: 'noreply@quickbooks.com' },
    WebAddr: {},
    SupportedLanguages: 'en',
    DefaultTimeZone: 'America/Los_Angeles',
    NameValue: [
      { Name: 'NeoEnabled', Value: 'true' },
      { Name: 'IndustryType', Value: 'Landscaping Services' },
      { Name: 'SubscriptionStatus', Value: 'SUBSCRIBED' },
      { Name: 'OfferingSku', Value: 'QuickBooks Online Plus' },
      { Name: 'PayrollFeature', Value: 'false' },
      { Name: 'AccountantFeature', Value: 'false' },
      { Name: 'IsQbdtMigrated', Value: 'false' },
    ],
  };
}

function preferences(): Entity {
  return {
    AccountingInfoPrefs: {
      TrackDepartments: false,
      DepartmentTerminology: 'Location',
      ClassTrackingPerTxn: false,
      ClassTrackingPerTxnLine: false,
      CustomerTerminology: 'Customers',
    },
    ProductAndServicesPrefs: {
      ForSales: true,
      ForPurchase: true,
      QuantityWithPriceAndRate: true,
      QuantityOnHand: true,
    },
    SalesFormsPrefs: {
      CustomTxnNumbers: true,
      AllowDeferredRevenue: false,
      AllowDiscount: true,
      AllowDeposit: true,
      AllowEstimates: true,
      AllowServiceDate: false,
      AllowShipping: false,
      DefaultTerms: { value: TERM_IDS.net30 },
      AutoApplyCredit: true,
      AutoApplyPayments: true,
    },
    EmailMessagesPrefs: {},
    VendorAndPurchasesPrefs: { TrackingByCustomer: true, BillableExpenseTracking: true },
    TimeTrackingPrefs: {
      UseServices: true,
      BillCustomers: true,
      ShowBillRateToAll: false,
      WorkWeekStartDate: 'Monday',
    },
    TaxPrefs: { UsingSalesTax: false },
    CurrencyPrefs: { MultiCurrencyEnabled: false, HomeCurrency: { value: 'USD' } },
    ReportPrefs: { ReportBasis: 'Accrual', CalcAgingReportFromTxnDate: false },
  };
}
