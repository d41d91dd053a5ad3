import type { Logger } from 'pino';
import type { CallStats } from '../call-stats.ts';
import { AmbiguousWriteError, ApiLimitError, AuthError, ConnectorError } from '../errors.ts';
import { backoffDelay, retryAfterMs, sleep } from './backoff.ts';
import { describeFault, faultOf, QboApiError } from './errors.ts';
import { parseExact } from './json.ts';
import type { RealmLimiter } from './limiter.ts';
import type { ServerClock } from './time.ts';
import type { TokenKeeper } from './tokens.ts';

/** One Accounting API call, relative to `/v3/company/{realmId}`. */
export interface ApiCall {
  method: 'GET' | 'POST';
  /** e.g. `/query`, `/customer/12`, `/batch`. */
  path: string;
  params?: Record<string, string>;
  body?: string;
  contentType?: string;
  /** The label the call is counted under in CallStats ("GET query", "POST batch" …). */
  endpoint: string;
  /** Writes are ambiguous when their answer is lost; batches also count against the batch limit. */
  kind: 'read' | 'write' | 'batch';
}

/** A successful answer, decimals kept exact. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface TransportOptions {
  apiBase: string;
  minorVersion: number;
  timeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  limiter: RealmLimiter;
  tokens: TokenKeeper;
  clock: ServerClock;
  stats: CallStats;
  logger: Logger;
  connectionId: string;
  onAuthFailure(message: string): Promise<void>;
}

type Attempt =
  | { kind: 'ok'; answer: ApiAnswer }
  | { kind: 'unauthorized'; error: AuthError }
  | { kind: 'retry'; error: ConnectorError; ambiguous: boolean; waitMs?: number; throttled: boolean }
  | { kind: 'fail'; error: ConnectorError };

// A longer Retry-After is capped so that one call never sleeps for hours.
const MAX_RETRY_AFTER_MS = 5 * 60_000;

// Refused before the request left this machine: nothing can have been written.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function networkCode(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c && typeof c === 'object'; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A short description of an unreadable body, for messages. */
function describeBody(text: string): string {
  if (text.trimStart().startsWith('<')) return /<title>([^<]*)</i.exec(text)?.[1]?.trim() || 'an HTML page';
  const head = text.slice(0, 60).replace(/\s+/g, ' ');
  return `${text.length} characters: ${JSON.stringify(head)}${text.length > 60 ? '…' : ''}`;
}

/**
 * Sends Accounting API calls: pinned minorversion, bearer token (refreshed once on a 401),
 * the realm's throttle, and retries with exponential backoff for network failures, 5xx and 429
 * (honouring Retry-After). A write whose answer was lost is retried with the same URL, so the
 * same requestid, and QuickBooks replays the first answer instead of writing twice; if the
 * outcome stays unknown it ends in AmbiguousWriteError.
 */
export class Transport {
  constructor(private readonly o: TransportOptions) {}

  /** Sends a call and returns its JSON body; faults become typed errors. */
  async send(call: ApiCall): Promise<ApiAnswer> {
    let refreshed = false;
    let ambiguous = false;
    for (let retry = 0; ;) {
      const grant = await this.o.tokens.access();
      const attempt = await this.attempt(call, grant.token);
      switch (attempt.kind) {
        case 'ok':
          return attempt.answer;
        case 'fail':
          if (attempt.error instanceof AuthError) await this.o.onAuthFailure(attempt.error.message);
          throw attempt.error;
        case 'unauthorized':
          if (refreshed) {
            await this.o.onAuthFailure(attempt.error.message);
            throw attempt.error;
          }
          refreshed = true;
          this.o.logger.debug({ endpoint: call.endpoint }, 'access token refused (401): refreshing once');
          await this.o.tokens.refresh(grant.version);
          continue;
        case 'retry': {
          ambiguous ||= attempt.ambiguous;
          if (retry >= this.o.retries) throw this.exhausted(call, attempt, ambiguous);
          const wait = attempt.waitMs ?? backoffDelay(retry, this.o.backoffBaseMs, this.o.backoffMaxMs);
          this.o.logger.debug(
            { endpoint: call.endpoint, retry: retry + 1, waitMs: wait, err: attempt.error.message },
            'retrying',
          );
          retry++;
          await sleep(wait);
          continue;
        }
      }
    }
  }

  private exhausted(
    call: ApiCall,
    attempt: Extract<Attempt, { kind: 'retry' }>,
    ambiguous: boolean,
  ): ConnectorError {
    const tries = this.o.retries + 1;
    if (call.kind !== 'read' && ambiguous) {
      return new AmbiguousWriteError(
        'qbo',
        `${call.endpoint}: the outcome is unknown after ${tries} attempts (${attempt.error.message}); retry only with the same requestid`,
        {
          code: attempt.error.code ?? 'AMBIGUOUS',
          status: attempt.error.status,
          transient: true,
          cause: attempt.error,
        },
      );
    }
    if (attempt.throttled) {
      return new ApiLimitError(
        'qbo',
        `${call.endpoint}: QuickBooks is still throttling after ${tries} attempts; resume later`,
        {
          code: '3001',
          status: 429,
          transient: true,
          cause: attempt.error,
        },
      );
    }
    return attempt.error;
  }

  private url(call: ApiCall): string {
    const u = new URL(`${this.o.apiBase}${call.path}`);
    for (const [k, v] of Object.entries(call.params ?? {})) u.searchParams.set(k, v);
    u.searchParams.set('minorversion', String(this.o.minorVersion));
    return u.toString();
  }

  private async attempt(call: ApiCall, token: string): Promise<Attempt> {
    const release = await this.o.limiter.admit(call.kind === 'batch' ? 'batch' : 'call');
    let res: Response;
    let text: string;
    try {
      this.o.stats.add(call.endpoint);
      try {
        res = await fetch(this.url(call), {
          method: call.method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            'User-Agent': 'ledgerbridge',
            ...(call.body !== undefined ? { 'Content-Type': call.contentType ?? 'application/json' } : {}),
          },
          body: call.body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        text = await res.text();
      } catch (e) {
        const code = networkCode(e);
        const timedOut = (e as Error).name === 'TimeoutError';
        const error = new ConnectorError(
          'qbo',
          `${call.endpoint}: ${timedOut ? `no answer within ${this.o.timeoutMs} ms` : `connection failed (${code ?? (e as Error).message})`}`,
          { code: timedOut ? 'TIMEOUT' : (code ?? 'NETWORK'), transient: true, cause: e },
        );
        return { kind: 'retry', error, ambiguous: !(code && NOT_SENT.has(code)), throttled: false };
      }
    } finally {
      release();
    }
    return this.interpret(call, res, text);
  }

  private interpret(call: ApiCall, res: Response, text: string): Attempt {
    const tid = res.headers.get('intuit_tid') ?? undefined;
    let body: unknown;
    try {
      body = text === '' ? {} : parseExact(text);
    } catch {
      body = undefined;
    }
    if (body && typeof body === 'object' && 'time' in body)
      this.o.clock.observe((body as { time: unknown }).time);
    const fault = faultOf(body);
    const status = res.status;
    const what = fault
      ? describeFault(fault)
      : `HTTP ${status}${text.startsWith('<') ? ` (${/<title>([^<]*)</i.exec(text)?.[1] ?? 'HTML page'})` : ''}`;
    const message = `${call.endpoint}: QuickBooks answered ${status}: ${what}`;
    if (status === 401) {
      return {
        kind: 'unauthorized',
        error: new AuthError('qbo', message, { code: fault?.errors[0]?.code ?? '3200', status }),
      };
    }
    if (status === 403) {
      return {
        kind: 'fail',
        error: new AuthError('qbo', message, { code: fault?.errors[0]?.code ?? '3100', status }),
      };
    }
    if (status === 429) {
      const error = fault
        ? new QboApiError(message, fault, { status, transient: true, intuitTid: tid })
        : new ConnectorError('qbo', message, { code: '3001', status, transient: true });
      const asked = retryAfterMs(res.headers.get('retry-after'));
      const waitMs = asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS);
      return {
        kind: 'retry',
        error,
        ambiguous: false,
        throttled: true,
        ...(waitMs !== undefined ? { waitMs } : {}),
      };
    }
    if (status >= 500) {
      const error = fault
        ? new QboApiError(message, fault, { status, transient: true, intuitTid: tid })
        : new ConnectorError('qbo', message, { code: `HTTP_${status}`, status, transient: true });
      // A 5xx from the application may come after the write happened; a gateway page before or after.
      return { kind: 'retry', error, ambiguous: true, throttled: false };
    }
    if (fault) {
      this.o.logger.debug({ endpoint: call.endpoint, intuitTid: tid, fault }, 'QuickBooks fault');
      return { kind: 'fail', error: new QboApiError(message, fault, { status, intuitTid: tid }) };
    }
    if (status >= 400) {
      return { kind: 'fail', error: new ConnectorError('qbo', message, { code: `HTTP_${status}`, status }) };
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      // A success status with a cut-off or foreign body (a proxy's HTML page, a dropped
      // connection mid-body): worth asking again. A write may have been applied; its retry
      // carries the same requestid, and if every answer stays unreadable it ends ambiguous.
      const error = new ConnectorError(
        'qbo',
        `${call.endpoint}: QuickBooks answered ${status} with a body that is not a JSON object (${describeBody(text)})`,
        { code: 'BAD_RESPONSE', status, transient: true },
      );
      return { kind: 'retry', error, ambiguous: call.kind !== 'read', throttled: false };
    }
    return { kind: 'ok', answer: { status, body: body as Record<string, unknown> } };
  }
}
