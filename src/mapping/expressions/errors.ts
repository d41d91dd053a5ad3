/** One problem in an expression: where (1-based column) and what, already phrased for an admin. */
export interface ExpressionIssue {
  column: number;
  message: string;
}

/** An expression that cannot be compiled: a syntax error, an unknown function or field, a type error. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    readonly source: string,
    readonly issues: ExpressionIssue[],
  ) {
    super(issues.map((i) => i.message).join('; '));
  }
}

/** A value an expression cannot work with at run time (a date that is not one, a number that is not one). */
export class ExpressionRuntimeError extends Error {
  override name = 'ExpressionRuntimeError';
}

/** The standard phrasing: `<what> at column N in "<source>"`. */
export function at(what: string, column: number, source: string): string {
  return `${what} at column ${column} in "${source}"`;
}
