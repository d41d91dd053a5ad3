import { SfError } from '../errors.ts';

/**
 * A query error with the caret the real API draws:
 *   "\nSELECT Naem FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Naem' ..."
 */
export class SoqlError extends SfError {
  override name = 'SoqlError';

  constructor(
    errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR',
    soql: string,
    pos: number,
    detail: string,
  ) {
    super(400, errorCode, caret(soql, pos, detail));
  }
}

function caret(soql: string, pos: number, detail: string): string {
  const before = soql.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', pos) === -1 ? soql.length : soql.indexOf('\n', pos);
  const column = pos - lineStart + 1;
  return `\n${soql.slice(lineStart, lineEnd)}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
}
