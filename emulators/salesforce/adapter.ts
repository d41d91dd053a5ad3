import type { FastifyRequest } from 'fastify';
import type { CannedResponse, EmulatorAdapter } from '../kit/server.ts';
import { bearerToken } from './api/rest-server.ts';
import type { AuthStore } from './auth/sessions.ts';
import { unknownException } from './errors.ts';
import type { ApiUsage } from './limits.ts';
import type { SalesforceOrg } from './org/org.ts';
import { recordJson } from './org/serialize.ts';

/** The Salesforce side of the shared emulator server: fault bodies, token expiry, info, dump. */

function soapFault(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${code}: ${message}</faultstring>` +
    `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${message}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

const REST_BODIES: Record<number, { errorCode: string; message: string }> = {
  400: { errorCode: 'INVALID_OPERATION', message: 'The request could not be processed' },
  401: { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
  403: { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
  404: { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
  409: {
    errorCode: 'UNABLE_TO_LOCK_ROW',
    message: 'unable to obtain exclusive access to this record or 1 records',
  },
  502: { errorCode: 'SERVER_UNAVAILABLE', message: 'Bad gateway: the server is temporarily unavailable.' },
  503: { errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable.' },
};

export interface AdapterDeps {
  org: SalesforceOrg;
  auth: AuthStore;
  usage: ApiUsage;
  info: () => Record<string, unknown>;
  save?: () => Promise<void>;
}

export function salesforceAdapter(d: AdapterDeps): EmulatorAdapter {
  let faults = 0;
  const adapter: EmulatorAdapter = {
    info: d.info,
    dump() {
      const out: Record<string, unknown[]> = {};
      for (const [name, table] of d.org.tables)
        out[name] = [...table.rows.values()].map((r) => recordJson(table.def, r, '62.0'));
      return out;
    },
    faultResponse(action, req: FastifyRequest): CannedResponse {
      const path = req.url.split('?')[0] ?? '';
      if (path.startsWith('/services/oauth2')) {
        return action.kind === 'throttle'
          ? {
              status: 400,
              body: { error: 'invalid_request', error_description: 'too many requests, retry later' },
            }
          : {
              status: action.status,
              body: { error: 'unknown_error', error_description: 'retry your request' },
            };
      }
      if (path.startsWith('/services/Soap')) {
        const xml =
          action.kind === 'throttle'
            ? soapFault('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.')
            : soapFault(
                'UNKNOWN_EXCEPTION',
                'An unexpected error occurred. Please include this ErrorId if you contact support.',
              );
        return { status: 500, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: xml };
      }
      const headers = { 'sforce-limit-info': d.usage.header() };
      if (action.kind === 'throttle')
        return {
          status: 403,
          headers,
          body: [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        };
      const known = REST_BODIES[action.status];
      if (action.status >= 500 && !known)
        return { status: action.status, headers, body: [unknownException(++faults).toBody()] };
      return {
        status: action.status,
        headers,
        body: [known ?? { errorCode: 'INVALID_OPERATION', message: 'The request could not be processed' }],
      };
    },
    expireToken(req: FastifyRequest) {
      const token = bearerToken(req);
      if (token) d.auth.expire(token);
    },
    isApiCall(req: FastifyRequest) {
      const path = (req.url.split('?')[0] ?? '').replace(/\/+$/, '');
      return path !== '/services/data';
    },
  };
  if (d.save) adapter.save = d.save;
  return adapter;
}
