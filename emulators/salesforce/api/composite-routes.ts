import { SfError, RollbackSignal, jsonParserError, notFound } from '../errors.ts';
import { keyPrefixOf } from '../ids.ts';
import { JsonNumber } from '../json.ts';
import { arrayProp, flagProp, objectBody, stringProp } from './body.ts';
import { errorResponse, handleApi } from './dispatch.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';
import { parseVersionSegment } from './versions.ts';

/**
 * /composite (25 dependent subrequests with @{ref} references and allOrNone) and /composite/batch
 * (25 independent subrequests, haltOnError), run through the same routes as top-level calls.
 */

const HALTED_BY_ROLLBACK = [
  {
    errorCode: 'PROCESSING_HALTED',
    message: 'The transaction was rolled back since another operation in the same transaction failed.',
  },
];

export function compositeRoutes(svc: Services, allRoutes: () => Route[]): Route[] {
  const { org } = svc;

  /** A subrequest as an ApiRequest of the same session. */
  const subrequest = (
    parent: ApiRequest,
    method: string,
    url: string,
    body: unknown,
    relative: boolean,
  ): ApiResponse => {
    const [pathPart, queryPart] = url.split('?', 2) as [string, string | undefined];
    const prefix = relative ? '' : '/services/data/';
    if (!pathPart.startsWith(prefix)) return errorResponse(svc, notFound());
    const rest = pathPart.slice(prefix.length).replace(/^\/+/, '').replace(/\/+$/, '');
    const [versionSeg, ...segs] = rest.split('/');
    const versionNumber = parseVersionSegment(versionSeg ?? '');
    if (versionNumber === null) return errorResponse(svc, notFound());
    let path: string;
    try {
      path = segs.map((s) => decodeURIComponent(s)).join('/');
    } catch {
      return errorResponse(svc, notFound());
    }
    if (path.startsWith('composite') && !path.startsWith('composite/sobjects'))
      return errorResponse(svc, new SfError(400, 'INVALID_OPERATION', 'Composite requests cannot be nested'));
    const req: ApiRequest = {
      method: method.toUpperCase(),
      path,
      query: new URLSearchParams(queryPart ?? ''),
      headers: {},
      body: () => {
        if (body === undefined)
          throw jsonParserError('The HTTP entity body is required, but this request has no entity body.');
        return body;
      },
      version: `${versionNumber}.0`,
      versionNumber,
      session: parent.session,
      now: parent.now,
      subrequest: true,
    };
    return handleApi(svc, allRoutes(), req);
  };

  const composite = (req: ApiRequest): ApiResponse => {
    const body = objectBody(req.body(), 'CompositeRequest');
    const allOrNone = flagProp(body, 'allOrNone');
    flagProp(body, 'collateSubrequests');
    const subs = arrayProp(body, 'compositeRequest', 'List<CompositeSubrequest>').map((s) =>
      objectBody(s, 'CompositeSubrequest'),
    );
    if (subs.length === 0)
      throw new SfError(400, 'INVALID_API_INPUT', 'compositeRequest must contain at least one subrequest');
    if (subs.length > 25)
      throw new SfError(400, 'LIMIT_EXCEEDED', 'Composite requests cannot have more than 25 subrequests');
    const refs = new Set<string>();
    for (const s of subs) {
      const ref = stringProp(s, 'referenceId');
      if (!ref || !/^[A-Za-z][A-Za-z0-9_]*$/.test(ref))
        throw new SfError(
          400,
          'INVALID_API_INPUT',
          `Invalid referenceId: ${ref ?? ''}. A referenceId must start with a letter and contain only letters, numbers and underscores`,
        );
      if (refs.has(ref))
        throw new SfError(400, 'INVALID_API_INPUT', `Duplicate referenceId provided in the request: ${ref}`);
      refs.add(ref);
      if (!stringProp(s, 'method') || !stringProp(s, 'url'))
        throw new SfError(400, 'INVALID_API_INPUT', `Subrequest ${ref} needs a method and a url`);
    }
    const results = new Map<string, unknown>();
    const responses: Array<{
      body: unknown;
      httpHeaders: Record<string, string>;
      httpStatusCode: number;
      referenceId: string;
    }> = [];
    const runAll = () => {
      for (const s of subs) {
        const ref = s.referenceId as string;
        let resp: ApiResponse;
        try {
          const url = substitute(s.url as string, results, true) as string;
          const subBody = s.body === undefined ? undefined : substitute(s.body, results, false);
          resp = subrequest(req, s.method as string, url, subBody, false);
        } catch (e) {
          resp =
            e instanceof ReferenceFailure
              ? { status: 400, body: [{ errorCode: 'PROCESSING_HALTED', message: e.message }] }
              : errorResponse(svc, e);
        }
        const headers: Record<string, string> = {};
        const b = resp.body as Record<string, unknown> | undefined;
        if (resp.status === 201 && b && typeof b.id === 'string') {
          const type = org.schema.byKeyPrefix(keyPrefixOf(b.id))?.name ?? '';
          headers.Location = `/services/data/v${req.version}/sobjects/${type}/${b.id}`;
        }
        responses.push({
          body: resp.body ?? null,
          httpHeaders: headers,
          httpStatusCode: resp.status,
          referenceId: ref,
        });
        if (resp.status < 400) results.set(ref, resp.body ?? null);
        if (allOrNone && resp.status >= 400) throw new RollbackSignal();
      }
    };
    if (!allOrNone) runAll();
    else {
      try {
        org.transaction(runAll);
      } catch (e) {
        if (!(e instanceof RollbackSignal)) throw e;
        const failed = responses.length - 1;
        const halted = subs.map((s, i) =>
          i === failed
            ? responses[i]!
            : {
                body: HALTED_BY_ROLLBACK,
                httpHeaders: {},
                httpStatusCode: 400,
                referenceId: s.referenceId as string,
              },
        );
        return { status: 200, body: { compositeResponse: halted } };
      }
    }
    return { status: 200, body: { compositeResponse: responses } };
  };

  const batch = (req: ApiRequest): ApiResponse => {
    const body = objectBody(req.body(), 'BatchRequest');
    const haltOnError = flagProp(body, 'haltOnError');
    const items = arrayProp(body, 'batchRequests', 'List<BatchSubrequest>').map((s) =>
      objectBody(s, 'BatchSubrequest'),
    );
    if (items.length === 0)
      throw new SfError(400, 'INVALID_API_INPUT', 'batchRequests must contain at least one subrequest');
    if (items.length > 25)
      throw new SfError(400, 'LIMIT_EXCEEDED', 'Batch requests cannot have more than 25 subrequests');
    let halted = false;
    const results = items.map((item) => {
      if (halted)
        return {
          statusCode: 412,
          result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
        };
      const method = stringProp(item, 'method');
      const url = stringProp(item, 'url');
      const resp =
        !method || !url
          ? errorResponse(
              svc,
              new SfError(400, 'INVALID_API_INPUT', 'A batch subrequest needs a method and a url'),
            )
          : subrequest(req, method, url, item.richInput, true);
      if (resp.status >= 400 && haltOnError) halted = true;
      return { statusCode: resp.status, result: resp.body ?? null };
    });
    return { status: 200, body: { hasErrors: results.some((r) => r.statusCode >= 400), results } };
  };

  return [
    { template: 'composite', handlers: { POST: composite } },
    { template: 'composite/batch', handlers: { POST: batch } },
  ];
}

/** A subrequest names a reference that has no value. */
class ReferenceFailure extends Error {
  override name = 'ReferenceFailure';
}

const REF_RE = /@\{([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

function lookup(results: Map<string, unknown>, ref: string, path: string): unknown {
  if (!results.has(ref))
    throw new ReferenceFailure(
      `Invalid reference specified. No value for ${ref}${path} found in ${ref}. Provided referenceId ('${ref}') must be defined in a previous subrequest that succeeded.`,
    );
  let v: unknown = results.get(ref);
  for (const m of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
    const key = m[1] ?? Number(m[2]);
    if (v === null || typeof v !== 'object' || !(key in (v as object)))
      throw new ReferenceFailure(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
    v = (v as Record<string | number, unknown>)[key];
  }
  const raw = v && typeof v === 'object' && 'rawJSON' in v ? (v as { rawJSON: string }).rawJSON : v;
  return raw;
}

/** Replaces @{ref.path} references in a URL or in the string values of a body. */
function substitute(value: unknown, results: Map<string, unknown>, inUrl: boolean): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole && !inUrl) return lookup(results, whole[1]!, whole[2] ?? '');
    return value.replace(REF_RE, (_m, ref: string, path: string) => {
      const v = lookup(results, ref, path ?? '');
      const text = v instanceof JsonNumber ? v.text : String(v);
      return inUrl ? encodeURIComponent(text) : text;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results, inUrl));
  if (value && typeof value === 'object' && !(value instanceof JsonNumber))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results, inUrl)]));
  return value;
}
