/** The parsed form of a SOQL statement; every node keeps its offset for error carets. */

export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'date'; text: string; pos: number }
  | { kind: 'datetime'; text: string; pos: number }
  | { kind: 'dateLiteral'; name: string; n: number | null; pos: number };

export interface FieldRef {
  path: string[];
  pos: number;
}

export type AggregateFn = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type SelectItem =
  | { kind: 'field'; ref: FieldRef }
  | { kind: 'count'; pos: number }
  | { kind: 'aggregate'; fn: AggregateFn; ref: FieldRef; alias: string | null; pos: number }
  | { kind: 'subquery'; query: SelectStatement; pos: number }
  | { kind: 'fields'; which: 'ALL' | 'STANDARD' | 'CUSTOM'; pos: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; ref: FieldRef; op: CompareOp; value: Literal }
  | { kind: 'like'; ref: FieldRef; pattern: Literal }
  | { kind: 'in'; ref: FieldRef; negated: boolean; values: Literal[] }
  | { kind: 'semijoin'; ref: FieldRef; negated: boolean; query: SelectStatement; pos: number }
  | { kind: 'includes'; ref: FieldRef; negated: boolean; values: Literal[] };

export interface OrderItem {
  ref: FieldRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface SelectStatement {
  select: SelectItem[];
  from: { name: string; alias: string | null; pos: number };
  where: Condition | null;
  groupBy: FieldRef[];
  orderBy: OrderItem[];
  limit: { value: number; pos: number } | null;
  offset: { value: number; pos: number } | null;
}
