import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SfError, jsonParserError, notFound } from '../errors.ts';
import { parseJson } from '../json.ts';
import { collectionRoutes } from './collection-routes.ts';
import { compositeRoutes } from './composite-routes.ts';
import { errorResponse, handleApi } from './dispatch.ts';
import { miscRoutes } from './misc-routes.ts';
import { queryRoutes } from './query-routes.ts';
import { sobjectRoutes } from './sobject-routes.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';
import { classifyVersion, versionList } from './versions.ts';

/**
 * The REST API under /services/data: the unauthenticated versions list, then for every versioned
 * path the checks the platform makes before a call runs (version, session, daily allocation) and
 * the Sforce-Limit-Info header on every answer.
 */

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Every REST route the emulator answers. */
export function restRoutes(svc: Services): Route[] {
  const routes: Route[] = [];
  routes.push(
    ...miscRoutes(svc),
    ...sobjectRoutes(svc),
    ...queryRoutes(svc),
    ...collectionRoutes(svc),
    ...compositeRoutes(svc, () => routes),
  );
  return routes;
}

/** The access token of a request (Authorization: Bearer/OAuth), if any. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  const m = h ? /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}

function sendJson(reply: FastifyReply, resp: ApiResponse, limitInfo: string | null): FastifyReply {
  reply.code(resp.status);
  if (limitInfo) reply.header('sforce-limit-info', limitInfo);
  for (const [k, v] of Object.entries(resp.headers ?? {})) reply.header(k, v);
  if (resp.status === 204 || resp.body === undefined) return reply.send();
  reply.header('content-type', 'application/json;charset=UTF-8');
  return reply.send(JSON.stringify(resp.body));
}

export function registerRest(app: FastifyInstance, svc: Services): Route[] {
  const routes = restRoutes(svc);

  const versions = async (_req: FastifyRequest, reply: FastifyReply) =>
    sendJson(reply, { status: 200, body: versionList() }, null);
  app.get('/services/data', versions);
  app.get('/services/data/', versions);

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const [pathPart, queryPart] = req.url.split('?', 2) as [string, string | undefined];
      const rest = pathPart.slice('/services/data/'.length).replace(/\/+$/, '');
      const [versionSeg, ...segs] = rest.split('/');
      const version = classifyVersion(versionSeg ?? '');
      if (!version) return sendJson(reply, errorResponse(svc, notFound()), null);
      if (version.kind === 'retired')
        return sendJson(
          reply,
          errorResponse(
            svc,
            new SfError(
              410,
              'UNSUPPORTED_API_VERSION',
              `API version ${version.major}.0 has been retired and is no longer available`,
            ),
          ),
          null,
        );
      const token = bearerToken(req);
      const session = token ? svc.auth.authenticate(token) : null;
      if (!session)
        return sendJson(
          reply,
          { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] },
          null,
        );
      if (svc.usage.exhausted())
        return sendJson(
          reply,
          {
            status: 403,
            body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
          },
          svc.usage.header(),
        );
      svc.usage.record();
      let path: string;
      try {
        path = segs.map((s) => decodeURIComponent(s)).join('/');
      } catch {
        return sendJson(reply, errorResponse(svc, notFound()), svc.usage.header());
      }
      let parsed: { value: unknown } | null = null;
      const apiReq: ApiRequest = {
        method: req.method.toUpperCase(),
        path,
        query: new URLSearchParams(queryPart ?? ''),
        headers: req.headers as Record<string, string | undefined>,
        body: () => {
          if (parsed) return parsed.value;
          const text = typeof req.body === 'string' ? req.body : '';
          if (!text.trim())
            throw jsonParserError('The HTTP entity body is required, but this request has no entity body.');
          const ct = req.headers['content-type'] ?? '';
          if (/xml/i.test(ct))
            throw new SfError(
              415,
              'UNSUPPORTED_MEDIA_TYPE',
              `Content type '${ct.split(';')[0]}' is not supported by the emulator; send application/json`,
            );
          parsed = { value: parseJson(text) };
          return parsed.value;
        },
        version: `${version.major}.0`,
        versionNumber: version.major,
        session,
        now: svc.clock.now(),
      };
      const resp = handleApi(svc, routes, apiReq);
      return sendJson(reply, resp, svc.usage.header());
    } catch (e) {
      return sendJson(reply, errorResponse(svc, e), null);
    }
  };

  const urls = new Set<string>(['/services/data/:version', '/services/data/:version/*']);
  for (const r of routes) if (r.template) urls.add(`/services/data/:version/${r.template}`);
  for (const url of urls) {
    app.route({ method: [...METHODS], url, handler });
    if (!url.endsWith('*')) app.route({ method: [...METHODS], url: `${url}/`, handler });
  }
  return routes;
}

/** Answers for paths nothing serves, and for requests fastify itself rejects. */
export function registerFallbacks(app: FastifyInstance, svc: Services): void {
  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith('/services/oauth2'))
      return reply
        .code(404)
        .header('content-type', 'application/json;charset=UTF-8')
        .send(
          JSON.stringify({ error: 'not_found', error_description: 'The requested resource does not exist' }),
        );
    return sendJson(reply, errorResponse(svc, notFound()), null);
  });
  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) return sendJson(reply, errorResponse(svc, err), null);
    const body =
      status === 413
        ? { message: err.message, errorCode: 'EXCEEDED_MAX_SIZE_REQUEST' }
        : status === 415
          ? { message: err.message, errorCode: 'UNSUPPORTED_MEDIA_TYPE' }
          : { message: err.message, errorCode: 'INVALID_OPERATION' };
    return sendJson(reply, { status, body: [body] }, null);
  });
}

/**
 * Fastify rejects a path with broken percent-encoding before any hook runs, with its own JSON
 * shape; the emulator answers it the Salesforce way instead (404 NOT_FOUND array). The kit's app
 * factory offers no frameworkErrors option, so the server's request listener is wrapped.
 */
export function guardBadUrls(app: FastifyInstance): void {
  const server = app.server;
  const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let bad = false;
    try {
      decodeURIComponent(path);
    } catch {
      bad = true;
    }
    if (bad) {
      res.writeHead(404, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]));
      return;
    }
    for (const l of listeners) l.call(server, req, res);
  });
}
