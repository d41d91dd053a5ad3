/** Milliseconds since the epoch of a Salesforce ("…+0000") or QuickBooks ("…-07:00") timestamp; 0 when absent. */
export function epochOf(value: unknown): number {
  if (typeof value !== 'string' || value === '') return 0;
  const t = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(t) ? t : 0;
}

/** A SOQL date-time literal (UTC, second precision). */
export function soqlDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The later of two timestamps as given (keeps the service's own text for the cursor). */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return epochOf(b) > epochOf(a) ? b : a;
}
