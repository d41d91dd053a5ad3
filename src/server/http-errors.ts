import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ConfigError } from '../config/index.ts';
import { AuthError, ApiLimitError, ConnectorError } from '../connectors/errors.ts';
import { SelectionError } from '../engine/run-flow.ts';
import { UnknownFlowError } from '../engine/sync.ts';
import { OperationError } from '../operations/errors.ts';
import { EmulatorInfoError } from '../runtime/emulator-connections.ts';
import { UnknownConnectionError } from '../store/connections.ts';
import { LeaseHeldError } from '../store/leases.ts';

/** One validation problem, by the field it is about (dotted path; '' for the whole body). */
export interface FieldIssue {
  field: string;
  message: string;
}

/** The JSON every error answer carries. */
export interface ErrorBody {
  /** Machine-readable: unauthorized, bad-request, not-found, conflict, upstream … */
  error: string;
  message: string;
  issues?: FieldIssue[];
}

/** An error answer a route decides on. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }
}

/** Validates a body / query / params part with zod; a 400 naming each offending field otherwise. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issues: FieldIssue[] = r.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const path = i.path.map(String).join('.');
    return {
      field: keys?.length ? keys.map((k) => (path ? `${path}.${k}` : k)).join(', ') : path,
      message: i.message,
    };
  });
  const text = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
  throw new HttpError(400, 'bad-request', `invalid ${what}: ${text}`, issues);
}

/** How a failure of the engine, the store or a connector is answered. */
export function classify(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (e instanceof OperationError)
    return new HttpError(
      e.kind === 'not-found' ? 404 : e.kind === 'conflict' ? 409 : 400,
      e.kind === 'invalid' ? 'bad-request' : e.kind,
      e.message,
    );
  if (e instanceof UnknownFlowError) return new HttpError(404, 'not-found', e.message);
  if (e instanceof LeaseHeldError) return new HttpError(409, 'conflict', e.message);
  if (e instanceof SelectionError) {
    if (/^not found\b/.test(e.message)) return new HttpError(404, 'not-found', e.message);
    if (/already linked/.test(e.message)) return new HttpError(409, 'conflict', e.message);
    return new HttpError(400, 'bad-request', e.message);
  }
  if (e instanceof UnknownConnectionError) return new HttpError(409, 'unknown-connection', e.message);
  if (e instanceof EmulatorInfoError) return new HttpError(400, 'bad-request', e.message);
  if (e instanceof ConfigError) return new HttpError(500, 'config', e.message);
  if (e instanceof ApiLimitError) return new HttpError(503, 'api-limit', e.message);
  if (e instanceof AuthError) return new HttpError(502, 'upstream-auth', e.message);
  if (e instanceof ConnectorError) return new HttpError(502, 'upstream', e.message);
  return null;
}

/** Sends an error as JSON. */
export function sendError(reply: FastifyReply, e: HttpError): FastifyReply {
  const body: ErrorBody = { error: e.code, message: e.message };
  if (e.issues?.length) body.issues = e.issues;
  return reply.code(e.statusCode).type('application/json; charset=utf-8').send(body);
}

/** The server's error handler: known failures by their meaning, fastify's own 4xx as they are, the rest 500. */
export function errorHandler(logger: Logger) {
  return (error: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const known = classify(error);
    if (known) return sendError(reply, known);
    // fastify's own client errors: malformed JSON, unsupported media type, body too large …
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'bad-json'
          : status === 415
            ? 'unsupported-media-type'
            : status === 413
              ? 'too-large'
              : 'bad-request';
      return sendError(reply, new HttpError(status, code, error.message));
    }
    logger.error({ err: error, url: req.url, method: req.method }, 'request failed');
    return sendError(
      reply,
      new HttpError(500, 'internal', `internal error: ${error.message || String(error)}`),
    );
  };
}
