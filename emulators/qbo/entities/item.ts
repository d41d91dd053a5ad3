import { businessValidation, duplicateName, requiredParam, unsupportedProperty } from '../errors.ts';
import { ENTITIES } from '../schema.ts';
import type { Company } from '../store/company.ts';
import { refValue } from '../store/company.ts';
import type { StoredRecord } from '../store/table.ts';
import { formatDate } from '../time.ts';
import {
  baseName,
  builtOps,
  checkLengths,
  listName,
  noColon,
  refTo,
  resolveRef,
  str,
  type EntityOps,
  type Obj,
} from './common.ts';

const COMPUTED = ['FullyQualifiedName', 'Level'];
const ITEM_TYPES = [
  'Assembly',
  'Category',
  'Fixed Asset',
  'Group',
  'Inventory',
  'NonInventory',
  'Other Charge',
  'Payment',
  'Service',
  'Subtotal',
  'Discount',
  'Tax',
  'Tax Group',
  'Bundle',
];
const EMULATED_TYPES = new Set(['Inventory', 'NonInventory', 'Service']);

function accountRef(
  co: Company,
  input: Obj,
  key: string,
  existing: StoredRecord | undefined,
): Obj | undefined {
  if (input[key] === undefined) return undefined;
  const same = refValue(input[key]) === refValue(existing?.e[key]);
  return refTo(resolveRef(co, 'Account', input[key], key, { allowInactive: same, plural: 'accounts' }));
}

/**
 * Builds an item's stored fields: the name rules shared with every name list, and what each
 * type requires (an inventory item tracks quantity and needs income, expense and asset accounts).
 */
function build(co: Company, input: Obj, existing: StoredRecord | undefined): Obj {
  checkLengths(ENTITIES.Item, input);
  let name = str(input, 'Name');
  if (name === undefined) throw requiredParam('Name');
  name = baseName(name);
  noColon(name, 'Name');
  const type =
    (input.Type as string | undefined) ?? (existing?.e.Type as string | undefined) ?? 'NonInventory';
  if (!ITEM_TYPES.includes(type)) {
    throw unsupportedProperty(
      `Can not construct instance of com.intuit.schema.finance.v3.ItemTypeEnum from String value '${type}': value not one of declared Enum instance names: [${ITEM_TYPES.join(', ')}]`,
    );
  }
  if (!EMULATED_TYPES.has(type)) {
    throw businessValidation(`Items of type ${type} are not supported by this company.`, 'Type');
  }
  if (existing?.e.Type === 'Inventory' && type !== 'Inventory') {
    throw businessValidation('You cannot change the type of an inventory item.', 'Type');
  }
  const active = input.Active !== false;
  name = listName(co.itemNames, existing, 'Name', name, active, () => duplicateName('item', 'Name'));

  let fqn = name;
  let level = 0;
  let parentRef: Obj | undefined;
  if (input.ParentRef !== undefined) {
    const parent = resolveRef(co, 'Item', input.ParentRef, 'ParentRef', { plural: 'items' });
    if (parent.id === existing?.id)
      throw businessValidation('An item cannot be its own parent.', 'ParentRef');
    level = Number(parent.e.Level ?? 0) + 1;
    fqn = `${parent.e.FullyQualifiedName as string}:${name}`;
    parentRef = refTo(parent, 'FullyQualifiedName');
  }

  const income = accountRef(co, input, 'IncomeAccountRef', existing);
  const expense = accountRef(co, input, 'ExpenseAccountRef', existing);
  const asset = accountRef(co, input, 'AssetAccountRef', existing);
  if (!income) throw requiredParam('IncomeAccountRef');
  const inventory = type === 'Inventory';
  if (inventory) {
    if (!expense) throw requiredParam('ExpenseAccountRef');
    if (!asset) throw requiredParam('AssetAccountRef');
    if (input.TrackQtyOnHand !== true) {
      throw businessValidation('TrackQtyOnHand must be true for an inventory item.', 'TrackQtyOnHand');
    }
    if (input.QtyOnHand === undefined) throw requiredParam('QtyOnHand');
    if (input.InvStartDate === undefined && !existing) throw requiredParam('InvStartDate');
  } else if (input.TrackQtyOnHand === true) {
    throw businessValidation('Only inventory items can track quantity on hand.', 'TrackQtyOnHand');
  }

  const out: Obj = {
    Name: name,
    Active: active,
    FullyQualifiedName: fqn,
    Taxable: input.Taxable ?? false,
    UnitPrice: input.UnitPrice ?? '0',
    Type: type,
    IncomeAccountRef: income,
    PurchaseCost: input.PurchaseCost ?? '0',
    TrackQtyOnHand: inventory,
  };
  if (parentRef) {
    out.SubItem = true;
    out.ParentRef = parentRef;
    out.Level = level;
  } else {
    out.SubItem = false;
  }
  if (expense) out.ExpenseAccountRef = expense;
  if (asset) out.AssetAccountRef = asset;
  if (inventory) {
    out.QtyOnHand = input.QtyOnHand;
    out.InvStartDate = input.InvStartDate ?? existing?.e.InvStartDate ?? formatDate(co.now());
  }
  for (const [k, v] of Object.entries(input)) {
    if (k in out || k === 'SubItem' || k === 'ParentRef') continue;
    if (!inventory && (k === 'QtyOnHand' || k === 'InvStartDate')) continue;
    out[k] = v;
  }
  return out;
}

/** Items are a name list: created, updated, deactivated; never deleted. */
export const itemOps: EntityOps = builtOps('Item', COMPUTED, build);
