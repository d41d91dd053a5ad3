/** Which system a connector talks to. */
export type SystemName = 'salesforce' | 'qbo' | 'qbd';

/** A failure talking to a system; `transient` says whether trying again later may succeed. */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    readonly system: SystemName,
    message: string,
    readonly options: { code?: string; status?: number; transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
  get code(): string | undefined {
    return this.options.code;
  }
  get status(): number | undefined {
    return this.options.status;
  }
  get transient(): boolean {
    return this.options.transient ?? false;
  }
}

/** The credentials no longer work (refresh token revoked/expired, password changed): a person must reconnect. */
export class AuthError extends ConnectorError {
  override name = 'AuthError';
}

/** A quota that only time resets (Salesforce daily API limit): stop cleanly, resume later. */
export class ApiLimitError extends ConnectorError {
  override name = 'ApiLimitError';
}

/**
 * A write whose outcome is unknown (timeout or dropped connection after sending). Only an
 * idempotent retry (same request id / upsert key) may follow; never a blind re-create.
 */
export class AmbiguousWriteError extends ConnectorError {
  override name = 'AmbiguousWriteError';
}
