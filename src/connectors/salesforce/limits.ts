import { ApiLimitError } from '../errors.ts';
import type { ApiUsage } from './types.ts';

/**
 * The org's daily API allocation as Salesforce reports it on every REST response
 * (`Sforce-Limit-Info: api-usage=18/5000`), and what the connector does near the end of it:
 * pace calls from `slowdownAt`, stop before `stopAt` so some allocation is left for the org's
 * other integrations (Salesforce itself stops everyone with REQUEST_LIMIT_EXCEEDED at 100%).
 */

/** Parses `api-usage=used/max` out of a Sforce-Limit-Info header; null when absent. */
export function parseLimitInfo(header: string | undefined | null): ApiUsage | null {
  if (!header) return null;
  const m = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/.exec(header);
  if (!m) return null;
  const used = Number(m[1]);
  const max = Number(m[2]);
  if (!Number.isFinite(used) || !Number.isFinite(max) || max <= 0) return null;
  return { used, max };
}

export interface GovernorSettings {
  slowdownAt: number;
  stopAt?: number;
  paceMs: number;
  sleep: (ms: number) => Promise<void>;
  onPace?: (usage: ApiUsage, ms: number) => void;
}

/** Tracks usage and decides, before each call, whether to go, wait, or stop. */
export class UsageGovernor {
  private last: ApiUsage | null = null;
  /** How many calls were delayed by pacing (for run statistics). */
  paced = 0;

  constructor(private readonly settings: GovernorSettings) {
    if (!(settings.slowdownAt > 0 && settings.slowdownAt <= 1))
      throw new RangeError('slowdownAt must be in (0, 1]');
    if (settings.stopAt !== undefined && !(settings.stopAt > 0 && settings.stopAt <= 1))
      throw new RangeError('stopAt must be in (0, 1]');
  }

  /** Records the usage a response reported. */
  observe(usage: ApiUsage | null): void {
    if (usage) this.last = usage;
  }

  /** The last usage seen, or null before the first REST response. */
  usage(): ApiUsage | null {
    return this.last ? { ...this.last } : null;
  }

  /** Waits or throws according to the last usage seen; call before every REST call. */
  async beforeCall(): Promise<void> {
    const u = this.last;
    if (!u) return;
    const f = u.used / u.max;
    const { stopAt, slowdownAt, paceMs } = this.settings;
    if (stopAt !== undefined && f >= stopAt) {
      throw new ApiLimitError(
        'salesforce',
        `API usage ${u.used}/${u.max} reached the configured stop point (${Math.round(stopAt * 100)}%); resume when the rolling 24-hour allocation frees up`,
        { code: 'API_USAGE_STOP', transient: false },
      );
    }
    if (f >= slowdownAt) {
      // From paceMs at the slowdown point up to 10x paceMs at the full allocation.
      const span = Math.max(1e-9, 1 - slowdownAt);
      const ms = Math.round(paceMs * (1 + 9 * Math.min(1, (f - slowdownAt) / span)));
      this.paced++;
      this.settings.onPace?.(u, ms);
      await this.settings.sleep(ms);
    }
  }
}
