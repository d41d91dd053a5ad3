import type { EntityName } from '../schema.ts';
import { accountOps } from './account.ts';
import type { EntityOps } from './common.ts';
import { companyInfoOps } from './company-info.ts';
import { customerOps } from './customer.ts';
import { itemOps } from './item.ts';
import { paymentOps } from './payment.ts';
import { creditMemoOps, invoiceOps, salesReceiptOps } from './sales.ts';
import { termOps } from './term.ts';

/** The write operations of each entity type (TaxCode and Preferences are read-only here). */
export const ENTITY_OPS: Record<EntityName, EntityOps> = {
  Customer: customerOps,
  Item: itemOps,
  Account: accountOps,
  Term: termOps,
  TaxCode: {},
  CompanyInfo: companyInfoOps,
  Preferences: {},
  Invoice: invoiceOps,
  SalesReceipt: salesReceiptOps,
  CreditMemo: creditMemoOps,
  Payment: paymentOps,
};
