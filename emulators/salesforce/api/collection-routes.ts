import { SfError, RollbackSignal, notFound } from '../errors.ts';
import { keyPrefixOf, normalizeId } from '../ids.ts';
import { JsonNumber } from '../json.ts';
import { coerceValue } from '../org/coerce.ts';
import { MultipleMatchesError } from '../org/org.ts';
import { indexKey } from '../org/table.ts';
import type { FieldDef } from '../schema/types.ts';
import { recordJson } from '../org/serialize.ts';
import { arrayProp, flagProp, objectBody } from './body.ts';
import { dmlContext, fieldList } from './sobject-routes.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';

/**
 * sObject Collections (/composite/sobjects): create, update, upsert, delete and retrieve up to 200
 * records per call, with allOrNone; results carry `statusCode` errors per record.
 */

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [] as string[],
};

interface Outcome {
  id?: string;
  created?: boolean;
  error?: SfError;
}

function typeOf(r: Record<string, unknown>): string | undefined {
  const a = r.attributes;
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const t = (a as Record<string, unknown>).type;
    if (typeof t === 'string') return t;
  }
  return undefined;
}

function withoutKeys(r: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const lower = keys.map((k) => k.toLowerCase());
  return Object.fromEntries(Object.entries(r).filter(([k]) => !lower.includes(k.toLowerCase())));
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The external id value of a collection record, as given (undefined: none). */
function externalIdValue(raw: unknown, f: FieldDef): string | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const key = Object.keys(r).find((k) => k.toLowerCase() === f.name.toLowerCase());
  const value = key ? scalarText(r[key]) : undefined;
  return value === '' ? undefined : value;
}

/** The key two external id values match under (ids by their 18-character form, text by case rules). */
function matchKey(f: FieldDef, value: string): string {
  if (f.name === 'Id') return normalizeId(value) ?? value;
  try {
    return indexKey(f, coerceValue(f, value)) ?? value;
  } catch {
    return value;
  }
}

/** Index → value of the records whose external id value another record of the same call also has. */
function duplicateKeys(records: unknown[], f: FieldDef): Map<number, string> {
  const byKey = new Map<string, number[]>();
  records.forEach((raw, i) => {
    const value = externalIdValue(raw, f);
    if (value === undefined) return;
    const k = matchKey(f, value);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const out = new Map<number, string>();
  for (const list of byKey.values())
    if (list.length > 1) for (const i of list) out.set(i, externalIdValue(records[i], f)!);
  return out;
}

export function collectionRoutes(svc: Services): Route[] {
  const { org } = svc;

  /** Runs one operation per record; with allOrNone, one failure rolls every record back. */
  const runCollection = (ops: Array<() => Outcome>, allOrNone: boolean): Outcome[] => {
    const attempt = (op: () => Outcome): Outcome => {
      try {
        return op();
      } catch (e) {
        if (e instanceof SfError) return { error: e };
        if (e instanceof MultipleMatchesError)
          return {
            error: new SfError(
              400,
              'DUPLICATE_EXTERNAL_ID',
              `more than one record found for external id field: [${e.ids.join(', ')}]`,
            ),
          };
        throw e;
      }
    };
    if (!allOrNone) return ops.map(attempt);
    const outcomes: Outcome[] = [];
    try {
      org.transaction(() => {
        for (const op of ops) {
          const o = attempt(() => org.savepoint(op));
          outcomes.push(o);
        }
        if (outcomes.some((o) => o.error)) throw new RollbackSignal();
      });
    } catch (e) {
      if (!(e instanceof RollbackSignal)) throw e;
    }
    if (!outcomes.some((o) => o.error)) return outcomes;
    return outcomes.map((o) =>
      o.error ? o : ({ rolledBack: true, created: o.created } as Outcome & { rolledBack: boolean }),
    );
  };

  const toResult = (o: Outcome & { rolledBack?: boolean }, idForErrors?: string): Record<string, unknown> => {
    if (o.rolledBack) {
      const r: Record<string, unknown> = { success: false, errors: [ROLLED_BACK] };
      if (idForErrors) r.id = idForErrors;
      if (o.created !== undefined) r.created = o.created;
      return r;
    }
    if (o.error) {
      const r: Record<string, unknown> = { success: false, errors: [o.error.toResultError()] };
      if (idForErrors) r.id = idForErrors;
      return r;
    }
    const r: Record<string, unknown> = { id: o.id, success: true, errors: [] };
    if (o.created !== undefined) r.created = o.created;
    return r;
  };

  const requireVersion = (req: ApiRequest, min: number) => {
    if (req.versionNumber < min) throw notFound();
  };

  const collectionBody = (req: ApiRequest) => {
    const body = objectBody(req.body(), 'CollectionRequest');
    const records = arrayProp(body, 'records', 'List<SObject>');
    if (records.length > 200)
      throw new SfError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 200 records into this call',
      );
    return { allOrNone: flagProp(body, 'allOrNone'), records };
  };

  const asRecord = (r: unknown): Record<string, unknown> => objectBody(r, 'SObject');

  const requireType = (r: Record<string, unknown>): string => {
    const t = typeOf(r);
    if (!t) throw new SfError(400, 'INVALID_TYPE', 'Must specify a type in the attributes of the record');
    if (!org.schema.get(t)) throw new SfError(400, 'INVALID_TYPE', `sObject type '${t}' is not supported.`);
    return t;
  };

  const checkChunks = (records: unknown[]) => {
    let chunks = 0;
    let last: string | undefined;
    for (const r of records) {
      const t = r && typeof r === 'object' ? typeOf(r as Record<string, unknown>) : undefined;
      if (t !== last) chunks++;
      last = t;
    }
    if (chunks > 10)
      throw new SfError(
        400,
        'EXCEEDED_MAX_TYPES_LIMIT',
        'Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.',
      );
  };

  const create = (req: ApiRequest): ApiResponse => {
    requireVersion(req, 42);
    const { allOrNone, records } = collectionBody(req);
    checkChunks(records);
    const ctx = dmlContext(req);
    const outcomes = runCollection(
      records.map((raw) => () => {
        const r = asRecord(raw);
        const type = requireType(r);
        if (Object.keys(r).some((k) => k.toLowerCase() === 'id'))
          throw new SfError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', [
            'Id',
          ]);
        return { id: org.create(type, r, ctx) };
      }),
      allOrNone,
    );
    return { status: 200, body: outcomes.map((o) => toResult(o)) };
  };

  const update = (req: ApiRequest): ApiResponse => {
    requireVersion(req, 42);
    const { allOrNone, records } = collectionBody(req);
    checkChunks(records);
    const ctx = dmlContext(req);
    const ids: Array<string | undefined> = [];
    const outcomes = runCollection(
      records.map((raw, i) => () => {
        const r = asRecord(raw);
        const idKey = Object.keys(r).find((k) => k.toLowerCase() === 'id');
        const idText = idKey ? scalarText(r[idKey]) : undefined;
        if (!idText) throw new SfError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', []);
        const id = normalizeId(idText);
        ids[i] = id ?? undefined;
        const type = requireType(r);
        if (!id) throw new SfError(400, 'MALFORMED_ID', `malformed id ${idText}`, []);
        if (keyPrefixOf(id) !== org.object(type).keyPrefix)
          throw new SfError(400, 'MALFORMED_ID', `Record ID: id value of incorrect type: ${idText}`, ['Id']);
        try {
          org.update(type, id, withoutKeys(r, ['id']), ctx);
        } catch (e) {
          if (e instanceof SfError && e.errorCode === 'NOT_FOUND')
            throw new SfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
          throw e;
        }
        return { id };
      }),
      allOrNone,
    );
    return { status: 200, body: outcomes.map((o, i) => toResult(o, ids[i])) };
  };

  const destroy = (req: ApiRequest): ApiResponse => {
    requireVersion(req, 42);
    const list = (req.query.get('ids') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!list.length) throw new SfError(400, 'MISSING_ARGUMENT', 'Missing argument: ids');
    if (list.length > 200)
      throw new SfError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 200 records into this call',
      );
    const allOrNone = /^true$/i.test(req.query.get('allOrNone') ?? '');
    const ctx = dmlContext(req);
    const outcomes = runCollection(
      list.map((text) => () => {
        const id = normalizeId(text);
        if (!id) throw new SfError(400, 'MALFORMED_ID', `malformed id ${text}`, []);
        const def = org.schema.byKeyPrefix(keyPrefixOf(id));
        if (!def || !org.tables.get(def.name)!.get(id))
          throw new SfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
        try {
          org.delete(def.name, id, ctx);
        } catch (e) {
          if (e instanceof SfError && e.status === 404) throw new SfError(400, e.errorCode, e.message, []);
          throw e;
        }
        return { id };
      }),
      allOrNone,
    );
    return { status: 200, body: outcomes.map((o, i) => toResult(o, normalizeId(list[i]!) ?? undefined)) };
  };

  const retrieve = (
    req: ApiRequest,
    p: Record<string, string>,
    ids: string[],
    fieldsText: string | undefined,
  ): ApiResponse => {
    requireVersion(req, 42);
    const def = org.object(p.obj!);
    if (fieldsText === undefined || fieldsText.trim() === '')
      throw new SfError(400, 'MISSING_ARGUMENT', 'Missing argument: fields');
    if (ids.length > 2000)
      throw new SfError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 2000 records into this call',
      );
    const fields = fieldList(def, fieldsText);
    const table = org.tables.get(def.name)!;
    const body = ids.map((text) => {
      const id = normalizeId(text);
      const rec = id && keyPrefixOf(id) === def.keyPrefix ? table.get(id) : undefined;
      return rec && !rec.IsDeleted ? recordJson(def, rec, req.version, fields) : null;
    });
    return { status: 200, body };
  };

  const retrieveGet = (req: ApiRequest, p: Record<string, string>): ApiResponse =>
    retrieve(
      req,
      p,
      (req.query.get('ids') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      req.query.get('fields') ?? undefined,
    );

  const retrievePost = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const body = objectBody(req.body(), 'RetrieveRequest');
    const ids = arrayProp(body, 'ids', 'List<String>').map((x) => scalarText(x) ?? '');
    const fields = arrayProp(body, 'fields', 'List<String>').map((x) => scalarText(x) ?? '');
    return retrieve(req, p, ids, fields.join(','));
  };

  const upsert = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    requireVersion(req, 46);
    const def = org.object(p.obj!);
    const f = org.externalIdField(def, p.field!);
    const { allOrNone, records } = collectionBody(req);
    const ctx = dmlContext(req);
    const duplicated = duplicateKeys(records, f);
    const outcomes = runCollection(
      records.map((raw, i) => () => {
        const r = asRecord(raw);
        const dup = duplicated.get(i);
        // Every record sharing an external id value with another record of the call fails.
        if (dup !== undefined)
          throw new SfError(400, 'DUPLICATE_VALUE', `Duplicate external id specified: ${dup}`, []);
        const type = typeOf(r);
        if (type && org.schema.get(type)?.name !== def.name)
          throw new SfError(
            400,
            'INVALID_TYPE',
            `Record type ${type} does not match the upsert type ${def.name}`,
          );
        const key = Object.keys(r).find((k) => k.toLowerCase() === f.name.toLowerCase());
        const value = key ? scalarText(r[key]) : undefined;
        if (value === undefined || value === '')
          throw new SfError(400, 'MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
        const result = org.upsert(def.name, f.name, value, withoutKeys(r, [f.name]), ctx);
        return { id: result.id, created: result.created };
      }),
      allOrNone,
    );
    return { status: 200, body: outcomes.map((o) => toResult(o)) };
  };

  return [
    { template: 'composite/sobjects', handlers: { POST: create, PATCH: update, DELETE: destroy } },
    { template: 'composite/sobjects/:obj', handlers: { GET: retrieveGet, POST: retrievePost } },
    { template: 'composite/sobjects/:obj/:field', handlers: { PATCH: upsert } },
  ];
}
