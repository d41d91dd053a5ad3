import { AmbiguousWriteError, ApiLimitError, AuthError, ConnectorError } from '../errors.ts';

/**
 * Turns whatever a jsforce call threw into one of the connector's typed errors, and says whether
 * repeating the call could help (`retry`) and whether Salesforce may have acted on it before it
 * failed (`maybeApplied`: a write that timed out or lost its connection after sending).
 */

export interface Failure {
  error: ConnectorError;
  /** A transient failure that the same call may get past. */
  retry: boolean;
  /** The request may have been processed (only an idempotent call may be repeated). */
  maybeApplied: boolean;
}

/** One element of a Salesforce REST error body. */
export interface SfApiError {
  errorCode: string;
  message: string;
  fields?: string[];
}

/** Statuses a REST call is worth repeating on. */
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
/** Call-level error codes that mean "try again shortly". */
const TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'QUERY_TIMEOUT']);
/** Socket errors raised before a byte of the request left: nothing can have been applied. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);
/** Socket errors after sending (or while sending): the request may have been processed. */
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ECONNABORTED']);

const STATUS_CODE = /^ERROR_HTTP_(\d{3})$/;

/** Parses a REST error body: a JSON array of {message, errorCode, fields} (or an OAuth error object). */
export function parseErrorBody(text: string | undefined): SfApiError[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: SfApiError[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    if (typeof o.errorCode === 'string') {
      out.push({
        errorCode: o.errorCode,
        message: typeof o.message === 'string' ? o.message : '',
        ...(Array.isArray(o.fields) ? { fields: o.fields.map(String) } : {}),
      });
    } else if (typeof o.error === 'string') {
      out.push({
        errorCode: o.error,
        message: typeof o.error_description === 'string' ? o.error_description : '',
      });
    }
  }
  return out;
}

function sf(message: string, opts: { code?: string; status?: number; transient?: boolean; cause?: unknown }) {
  return new ConnectorError('salesforce', message, opts);
}

function describeErrors(errors: SfApiError[], fallback: string): string {
  if (errors.length === 0) return fallback;
  return errors
    .map((e) => `${e.errorCode}: ${e.message}${e.fields?.length ? ` [${e.fields.join(', ')}]` : ''}`)
    .join('; ');
}

/**
 * A success status whose body does not parse (truncated JSON, a proxy's HTML page): Salesforce
 * processed the request but its answer is lost. Worth repeating when the call is idempotent; a
 * create may have been applied, so it ends ambiguous (see withRetries).
 */
export class UnreadableAnswerError extends ConnectorError {
  override name = 'UnreadableAnswerError';
}

/** The error for an unreadable success body of the call `what`. */
export function unreadableAnswer(what: string, text: string, cause?: unknown): UnreadableAnswerError {
  const t = text.trimStart();
  const shown = t.startsWith('<')
    ? (/<title>([^<]*)</i.exec(t)?.[1]?.trim() ?? '') || 'an HTML page'
    : `${text.length} characters: ${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''}`;
  return new UnreadableAnswerError('salesforce', `${what}: the answer is not valid JSON (${shown})`, {
    code: 'BAD_RESPONSE',
    transient: true,
    cause,
  });
}

/** Classifies an error thrown by a REST call (made with responseType text, so bodies are raw). */
export function classify(err: unknown, what: string): Failure {
  if (err instanceof ConnectorError) {
    return {
      error: err,
      retry: err.transient && !(err instanceof ApiLimitError) && !(err instanceof AuthError),
      maybeApplied: err instanceof UnreadableAnswerError,
    };
  }
  const e = err as {
    name?: string;
    errorCode?: string;
    message?: string;
    code?: string;
    type?: string;
    data?: unknown;
  };
  const name = e?.errorCode ?? e?.name ?? '';
  const statusMatch = STATUS_CODE.exec(name);
  if (statusMatch) {
    const status = Number(statusMatch[1]);
    const body = typeof e.data === 'string' ? e.data : e.message;
    return fromResponse(status, parseErrorBody(body), what, err, body);
  }
  if (name === 'MULTIPLE_CHOICES') {
    return {
      error: sf(`${what}: several records match the external id (HTTP 300)`, {
        code: 'MULTIPLE_CHOICES',
        status: 300,
        cause: err,
      }),
      retry: false,
      maybeApplied: false,
    };
  }
  // Socket-level failures from node-fetch (FetchError with a system code) and timeouts (AbortError).
  const code = e?.code ?? '';
  if (e?.name === 'AbortError' || e?.type === 'aborted' || e?.message === 'Request Timeout') {
    return {
      error: sf(`${what}: no answer before the request timeout`, {
        code: 'TIMEOUT',
        transient: true,
        cause: err,
      }),
      retry: true,
      maybeApplied: true,
    };
  }
  if (NOT_SENT.has(code)) {
    return {
      error: sf(`${what}: cannot reach Salesforce (${code})`, { code, transient: true, cause: err }),
      retry: true,
      maybeApplied: false,
    };
  }
  if (
    LOST.has(code) ||
    e?.name === 'FetchError' ||
    /socket hang up|premature close|other side closed/i.test(e?.message ?? '')
  ) {
    return {
      error: sf(`${what}: the connection was lost before an answer arrived (${code || e?.message})`, {
        code: code || 'CONNECTION_LOST',
        transient: true,
        cause: err,
      }),
      retry: true,
      maybeApplied: true,
    };
  }
  return {
    error: sf(`${what}: ${e?.message ?? String(err)}`, {
      code: name || undefined,
      transient: false,
      cause: err,
    }),
    retry: false,
    maybeApplied: true,
  };
}

/** Classifies an HTTP error response. */
export function fromResponse(
  status: number,
  errors: SfApiError[],
  what: string,
  cause?: unknown,
  rawBody?: string,
): Failure {
  const raw = (rawBody ?? '').trim();
  // Some answers are a bare word (userinfo's "Bad_OAuth_Token"): that is the code.
  const code = errors[0]?.errorCode ?? (/^[A-Za-z_]{3,64}$/.test(raw) ? raw : `HTTP_${status}`);
  const text = `${what}: HTTP ${status} ${describeErrors(errors, raw ? raw.slice(0, 300) : '(no error body)')}`;
  if (errors.some((x) => x.errorCode === 'REQUEST_LIMIT_EXCEEDED')) {
    return {
      error: new ApiLimitError('salesforce', text, {
        code: 'REQUEST_LIMIT_EXCEEDED',
        status,
        transient: false,
        cause,
      }),
      retry: false,
      maybeApplied: false,
    };
  }
  if (status === 401) {
    return {
      error: new AuthError('salesforce', text, { code, status, transient: false, cause }),
      retry: false,
      maybeApplied: false,
    };
  }
  if (TRANSIENT_STATUS.has(status) || errors.some((x) => TRANSIENT_CODES.has(x.errorCode))) {
    // 503 is answered before any work is done (maintenance, overload); a lock failure rolled back.
    const notApplied = status === 503 || errors.some((x) => x.errorCode === 'UNABLE_TO_LOCK_ROW');
    return {
      error: sf(text, { code, status, transient: true, cause }),
      retry: true,
      maybeApplied: !notApplied,
    };
  }
  return { error: sf(text, { code, status, transient: false, cause }), retry: false, maybeApplied: false };
}

/** The error a create throws when it cannot tell whether Salesforce saved the records. */
export function ambiguous(failure: Failure, what: string): AmbiguousWriteError {
  return new AmbiguousWriteError(
    'salesforce',
    `${what}: the outcome is unknown (${failure.error.message}); not retried because a create is not idempotent — look the records up (or upsert on an external id) before writing again`,
    {
      code: failure.error.code ?? 'AMBIGUOUS_WRITE',
      status: failure.error.status,
      transient: false,
      cause: failure.error,
    },
  );
}
