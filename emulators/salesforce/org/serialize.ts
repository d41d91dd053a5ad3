import { jsonNumberText } from '../decimal.ts';
import { rawNumber } from '../json.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { Rec, Value } from './table.ts';

/** Stored records as the REST API writes them: attributes, exact numbers, compound addresses. */

/** The JSON value of one stored field value. */
export function fieldJson(f: FieldDef, v: Value | undefined): unknown {
  if (v === null || v === undefined) return null;
  switch (f.type) {
    case 'currency':
    case 'double':
    case 'percent':
      return rawNumber(jsonNumberText(String(v), true));
    default:
      return v;
  }
}

/** The compound address of a record (null when every component is null). */
export function addressJson(def: ObjectDef, rec: Rec, compound: FieldDef): unknown {
  const p = compound.compoundPrefix ?? '';
  const get = (suffix: string) => rec[`${p}${suffix}`] ?? null;
  const parts = {
    city: get('City'),
    country: get('Country'),
    geocodeAccuracy: get('GeocodeAccuracy'),
    latitude: get('Latitude'),
    longitude: get('Longitude'),
    postalCode: get('PostalCode'),
    state: get('State'),
    street: get('Street'),
  };
  if (Object.values(parts).every((v) => v === null)) return null;
  const lat = def.byLower.get(`${p}latitude`.toLowerCase());
  return {
    ...parts,
    latitude: lat ? fieldJson(lat, parts.latitude) : parts.latitude,
    longitude: lat ? fieldJson(lat, parts.longitude) : parts.longitude,
  };
}

/** The value of field f of rec as JSON, compound fields included. */
export function valueJson(def: ObjectDef, rec: Rec, f: FieldDef): unknown {
  if (f.type === 'address') return addressJson(def, rec, f);
  if (f.type === 'location') return null;
  return fieldJson(f, rec[f.name]);
}

/** `attributes` of a record in a response. */
export function attributes(def: ObjectDef, id: unknown, version: string): { type: string; url: string } {
  return { type: def.name, url: `/services/data/v${version}/sobjects/${def.name}/${String(id)}` };
}

/** A whole record (or the given fields) as GET /sobjects/{Obj}/{id} returns it. */
export function recordJson(
  def: ObjectDef,
  rec: Rec,
  version: string,
  fields?: FieldDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(def, rec.Id, version) };
  for (const f of fields ?? def.fields) out[f.name] = valueJson(def, rec, f);
  return out;
}
