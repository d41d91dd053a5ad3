import type { QboFault } from './errors.ts';
import { formatResponseTime } from './time.ts';

/**
 * Response bodies that are not entity results. Validation and system faults use the usual
 * `{"Fault":{…},"time":…}`; the gateway's authentication and authorization failures use a
 * different lower-camel envelope with an epoch-ms `time` (recorded, notes §1.6); a 503 comes from
 * the load balancer as an HTML page.
 */

/** A response ready to send. */
export interface HttpAnswer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** `{"Fault":…,"time":…}` for a thrown fault. */
export function faultAnswer(fault: QboFault, now: number): HttpAnswer {
  return {
    status: fault.status,
    body: `{"Fault":${JSON.stringify(fault.toFault())},"time":"${formatResponseTime(now)}"}`,
  };
}

/** A successful body `{<inner>,"time":…}` (inner is `"Customer":{…}` or similar). */
export function okAnswer(inner: string, now: number, status = 200): HttpAnswer {
  return { status, body: `{${inner},"time":"${formatResponseTime(now)}"}` };
}

function gatewayEnvelope(error: Record<string, unknown>, type: string, now: number): string {
  return JSON.stringify({
    warnings: null,
    intuitObject: null,
    fault: { error: [error], type },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: now,
    status: null,
    cdcresponse: [],
  });
}

/** 401 AuthenticationFailed (code 3200): missing, unknown, expired or revoked token. */
export function authenticationFailed(detail: string, now: number): HttpAnswer {
  return {
    status: 401,
    body: gatewayEnvelope(
      {
        message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
        detail,
        code: '3200',
        element: null,
      },
      'AUTHENTICATION',
      now,
    ),
    headers: { 'www-authenticate': 'Bearer realm="Intuit", error="invalid_token"' },
  };
}

/** 403 ApplicationAuthorizationFailed (code 3100): a valid token for another company. */
export function authorizationFailed(now: number): HttpAnswer {
  return {
    status: 403,
    body: gatewayEnvelope(
      {
        message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
        detail: null,
        code: '3100',
        element: null,
      },
      'SERVICE',
      now,
    ),
  };
}

/** 429 ThrottleExceeded (code 3001). */
export function throttled(now: number): HttpAnswer {
  return {
    status: 429,
    body: JSON.stringify({
      Fault: {
        Error: [
          {
            Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
            Detail: 'The request limit was reached.  Try again later',
            code: '3001',
          },
        ],
        type: 'SERVICE',
      },
      time: formatResponseTime(now),
    }),
  };
}

/** A gateway HTML page for 502/503/504. */
export function gatewayPage(status: number): HttpAnswer {
  const title =
    { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[status] ??
    'Error';
  return {
    status,
    contentType: 'text/html',
    body: `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}
