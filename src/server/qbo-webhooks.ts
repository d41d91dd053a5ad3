import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Runtime } from '../runtime/runtime.ts';
import { HttpError, parseWith } from './http-errors.ts';
import type { WebhookSync } from './webhook-sync.ts';

/**
 * QuickBooks Online webhooks: `POST /webhooks/qbo`. Authentic when `intuit-signature` equals
 * base64(HMAC-SHA256(raw body, verifier token)) for the verifier token of a QuickBooks connection
 * (sealed with its secrets as `webhookVerifierToken`, or the app's QBO_WEBHOOK_VERIFIER_TOKEN).
 * Both formats Intuit sends are read: the CloudEvents array and the legacy `eventNotifications`.
 * The answer goes out at once; the syncs run afterwards (see WebhookSync).
 */

/** One changed record, whichever format told us. */
export interface ChangeNotice {
  realmId: string;
  /** QuickBooks entity name as sent (Customer, customer …). */
  entity: string;
  id: string;
  /** Create, Update, Delete, Void, Merge (legacy names; CloudEvents verbs are mapped to them). */
  operation: string;
}

const VERBS: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  voided: 'Void',
  merged: 'Merge',
  emailed: 'Emailed',
};

const text = z.string().trim().min(1, 'must not be empty');

const cloudEvents = z
  .array(
    z.looseObject({
      specversion: text,
      id: text,
      type: z
        .string()
        .regex(
          /^qbo\.[a-z]+\.[a-z]+\.v\d+$/i,
          'must look like qbo.<entity>.<verb>.v<n> (qbo.customer.updated.v1)',
        ),
      intuitentityid: text,
      intuitaccountid: text,
    }),
  )
  .min(1, 'must hold at least one event');

const legacy = z.looseObject({
  eventNotifications: z
    .array(
      z.looseObject({
        realmId: text,
        dataChangeEvent: z.looseObject({
          entities: z.array(z.looseObject({ id: text, operation: text, name: text })),
        }),
      }),
    )
    .min(1, 'must hold at least one notification'),
});

/** Reads a webhook body (either format) into change notices; a 400 saying what is wrong otherwise. */
export function parseNotifications(raw: Buffer): ChangeNotice[] {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'bad-json', `the body is not JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(body)) {
    return parseWith(cloudEvents, body, 'CloudEvents payload').map((e) => {
      const [, entity, verb] = e.type.split('.') as [string, string, string];
      return {
        realmId: e.intuitaccountid,
        entity,
        id: e.intuitentityid,
        operation: VERBS[verb.toLowerCase()] ?? verb,
      };
    });
  }
  if (body && typeof body === 'object' && 'eventNotifications' in body) {
    return parseWith(legacy, body, 'eventNotifications payload').eventNotifications.flatMap((n) =>
      n.dataChangeEvent.entities.map((e) => ({
        realmId: n.realmId,
        entity: e.name,
        id: e.id,
        operation: e.operation,
      })),
    );
  }
  throw new HttpError(
    400,
    'bad-request',
    'the body is neither a CloudEvents array nor an object with "eventNotifications"',
  );
}

/** base64(HMAC-SHA256(body, token)). */
export function qboSignature(body: Buffer | string, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(body).digest('base64');
}

function sameSignature(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'base64');
  const b = Buffer.from(expected, 'base64');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

interface Verifier {
  token: string;
  /** The connection it belongs to (null: the app-wide token from the environment). */
  connection: string | null;
  realmId: string | null;
}

export interface QboWebhookOptions {
  runtime: Runtime;
  sync: WebhookSync;
  env: NodeJS.ProcessEnv;
}

/** Registers `POST /webhooks/qbo` in its own scope (it needs the raw body for the signature). */
export function registerQboWebhooks(app: FastifyInstance, o: QboWebhookOptions): void {
  const { runtime: rt, sync } = o;
  let cache: { at: number; verifiers: Verifier[] } | null = null;

  const verifiers = async (fresh: boolean): Promise<Verifier[]> => {
    if (!fresh && cache && Date.now() - cache.at < 5000) return cache.verifiers;
    const out: Verifier[] = [];
    for (const c of await rt.connections.list()) {
      if (c.system !== 'qbo' || !c.hasSecrets.includes('webhookVerifierToken')) continue;
      const creds = await rt.connections.get(c.id);
      const token = creds.secrets.webhookVerifierToken;
      if (typeof token === 'string' && token)
        out.push({
          token,
          connection: c.id,
          realmId: typeof c.settings.realmId === 'string' ? c.settings.realmId : null,
        });
    }
    const appToken = o.env.QBO_WEBHOOK_VERIFIER_TOKEN?.trim();
    if (appToken) out.push({ token: appToken, connection: null, realmId: null });
    cache = { at: Date.now(), verifiers: out };
    return out;
  };

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.post('/webhooks/qbo', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const header = req.headers['intuit-signature'];
      const presented = Array.isArray(header) ? header[0] : header;
      if (!presented) throw new HttpError(401, 'unauthorized', 'missing intuit-signature header');
      const signedBy = (list: Verifier[]) =>
        list.filter((v) => sameSignature(presented, qboSignature(raw, v.token)));
      let matched = signedBy(await verifiers(false));
      // a connection added or reconnected since the tokens were read
      if (matched.length === 0 && cache) matched = signedBy(await verifiers(true));
      if (matched.length === 0)
        throw new HttpError(
          401,
          'unauthorized',
          'the intuit-signature does not match the verifier token of any QuickBooks connection',
        );

      const notices = parseNotifications(raw);
      // Which connections these notices may speak for: those whose token signed them (or all, for the app token).
      const connections = (await rt.connections.list()).filter((c) => c.system === 'qbo');
      const appWide = matched.some((v) => v.connection === null);
      const allowed = connections.filter((c) => appWide || matched.some((v) => v.connection === c.id));
      const byRealm = new Map<string, string[]>();
      for (const c of allowed) {
        const realm = typeof c.settings.realmId === 'string' ? c.settings.realmId : null;
        if (realm) byRealm.set(realm, [...(byRealm.get(realm) ?? []), c.id]);
      }

      let queued = 0;
      let ignored = 0;
      const work = new Map<string, { ids: string[]; full: boolean }>();
      for (const n of notices) {
        const conns = byRealm.get(n.realmId) ?? [];
        const flows = rt.config.flows.filter(
          (f) =>
            f.enabled &&
            conns.includes(f.quickbooks.connection) &&
            f.quickbooks.entity.toLowerCase() === n.entity.toLowerCase() &&
            f.direction !== 'sf->qb',
        );
        if (flows.length === 0) {
          ignored++;
          continue;
        }
        queued++;
        const full = n.operation === 'Delete' || n.operation === 'Merge';
        for (const f of flows) {
          const w = work.get(f.name) ?? { ids: [], full: false };
          if (full) w.full = true;
          else w.ids.push(n.id);
          work.set(f.name, w);
        }
      }
      for (const [flow, w] of work) sync.enqueue(flow, w.ids, w.full);
      req.log.info({ events: notices.length, queued, ignored }, 'QuickBooks webhook');
      return reply.code(200).send({ received: notices.length, queued, ignored });
    });
  });
}
