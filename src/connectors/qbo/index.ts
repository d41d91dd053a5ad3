/**
 * The QuickBooks Online connector: a thin typed client of the Accounting API v3 on Node's fetch.
 * OAuth 2.0 with durable refresh-token rotation, CDC/query change reading, batch writes with
 * requestids, stale-SyncToken recovery, client-side throttling and retries, pinned minorversion.
 */
export { createQboConnector, testQboConnection, apiBaseUrl, DEFAULT_MINOR_VERSION } from './connector.ts';
export {
  qboAuthorizeUrl,
  exchangeQboCode,
  revokeQboToken,
  ACCOUNTING_SCOPE,
  type QboTokens,
} from './oauth.ts';
export { QboApiError, QboUsageError, CdcWindowError, faultOf, hasCode } from './errors.ts';
export { MAX_BATCH_ITEMS, MAX_REQUEST_ID, MAX_BATCH_REQUEST_ID } from './writes.ts';
export { CDC_WINDOW_MS, CDC_MAX_OBJECTS } from './time.ts';
export { parseExact, stringifyExact } from './json.ts';
export type {
  QboConnector,
  QboConnectorOptions,
  QboLimits,
  QbRecord,
  QboFault,
  BatchItem,
  BatchItemResult,
  CdcResult,
} from './types.ts';
