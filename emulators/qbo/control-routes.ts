import type { FastifyInstance } from 'fastify';
import type { QboService } from './service.ts';

/**
 * Emulator-only routes (no counterpart at Intuit), under /__emulator like the kit's:
 *   GET/POST/DELETE /__emulator/webhooks     list / register {url} / clear webhook URLs
 *   GET  /__emulator/webhooks/deliveries     every delivery attempt (for tests)
 *   POST /__emulator/tokens {realmId?}       a fresh connection's tokens for a company
 */

function body(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function validUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Registers the webhook and token control routes. */
export function registerControlRoutes(app: FastifyInstance, service: QboService): void {
  const hooks = service.webhooks;
  const list = (): { urls: string[]; format: string } => ({ urls: [...hooks.urls], format: hooks.format });
  app.get('/__emulator/webhooks', async () => list());
  app.post('/__emulator/webhooks', async (req, reply) => {
    const url = body(req.body).url;
    if (!validUrl(url)) return reply.code(400).send({ error: 'send {"url": "http(s)://…"}' });
    hooks.urls.add(url);
    return reply.code(201).send(list());
  });
  app.delete('/__emulator/webhooks', async () => {
    hooks.urls.clear();
    return list();
  });
  app.get('/__emulator/webhooks/deliveries', async () => hooks.deliveries);
  app.post('/__emulator/tokens', async (req, reply) => {
    const wanted = body(req.body).realmId;
    const realmId = typeof wanted === 'string' ? wanted : service.primary.company.realmId;
    if (!service.realms.has(realmId)) return reply.code(404).send({ error: `no company ${realmId}` });
    return { realmId, ...service.tokens.connect(realmId) };
  });
}
