/** Splits rows into chunks that keep a statement's bind parameters well under PostgreSQL's 65,535. */
export function chunks<T>(rows: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
