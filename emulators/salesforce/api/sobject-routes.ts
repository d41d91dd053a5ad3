import { DAY_MS, formatDateTime, parseDate, parseDateTime } from '../datetime.ts';
import { SfError, badExternalIdField, methodNotAllowed, notFound } from '../errors.ts';
import { keyPrefixOf, normalizeId } from '../ids.ts';
import { MultipleMatchesError, type DmlContext } from '../org/org.ts';
import { recordJson } from '../org/serialize.ts';
import type { Rec } from '../org/table.ts';
import { describeBasic, describeFull } from '../schema/describe.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import { SoqlError } from '../soql/errors.ts';
import { objectBody } from './body.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';

/** /sobjects: describe, record CRUD, upsert and reads by external id, replication (updated/deleted). */

/** The DML context of a request: its user, its instant. */
export function dmlContext(req: ApiRequest): DmlContext {
  return { userId: req.session.userId, now: req.now };
}

function saveResult(id: string, created?: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = { id, success: true, errors: [] };
  if (created !== undefined) r.created = created;
  return r;
}

/** The 300 answer for an external id that matches several records. */
export function multipleChoices(def: ObjectDef, ids: string[], version: string): ApiResponse {
  return { status: 300, body: ids.map((id) => `/services/data/v${version}/sobjects/${def.name}/${id}`) };
}

/** Fields named in `?fields=a,b` (INVALID_FIELD with a caret for unknown names). */
export function fieldList(def: ObjectDef, text: string): FieldDef[] {
  const out: FieldDef[] = [];
  let pos = 0;
  for (const part of text.split(',')) {
    const name = part.trim();
    const at = pos + part.indexOf(name);
    pos += part.length + 1;
    if (!name) continue;
    const f = def.byLower.get(name.toLowerCase());
    if (!f)
      throw new SoqlError(
        'INVALID_FIELD',
        text,
        at,
        `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

function replicationWindow(
  req: ApiRequest,
  maxDays: number,
): { start: number; end: number; covered: number } {
  const read = (name: string): number => {
    const v = req.query.get(name);
    if (v === null || v === '') throw new SfError(400, 'MISSING_ARGUMENT', `Missing argument: ${name}`);
    const ms = parseDateTime(v) ?? parseDate(v);
    if (ms === null) throw new SfError(400, 'INVALID_REPLICATION_DATE', `Unable to parse ${name} date: ${v}`);
    return Math.floor(ms / 60_000) * 60_000;
  };
  const start = read('start');
  const end = read('end');
  if (end <= start)
    throw new SfError(
      400,
      'INVALID_REPLICATION_DATE',
      'startDate must chronologically precede endDate by more than one minute',
    );
  if (start < req.now - maxDays * DAY_MS)
    throw new SfError(400, 'INVALID_REPLICATION_DATE', `startDate can not be more than ${maxDays} days ago`);
  const nowMinute = Math.floor(req.now / 60_000) * 60_000;
  return { start, end, covered: Math.min(end, nowMinute) };
}

export function sobjectRoutes(svc: Services): Route[] {
  const { org } = svc;

  const describeGlobal = (req: ApiRequest): ApiResponse => ({
    status: 200,
    body: {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: org.schema.list().map((o) => describeBasic(o, req.version)),
    },
  });

  const basic = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    const recent = [...org.tables.get(def.name)!.rows.values()]
      .filter((r) => !r.IsDeleted)
      .slice(-25)
      .reverse()
      .map((r) => ({
        attributes: {
          type: def.name,
          url: `/services/data/v${req.version}/sobjects/${def.name}/${String(r.Id)}`,
        },
        Id: r.Id,
        ...(def.nameField ? { [def.nameField]: r[def.nameField] } : {}),
      }));
    return { status: 200, body: { objectDescribe: describeBasic(def, req.version), recentItems: recent } };
  };

  const create = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    const body = objectBody(req.body(), def.name);
    const id = org.create(def.name, body, dmlContext(req));
    return { status: 201, body: saveResult(id) };
  };

  const describe = (req: ApiRequest, p: Record<string, string>): ApiResponse => ({
    status: 200,
    body: describeFull(org.object(p.obj!), req.version),
  });

  const get = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    const rec = org.retrieve(def.name, p.id!);
    const fields = req.query.has('fields') ? fieldList(def, req.query.get('fields') ?? '') : undefined;
    return { status: 200, body: recordJson(def, rec, req.version, fields) };
  };

  const patch = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    org.retrieve(def.name, p.id!);
    const body = objectBody(req.body(), def.name);
    org.update(def.name, p.id!, body, dmlContext(req));
    return { status: 204 };
  };

  const del = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    org.delete(p.obj!, p.id!, dmlContext(req));
    return { status: 204 };
  };

  const createById = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    if (p.id!.toLowerCase() !== 'id') {
      if (normalizeId(p.id!)) throw methodNotAllowed('POST', ['HEAD', 'GET', 'PATCH', 'DELETE']);
      throw badExternalIdField(p.id!);
    }
    const body = objectBody(req.body(), def.name);
    const id = org.create(def.name, body, dmlContext(req));
    return { status: 201, body: saveResult(id, true) };
  };

  /** GET /sobjects/{Obj}/{id}/{relationship}: a parent record or a child list. */
  const traverse = (req: ApiRequest, def: ObjectDef, rec: Rec, relName: string): ApiResponse => {
    const lookup = def.byRelationship.get(relName.toLowerCase());
    if (lookup) {
      const parentId = rec[lookup.name];
      const target = org.schema.get(lookup.referenceTo[0]!);
      const parent =
        typeof parentId === 'string' && target ? org.tables.get(target.name)!.get(parentId) : undefined;
      if (!parent || !target || parent.IsDeleted) throw notFound();
      return { status: 200, body: recordJson(target, parent, req.version) };
    }
    const child = def.childRelationships.find(
      (c) => c.relationshipName?.toLowerCase() === relName.toLowerCase(),
    );
    if (!child) throw notFound();
    const childDef = org.schema.get(child.childSObject)!;
    const table = org.tables.get(childDef.name)!;
    const records = [...table.childrenOf(child.field, rec.Id as string)]
      .map((id) => table.get(id)!)
      .filter((r) => !r.IsDeleted)
      .map((r) => recordJson(childDef, r, req.version));
    return { status: 200, body: { totalSize: records.length, done: true, records } };
  };

  const byExternalId =
    (method: 'GET' | 'PATCH' | 'DELETE') =>
    (req: ApiRequest, p: Record<string, string>): ApiResponse => {
      const def = org.object(p.obj!);
      const asId = normalizeId(p.field!);
      if (method === 'GET' && asId && keyPrefixOf(asId) === def.keyPrefix)
        return traverse(req, def, org.retrieve(def.name, asId), p.value!);
      const f = org.externalIdField(def, p.field!);
      if (method === 'PATCH') {
        const body = objectBody(req.body(), def.name);
        try {
          const r = org.upsert(def.name, f.name, p.value!, body, dmlContext(req));
          if (r.created) return { status: 201, body: saveResult(r.id, true) };
          return req.versionNumber >= 46 ? { status: 200, body: saveResult(r.id, false) } : { status: 204 };
        } catch (e) {
          if (e instanceof MultipleMatchesError) return multipleChoices(def, e.ids, req.version);
          throw e;
        }
      }
      const matches = org.matchExternalId(def, f, p.value!);
      if (matches.length === 0) throw notFound();
      if (matches.length > 1) return multipleChoices(def, matches, req.version);
      if (method === 'DELETE') {
        org.delete(def.name, matches[0]!, dmlContext(req));
        return { status: 204 };
      }
      const rec = org.tables.get(def.name)!.get(matches[0]!)!;
      const fields = req.query.has('fields') ? fieldList(def, req.query.get('fields') ?? '') : undefined;
      return { status: 200, body: recordJson(def, rec, req.version, fields) };
    };

  const updated = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    const w = replicationWindow(req, 30);
    const ids = org.updatedIds(def.name, formatDateTime(w.start), formatDateTime(w.covered));
    if (ids.length > 600_000)
      throw new SfError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 600000 records into this call',
      );
    return { status: 200, body: { ids, latestDateCovered: formatDateTime(w.covered) } };
  };

  const deleted = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const def = org.object(p.obj!);
    const w = replicationWindow(req, 15);
    const entries = org.deletedBetween(def.name, w.start, w.covered);
    const earliest = Math.floor((req.now - 15 * DAY_MS) / 60_000) * 60_000;
    return {
      status: 200,
      body: {
        deletedRecords: entries.map((e) => ({ id: e.id, deletedDate: formatDateTime(e.at) })),
        earliestDateAvailable: formatDateTime(earliest),
        latestDateCovered: formatDateTime(w.covered),
      },
    };
  };

  return [
    { template: 'sobjects', handlers: { GET: describeGlobal } },
    { template: 'sobjects/:obj', handlers: { GET: basic, POST: create } },
    { template: 'sobjects/:obj/describe', handlers: { GET: describe } },
    { template: 'sobjects/:obj/updated', handlers: { GET: updated } },
    { template: 'sobjects/:obj/deleted', handlers: { GET: deleted } },
    { template: 'sobjects/:obj/:id', handlers: { GET: get, PATCH: patch, DELETE: del, POST: createById } },
    {
      template: 'sobjects/:obj/:field/:value',
      handlers: { GET: byExternalId('GET'), PATCH: byExternalId('PATCH'), DELETE: byExternalId('DELETE') },
    },
  ];
}
