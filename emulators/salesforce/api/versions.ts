/**
 * API versions. A current org serves 31.0 (Summer '14) to 66.0 (Spring '26); 7.0–30.0 are retired
 * (Summer '22 and Summer '25) and answer 410 GONE on REST and UNSUPPORTED_API_VERSION on SOAP.
 */

export const MIN_VERSION = 31;
export const MAX_VERSION = 66;
export const MIN_RETIRED = 7;

const SEASONS = ['Winter', 'Spring', 'Summer'];

/** The release label of a major version, e.g. 62 → "Winter '25". */
export function releaseLabel(major: number): string {
  const i = major - 20;
  const year = 11 + Math.floor(i / 3);
  return `${SEASONS[((i % 3) + 3) % 3]} '${String(year).padStart(2, '0')}`;
}

/** GET /services/data/: every served version. */
export function versionList(): Array<{ label: string; url: string; version: string }> {
  const out = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++)
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  return out;
}

/** What a `vNN.0` segment names: a served version, a retired one, or nothing. */
export function classifyVersion(seg: string): { kind: 'served' | 'retired'; major: number } | null {
  const m = /^v(\d+)\.0$/.exec(seg);
  if (!m) return null;
  const n = Number(m[1]);
  if (n >= MIN_VERSION && n <= MAX_VERSION) return { kind: 'served', major: n };
  if (n >= MIN_RETIRED && n < MIN_VERSION) return { kind: 'retired', major: n };
  return null;
}

/** The major version of a `vNN.0` segment the emulator serves, or null. */
export function parseVersionSegment(seg: string): number | null {
  const v = classifyVersion(seg);
  return v?.kind === 'served' ? v.major : null;
}
