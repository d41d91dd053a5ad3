import { ConnectorError } from '../errors.ts';
import type { QboFault } from './types.ts';

/** A QuickBooks answer that carries a Fault (validation, not found, stale object, system fault …). */
export class QboApiError extends ConnectorError {
  override name = 'QboApiError';
  /** The request's id on Intuit's side (give it to Intuit support). */
  readonly intuitTid: string | undefined;
  constructor(
    message: string,
    readonly fault: QboFault,
    options: { status?: number; transient?: boolean; cause?: unknown; intuitTid?: string } = {},
  ) {
    super('qbo', message, {
      code: fault.errors[0]?.code,
      status: options.status,
      transient: options.transient,
      cause: options.cause,
    });
    this.intuitTid = options.intuitTid;
  }
  /** The property the first error names, when QuickBooks says. */
  get element(): string | undefined {
    return this.fault.errors[0]?.element;
  }
}

/** A call the connector refuses to send (a requestid too long, too many batch items …). */
export class QboUsageError extends ConnectorError {
  override name = 'QboUsageError';
  constructor(message: string) {
    super('qbo', message, { code: 'INVALID_REQUEST' });
  }
}

/** CDC refused the start point: it is older than the 30-day window (read by query instead). */
export class CdcWindowError extends ConnectorError {
  override name = 'CdcWindowError';
}

type Obj = Record<string, unknown>;

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function errorsOf(list: unknown, upper: boolean): QboFault['errors'] {
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Obj;
    const message = text(upper ? e.Message : e.message) ?? '';
    const detail = text(upper ? e.Detail : e.detail);
    const element = text(e.element);
    return {
      code: text(e.code) ?? '',
      message,
      ...(detail !== undefined ? { detail } : {}),
      ...(element !== undefined && element !== '' ? { element } : {}),
    };
  });
}

/**
 * The Fault in a QuickBooks body, if any: the usual `{"Fault":{"Error":[…],"type":…}}` or the
 * gateway's lower-camel `{"fault":{"error":[…],"type":…}}` of authentication failures.
 */
export function faultOf(body: unknown): QboFault | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const o = body as Obj;
  const upper = o.Fault && typeof o.Fault === 'object' ? (o.Fault as Obj) : undefined;
  if (upper) return { type: text(upper.type) ?? '', errors: errorsOf(upper.Error, true) };
  const lower = o.fault && typeof o.fault === 'object' ? (o.fault as Obj) : undefined;
  if (lower) return { type: text(lower.type) ?? '', errors: errorsOf(lower.error, false) };
  return undefined;
}

/** A one-line description of a fault: "6240 Duplicate Name Exists Error: The name … (element DisplayName)". */
export function describeFault(fault: QboFault): string {
  const parts = fault.errors.map((e) => {
    const detail = e.detail && e.detail !== e.message ? `: ${e.detail}` : '';
    const element = e.element ? ` (element ${e.element})` : '';
    return `${e.code} ${e.message}${detail}${element}`;
  });
  return parts.join('; ') || `${fault.type} fault`;
}

/** Whether a fault (or a batch item's fault) has the given code. */
export function hasCode(fault: QboFault | undefined, code: string): boolean {
  return !!fault?.errors.some((e) => e.code === code);
}
