import type { FastifyRequest } from 'fastify';
import type { CannedResponse } from '../kit/server.ts';
import { businessValidation, systemFault, unsupportedOperation } from './errors.ts';
import {
  authenticationFailed,
  authorizationFailed,
  faultAnswer,
  gatewayPage,
  JSON_TYPE,
  throttled,
  type HttpAnswer,
} from './responses.ts';

/**
 * What the real service answers when the kit injects a fault (--faults): a SystemFault 10000
 * for 500, the load balancer's HTML page for 502/503/504, ThrottleExceeded for throttle/429,
 * the gateway's auth envelopes for 401/403. The OAuth endpoints answer in OAuth's shape instead.
 */
export function injectedFault(
  action: { kind: 'status'; status: number } | { kind: 'throttle' },
  req: FastifyRequest,
  now: number,
): CannedResponse {
  const path = req.url.split('?')[0] ?? '';
  const status = action.kind === 'throttle' ? 429 : action.status;
  if (path.startsWith('/oauth2') || path.startsWith('/v2/oauth2') || path.startsWith('/connect')) {
    const error = status === 429 ? 'too_many_requests' : status >= 500 ? 'server_error' : 'invalid_request';
    return { status, headers: { 'content-type': JSON_TYPE }, body: { error } };
  }
  let answer: HttpAnswer;
  if (status === 429) answer = throttled(now);
  else if (status === 401) answer = authenticationFailed('Token expired', now);
  else if (status === 403) answer = authorizationFailed(now);
  else if (status === 502 || status === 503 || status === 504) answer = gatewayPage(status);
  else if (status === 400) {
    answer = faultAnswer(
      businessValidation(
        'An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.  If the problem persists, contact customer support.',
      ),
      now,
    );
  } else if (status >= 500)
    answer = faultAnswer(systemFault('java.lang.RuntimeException: injected fault', status), now);
  else
    answer = {
      ...faultAnswer(unsupportedOperation(`Operation is not supported (HTTP ${status}).`), now),
      status,
    };
  return {
    status: answer.status,
    headers: { 'content-type': answer.contentType ?? JSON_TYPE, ...(answer.headers ?? {}) },
    body: answer.body,
  };
}
