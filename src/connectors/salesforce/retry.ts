import type { Logger } from 'pino';
import { ambiguous, classify, type Failure } from './failures.ts';

/**
 * Repeats a call on transient failures with exponential backoff and full jitter. Idempotent calls
 * (reads, upserts, updates, deletes) are repeated after any transient failure; a non-idempotent
 * call (create) only when Salesforce cannot have acted on it, otherwise it fails with
 * AmbiguousWriteError.
 */

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  maxBackoffMs?: number;
  sleep: (ms: number) => Promise<void>;
  logger?: Logger;
}

/** The delay before retry number `attempt` (1-based): uniformly random in [d/2, d], d = base * 2^(attempt-1). */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs = 30_000,
  random: () => number = Math.random,
): number {
  const d = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Runs `fn` until it succeeds, fails for good, or runs out of retries; errors come out classified. */
export async function withRetries<T>(
  what: string,
  idempotent: boolean,
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let failure: Failure;
    try {
      return await fn(attempt);
    } catch (err) {
      failure = classify(err, what);
    }
    if (!idempotent && failure.maybeApplied) throw ambiguous(failure, what);
    if (!failure.retry || attempt > policy.retries) throw failure.error;
    const delay = backoffDelay(attempt, policy.backoffMs, policy.maxBackoffMs);
    policy.logger?.warn(
      { what, attempt, delayMs: delay, code: failure.error.code, status: failure.error.status },
      'salesforce call failed, retrying',
    );
    await policy.sleep(delay);
  }
}
