import { requiredParam } from '../errors.ts';
import { ENTITIES } from '../schema.ts';
import type { StoredRecord } from '../store/table.ts';
import {
  checkLengths,
  mergeForUpdate,
  str,
  unchanged,
  type EntityOps,
  type Obj,
  type OpContext,
} from './common.ts';

/** What QuickBooks owns in CompanyInfo; a client cannot change these. */
const READ_ONLY = [
  'CompanyStartDate',
  'Country',
  'SupportedLanguages',
  'DefaultTimeZone',
  'NameValue',
  'SampleFile',
  'QBVersion',
  'FlavorStratum',
  'CompanyFileName',
  'CompanyUserId',
  'CompanyUserAdminEmail',
  'LastImportedTime',
  'LastSyncTime',
  'MultiByteCharsSupported',
  'FifoCalculationStatus',
];

function update(ctx: OpContext, rec: StoredRecord, input: Obj, sparse: boolean): StoredRecord {
  const merged = mergeForUpdate(rec.e, input, sparse, READ_ONLY);
  checkLengths(ENTITIES.CompanyInfo, merged);
  if (str(merged, 'CompanyName') === undefined) throw requiredParam('CompanyName');
  const fields: Obj = { ...merged };
  for (const k of READ_ONLY) if (rec.e[k] !== undefined) fields[k] = rec.e[k];
  if (unchanged(rec, fields)) return rec;
  return ctx.co.commitUpdate('CompanyInfo', rec, fields);
}

/** CompanyInfo exists once per company; it can be read and (partly) updated, not created. */
export const companyInfoOps: EntityOps = { update };
