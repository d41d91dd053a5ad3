import { unsupportedProperty } from './errors.ts';
import { isDate, parseDateTime } from './time.ts';
import { money, parseDecimal, plain } from './money.ts';

/**
 * The request-body shapes of the emulated entities (property names and types from Intuit's XSD,
 * Finance.xsd / IntuitBaseTypes.xsd / IntuitNamesTypes.xsd). QuickBooks deserializes bodies with
 * Jackson: an unknown property or a value of the wrong type is refused with 2010 and Jackson's
 * own message, which `normalizeBody` reproduces. Values come out typed and canonical: decimals as
 * canonical text (currency rounded to the cent), booleans as booleans, nulls dropped.
 */

export type Scalar = 'string' | 'bool' | 'money' | 'decimal' | 'int' | 'date' | 'datetime' | 'any';
export type FieldSpec = Scalar | { obj: string } | { arr: string | Scalar };

interface Shape {
  fields: Record<string, FieldSpec>;
}

const REF: FieldSpec = { obj: 'ReferenceType' };
const ADDR: FieldSpec = { obj: 'PhysicalAddress' };
const PHONE: FieldSpec = { obj: 'TelephoneNumber' };
const EMAIL: FieldSpec = { obj: 'EmailAddress' };

const ENTITY_BASE: Record<string, FieldSpec> = {
  Id: 'string',
  SyncToken: 'string',
  MetaData: { obj: 'ModificationMetaData' },
  CustomField: { arr: 'CustomField' },
  AttachableRef: { arr: 'any' },
  domain: 'string',
  status: 'string',
  sparse: 'bool',
};

const NAME_BASE: Record<string, FieldSpec> = {
  ...ENTITY_BASE,
  IntuitId: 'string',
  Organization: 'bool',
  Title: 'string',
  GivenName: 'string',
  MiddleName: 'string',
  FamilyName: 'string',
  Suffix: 'string',
  FullyQualifiedName: 'string',
  CompanyName: 'string',
  DisplayName: 'string',
  PrintOnCheckName: 'string',
  UserId: 'string',
  Active: 'bool',
  V4IDPseudonym: 'string',
  PrimaryPhone: PHONE,
  AlternatePhone: PHONE,
  Mobile: PHONE,
  Fax: PHONE,
  PrimaryEmailAddr: EMAIL,
  WebAddr: { obj: 'WebSiteAddress' },
  OtherContactInfo: { arr: 'any' },
  DefaultTaxCodeRef: REF,
};

const TRANSACTION: Record<string, FieldSpec> = {
  ...ENTITY_BASE,
  DocNumber: 'string',
  TxnDate: 'date',
  DepartmentRef: REF,
  CurrencyRef: REF,
  ExchangeRate: 'decimal',
  PrivateNote: 'string',
  TxnStatus: 'string',
  LinkedTxn: { arr: 'LinkedTxn' },
  Line: { arr: 'Line' },
  TxnTaxDetail: { obj: 'TxnTaxDetail' },
  TxnSource: 'string',
  TaxFormType: 'string',
  TaxFormNum: 'string',
  TransactionLocationType: 'string',
  Tag: { arr: 'any' },
  TxnApprovalInfo: 'any',
  RecurDataRef: REF,
  RecurringInfo: 'any',
  ProjectRef: REF,
  TotalCostAmount: 'money',
  HomeTotalCostAmount: 'money',
};

const SALES_TRANSACTION: Record<string, FieldSpec> = {
  ...TRANSACTION,
  AutoDocNumber: 'bool',
  CustomerRef: REF,
  CustomerMemo: { obj: 'MemoRef' },
  BillAddr: ADDR,
  ShipAddr: ADDR,
  FreeFormAddress: 'bool',
  ShipFromAddr: ADDR,
  RemitToRef: REF,
  ClassRef: REF,
  SalesTermRef: REF,
  DueDate: 'date',
  SalesRepRef: REF,
  PONumber: 'string',
  FOB: 'string',
  ShipMethodRef: REF,
  ShipDate: 'date',
  TrackingNum: 'string',
  GlobalTaxCalculation: 'string',
  TotalAmt: 'money',
  HomeTotalAmt: 'money',
  ApplyTaxAfterDiscount: 'bool',
  ShippingTaxIncludedInTotalTax: 'bool',
  TemplateRef: REF,
  PrintStatus: 'string',
  EmailStatus: 'string',
  BillEmail: EMAIL,
  BillEmailCc: EMAIL,
  BillEmailBcc: EMAIL,
  ARAccountRef: REF,
  Balance: 'money',
  HomeBalance: 'money',
  FinanceCharge: 'bool',
  PaymentMethodRef: REF,
  PaymentRefNum: 'string',
  PaymentType: 'string',
  DepositToAccountRef: REF,
  DeliveryInfo: 'any',
  DiscountRate: 'decimal',
  DiscountAmt: 'money',
  GovtTxnRefIdentifier: 'string',
  TaxExemptionRef: REF,
  CheckPayment: 'any',
  CreditCardPayment: 'any',
};

const SHAPES: Record<string, Shape> = {
  ReferenceType: { fields: { value: 'string', name: 'string', type: 'string' } },
  MemoRef: { fields: { value: 'string', id: 'string' } },
  ModificationMetaData: {
    fields: {
      CreatedByRef: REF,
      CreateTime: 'datetime',
      LastModifiedByRef: REF,
      LastUpdatedTime: 'datetime',
      LastChangedInQB: 'datetime',
      Synchronized: 'bool',
    },
  },
  CustomField: {
    fields: {
      DefinitionId: 'string',
      Name: 'string',
      Type: 'string',
      StringValue: 'string',
      BooleanValue: 'bool',
      DateValue: 'date',
      NumberValue: 'decimal',
    },
  },
  PhysicalAddress: {
    fields: {
      Id: 'string',
      Line1: 'string',
      Line2: 'string',
      Line3: 'string',
      Line4: 'string',
      Line5: 'string',
      City: 'string',
      Country: 'string',
      CountryCode: 'string',
      County: 'string',
      CountrySubDivisionCode: 'string',
      PostalCode: 'string',
      PostalCodeSuffix: 'string',
      Lat: 'string',
      Long: 'string',
      Tag: 'string',
      Note: 'string',
    },
  },
  TelephoneNumber: {
    fields: {
      Id: 'string',
      DeviceType: 'string',
      CountryCode: 'string',
      AreaCode: 'string',
      ExchangeCode: 'string',
      Extension: 'string',
      FreeFormNumber: 'string',
      Default: 'bool',
      Tag: 'string',
    },
  },
  EmailAddress: { fields: { Id: 'string', Address: 'string', Default: 'bool', Tag: 'string' } },
  WebSiteAddress: { fields: { Id: 'string', URI: 'string', Default: 'bool', Tag: 'string' } },
  LinkedTxn: { fields: { TxnId: 'string', TxnType: 'string', TxnLineId: 'string' } },
  Line: {
    fields: {
      Id: 'string',
      LineNum: 'int',
      Description: 'string',
      Amount: 'money',
      Received: 'decimal',
      LinkedTxn: { arr: 'LinkedTxn' },
      DetailType: 'string',
      CustomField: { arr: 'CustomField' },
      LineEx: 'any',
      ProjectRef: REF,
      CostAmount: 'money',
      HomeCostAmount: 'money',
      SalesItemLineDetail: { obj: 'SalesItemLineDetail' },
      DiscountLineDetail: { obj: 'DiscountLineDetail' },
      SubTotalLineDetail: { obj: 'SubTotalLineDetail' },
      DescriptionLineDetail: { obj: 'DescriptionLineDetail' },
      PaymentLineDetail: 'any',
      TaxLineDetail: 'any',
      GroupLineDetail: 'any',
      ItemBasedExpenseLineDetail: 'any',
      AccountBasedExpenseLineDetail: 'any',
      ReimburseLineDetail: 'any',
      DepositLineDetail: 'any',
      PurchaseOrderItemLineDetail: 'any',
      SalesOrderItemLineDetail: 'any',
      ItemReceiptLineDetail: 'any',
      JournalEntryLineDetail: 'any',
      TDSLineDetail: 'any',
      ItemAdjustmentLineDetail: 'any',
    },
  },
  SalesItemLineDetail: {
    fields: {
      ItemRef: REF,
      ClassRef: REF,
      MarkupInfo: 'any',
      Qty: 'decimal',
      UOMRef: 'any',
      ItemAccountRef: REF,
      InventorySiteRef: REF,
      TaxCodeRef: REF,
      TaxClassificationRef: REF,
      UnitPrice: 'decimal',
      UnitCostPrice: 'decimal',
      RatePercent: 'decimal',
      PriceLevelRef: REF,
      ServiceDate: 'date',
      TaxInclusiveAmt: 'money',
      DiscountRate: 'decimal',
      DiscountAmt: 'money',
      DeferredRevenue: 'bool',
      SalesItemLineDetailEx: 'any',
    },
  },
  DiscountLineDetail: {
    fields: {
      DiscountRef: REF,
      PercentBased: 'bool',
      DiscountPercent: 'decimal',
      DiscountAccountRef: REF,
      ServiceDate: 'date',
      ClassRef: REF,
      TaxCodeRef: REF,
      DiscountLineDetailEx: 'any',
    },
  },
  SubTotalLineDetail: { fields: { ItemRef: REF, ServiceDate: 'date' } },
  DescriptionLineDetail: { fields: { ServiceDate: 'date', TaxCodeRef: REF } },
  TxnTaxDetail: {
    fields: {
      DefaultTaxCodeRef: REF,
      TxnTaxCodeRef: REF,
      TotalTax: 'money',
      TaxReviewStatus: 'string',
      TaxLine: { arr: 'any' },
      UseAutomatedSalesTax: 'bool',
    },
  },
  Customer: {
    fields: {
      ...NAME_BASE,
      Taxable: 'bool',
      BillAddr: ADDR,
      ShipAddr: ADDR,
      OtherAddr: { arr: 'PhysicalAddress' },
      ContactName: 'string',
      AltContactName: 'string',
      Notes: 'string',
      Job: 'bool',
      BillWithParent: 'bool',
      RootCustomerRef: REF,
      ParentRef: REF,
      Level: 'int',
      CustomerTypeRef: REF,
      SalesTermRef: REF,
      SalesRepRef: REF,
      PaymentMethodRef: REF,
      CCDetail: 'any',
      PriceLevelRef: REF,
      Balance: 'money',
      OpenBalanceDate: 'date',
      BalanceWithJobs: 'money',
      CreditLimit: 'money',
      AcctNum: 'string',
      CurrencyRef: REF,
      OverDueBalance: 'money',
      TotalRevenue: 'money',
      TotalExpense: 'money',
      PreferredDeliveryMethod: 'string',
      ResaleNum: 'string',
      JobInfo: 'any',
      TDSEnabled: 'bool',
      CustomerEx: 'any',
      SecondaryTaxIdentifier: 'string',
      ARAccountRef: REF,
      PrimaryTaxIdentifier: 'string',
      TaxExemptionReasonId: 'string',
      IsProject: 'bool',
      BusinessNumber: 'string',
      GSTIN: 'string',
      GSTRegistrationType: 'string',
      IsCISContractor: 'bool',
      ClientCompanyId: 'string',
      ClientEntityId: 'string',
      Source: 'string',
      TaxRegime: 'string',
      TaxGroupCodeRef: REF,
      TaxRateRef: REF,
    },
  },
  Item: {
    fields: {
      ...ENTITY_BASE,
      Name: 'string',
      Sku: 'string',
      Description: 'string',
      Active: 'bool',
      SubItem: 'bool',
      ParentRef: REF,
      Level: 'int',
      FullyQualifiedName: 'string',
      Taxable: 'bool',
      SalesTaxIncluded: 'bool',
      PercentBased: 'bool',
      UnitPrice: 'decimal',
      RatePercent: 'decimal',
      Type: 'string',
      PaymentMethodRef: REF,
      UOMSetRef: REF,
      IncomeAccountRef: REF,
      PurchaseDesc: 'string',
      PurchaseTaxIncluded: 'bool',
      PurchaseCost: 'decimal',
      ExpenseAccountRef: REF,
      COGSAccountRef: REF,
      AssetAccountRef: REF,
      PrefVendorRef: REF,
      AvgCost: 'decimal',
      TrackQtyOnHand: 'bool',
      QtyOnHand: 'decimal',
      QtyOnPurchaseOrder: 'decimal',
      QtyOnSalesOrder: 'decimal',
      ReorderPoint: 'decimal',
      ManPartNum: 'string',
      DepositToAccountRef: REF,
      SalesTaxCodeRef: REF,
      PurchaseTaxCodeRef: REF,
      InvStartDate: 'date',
      BuildPoint: 'decimal',
      PrintGroupedItems: 'bool',
      SpecialItem: 'bool',
      SpecialItemType: 'string',
      ItemGroupDetail: 'any',
      ItemAssemblyDetail: 'any',
      AbatementRate: 'decimal',
      ReverseChargeRate: 'decimal',
      ServiceType: 'string',
      ItemCategoryType: 'string',
      ItemEx: 'any',
      TaxClassificationRef: REF,
      UQCDisplayText: 'string',
      UQCId: 'string',
      ClassRef: REF,
      Source: 'string',
      DeferredRevenue: 'bool',
    },
  },
  Account: {
    fields: {
      ...ENTITY_BASE,
      Name: 'string',
      SubAccount: 'bool',
      ParentRef: REF,
      Description: 'string',
      FullyQualifiedName: 'string',
      AccountAlias: 'string',
      TxnLocationType: 'string',
      Active: 'bool',
      Classification: 'string',
      AccountType: 'string',
      AccountSubType: 'string',
      AccountPurposes: { arr: 'ReferenceType' },
      AcctNum: 'string',
      AcctNumExtn: 'string',
      BankNum: 'string',
      OpeningBalance: 'money',
      OpeningBalanceDate: 'date',
      CurrentBalance: 'money',
      CurrentBalanceWithSubAccounts: 'money',
      CurrencyRef: REF,
      TaxAccount: 'bool',
      TaxCodeRef: REF,
      OnlineBankingEnabled: 'bool',
      FIName: 'string',
      JournalCodeRef: REF,
      AccountEx: 'any',
    },
  },
  Term: {
    fields: {
      ...ENTITY_BASE,
      Name: 'string',
      Active: 'bool',
      Type: 'string',
      DiscountPercent: 'decimal',
      SalesTermEx: 'any',
      DueDays: 'int',
      DiscountDays: 'int',
      DayOfMonthDue: 'int',
      DueNextMonthDays: 'int',
      DiscountDayOfMonth: 'int',
    },
  },
  Invoice: {
    fields: {
      ...SALES_TRANSACTION,
      Deposit: 'money',
      AllowIPNPayment: 'bool',
      AllowOnlinePayment: 'bool',
      AllowOnlineCreditCardPayment: 'bool',
      AllowOnlineACHPayment: 'bool',
      AllowOnlinePayPalPayment: 'bool',
      EInvoiceStatus: 'string',
      ECloudStatusTimeStamp: 'datetime',
      CfdiUse: 'int',
      Exportation: 'string',
      GlobalInfo: 'any',
      invoiceStatus: 'string',
      callToAction: 'string',
      invoiceStatusLog: { arr: 'any' },
      InvoiceEx: 'any',
      LessCIS: 'money',
      InvoiceLink: 'string',
      PaymentDetailsMessage: 'string',
      ConvenienceFeeDetail: 'any',
      InvoiceLinkSecurityCode: 'string',
      InvoiceLinkExpiryDate: 'date',
      AutoPayEligible: 'bool',
      SchedulePayEligible: 'bool',
      ScheduledPaymentId: 'string',
      GratuityEnabled: 'bool',
      FinancingProductType: 'string',
      SubscriptionPaymentsSetting: 'string',
    },
  },
  SalesReceipt: { fields: { ...SALES_TRANSACTION, SalesReceiptEx: 'any', LessCIS: 'money' } },
  CreditMemo: {
    fields: { ...SALES_TRANSACTION, RemainingCredit: 'money', InvoiceRef: REF, CreditMemoEx: 'any' },
  },
  Payment: {
    fields: {
      ...TRANSACTION,
      CustomerRef: REF,
      RemitToRef: REF,
      ARAccountRef: REF,
      DepositToAccountRef: REF,
      PaymentMethodRef: REF,
      PaymentRefNum: 'string',
      PaymentType: 'string',
      TotalAmt: 'money',
      UnappliedAmt: 'money',
      ProcessPayment: 'bool',
      PaymentEx: 'any',
      CheckPayment: 'any',
      CreditCardPayment: 'any',
    },
  },
  CompanyInfo: {
    fields: {
      ...ENTITY_BASE,
      CompanyName: 'string',
      LegalName: 'string',
      CompanyAddr: ADDR,
      CustomerCommunicationAddr: ADDR,
      LegalAddr: ADDR,
      CompanyEmailAddr: EMAIL,
      CustomerCommunicationEmailAddr: EMAIL,
      CompanyURL: { obj: 'WebSiteAddress' },
      PrimaryPhone: PHONE,
      OtherContactInfo: { arr: 'any' },
      CompanyFileName: 'string',
      FlavorStratum: 'string',
      SampleFile: 'bool',
      CompanyUserId: 'string',
      CompanyUserAdminEmail: 'string',
      CompanyStartDate: 'date',
      EmployerId: 'string',
      FiscalYearStartMonth: 'string',
      TaxYearStartMonth: 'string',
      QBVersion: 'string',
      Country: 'string',
      ShipAddr: ADDR,
      OtherAddr: { arr: 'PhysicalAddress' },
      Mobile: PHONE,
      Fax: PHONE,
      Email: EMAIL,
      WebAddr: { obj: 'WebSiteAddress' },
      LastImportedTime: 'datetime',
      LastSyncTime: 'datetime',
      SupportedLanguages: 'string',
      DefaultTimeZone: 'string',
      MultiByteCharsSupported: 'bool',
      NameValue: { arr: 'any' },
      FifoCalculationStatus: 'any',
      CompanyInfoEx: 'any',
    },
  },
};

const JAVA_CLASS: Record<Exclude<Scalar, 'any'>, string> = {
  string: 'java.lang.String',
  bool: 'boolean',
  money: 'java.math.BigDecimal',
  decimal: 'java.math.BigDecimal',
  int: 'java.lang.Integer',
  date: 'java.util.Date',
  datetime: 'java.util.Date',
};

export type Obj = Record<string, unknown>;

function javaClass(shape: string): string {
  return `com.intuit.schema.finance.v3.${shape}`;
}

function tokenOf(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value !== null && typeof value === 'object') return 'START_OBJECT';
  return 'VALUE_STRING';
}

function isPlainObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function normalizeScalar(kind: Scalar, value: unknown): unknown {
  if (kind === 'any') return value;
  if (value !== null && typeof value === 'object') {
    throw unsupportedProperty(
      `Can not deserialize instance of ${JAVA_CLASS[kind]} out of ${tokenOf(value)} token`,
    );
  }
  const text = typeof value === 'string' ? value : String(value);
  switch (kind) {
    case 'string':
      return text;
    case 'bool': {
      if (value === true || value === false) return value;
      const t = text.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw unsupportedProperty(
        `Can not construct instance of boolean from String value '${text}': only "true" or "false" recognized`,
      );
    }
    case 'money':
    case 'decimal': {
      const d = parseDecimal(text);
      if (!d) {
        throw unsupportedProperty(
          `Can not construct instance of java.math.BigDecimal from String value '${text}': not a valid representation`,
        );
      }
      return kind === 'money' ? money(d) : plain(d);
    }
    case 'int': {
      if (!/^[+-]?\d{1,9}$/.test(text.trim())) {
        throw unsupportedProperty(
          `Can not construct instance of java.lang.Integer from String value '${text}': not a valid Integer value`,
        );
      }
      return Number(text.trim());
    }
    case 'date':
    case 'datetime': {
      const t = text.trim();
      const ok =
        kind === 'date' ? isDate(t) || !Number.isNaN(parseDateTime(t)) : !Number.isNaN(parseDateTime(t));
      if (!ok) {
        throw unsupportedProperty(
          `Can not construct instance of java.util.Date from String value '${text}': not a valid representation`,
        );
      }
      return kind === 'date' ? t.slice(0, 10) : t;
    }
  }
}

function normalizeField(spec: FieldSpec, value: unknown): unknown {
  if (typeof spec === 'string') return normalizeScalar(spec, value);
  if ('obj' in spec) {
    if (!isPlainObject(value)) {
      throw unsupportedProperty(
        `Can not deserialize instance of ${javaClass(spec.obj)} out of ${tokenOf(value)} token`,
      );
    }
    return normalizeObject(spec.obj, value);
  }
  const items = Array.isArray(value) ? value : [value];
  if (!Array.isArray(value) && !isPlainObject(value) && spec.arr !== 'any') {
    throw unsupportedProperty(
      `Can not deserialize instance of java.util.ArrayList out of ${tokenOf(value)} token`,
    );
  }
  const out: unknown[] = [];
  for (const item of items) {
    if (item === null) continue;
    const s = spec.arr;
    out.push(s in SHAPES ? normalizeField({ obj: s }, item) : normalizeScalar(s as Scalar, item));
  }
  return out;
}

/** Normalizes one object of a named shape (see the module comment); throws 2010 on a bad property. */
export function normalizeObject(shape: string, value: Obj): Obj {
  const def = SHAPES[shape];
  if (!def) throw new Error(`unknown shape ${shape}`);
  const out: Obj = {};
  for (const key of Object.keys(value)) {
    const spec = def.fields[key];
    if (spec === undefined || !Object.prototype.hasOwnProperty.call(def.fields, key)) {
      const known = Object.keys(def.fields);
      throw unsupportedProperty(
        `Unrecognized field "${key}" (class ${javaClass(shape)}), not marked as ignorable (${known.length} known properties: ${known
          .map((k) => `"${k}"`)
          .join(', ')}])`,
      );
    }
    const v = value[key];
    if (v === null || v === undefined) continue;
    if (v === '' && spec !== 'string' && spec !== 'any') continue;
    out[key] = normalizeField(spec, v);
  }
  return out;
}
