import type { Logger } from 'pino';
import { ConnectorError } from '../errors.ts';
import { unreadableAnswer } from './failures.ts';
import { parseExact, stringifyExact } from './json.ts';
import type { UsageGovernor } from './limits.ts';
import { withRetries, type RetryPolicy } from './retry.ts';
import type { SalesforceSession } from './session.ts';

/**
 * REST calls through the session's jsforce connection: each one paced by the usage governor,
 * repeated per the retry policy, its body parsed with exact decimals. jsforce is asked for the
 * raw text (responseType text/plain) so that numbers never pass through a float and error bodies
 * keep their HTTP status.
 */

export interface RestRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path from the host (`/services/...`) or below the versioned data root (`/query?q=`). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A success answer's body, parsed; one that is not JSON (cut off, a proxy's HTML page) is an unreadable answer. */
function parseBody(text: string, what: string): unknown {
  try {
    return parseExact(text);
  } catch (e) {
    throw unreadableAnswer(what, text, e);
  }
}

export class RestClient {
  constructor(
    private readonly session: SalesforceSession,
    private readonly governor: UsageGovernor,
    private readonly policy: RetryPolicy,
    readonly logger?: Logger,
  ) {}

  /** The API version every path is under. */
  get version(): string {
    return this.session.conn.version;
  }

  /** The instance the session talks to (it can move on refresh). */
  get instanceUrl(): string {
    return this.session.conn.instanceUrl;
  }

  /** The versioned data root path, e.g. /services/data/v62.0. */
  get dataPath(): string {
    return `/services/data/v${this.version}`;
  }

  /** One logical call (repeated on transient failures when `idempotent`, or when surely not applied). */
  call<T>(what: string, req: RestRequest, opts: { idempotent: boolean }): Promise<T> {
    return this.attempts(what, opts.idempotent, () => this.send<T>(req));
  }

  /** Like call, but the caller builds each attempt (to adapt it to the attempt number). */
  attempts<T>(what: string, idempotent: boolean, fn: (attempt: number) => Promise<T>): Promise<T> {
    return withRetries(what, idempotent, this.policy, fn);
  }

  /** One HTTP request (after pacing), its body parsed; throws what jsforce threw. */
  async send<T>(req: RestRequest): Promise<T> {
    await this.governor.beforeCall();
    const path = req.path.startsWith('/services/') ? req.path : `${this.dataPath}${req.path}`;
    const headers: Record<string, string> = { ...req.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = stringifyExact(req.body);
      headers['content-type'] = 'application/json';
    }
    try {
      const text = await this.session.conn.request<string | undefined>(
        { method: req.method, url: path, ...(body !== undefined ? { body } : {}), headers },
        { responseType: 'text/plain' },
      );
      return (typeof text === 'string' ? parseBody(text, `${req.method} ${path.split('?')[0]}`) : null) as T;
    } catch (e) {
      throw this.unwrapRefreshFailure(e);
    }
  }

  /** Renews the session now (for resources that answer a stale token with 403 instead of 401). */
  async renewSession(): Promise<void> {
    this.session.conn.accessToken = await this.session.renew();
  }

  /** jsforce reports a failed refresh as "Unable to refresh session due to: …"; give back our typed error. */
  private unwrapRefreshFailure(e: unknown): unknown {
    if (e instanceof ConnectorError) return e;
    const msg = (e as Error | undefined)?.message ?? '';
    if (msg.startsWith('Unable to refresh session') && this.session.lastRefreshFailure)
      return this.session.lastRefreshFailure;
    return e;
  }
}
