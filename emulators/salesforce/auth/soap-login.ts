import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SalesforceOrg } from '../org/org.ts';
import { classifyVersion } from '../api/versions.ts';
import type { AuthStore } from './sessions.ts';

/**
 * The partner SOAP endpoint /services/Soap/u/{version}, for the two calls clients make without an
 * OAuth client: login (username + password + security token → session id and server URL) and
 * logout. Other operations answer the fault the real endpoint gives for an unknown operation.
 * login() is not available from API 65.0 on, as on the platform.
 */

export interface SoapDeps {
  auth: AuthStore;
  org: SalesforceOrg;
  baseUrl(): string;
  sessionSeconds: number;
  internalErrors: Error[];
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
});

function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function fault(code: string, message: string, faultType: string | null): string {
  const detail = faultType
    ? `<detail><sf:${faultType} xsi:type="sf:${faultType}"><sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${esc(message)}</sf:exceptionMessage></sf:${faultType}></detail>`
    : '';
  const faultcode = faultType ? `sf:${code}` : `soapenv:${code}`;
  const faultstring = faultType ? `${code}: ${message}` : message;
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${esc(faultstring)}</faultstring>${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

function send(reply: FastifyReply, status: number, xml: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/xml;charset=UTF-8').send(xml);
}

export function registerSoapLogin(app: FastifyInstance, deps: SoapDeps): void {
  const { auth, org } = deps;
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const versionText = (req.params as { version: string }).version;
      const version = classifyVersion(`v${versionText}`);
      if (!version || version.kind === 'retired')
        return send(
          reply,
          500,
          fault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL`, 'UnexpectedErrorFault'),
        );
      const text = typeof req.body === 'string' ? req.body : '';
      if (!text.trim()) return send(reply, 500, fault('Client', 'Premature end of file.', null));
      if (XMLValidator.validate(text) !== true)
        return send(
          reply,
          500,
          fault('Client', 'Unexpected character in the request; the body is not well-formed XML', null),
        );
      const doc = parser.parse(text) as Record<string, unknown>;
      const env = doc.Envelope as Record<string, unknown> | undefined;
      const body =
        env && typeof env === 'object' ? (env.Body as Record<string, unknown> | undefined) : undefined;
      const op = body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
      if (!env || !body || !op)
        return send(reply, 500, fault('Client', 'Unable to find the SOAP envelope body', null));
      const call = (body[op] ?? {}) as Record<string, unknown>;
      if (op === 'login') {
        if (version.major >= 65)
          return send(
            reply,
            500,
            fault(
              'INVALID_OPERATION',
              'SOAP API login() is not available in API version 65.0 and later. Use OAuth 2.0.',
              'UnexpectedErrorFault',
            ),
          );
        const creds = auth.checkPassword(String(call.username ?? ''), String(call.password ?? ''));
        if (!creds)
          return send(
            reply,
            500,
            fault(
              'INVALID_LOGIN',
              'Invalid username, password, security token; or user locked out.',
              'LoginFault',
            ),
          );
        const s = auth.issueSession(creds.userId, null, null);
        return send(reply, 200, envelope(loginResult(deps, s.token, creds.userId, versionText)));
      }
      if (op === 'logout') {
        const header = (env.Header ?? {}) as Record<string, unknown>;
        const sessionHeader = (header.SessionHeader ?? {}) as Record<string, unknown>;
        const token = String(sessionHeader.sessionId ?? '');
        if (!auth.authenticate(token))
          return send(
            reply,
            500,
            fault(
              'INVALID_SESSION_ID',
              'Invalid Session ID found in SessionHeader: Illegal Session',
              'UnexpectedErrorFault',
            ),
          );
        auth.expire(token);
        return send(reply, 200, envelope('<logoutResponse/>'));
      }
      return send(
        reply,
        500,
        fault('Client', `No operation available for request {urn:partner.soap.sforce.com}${op}`, null),
      );
    } catch (e) {
      deps.internalErrors.push(e instanceof Error ? e : new Error(String(e)));
      return send(
        reply,
        500,
        fault('UNKNOWN_EXCEPTION', 'An unexpected error occurred.', 'UnexpectedErrorFault'),
      );
    }
  };
  app.post('/services/Soap/u/:version', handler);
  app.post('/services/Soap/u/:version/:orgId', handler);

  function loginResult(d: SoapDeps, sessionId: string, userId: string, version: string): string {
    const u = org.tables.get('User')!.get(userId)!;
    const base = d.baseUrl();
    return (
      '<loginResponse><result>' +
      `<metadataServerUrl>${base}/services/Soap/m/${version}/${org.orgId}</metadataServerUrl>` +
      '<passwordExpired>false</passwordExpired><sandbox>false</sandbox>' +
      `<serverUrl>${base}/services/Soap/u/${version}/${org.orgId}</serverUrl>` +
      `<sessionId>${esc(sessionId)}</sessionId><userId>${userId}</userId>` +
      '<userInfo><accessibilityMode>false</accessibilityMode><chatterExternal>false</chatterExternal>' +
      '<currencySymbol>$</currencySymbol><orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>' +
      '<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>' +
      '<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments><orgHasPersonAccounts>false</orgHasPersonAccounts>' +
      `<organizationId>${org.orgId}</organizationId><organizationMultiCurrency>false</organizationMultiCurrency>` +
      '<organizationName>ledgerbridge emulated org</organizationName>' +
      `<profileId>${esc(u.ProfileId)}</profileId><roleId xsi:nil="true"/>` +
      `<sessionSecondsValid>${d.sessionSeconds}</sessionSecondsValid><userDefaultCurrencyIsoCode xsi:nil="true"/>` +
      `<userEmail>${esc(u.Email)}</userEmail><userFullName>${esc(u.Name)}</userFullName><userId>${userId}</userId>` +
      '<userLanguage>en_US</userLanguage><userLocale>en_US</userLocale>' +
      `<userName>${esc(u.Username)}</userName><userTimeZone>${esc(u.TimeZoneSidKey)}</userTimeZone>` +
      '<userType>Standard</userType><userUiSkin>Theme3</userUiSkin></userInfo></result></loginResponse>'
    );
  }
}
