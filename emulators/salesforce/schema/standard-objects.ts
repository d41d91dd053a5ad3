import { address, field, object, reference, systemFields } from './build.ts';
import type { FieldDef, ObjectDef } from './types.ts';

/**
 * The standard objects the emulator serves, with the fields, lengths and picklists of a fresh
 * Enterprise Edition org (field lists follow jsforce's standard-schema, generated from a real
 * org's describe). Objects the org does not model (Campaign, Profile, ...) are left out, along with
 * the lookups that would point at them, except where describe shows them and nothing can follow them.
 */

const ro = { createable: false, updateable: false };
const roDefaulted = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
const sources = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

/** Opportunity stages of a fresh org: probability, forecast category, closed and won flags. */
export const OPPORTUNITY_STAGES: ReadonlyArray<{
  name: string;
  probability: number;
  forecast: 'Pipeline' | 'BestCase' | 'Forecast' | 'Closed' | 'Omitted';
  closed: boolean;
  won: boolean;
}> = [
  { name: 'Prospecting', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Qualification', probability: 10, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Needs Analysis', probability: 20, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Value Proposition', probability: 50, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Id. Decision Makers', probability: 60, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Perception Analysis', probability: 70, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Proposal/Price Quote', probability: 75, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Negotiation/Review', probability: 90, forecast: 'Pipeline', closed: false, won: false },
  { name: 'Closed Won', probability: 100, forecast: 'Closed', closed: true, won: true },
  { name: 'Closed Lost', probability: 0, forecast: 'Omitted', closed: true, won: false },
];

/** ForecastCategory API values and their ForecastCategoryName labels. */
export const FORECAST_NAMES: Record<string, string> = {
  Omitted: 'Omitted',
  Pipeline: 'Pipeline',
  BestCase: 'Best Case',
  Forecast: 'Commit',
  Closed: 'Closed',
};

const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];

function withSystem(owned: boolean, body: FieldDef[], tail: FieldDef[] = [], deletable = true): FieldDef[] {
  const { head, audit } = systemFields(owned);
  return [...(deletable ? head : head.filter((f) => f.name !== 'IsDeleted')), ...body, ...audit, ...tail];
}

const viewed = () => [
  field('LastViewedDate', 'datetime', { label: 'Last Viewed Date', ...ro }),
  field('LastReferencedDate', 'datetime', { label: 'Last Referenced Date', ...ro }),
];

function account(): ObjectDef {
  return object(
    'Account',
    { label: 'Account', labelPlural: 'Accounts', keyPrefix: '001' },
    withSystem(
      true,
      [
        reference('MasterRecordId', ['Account'], { label: 'Master Record ID', ...ro }),
        field('Name', 'string', { label: 'Account Name', nillable: false, nameField: true }),
        field('Type', 'picklist', {
          label: 'Account Type',
          picklist: [
            'Prospect',
            'Customer - Direct',
            'Customer - Channel',
            'Channel Partner / Reseller',
            'Installation Partner',
            'Technology Partner',
            'Other',
          ],
        }),
        reference('ParentId', ['Account'], {
          label: 'Parent Account ID',
          childRelationshipName: 'ChildAccounts',
        }),
        ...address('Billing', 'Billing'),
        ...address('Shipping', 'Shipping'),
        field('Phone', 'phone', { label: 'Account Phone', length: 40 }),
        field('Fax', 'phone', { label: 'Account Fax', length: 40 }),
        field('AccountNumber', 'string', { label: 'Account Number', length: 40 }),
        field('Website', 'url', { label: 'Website' }),
        field('PhotoUrl', 'url', { label: 'Photo URL', ...ro }),
        field('Sic', 'string', { label: 'SIC Code', length: 20 }),
        field('Industry', 'picklist', { label: 'Industry', picklist: INDUSTRIES }),
        field('AnnualRevenue', 'currency', { label: 'Annual Revenue', precision: 18, scale: 0 }),
        field('NumberOfEmployees', 'int', { label: 'Employees', digits: 8 }),
        field('Ownership', 'picklist', {
          label: 'Ownership',
          picklist: ['Public', 'Private', 'Subsidiary', 'Other'],
        }),
        field('TickerSymbol', 'string', { label: 'Ticker Symbol', length: 20 }),
        field('Description', 'textarea', { label: 'Account Description', length: 32000 }),
        field('Rating', 'picklist', { label: 'Account Rating', picklist: ['Hot', 'Warm', 'Cold'] }),
        field('Site', 'string', { label: 'Account Site', length: 80 }),
      ],
      [
        field('LastActivityDate', 'date', { label: 'Last Activity', ...ro }),
        ...viewed(),
        field('AccountSource', 'picklist', { label: 'Account Source', picklist: sources }),
        field('SicDesc', 'string', { label: 'SIC Description', length: 80 }),
      ],
    ),
  );
}

function contact(): ObjectDef {
  return object(
    'Contact',
    { label: 'Contact', labelPlural: 'Contacts', keyPrefix: '003' },
    withSystem(
      true,
      [
        reference('MasterRecordId', ['Contact'], { label: 'Master Record ID', ...ro }),
        reference('AccountId', ['Account'], {
          label: 'Account ID',
          childRelationshipName: 'Contacts',
          deleteWithParent: true,
        }),
        field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
        field('FirstName', 'string', { label: 'First Name', length: 40 }),
        field('Salutation', 'picklist', {
          label: 'Salutation',
          length: 40,
          picklist: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'],
        }),
        field('Name', 'string', { label: 'Full Name', length: 121, nameField: true, ...roDefaulted }),
        ...address('Other', 'Other'),
        ...address('Mailing', 'Mailing'),
        field('Phone', 'phone', { label: 'Business Phone', length: 40 }),
        field('Fax', 'phone', { label: 'Business Fax', length: 40 }),
        field('MobilePhone', 'phone', { label: 'Mobile Phone', length: 40 }),
        field('HomePhone', 'phone', { label: 'Home Phone', length: 40 }),
        field('OtherPhone', 'phone', { label: 'Other Phone', length: 40 }),
        field('AssistantPhone', 'phone', { label: 'Asst. Phone', length: 40 }),
        reference('ReportsToId', ['Contact'], { label: 'Reports To ID' }),
        field('Email', 'email', { label: 'Email', length: 80, idLookup: true }),
        field('Title', 'string', { label: 'Title', length: 128 }),
        field('Department', 'string', { label: 'Department', length: 80 }),
        field('AssistantName', 'string', { label: "Assistant's Name", length: 40 }),
        field('LeadSource', 'picklist', { label: 'Lead Source', picklist: sources }),
        field('Birthdate', 'date', { label: 'Birthdate' }),
        field('Description', 'textarea', { label: 'Contact Description', length: 32000 }),
      ],
      [
        field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
        field('HasOptedOutOfFax', 'boolean', { label: 'Fax Opt Out' }),
        field('DoNotCall', 'boolean', { label: 'Do Not Call' }),
        field('LastActivityDate', 'date', { label: 'Last Activity', ...ro }),
        ...viewed(),
        field('EmailBouncedReason', 'string', { label: 'Email Bounced Reason' }),
        field('EmailBouncedDate', 'datetime', { label: 'Email Bounced Date' }),
        field('IsEmailBounced', 'boolean', { label: 'Is Email Bounced', ...roDefaulted }),
        field('PhotoUrl', 'url', { label: 'Photo URL', ...ro }),
      ],
    ),
  );
}

function opportunity(): ObjectDef {
  return object(
    'Opportunity',
    { label: 'Opportunity', labelPlural: 'Opportunities', keyPrefix: '006' },
    withSystem(
      true,
      [
        reference('AccountId', ['Account'], {
          label: 'Account ID',
          childRelationshipName: 'Opportunities',
          deleteWithParent: true,
        }),
        field('IsPrivate', 'boolean', { label: 'Private' }),
        field('Name', 'string', { label: 'Name', length: 120, nillable: false, nameField: true }),
        field('Description', 'textarea', { label: 'Description', length: 32000 }),
        field('StageName', 'picklist', {
          label: 'Stage',
          nillable: false,
          picklist: OPPORTUNITY_STAGES.map((s) => s.name),
        }),
        field('Amount', 'currency', { label: 'Amount', precision: 18, scale: 2 }),
        field('Probability', 'percent', {
          label: 'Probability (%)',
          precision: 3,
          scale: 0,
          defaultedOnCreate: true,
        }),
        field('ExpectedRevenue', 'currency', { label: 'Expected Amount', calculated: true, ...ro }),
        field('TotalOpportunityQuantity', 'double', { label: 'Quantity', precision: 18, scale: 2 }),
        field('CloseDate', 'date', { label: 'Close Date', nillable: false }),
        field('Type', 'picklist', {
          label: 'Opportunity Type',
          picklist: [
            'Existing Customer - Upgrade',
            'Existing Customer - Replacement',
            'Existing Customer - Downgrade',
            'New Customer',
          ],
        }),
        field('NextStep', 'string', { label: 'Next Step' }),
        field('LeadSource', 'picklist', { label: 'Lead Source', picklist: sources }),
        field('IsClosed', 'boolean', { label: 'Closed', ...roDefaulted }),
        field('IsWon', 'boolean', { label: 'Won', ...roDefaulted }),
        field('ForecastCategory', 'picklist', {
          label: 'Forecast Category',
          length: 40,
          restrictedPicklist: true,
          picklist: Object.keys(FORECAST_NAMES),
          ...roDefaulted,
        }),
        field('ForecastCategoryName', 'picklist', {
          label: 'Forecast Category',
          restrictedPicklist: true,
          defaultedOnCreate: true,
          picklist: Object.values(FORECAST_NAMES),
        }),
        field('HasOpportunityLineItem', 'boolean', { label: 'Has Line Item', ...roDefaulted }),
        reference('Pricebook2Id', ['Pricebook2'], {
          label: 'Price Book ID',
          childRelationshipName: 'Opportunities',
        }),
      ],
      [
        field('LastActivityDate', 'date', { label: 'Last Activity', ...ro }),
        field('FiscalQuarter', 'int', { label: 'Fiscal Quarter', digits: 11, ...ro }),
        field('FiscalYear', 'int', { label: 'Fiscal Year', digits: 4, ...ro }),
        field('Fiscal', 'string', { label: 'Fiscal Period', length: 6, ...ro }),
        ...viewed(),
        field('HasOpenActivity', 'boolean', { label: 'Has Open Activity', ...roDefaulted }),
        field('HasOverdueTask', 'boolean', { label: 'Has Overdue Task', ...roDefaulted }),
      ],
    ),
  );
}

function opportunityLineItem(): ObjectDef {
  return object(
    'OpportunityLineItem',
    { label: 'Opportunity Product', labelPlural: 'Opportunity Product', keyPrefix: '00k' },
    withSystem(false, [
      reference('OpportunityId', ['Opportunity'], {
        label: 'Opportunity ID',
        nillable: false,
        updateable: false,
        childRelationshipName: 'OpportunityLineItems',
        cascadeDelete: true,
        deleteWithParent: true,
      }),
      field('SortOrder', 'int', { label: 'Sort Order', digits: 9 }),
      reference('PricebookEntryId', ['PricebookEntry'], {
        label: 'Price Book Entry ID',
        updateable: false,
        childRelationshipName: 'OpportunityLineItems',
      }),
      reference('Product2Id', ['Product2'], {
        label: 'Product ID',
        updateable: false,
        childRelationshipName: 'OpportunityLineItems',
      }),
      field('ProductCode', 'string', { label: 'Product Code', ...ro }),
      field('Name', 'string', { label: 'Opportunity Product Name', length: 376, nameField: true, ...ro }),
      field('Quantity', 'double', { label: 'Quantity', precision: 12, scale: 2, nillable: false }),
      field('TotalPrice', 'currency', { label: 'Total Price', precision: 16, scale: 2 }),
      field('UnitPrice', 'currency', { label: 'Sales Price', precision: 18, scale: 2 }),
      field('ListPrice', 'currency', { label: 'List Price', precision: 18, scale: 2, ...ro }),
      field('ServiceDate', 'date', { label: 'Date' }),
      field('Description', 'string', { label: 'Line Description' }),
    ]),
  );
}

function product2(): ObjectDef {
  return object(
    'Product2',
    { label: 'Product', labelPlural: 'Products', keyPrefix: '01t' },
    withSystem(
      false,
      [
        field('Name', 'string', { label: 'Product Name', nillable: false, nameField: true }),
        field('ProductCode', 'string', { label: 'Product Code' }),
        field('Description', 'textarea', { label: 'Product Description', length: 4000 }),
        field('IsActive', 'boolean', { label: 'Active' }),
      ],
      [
        field('Family', 'picklist', {
          label: 'Product Family',
          picklist: ['None', 'Services', 'Hardware', 'Materials', 'Software'],
        }),
        field('ExternalId', 'string', { label: 'External ID' }),
        field('DisplayUrl', 'url', { label: 'Display URL', length: 1000 }),
        field('QuantityUnitOfMeasure', 'picklist', { label: 'Quantity Unit Of Measure', picklist: ['Each'] }),
        field('IsArchived', 'boolean', { label: 'Is Archived', ...roDefaulted }),
        ...viewed(),
        field('StockKeepingUnit', 'string', { label: 'Product SKU', length: 180 }),
      ],
    ),
  );
}

function pricebook2(): ObjectDef {
  return object(
    'Pricebook2',
    { label: 'Price Book', labelPlural: 'Price Books', keyPrefix: '01s' },
    withSystem(
      false,
      [field('Name', 'string', { label: 'Price Book Name', nillable: false, nameField: true })],
      [
        ...viewed(),
        field('IsActive', 'boolean', { label: 'Active' }),
        field('IsArchived', 'boolean', { label: 'Is Archived', ...roDefaulted }),
        field('Description', 'string', { label: 'Description' }),
        field('IsStandard', 'boolean', { label: 'Is Standard Price Book', ...roDefaulted }),
      ],
    ),
  );
}

function pricebookEntry(): ObjectDef {
  return object(
    'PricebookEntry',
    { label: 'Price Book Entry', labelPlural: 'Price Book Entries', keyPrefix: '01u' },
    withSystem(
      false,
      [
        field('Name', 'string', { label: 'Product Name', nameField: true, ...ro }),
        reference('Pricebook2Id', ['Pricebook2'], {
          label: 'Price Book ID',
          nillable: false,
          updateable: false,
          childRelationshipName: 'PricebookEntries',
          cascadeDelete: true,
          deleteWithParent: true,
        }),
        reference('Product2Id', ['Product2'], {
          label: 'Product ID',
          nillable: false,
          updateable: false,
          childRelationshipName: 'PricebookEntries',
          cascadeDelete: true,
          deleteWithParent: true,
        }),
        field('UnitPrice', 'currency', { label: 'List Price', nillable: false }),
        field('IsActive', 'boolean', { label: 'Active' }),
        field('UseStandardPrice', 'boolean', { label: 'Use Standard Price' }),
      ],
      [
        field('ProductCode', 'string', { label: 'Product Code', ...ro }),
        field('IsArchived', 'boolean', { label: 'Is Archived', ...roDefaulted }),
      ],
    ),
  );
}

function user(): ObjectDef {
  const locale = { restrictedPicklist: true, nillable: false, length: 40 };
  return object(
    'User',
    {
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      createable: false,
      updateable: false,
      deletable: false,
    },
    withSystem(
      false,
      [
        field('Username', 'string', {
          label: 'Username',
          length: 80,
          nillable: false,
          unique: true,
          idLookup: true,
        }),
        field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
        field('FirstName', 'string', { label: 'First Name', length: 40 }),
        field('Name', 'string', { label: 'Full Name', length: 121, nameField: true, ...roDefaulted }),
        field('CompanyName', 'string', { label: 'Company Name', length: 80 }),
        field('Division', 'string', { label: 'Division', length: 80 }),
        field('Department', 'string', { label: 'Department', length: 80 }),
        field('Title', 'string', { label: 'Title', length: 80 }),
        ...address('', ''),
        field('Email', 'email', { label: 'Email', length: 128, nillable: false }),
        field('Phone', 'phone', { label: 'Phone', length: 40 }),
        field('MobilePhone', 'phone', { label: 'Mobile', length: 40 }),
        field('Alias', 'string', { label: 'Alias', length: 8, nillable: false }),
        field('CommunityNickname', 'string', { label: 'Nickname', length: 40, nillable: false }),
        field('IsActive', 'boolean', { label: 'Active' }),
        field('TimeZoneSidKey', 'picklist', {
          label: 'Time Zone',
          ...locale,
          picklist: ['GMT', 'America/Los_Angeles', 'America/New_York'],
        }),
        field('LocaleSidKey', 'picklist', { label: 'Locale', ...locale, picklist: ['en_US'] }),
        field('EmailEncodingKey', 'picklist', { label: 'Email Encoding', ...locale, picklist: ['UTF-8'] }),
        reference('ProfileId', ['Profile'], { label: 'Profile ID', nillable: false }),
        field('UserType', 'picklist', { label: 'User Type', picklist: ['Standard'], ...ro }),
        field('LanguageLocaleKey', 'picklist', { label: 'Language', ...locale, picklist: ['en_US'] }),
        field('EmployeeNumber', 'string', { label: 'Employee Number', length: 20 }),
        reference('ManagerId', ['User'], { label: 'Manager ID' }),
        field('LastLoginDate', 'datetime', { label: 'Last Login', ...ro }),
      ],
      [],
      false,
    ),
  );
}

/** Fresh definitions of every standard object the emulator serves. */
export function standardObjects(): ObjectDef[] {
  return [
    account(),
    contact(),
    opportunity(),
    opportunityLineItem(),
    product2(),
    pricebook2(),
    pricebookEntry(),
    user(),
  ];
}
