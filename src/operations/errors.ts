/**
 * Failures of an operation the CLI and the HTTP API share, by what the caller did wrong: the CLI
 * turns them into usage errors (exit code 2), the API into 404 / 409 / 400 answers.
 */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(
    /** not-found: an id that does not exist; conflict: the state forbids it; invalid: the request itself is wrong. */
    readonly kind: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
