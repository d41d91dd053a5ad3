import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { AuthError } from '../connectors/errors.ts';
import { runSync } from '../engine/sync.ts';
import { connectEmulator, connectSalesforcePassword } from '../runtime/connect.ts';
import { testConnections } from '../operations/connections.ts';
import { createUnmatched, ignoreUnmatched, linkPair, retryErrors, showRun } from '../operations/records.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { dismissErrors, getErrors, listErrors } from '../store/error-queue.ts';
import { countLinks } from '../store/links.ts';
import { listUnmatched } from '../store/unmatched.ts';
import { HttpError, parseWith } from './http-errors.ts';

/**
 * The admin API under /api: the same operations as the CLI (sync, runs, links, unmatched, errors,
 * connections), JSON in and out. The admin token is checked before any of these run.
 */

const id = z.string().trim().min(1, 'must not be empty');
const ids = z.array(id);
const limit = (max: number) => z.coerce.number().int().min(1).max(max);

const syncBody = z.strictObject({
  flows: z.array(id).optional(),
  dryRun: z.boolean().optional(),
  sf: ids.optional(),
  qb: ids.optional(),
});

const runsQuery = z.strictObject({
  limit: limit(1000).default(20),
  flow: z.string().optional(),
  trigger: z.string().optional(),
  /** Paging: runs older than this run id. */
  before: z.coerce.number().int().min(1).optional(),
});

const runQuery = z.strictObject({
  action: z.string().optional(),
  limit: limit(100000).default(5000),
});

const linksQuery = z.strictObject({
  flow: z.string().optional(),
  limit: limit(1000).default(50),
  /** Paging: links listed after this link id (newest first, so ids below it). */
  after: z.coerce.number().int().min(1).optional(),
  sf: z.string().optional(),
  qb: z.string().optional(),
});

const linkBody = z.strictObject({ flow: z.string().optional(), sf: id, qb: id });

const unmatchedQuery = z.strictObject({
  flow: z.string().optional(),
  side: z.enum(['sf', 'qb']).optional(),
  status: z.enum(['open', 'linked', 'created', 'ignored', 'all']).default('open'),
  limit: limit(100000).default(1000),
});

const errorsQuery = z.strictObject({
  flow: z.string().optional(),
  status: z.enum(['open', 'resolved', 'dismissed', 'all']).default('open'),
  kind: z.enum(['validation', 'transient', 'conflict', 'prerequisite', 'auth', 'limit']).optional(),
  limit: limit(100000).default(1000),
});

const keep = z.enum(['salesforce', 'quickbooks']).optional();
const retryBody = z.strictObject({ keep });
const entryIds = z
  .array(z.union([z.number().int().min(1), z.string().regex(/^\d{1,15}$/, 'must be an id')]))
  .min(1);
const retryManyBody = z
  .strictObject({ ids: entryIds.optional(), all: z.boolean().optional(), keep })
  .refine((b) => !!b.ids !== !!b.all, { message: 'name error ids, or all: true (not both)', path: ['ids'] });
const idsBody = z.strictObject({ ids: entryIds });

const connectionId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (up to 64)');
const httpUrl = z.url({ protocol: /^https?$/ });
const addConnectionBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('emulator'),
    system: z.enum(['salesforce', 'qbo']),
    id: connectionId.optional(),
    url: httpUrl,
  }),
  z.strictObject({
    kind: z.literal('salesforce-password'),
    id: connectionId.default('salesforce'),
    loginUrl: httpUrl.default('https://login.salesforce.com'),
    username: z.string().min(1),
    password: z.string().min(1),
    securityToken: z.string().default(''),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    apiVersion: z
      .string()
      .regex(/^v?\d+\.\d$/, 'like 62.0')
      .optional(),
  }),
]);
const emptyBody = z.strictObject({});

/** A numeric id from the path, or a 404 naming it. */
function numericId(raw: string, what: string): string {
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(404, 'not-found', `no ${what} ${raw}`);
  return String(Number(raw));
}

export function registerApiRoutes(api: FastifyInstance, rt: Runtime): void {
  const db = rt.store.db;

  api.get('/api/flows', async () =>
    rt.config.flows.map((f) => ({
      name: f.name,
      enabled: f.enabled,
      description: f.description,
      direction: f.direction,
      salesforce: { connection: f.salesforce.connection, object: f.salesforce.object },
      quickbooks: { connection: f.quickbooks.connection, entity: f.quickbooks.entity },
    })),
  );

  api.post('/api/sync', async (req) => {
    const body = parseWith(syncBody, req.body, 'sync request');
    return runSync(rt.engine, {
      flows: body.flows,
      dryRun: body.dryRun,
      trigger: 'api',
      records: body.sf?.length || body.qb?.length ? { sf: body.sf, qb: body.qb } : undefined,
    });
  });

  api.get('/api/runs', async (req) => {
    const q = parseWith(runsQuery, req.query, 'query');
    let query = db.selectFrom('runs').selectAll();
    if (q.flow) query = query.where(sql<boolean>`${q.flow} = any(flows)`);
    if (q.trigger) query = query.where('trigger', '=', q.trigger);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    return query.orderBy('id', 'desc').limit(q.limit).execute();
  });

  api.get<{ Params: { id: string } }>('/api/runs/:id', async (req) => {
    const q = parseWith(runQuery, req.query, 'query');
    return showRun(rt, numericId(req.params.id, 'run'), { action: q.action, limit: q.limit });
  });

  api.get('/api/links', async (req) => {
    const q = parseWith(linksQuery, req.query, 'query');
    let query = db.selectFrom('links').selectAll();
    if (q.flow) query = query.where('flow', '=', q.flow);
    if (q.sf) query = query.where('sf_id', '=', q.sf);
    if (q.qb) query = query.where('qb_id', '=', q.qb);
    if (q.after !== undefined) query = query.where('id', '<', q.after);
    const links = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return {
      total: await countLinks(db, q.flow),
      links,
      next: links.length === q.limit ? links[links.length - 1]!.id : null,
    };
  });

  api.post('/api/links', async (req) => {
    const body = parseWith(linkBody, req.body, 'link request');
    return linkPair(rt, {
      flow: body.flow,
      sf: body.sf,
      qb: body.qb,
      trigger: 'api:link',
      flowHint: '"flow"',
    });
  });

  api.get('/api/unmatched', async (req) => {
    const q = parseWith(unmatchedQuery, req.query, 'query');
    return listUnmatched(db, { flow: q.flow, side: q.side, status: q.status, limit: q.limit });
  });

  api.post<{ Params: { id: string } }>('/api/unmatched/:id/create', async (req) => {
    parseWith(emptyBody, req.body, 'request body');
    return createUnmatched(rt, [numericId(req.params.id, 'unmatched entry')], 'api:unmatched-create');
  });

  api.post<{ Params: { id: string } }>('/api/unmatched/:id/ignore', async (req) => {
    parseWith(emptyBody, req.body, 'request body');
    const entry = numericId(req.params.id, 'unmatched entry');
    await ignoreUnmatched(rt, [entry]);
    return { id: Number(entry), status: 'ignored' };
  });

  api.get('/api/errors', async (req) => {
    const q = parseWith(errorsQuery, req.query, 'query');
    return listErrors(db, { flow: q.flow, status: q.status, kind: q.kind, limit: q.limit });
  });

  api.post<{ Params: { id: string } }>('/api/errors/:id/retry', async (req) => {
    const body = parseWith(retryBody, req.body, 'retry request');
    const reports = await retryErrors(rt, {
      ids: [numericId(req.params.id, 'error')],
      keep: body.keep,
      trigger: 'api:errors-retry',
    });
    return reports[0];
  });

  api.post('/api/errors/retry', async (req) => {
    const body = parseWith(retryManyBody, req.body, 'retry request');
    return retryErrors(rt, {
      ids: body.ids?.map(String),
      all: body.all,
      keep: body.keep,
      trigger: 'api:errors-retry',
    });
  });

  api.post('/api/errors/dismiss', async (req) => {
    const body = parseWith(idsBody, req.body, 'dismiss request');
    const wanted = [...new Set(body.ids.map(Number))];
    const rows = await getErrors(db, wanted);
    const missing = wanted.filter((x) => !rows.some((r) => r.id === x));
    if (missing.length) throw new HttpError(404, 'not-found', `no error ${missing.join(', ')}`);
    return { dismissed: await dismissErrors(db, wanted) };
  });

  api.post('/api/unmatched/create', async (req) => {
    const body = parseWith(idsBody, req.body, 'create request');
    return createUnmatched(rt, [...new Set(body.ids.map(String))], 'api:unmatched-create');
  });

  api.post('/api/unmatched/ignore', async (req) => {
    const body = parseWith(idsBody, req.body, 'ignore request');
    const wanted = [...new Set(body.ids.map(String))];
    const known = await db
      .selectFrom('unmatched')
      .select('id')
      .where('id', 'in', wanted.map(Number))
      .execute();
    const missing = wanted.filter((x) => !known.some((k) => String(k.id) === x));
    if (missing.length) throw new HttpError(404, 'not-found', `no unmatched entry ${missing.join(', ')}`);
    await ignoreUnmatched(rt, wanted);
    return { ignored: wanted.length };
  });

  api.post<{ Params: { id: string } }>('/api/errors/:id/dismiss', async (req) => {
    parseWith(emptyBody, req.body, 'request body');
    const errorId = Number(numericId(req.params.id, 'error'));
    const [row] = await getErrors(db, [errorId]);
    if (!row) throw new HttpError(404, 'not-found', `no error ${errorId}`);
    if (row.status !== 'open')
      throw new HttpError(409, 'conflict', `error ${errorId} is ${row.status}, not open`);
    await dismissErrors(db, [errorId]);
    return { id: errorId, status: 'dismissed' };
  });

  api.get('/api/connections', async () => rt.connections.list());

  api.post('/api/connections', async (req, reply) => {
    const body = parseWith(addConnectionBody, req.body, 'connection');
    let id: string;
    let label: string;
    if (body.kind === 'emulator') {
      id = body.id ?? body.system;
      label = await connectEmulator(rt.connections, body.system, id, body.url);
    } else {
      id = body.id;
      try {
        label = await connectSalesforcePassword(rt.connections, {
          id,
          loginUrl: body.loginUrl,
          username: body.username,
          password: body.password,
          securityToken: body.securityToken,
          clientId: body.clientId,
          clientSecret: body.clientSecret,
          apiVersion: body.apiVersion,
        });
      } catch (e) {
        // a wrong password or token is the caller's to fix, not a failure of the service
        if (e instanceof AuthError) throw new HttpError(400, 'bad-credentials', e.message);
        throw e;
      }
    }
    rt.forget(id);
    const saved = (await rt.connections.list()).find((c) => c.id === id);
    return reply.code(201).send({ ...saved, message: `Connected "${id}": ${label}` });
  });

  api.delete<{ Params: { id: string } }>('/api/connections/:id', async (req) => {
    if (!(await rt.connections.remove(req.params.id)))
      throw new HttpError(404, 'not-found', `no connection "${req.params.id}"`);
    rt.forget(req.params.id);
    return { id: req.params.id, removed: true };
  });

  api.post<{ Params: { id: string } }>('/api/connections/:id/test', async (req) => {
    parseWith(emptyBody, req.body, 'request body');
    const [result] = await testConnections(rt, [req.params.id]);
    return (
      result ?? {
        id: req.params.id,
        ok: false,
        detail: 'QuickBooks Desktop connections are reached through the Web Connector, not tested from here',
      }
    );
  });
}
