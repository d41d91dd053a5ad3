import type { Clock } from '../../kit/clock.ts';
import type { AuthStore, Session } from '../auth/sessions.ts';
import type { ApiUsage } from '../limits.ts';
import type { SalesforceOrg } from '../org/org.ts';
import type { QueryService } from '../soql/query-service.ts';

/** One REST call, after the version, session and limit checks. */
export interface ApiRequest {
  method: string;
  /** Path below /services/data/vXX.X/, without leading or trailing slash. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The JSON body (numbers as JsonNumber); SfError when it is missing or malformed. */
  body(): unknown;
  version: string;
  versionNumber: number;
  session: Session;
  now: number;
  /** Set for composite subrequests, which must not nest. */
  subrequest?: boolean;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: ApiRequest, params: Record<string, string>) => ApiResponse;

export interface Route {
  /** Segments below the version, `:name` for parameters. */
  template: string;
  handlers: Partial<Record<string, Handler>>;
}

/** What the route handlers work with. */
export interface Services {
  org: SalesforceOrg;
  queries: QueryService;
  auth: AuthStore;
  usage: ApiUsage;
  clock: Clock;
  /** The emulator's base URL (instance and login URL are the same server). */
  baseUrl(): string;
  /** Internal errors met while answering (answered as UNKNOWN_EXCEPTION); should stay empty. */
  internalErrors: Error[];
}
