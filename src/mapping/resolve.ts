import { findField, type FieldInfo, type ObjectCatalog } from './catalog.ts';
import type { ExprType } from './expressions/index.ts';
import { didYouMean } from './suggest.ts';

/**
 * Field paths of a flow resolved against the catalogs: `Name` and `contact.Email` on the
 * Salesforce side (a related record's fields under its name), `BillAddr.Line1` on QuickBooks.
 */

export interface SfFieldRef {
  side: 'sf';
  /** Canonical path: the catalog's spelling (billingstreet → BillingStreet). */
  path: string;
  /** The related record's name, or null for the main object. */
  related: string | null;
  info: FieldInfo;
  catalog: ObjectCatalog;
  /** The key values and hashes use: `Name` or `related.contact.Email`. */
  key: string;
}

export interface QbFieldRef {
  side: 'qb';
  path: string;
  info: FieldInfo;
  catalog: ObjectCatalog;
  key: string;
}

export type FieldRef = SfFieldRef | QbFieldRef;

export type Resolved<T> = T | { error: string };

/** The expression type of a catalog field. */
export function exprTypeOf(info: FieldInfo): ExprType {
  switch (info.type) {
    case 'currency':
    case 'decimal':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'date';
    case 'object':
      return 'any';
    default:
      return 'text';
  }
}

function groupError(catalog: ObjectCatalog, info: FieldInfo, label: string): string {
  const children = [...catalog.fields.keys()].filter((k) => k.startsWith(`${info.name}.`));
  return `${label} is a group of fields, not a value; use one of ${children.slice(0, 6).join(', ')}${children.length > 6 ? ', ...' : ''}`;
}

/** A Salesforce path of a flow: a main-object field or `<related>.<Field>`. */
export function resolveSf(
  path: string,
  main: ObjectCatalog,
  related: ReadonlyMap<string, ObjectCatalog>,
): Resolved<SfFieldRef> {
  const dot = path.indexOf('.');
  if (dot < 0) {
    const info = findField(main, path);
    if (!info) return { error: `${main.object} has no field ${path}${didYouMean(path, main.fields.keys())}` };
    if (info.type === 'object') return { error: groupError(main, info, `${main.object}.${info.name}`) };
    return { side: 'sf', path: info.name, related: null, info, catalog: main, key: info.name };
  }
  const name = path.slice(0, dot);
  const rest = path.slice(dot + 1);
  const catalog = related.get(name);
  if (!catalog) {
    const known = [...related.keys()];
    const hint = known.length
      ? didYouMean(name, known) || ` (related records of this flow: ${known.join(', ')})`
      : ' (declare related records under salesforce.related)';
    return { error: `${path}: '${name}' is not a related record of this flow${hint}` };
  }
  if (rest.includes('.'))
    return { error: `${path}: only the related record's own fields can be used (${name}.<Field>)` };
  const info = findField(catalog, rest);
  if (!info)
    return { error: `${catalog.object} has no field ${rest}${didYouMean(rest, catalog.fields.keys())}` };
  if (info.type === 'object') return { error: groupError(catalog, info, `${catalog.object}.${info.name}`) };
  return {
    side: 'sf',
    path: `${name}.${info.name}`,
    related: name,
    info,
    catalog,
    key: `related.${name}.${info.name}`,
  };
}

/** A QuickBooks path (nested values dotted: BillAddr.Line1). Names are case-sensitive, as in the API. */
export function resolveQb(path: string, catalog: ObjectCatalog): Resolved<QbFieldRef> {
  const info = findField(catalog, path);
  const label = `QuickBooks ${catalog.object}`;
  if (!info) return { error: `${label} has no field ${path}${didYouMean(path, catalog.fields.keys())}` };
  if (info.type === 'object') return { error: groupError(catalog, info, `${label}.${info.name}`) };
  return { side: 'qb', path: info.name, info, catalog, key: info.name };
}
