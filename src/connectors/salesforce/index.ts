/**
 * The Salesforce connector on jsforce: OAuth 2.0 web-server flow with refresh, username +
 * password + security token; change reads by SystemModstamp with an overlap window; deletions by
 * queryAll or the delete log; writes through sObject Collections (200 per call) and upserts on an
 * external-id field; describe for the field catalog; Sforce-Limit-Info pacing and a clean stop at
 * REQUEST_LIMIT_EXCEEDED.
 */
export { createSalesforceConnector } from './connector.ts';
export type { DailyApiRequests, SalesforceConnectorWithIdentity, SalesforceIdentity } from './connector.ts';
export { testSalesforceConnection } from './connection-test.ts';
export type { SalesforceConnectionCheck } from './connection-test.ts';
export {
  exchangeSalesforceCode,
  loginWithPassword,
  pkcePair,
  refreshSalesforceToken,
  salesforceAuthorizeUrl,
} from './oauth.ts';
export type { SalesforceTokens } from './oauth.ts';
export { salesforceSettings } from './session.ts';
export type { SalesforceSettings } from './session.ts';
export { parseLimitInfo } from './limits.ts';
export { SoqlInputError, soqlDateTime, soqlString } from './soql.ts';
export { completedResults, COLLECTION_MAX } from './writes.ts';
export type { PartialWrite } from './writes.ts';
export type {
  ApiUsage,
  ChangedParentsSpec,
  DescribeSObjectResult,
  ReadChangesSpec,
  RelatedSpec,
  RetrieveSpec,
  SalesforceConnector,
  SalesforceConnectorOptions,
  SaveResult,
  SfRecord,
} from './types.ts';
