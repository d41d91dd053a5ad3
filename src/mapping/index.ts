export { compileFlow, compileFlows } from './compile-flow.ts';
export type {
  CompiledFlow,
  FieldPair,
  FlowCatalogs,
  MapContext,
  MapResult,
  MatchKeys,
} from './flow-types.ts';
export {
  CatalogError,
  catalogFromSalesforceDescribe,
  findField,
  requiredOnCreate,
  writable,
} from './catalog.ts';
export type { FieldInfo, FieldType, ObjectCatalog } from './catalog.ts';
export { qboCustomerCatalog } from './catalogs/qbo-customer.ts';
export { canonicalText, hashState, hashValue, sfId18 } from './hash.ts';
export { emailKey, fuzzyKey, nameKey } from './keys.ts';
export { flowObjects } from './objects.ts';
export type { MappedValue, QbRecord, SfRecord } from './records.ts';
export type { ProblemCode, ValueProblem } from './target-values.ts';
export {
  compileExpression,
  ExpressionError,
  ExpressionRuntimeError,
  FUNCTIONS,
} from './expressions/index.ts';
export type { CompiledExpression, ExprType, ExprValue } from './expressions/index.ts';
