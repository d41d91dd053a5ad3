import type { Decision } from './plan.ts';
import type { FlowModel, QbRecord, SfRecord } from './model.ts';
import type { QbFault } from './ports.ts';

/** A failure of one record's write on one side. */
export interface WriteFailure {
  code: string;
  message: string;
  transient: boolean;
  payload?: unknown;
}

/** One planned unit on its way through the writes, collecting what each side answered. */
export interface Work {
  d: Decision;
  /** The Salesforce id, once known (existing record, or created in this run). */
  sfId: string | null;
  qbId: string | null;
  label: string;
  qb?: {
    entity?: QbRecord;
    failure?: WriteFailure;
    stale?: boolean;
    body?: unknown;
    /** The journal key of a batch QuickBooks refused as a whole: marked abandoned with the chunk. */
    abandonedKey?: string;
  };
  sf?: { ok?: boolean; created?: boolean; failure?: WriteFailure; body?: unknown };
  related: Record<string, { id?: string; failure?: WriteFailure }>;
  /** The QuickBooks id was written into the Salesforce record (a new pair's marker). */
  linkedBack?: boolean;
}

/** A label for listings: the name a person recognises. */
export function labelOf(model: FlowModel, s: SfRecord | null, q: QbRecord | null): string {
  if (q) return model.keys('qb', q).label;
  if (s) return model.keys('sf', s).label;
  return '';
}

/** Builds the work item for a decision. */
export function workFor(model: FlowModel, d: Decision): Work {
  const { link, s, q } = d.unit;
  return {
    d,
    sfId: s?.Id ?? link?.sf_id ?? null,
    qbId: q?.Id ?? link?.qb_id ?? null,
    label: labelOf(model, s, q),
    related: {},
  };
}

/** A QuickBooks fault as a write failure; throttling and system faults are transient. */
export function qbFailure(fault: QbFault, payload?: unknown): WriteFailure {
  const first = fault.errors[0];
  const code = first?.code ?? 'UNKNOWN';
  const message = fault.errors
    .map((e) => (e.detail && e.detail !== e.message ? `${e.message}: ${e.detail}` : e.message))
    .join('; ');
  const transient = code === '3001' || code === '10000' || fault.type === 'SystemFault' || code === '3200';
  return {
    code,
    message: `QuickBooks ${code}: ${message || 'unknown fault'}${first?.element ? ` (${first.element})` : ''}`,
    transient,
    payload,
  };
}

const TRANSIENT_SF = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'UNKNOWN_EXCEPTION',
]);

/** A Salesforce record error as a write failure. */
export function sfFailure(
  errors: Array<{ statusCode: string; message: string; fields: string[] }>,
  payload?: unknown,
): WriteFailure {
  const first = errors[0];
  const code = first?.statusCode ?? 'UNKNOWN';
  const message = errors
    .map((e) => `${e.statusCode}: ${e.message}${e.fields.length ? ` [${e.fields.join(', ')}]` : ''}`)
    .join('; ');
  return {
    code,
    message: `Salesforce ${message || 'unknown error'}`,
    transient: TRANSIENT_SF.has(code),
    payload,
  };
}
