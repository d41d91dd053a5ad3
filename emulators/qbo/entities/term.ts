import { duplicateName, requiredParam } from '../errors.ts';
import { ENTITIES } from '../schema.ts';
import type { Company } from '../store/company.ts';
import type { StoredRecord } from '../store/table.ts';
import { builtOps, checkLengths, str, type EntityOps, type Obj } from './common.ts';

function build(co: Company, input: Obj, existing: StoredRecord | undefined): Obj {
  checkLengths(ENTITIES.Term, input);
  const name = str(input, 'Name');
  if (name === undefined) throw requiredParam('Name');
  const owner = co.termNames.get(name.toLowerCase());
  if (owner !== undefined && owner !== existing?.id) throw duplicateName('term', 'Name');
  const out: Obj = {
    Name: name,
    Active: input.Active !== false,
    Type: input.Type ?? 'STANDARD',
    DiscountPercent: input.DiscountPercent ?? '0',
  };
  if (out.Type === 'STANDARD') {
    out.DueDays = input.DueDays ?? 0;
    out.DiscountDays = input.DiscountDays ?? 0;
  }
  for (const [k, v] of Object.entries(input)) if (!(k in out)) out[k] = v;
  return out;
}

/** Sales terms (Net 30 …): a name list. */
export const termOps: EntityOps = builtOps('Term', [], build);
