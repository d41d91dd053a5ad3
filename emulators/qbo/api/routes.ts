import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QboFault, systemFault, unparsableBody, unsupportedOperation } from '../errors.ts';
import { parseJsonExact } from '../json.ts';
import { executeQuery, queryResponseJson } from '../query/execute.ts';
import { parseQuery } from '../query/parse.ts';
import {
  authenticationFailed,
  authorizationFailed,
  faultAnswer,
  JSON_TYPE,
  okAnswer,
  throttled,
  type HttpAnswer,
} from '../responses.ts';
import { entityByPath } from '../schema.ts';
import type { QboService, RealmState } from '../service.ts';
import { runBatch } from './batch.ts';
import { runCdc } from './cdc.ts';
import { readEntity, readSingleton, runWrite, type WriteOperation } from './operations.ts';
import { MAX_REQUEST_ID, requestIdTooLong } from './request-id.ts';

/**
 * The Accounting API under `/v3/company/{realmId}/…`. Every request goes through the same gate,
 * in the order the real gateway applies it: authentication (401/403), throttling (429: in flight,
 * per minute, batches per minute), `requestid` replay, then the operation. Operations are
 * synchronous, so one request's reads and writes never interleave with another's.
 */

type Query = Record<string, string | undefined>;

interface ApiRequest {
  realm: RealmState;
  req: FastifyRequest;
  query: Query;
  params: Record<string, string>;
}

type Action = (r: ApiRequest) => HttpAnswer;

function firstValues(raw: unknown): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries((raw as Record<string, unknown>) ?? {})) {
    out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  }
  return out;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Sends an answer with the headers QuickBooks puts on every response. */
export function send(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  reply.code(answer.status);
  reply.header('content-type', answer.contentType ?? JSON_TYPE);
  reply.header('intuit_tid', randomUUID());
  reply.header('qbo-version', '1995.116');
  reply.header('cache-control', 'max-age=0, no-cache, no-store, must-revalidate, private');
  for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
  return reply.send(answer.body);
}

function unsupportedPath(req: FastifyRequest): QboFault {
  const path = req.url.split('?')[0] ?? '';
  return unsupportedOperation(
    `Operation Could not find resource for relative : ${path} of full path: http://${req.headers.host ?? 'localhost'}${req.url} is not supported.`,
  );
}

/** Runs an operation, turning faults into Fault bodies and anything unexpected into a SystemFault. */
function safely(service: QboService, req: FastifyRequest, run: () => HttpAnswer): HttpAnswer {
  try {
    return run();
  } catch (e) {
    if (e instanceof QboFault) return faultAnswer(e, service.now());
    req.log.error(e);
    const detail =
      e instanceof Error ? `java.lang.RuntimeException: ${e.message}` : 'java.lang.RuntimeException';
    return faultAnswer(systemFault(detail), service.now());
  }
}

function gate(service: QboService, action: Action, opts: { batch?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = (req.params ?? {}) as Record<string, string>;
    const realmId = params.realmId ?? '';
    const now = service.now();
    const check = service.tokens.check(bearer(req.headers.authorization), realmId);
    if (!check.ok)
      return send(
        reply,
        check.status === 401 ? authenticationFailed(check.detail, now) : authorizationFailed(now),
      );
    const realm = service.realms.get(realmId);
    if (!realm) return send(reply, authorizationFailed(now));
    if (service.admissions.get(req.raw) === false) return send(reply, throttled(now));
    if (!realm.limiter.takeRequest()) return send(reply, throttled(now));
    if (opts.batch && !realm.limiter.takeBatch()) return send(reply, throttled(now));
    const query = firstValues(req.query);
    const requestId = query.requestid;
    const api: ApiRequest = { realm, req, query, params };
    if (requestId !== undefined && requestId !== '' && !opts.batch) {
      if (requestId.length > MAX_REQUEST_ID)
        return send(reply, faultAnswer(requestIdTooLong(requestId), now));
      const cached = realm.requestIds.get(`req:${requestId}`);
      if (cached) return send(reply, cached);
      const answer = safely(service, req, () => action(api));
      if (answer.status < 500)
        realm.requestIds.set(`req:${requestId}`, { status: answer.status, body: answer.body });
      return send(reply, answer);
    }
    return send(
      reply,
      safely(service, req, () => action(api)),
    );
  };
}

function bodyText(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : '';
}

function parseBody(req: FastifyRequest): unknown {
  const parsed = parseJsonExact(bodyText(req));
  if (!parsed.ok) throw unparsableBody();
  return parsed.value;
}

function includes(q: Query): Set<string> {
  return new Set(
    (q.include ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

function queryAnswer(service: QboService, realm: RealmState, text: string): HttpAnswer {
  const result = executeQuery(realm.company, parseQuery(text));
  return okAnswer(`"QueryResponse":${queryResponseJson(result)}`, service.now());
}

function postedQuery(req: FastifyRequest): string {
  const text = bodyText(req);
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/x-www-form-urlencoded'))
    return new URLSearchParams(text).get('query') ?? '';
  return text;
}

const OPERATIONS = new Set(['create', 'update', 'delete', 'void']);
const UNDECODABLE = '/__undecodable-path__';

/** Registers the Accounting API routes and the "Unsupported Operation" answer for anything else. */
export function registerApiRoutes(app: FastifyInstance, service: QboService): void {
  const base = '/v3/company/:realmId';
  app.get(
    `${base}/query`,
    gate(service, (r) => queryAnswer(service, r.realm, r.query.query ?? '')),
  );
  app.post(
    `${base}/query`,
    gate(service, (r) => queryAnswer(service, r.realm, postedQuery(r.req))),
  );
  app.get(
    `${base}/cdc`,
    gate(service, (r) =>
      okAnswer(
        `"CDCResponse":${runCdc(r.realm.company, r.query.entities, r.query.changedSince)}`,
        service.now(),
      ),
    ),
  );
  app.post(
    `${base}/batch`,
    gate(
      service,
      (r) => {
        const body = parseBody(r.req);
        const requestId = r.query.requestid || undefined;
        return okAnswer(
          runBatch(r.realm.company, body, requestId, r.realm.requestIds, includes(r.query)),
          service.now(),
        );
      },
      { batch: true },
    ),
  );
  app.post(
    `${base}/:entity`,
    gate(service, (r) => {
      const def = entityByPath(r.params.entity ?? '');
      if (!def) throw unsupportedPath(r.req);
      const op = (r.query.operation ?? 'create').toLowerCase();
      if (!OPERATIONS.has(op)) throw unsupportedOperation(`Operation ${r.query.operation} is not supported.`);
      const out = runWrite(r.realm.company, def, op as WriteOperation, parseBody(r.req), includes(r.query));
      return okAnswer(`"${out.name}":${out.json}`, service.now());
    }),
  );
  app.get(
    `${base}/:entity/:id`,
    gate(service, (r) => {
      const def = entityByPath(r.params.entity ?? '');
      if (!def) throw unsupportedPath(r.req);
      const out = readEntity(r.realm.company, def, r.params.id ?? '');
      return okAnswer(`"${out.name}":${out.json}`, service.now());
    }),
  );
  app.get(
    `${base}/:entity`,
    gate(service, (r) => {
      const def = entityByPath(r.params.entity ?? '');
      if (!def || def.name !== 'Preferences') throw unsupportedPath(r.req);
      const out = readSingleton(r.realm.company, def);
      return okAnswer(`"${out.name}":${out.json}`, service.now());
    }),
  );
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: `${base}/*`,
    handler: gate(service, (r) => {
      throw unsupportedPath(r.req);
    }),
  });
  app.setNotFoundHandler((req, reply) => send(reply, faultAnswer(unsupportedPath(req), service.now())));
  // fastify answers a path it cannot percent-decode in its own shape, before any hook: send such
  // requests to a route that answers as QuickBooks does
  app.server.prependListener('request', (req: IncomingMessage) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    try {
      decodeURIComponent(q >= 0 ? url.slice(0, q) : url);
    } catch {
      req.url = UNDECODABLE;
    }
  });
  app.all(UNDECODABLE, async (_req, reply) =>
    send(
      reply,
      faultAnswer(
        unsupportedOperation('Operation Could not decode the resource path: it is not supported.'),
        service.now(),
      ),
    ),
  );
  app.setErrorHandler((err, req, reply) => {
    req.log.error(err);
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413)
      return send(reply, {
        status: 413,
        contentType: 'text/html',
        body: '<html><head><title>413 Request Entity Too Large</title></head><body><h1>Request Entity Too Large</h1></body></html>',
      });
    if (status !== undefined && status >= 400 && status < 500)
      return send(reply, faultAnswer(unparsableBody(), service.now()));
    return send(
      reply,
      faultAnswer(systemFault('java.lang.RuntimeException: unexpected error'), service.now()),
    );
  });
}
