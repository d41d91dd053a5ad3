import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CallCounter } from './calls.ts';
import { Clock } from './clock.ts';
import {
  FaultInjector,
  FaultSpecError,
  parseFaultRules,
  parseFaultSpec,
  type FaultAction,
} from './faults.ts';

/** What an emulator answers when a fault replaces a real response. */
export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** The service-specific parts the shared emulator server needs. */
export interface EmulatorAdapter {
  /** What a client needs to connect (served at GET /__emulator/info). */
  info(): Record<string, unknown>;
  /** Every stored record (GET /__emulator/dump). */
  dump(): unknown;
  /** The body the real service sends for this status, or for throttling. */
  faultResponse(
    action: { kind: 'status'; status: number } | { kind: 'throttle' },
    req: FastifyRequest,
  ): CannedResponse;
  /** Invalidates the access token this request carries, so it fails authentication like an expired one. */
  expireToken(req: FastifyRequest): void;
  /** Whether a request counts as an API call (default: everything outside /__emulator). */
  isApiCall?(req: FastifyRequest): boolean;
  /** Writes the state file, when the emulator was started with one. */
  save?(): Promise<void>;
}

/** Shared machinery every emulator is built on: clock, fault injector, call counter. */
export interface EmulatorKit {
  clock: Clock;
  faults: FaultInjector;
  calls: CallCounter;
}

/** Creates the kit; `faults` is the text spec from --faults, if any. */
export function createKit(opts: { seed?: number | string; faults?: string } = {}): EmulatorKit {
  const kit: EmulatorKit = {
    clock: new Clock(),
    faults: new FaultInjector(opts.seed ?? 1),
    calls: new CallCounter(),
  };
  if (opts.faults) kit.faults.add(parseFaultSpec(opts.faults));
  return kit;
}

const CONTROL_PREFIX = '/__emulator';

declare module 'fastify' {
  interface FastifyRequest {
    dropResponse?: boolean;
  }
}

/**
 * A fastify instance with the behaviour every emulator shares: bodies kept as raw text (so each
 * emulator answers malformed input the way its real service does), call counting, fault
 * injection, and the /__emulator control routes (info, calls, dump, faults, clock, save).
 */
export function createEmulatorApp(kit: EmulatorKit, adapter: () => EmulatorAdapter): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024 * 1024,
    keepAliveTimeout: 30_000,
    routerOptions: { maxParamLength: 2000 },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path.startsWith(CONTROL_PREFIX)) return;
    const a = adapter();
    if (a.isApiCall ? a.isApiCall(req) : true) kit.calls.add(`${req.method} ${req.routeOptions.url ?? path}`);
    const fault: FaultAction | null = kit.faults.match(req.method, path);
    if (!fault) return;
    switch (fault.kind) {
      case 'status':
      case 'throttle': {
        const canned = a.faultResponse(fault, req);
        return sendCanned(reply, canned);
      }
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        return;
      case 'expire-token':
        a.expireToken(req);
        return;
      case 'drop-response':
        req.dropResponse = true;
        return;
    }
  });

  // The write has been committed by the handler; the client never hears about it.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.dropResponse) reply.raw.socket?.destroy();
    return payload;
  });

  app.get(`${CONTROL_PREFIX}/info`, async () => adapter().info());
  app.get(`${CONTROL_PREFIX}/health`, async () => ({ ok: true }));
  app.get(`${CONTROL_PREFIX}/calls`, async () => kit.calls.snapshot());
  app.delete(`${CONTROL_PREFIX}/calls`, async () => {
    kit.calls.reset();
    return kit.calls.snapshot();
  });
  app.get(`${CONTROL_PREFIX}/dump`, async () => adapter().dump());
  app.get(`${CONTROL_PREFIX}/faults`, async () => kit.faults.list());
  app.post(`${CONTROL_PREFIX}/faults`, async (req, reply) => {
    try {
      const body = parseControlBody(req.body);
      const rules =
        body && typeof body === 'object' && 'spec' in body && typeof body.spec === 'string'
          ? parseFaultSpec(body.spec)
          : parseFaultRules(body, 'faults');
      return reply.code(201).send(kit.faults.add(rules));
    } catch (e) {
      return reply.code(400).send({ error: e instanceof Error ? e.message : String(e) });
    }
  });
  app.delete(`${CONTROL_PREFIX}/faults`, async () => ({ removed: kit.faults.remove() }));
  app.delete<{ Params: { id: string } }>(`${CONTROL_PREFIX}/faults/:id`, async (req, reply) => {
    const removed = kit.faults.remove(req.params.id);
    return removed ? { removed } : reply.code(404).send({ error: `no fault rule ${req.params.id}` });
  });
  app.post(`${CONTROL_PREFIX}/clock`, async (req, reply) => {
    try {
      const body = parseControlBody(req.body) as { advanceMs?: unknown } | null;
      const ms = Number(body?.advanceMs);
      kit.clock.advance(ms);
      return { now: new Date(kit.clock.now()).toISOString(), offsetMs: kit.clock.offset };
    } catch (e) {
      return reply
        .code(400)
        .send({ error: `clock: ${e instanceof Error ? e.message : String(e)}; send {"advanceMs": N}` });
    }
  });
  app.get(`${CONTROL_PREFIX}/clock`, async () => ({
    now: new Date(kit.clock.now()).toISOString(),
    offsetMs: kit.clock.offset,
  }));
  app.post(`${CONTROL_PREFIX}/save`, async (_req, reply) => {
    const a = adapter();
    if (!a.save) return reply.code(409).send({ error: 'this emulator was started without --state FILE' });
    await a.save();
    return { saved: true };
  });
  return app;
}

function parseControlBody(body: unknown): unknown {
  if (typeof body !== 'string' || body.trim() === '') return body ?? null;
  try {
    return JSON.parse(body);
  } catch {
    throw new FaultSpecError('the body is not valid JSON');
  }
}

/** Sends a canned response (JSON unless the body is already text). */
export function sendCanned(reply: FastifyReply, canned: CannedResponse): FastifyReply {
  reply.code(canned.status);
  for (const [k, v] of Object.entries(canned.headers ?? {})) reply.header(k, v);
  if (typeof canned.body === 'string') return reply.send(canned.body);
  reply.header('content-type', 'application/json;charset=UTF-8');
  return reply.send(JSON.stringify(canned.body));
}
