import { ConfigError } from '../config/index.ts';
import { DemoOptionError } from '../demo/demo.ts';
import { DataFolderLockedError } from '../store/data-lock.ts';
import { StoreError } from '../store/database.ts';
import { UnknownConnectionError } from '../store/connections.ts';
import { SecretKeyError } from '../secrets/sealer.ts';
import { AuthError, ApiLimitError, ConnectorError } from '../connectors/errors.ts';
import { SelectionError } from '../engine/run-flow.ts';
import { UnknownFlowError } from '../engine/sync.ts';
import { LeaseHeldError } from '../store/leases.ts';

/** A mistake in how the command was called (bad flag value, missing argument): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes: 0 success, 1 the work failed, 2 the command or its configuration is wrong. */
export function exitCodeFor(error: unknown): number {
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof DemoOptionError ||
    error instanceof UnknownFlowError ||
    error instanceof SelectionError
  )
    return 2;
  return 1;
}

/** One readable paragraph for a failure that reaches the top of the CLI; never a stack trace for known errors. */
export function describeError(error: unknown): string {
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof DemoOptionError ||
    error instanceof UnknownFlowError ||
    error instanceof SelectionError ||
    error instanceof LeaseHeldError ||
    error instanceof DataFolderLockedError ||
    error instanceof StoreError ||
    error instanceof UnknownConnectionError ||
    error instanceof SecretKeyError ||
    error instanceof AuthError ||
    error instanceof ApiLimitError ||
    error instanceof ConnectorError
  ) {
    return `error: ${error.message}`;
  }
  if (error instanceof Error) return `error: ${error.message}\n${error.stack ?? ''}`;
  return `error: ${String(error)}`;
}
