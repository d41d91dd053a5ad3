import { businessValidation, duplicateName, requiredParam, unsupportedProperty } from '../errors.ts';
import { ENTITIES } from '../schema.ts';
import type { StoredRecord } from '../store/table.ts';
import type { Company } from '../store/company.ts';
import {
  baseName,
  builtOps,
  checkLengths,
  listName,
  noColon,
  refTo,
  resolveRef,
  str,
  USD,
  type EntityOps,
  type Obj,
} from './common.ts';

const COMPUTED = ['FullyQualifiedName', 'CurrentBalance', 'CurrentBalanceWithSubAccounts', 'Classification'];

/** AccountTypeEnum → [Classification, default AccountSubType]. */
const TYPES: Record<string, [string | undefined, string]> = {
  Bank: ['Asset', 'Checking'],
  'Accounts Receivable': ['Asset', 'AccountsReceivable'],
  'Other Current Asset': ['Asset', 'OtherCurrentAssets'],
  'Fixed Asset': ['Asset', 'MachineryAndEquipment'],
  'Other Asset': ['Asset', 'OtherLongTermAssets'],
  'Accounts Payable': ['Liability', 'AccountsPayable'],
  'Credit Card': ['Liability', 'CreditCard'],
  'Other Current Liability': ['Liability', 'OtherCurrentLiabilities'],
  'Long Term Liability': ['Liability', 'OtherLongTermLiabilities'],
  Equity: ['Equity', 'OwnersEquity'],
  Income: ['Revenue', 'SalesOfProductIncome'],
  'Other Income': ['Revenue', 'OtherMiscellaneousIncome'],
  'Cost of Goods Sold': ['Expense', 'SuppliesMaterialsCogs'],
  Expense: ['Expense', 'OtherMiscellaneousServiceCost'],
  'Other Expense': ['Expense', 'OtherMiscellaneousExpense'],
  'Non-Posting': [undefined, 'OtherNonPosting'],
};

/** A few sub-types a client may send without the type (QuickBooks infers the type from them). */
const SUBTYPE_TO_TYPE: Record<string, string> = {
  Checking: 'Bank',
  Savings: 'Bank',
  AccountsReceivable: 'Accounts Receivable',
  UndepositedFunds: 'Other Current Asset',
  Inventory: 'Other Current Asset',
  AccountsPayable: 'Accounts Payable',
  CreditCard: 'Credit Card',
  SalesOfProductIncome: 'Income',
  ServiceFeeIncome: 'Income',
  SuppliesMaterialsCogs: 'Cost of Goods Sold',
  OwnersEquity: 'Equity',
};

function build(co: Company, input: Obj, existing: StoredRecord | undefined): Obj {
  checkLengths(ENTITIES.Account, input);
  let name = str(input, 'Name');
  if (name === undefined) throw requiredParam('Name');
  name = baseName(name);
  noColon(name, 'Name');
  const subType = str(input, 'AccountSubType');
  const type = str(input, 'AccountType') ?? (subType ? SUBTYPE_TO_TYPE[subType] : undefined);
  if (type === undefined) throw requiredParam('AccountType');
  const info = TYPES[type];
  if (!info) {
    throw unsupportedProperty(
      `Can not construct instance of com.intuit.schema.finance.v3.AccountTypeEnum from String value '${type}': value not one of declared Enum instance names: [${Object.keys(TYPES).join(', ')}]`,
    );
  }
  const active = input.Active !== false;
  name = listName(co.accountNames, existing, 'Name', name, active, () => duplicateName('account', 'Name'));
  let fqn = name;
  let parentRef: Obj | undefined;
  if (input.ParentRef !== undefined) {
    const parent = resolveRef(co, 'Account', input.ParentRef, 'ParentRef', { plural: 'accounts' });
    if (parent.e.AccountType !== type) {
      throw businessValidation('A sub-account must have the same type as its parent.', 'ParentRef');
    }
    if (parent.id === existing?.id)
      throw businessValidation('An account cannot be its own parent.', 'ParentRef');
    fqn = `${parent.e.FullyQualifiedName as string}:${name}`;
    parentRef = refTo(parent, 'FullyQualifiedName');
  }
  const out: Obj = {
    Name: name,
    SubAccount: parentRef !== undefined,
    ...(parentRef ? { ParentRef: parentRef } : {}),
    FullyQualifiedName: fqn,
    Active: active,
    ...(info[0] ? { Classification: info[0] } : {}),
    AccountType: type,
    AccountSubType: subType ?? info[1],
    CurrentBalance: (existing?.e.CurrentBalance as string | undefined) ?? '0',
    CurrentBalanceWithSubAccounts: (existing?.e.CurrentBalanceWithSubAccounts as string | undefined) ?? '0',
    CurrencyRef: input.CurrencyRef ?? USD,
  };
  for (const [k, v] of Object.entries(input)) {
    if (!(k in out) && k !== 'SubAccount' && k !== 'ParentRef') out[k] = v;
  }
  return out;
}

/** The chart of accounts is a name list: created, updated, deactivated; never deleted. */
export const accountOps: EntityOps = builtOps('Account', COMPUTED, build);
