import { SfError, unknownException } from '../errors.ts';
import { JsonSyntaxError } from '../json.ts';
import { MultipleMatchesError } from '../org/org.ts';
import { route } from './router.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';

/**
 * Runs a REST call and turns every failure into the answer the real API gives: SfError → its
 * status and a one-element error array; anything unexpected → 500 UNKNOWN_EXCEPTION (recorded in
 * services.internalErrors, so tests can insist there are none).
 */
export function handleApi(svc: Services, routes: Route[], req: ApiRequest): ApiResponse {
  try {
    return route(routes, req);
  } catch (e) {
    return errorResponse(svc, e);
  }
}

/** The response for an error thrown while answering. */
export function errorResponse(svc: Services, e: unknown): ApiResponse {
  if (e instanceof SfError) return { status: e.status, body: [e.toBody()] };
  if (e instanceof JsonSyntaxError)
    return { status: 400, body: [{ message: e.message, errorCode: 'JSON_PARSER_ERROR' }] };
  if (e instanceof MultipleMatchesError) return { status: 300, body: e.ids };
  const err = e instanceof Error ? e : new Error(String(e));
  svc.internalErrors.push(err);
  const u = unknownException(svc.internalErrors.length);
  return { status: 500, body: [u.toBody()] };
}
