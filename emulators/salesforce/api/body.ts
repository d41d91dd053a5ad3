import { SfError, jsonParserError } from '../errors.ts';
import { JsonNumber } from '../json.ts';

/** Checks on request bodies, with the errors the real deserializer gives. */

/** The body as a JSON object (a record or a request), or JSON_PARSER_ERROR naming what it got. */
export function objectBody(body: unknown, javaType: string): Record<string, unknown> {
  if (body && typeof body === 'object' && !Array.isArray(body) && !(body instanceof JsonNumber))
    return body as Record<string, unknown>;
  const kind = Array.isArray(body)
    ? 'START_ARRAY value ['
    : typeof body === 'string'
      ? `VALUE_STRING value ${body}`
      : body === null
        ? 'VALUE_NULL value null'
        : `${body instanceof JsonNumber ? 'VALUE_NUMBER_INT' : 'VALUE_TRUE'} value ${String(body)}`;
  throw jsonParserError(
    `Cannot deserialize instance of ${javaType} from ${kind} or request may be missing a required field`,
  );
}

/** A list from a body property (records, ids, compositeRequest...). */
export function arrayProp(obj: Record<string, unknown>, name: string, javaType: string): unknown[] {
  const v = obj[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw jsonParserError(
      `Cannot deserialize instance of ${javaType} from ${typeof v === 'object' ? 'START_OBJECT value {' : `VALUE_STRING value ${String(v)}`} or request may be missing a required field`,
    );
  return v;
}

/** A boolean flag from a body property (allOrNone, haltOnError). */
export function flagProp(obj: Record<string, unknown>, name: string): boolean {
  const v = obj[name];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw jsonParserError(
    `Cannot deserialize instance of boolean from ${v instanceof JsonNumber ? 'VALUE_NUMBER_INT' : 'VALUE_STRING'} value ${String(v)} or request may be missing a required field`,
  );
}

/** A string property or undefined (errors for other JSON types). */
export function stringProp(obj: Record<string, unknown>, name: string): string | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new SfError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of string from ${Array.isArray(v) ? 'START_ARRAY' : typeof v === 'object' && !(v instanceof JsonNumber) ? 'START_OBJECT' : 'VALUE_NUMBER_INT'} value or request may be missing a required field`,
  );
}
