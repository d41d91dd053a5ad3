/**
 * Errors the emulator answers with. REST calls answer a JSON array of
 * `{message, errorCode, fields?}`; composite collection results carry the same data as
 * `{statusCode, message, fields}`. Record-level failures are thrown as SfError and turned into the
 * right shape by the route that catches them.
 */

export interface SfErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A Salesforce API error: HTTP status, errorCode from the StatusCode/ExceptionCode enums, message. */
export class SfError extends Error {
  override name = 'SfError';

  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  /** The element of the JSON error array a REST call answers with. */
  toBody(): SfErrorBody {
    const body: SfErrorBody = { message: this.message, errorCode: this.errorCode };
    if (this.fields) body.fields = this.fields;
    return body;
  }

  /** The element of a collection result's `errors` array (note: statusCode, not errorCode). */
  toResultError(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

/** Raised inside a transaction to undo it: every record of an allOrNone call failed or succeeded together. */
export class RollbackSignal extends Error {
  override name = 'RollbackSignal';
}

/** 404 for a path, object or record that does not exist. */
export function notFound(): SfError {
  return new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** 404 for an id segment that is not an id (Salesforce reads it as an external id field name). */
export function badExternalIdField(name: string): SfError {
  return new SfError(
    404,
    'NOT_FOUND',
    `Provided external ID field does not exist or is not accessible: ${name}`,
  );
}

/** 404 for a record that is in the recycle bin. */
export function entityIsDeleted(fields?: string[]): SfError {
  return new SfError(404, 'ENTITY_IS_DELETED', 'entity is deleted', fields);
}

/** 400 for a body that is not the JSON the call expects. */
export function jsonParserError(message: string): SfError {
  return new SfError(400, 'JSON_PARSER_ERROR', message);
}

/** 405 listing the methods a resource allows. */
export function methodNotAllowed(method: string, allowed: string[]): SfError {
  return new SfError(
    405,
    'METHOD_NOT_ALLOWED',
    `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
  );
}

/** 500 for anything unexpected; the id mimics the ErrorId real support messages carry. */
export function unknownException(seq: number): SfError {
  const id = 1_000_000_000 + ((seq * 7_919) % 999_999_999);
  return new SfError(
    500,
    'UNKNOWN_EXCEPTION',
    `An unexpected error occurred. Please include this ErrorId if you contact support: ${id}-${10_000 + (seq % 89_999)} (${-id})`,
  );
}
