import { randomBytes } from 'node:crypto';
import { exchangeQboCode, qboAuthorizeUrl, type QboTokens } from '../connectors/qbo/index.ts';
import {
  exchangeSalesforceCode,
  loginWithPassword,
  pkcePair,
  salesforceAuthorizeUrl,
  type SalesforceTokens,
} from '../connectors/salesforce/index.ts';
import type { ConnectionSettings } from '../connectors/credentials.ts';
import type { ConnectionRepository } from '../store/connections.ts';
import { qboFromEmulator, salesforceFromEmulator } from './emulator-connections.ts';
import { waitForRedirect } from './oauth-loopback.ts';

/** Intuit's production and sandbox endpoints. */
export const INTUIT = {
  authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
  tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
  revokeUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
  baseUrl: {
    production: 'https://quickbooks.api.intuit.com',
    sandbox: 'https://sandbox-quickbooks.api.intuit.com',
  },
} as const;

/** The default Salesforce API version ledgerbridge speaks. */
export const SALESFORCE_API_VERSION = '62.0';

/** Saves a connection to a running emulator, from its /__emulator/info. */
export async function connectEmulator(
  connections: ConnectionRepository,
  system: 'salesforce' | 'qbo',
  id: string,
  url: string,
): Promise<string> {
  if (system === 'salesforce') {
    const c = await salesforceFromEmulator(url);
    await connections.save({ id, system, label: c.label, settings: c.settings, secrets: c.secrets });
    return c.label;
  }
  const c = await qboFromEmulator(url);
  await connections.save({ id, system, label: c.label, settings: c.settings, secrets: c.secrets });
  return c.label;
}

/** Salesforce OAuth 2.0 web-server flow (with PKCE) through a loopback redirect. */
export async function connectSalesforceOAuth(
  connections: ConnectionRepository,
  p: {
    id: string;
    loginUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    apiVersion?: string;
    show: (url: string) => void;
  },
): Promise<string> {
  const state = randomBytes(16).toString('hex');
  const { codeVerifier, codeChallenge } = pkcePair();
  const url = salesforceAuthorizeUrl({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    state,
    codeChallenge,
  });
  const waiting = waitForRedirect(p.redirectUri, state);
  p.show(url);
  const params = await waiting;
  const tokens = await exchangeSalesforceCode({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    redirectUri: p.redirectUri,
    code: params.get('code')!,
    codeVerifier,
  });
  await saveSalesforceOAuth(connections, { ...p, tokens });
  return tokens.instanceUrl;
}

/** Saves a Salesforce connection made through the OAuth web-server flow (CLI loopback or server callback). */
export async function saveSalesforceOAuth(
  connections: ConnectionRepository,
  p: {
    id: string;
    loginUrl: string;
    apiVersion?: string;
    clientId: string;
    clientSecret: string;
    tokens: SalesforceTokens;
    /** Settings of the connection being replaced, kept where the new sign-in says nothing. */
    keep?: ConnectionSettings;
  },
): Promise<string> {
  const label = `Salesforce ${p.tokens.instanceUrl}`;
  await connections.save({
    id: p.id,
    system: 'salesforce',
    label,
    settings: {
      ...p.keep,
      instanceUrl: p.tokens.instanceUrl,
      loginUrl: p.loginUrl,
      apiVersion: p.apiVersion ?? SALESFORCE_API_VERSION,
      clientId: p.clientId,
      authFlow: 'oauth',
      identityUrl: p.tokens.identityUrl,
    },
    secrets: {
      accessToken: p.tokens.accessToken,
      refreshToken: p.tokens.refreshToken,
      clientSecret: p.clientSecret,
    },
  });
  return label;
}

/** Salesforce username + password + security token. */
export async function connectSalesforcePassword(
  connections: ConnectionRepository,
  p: {
    id: string;
    loginUrl: string;
    username: string;
    password: string;
    securityToken: string;
    clientId?: string;
    clientSecret?: string;
    apiVersion?: string;
  },
): Promise<string> {
  const session = await loginWithPassword(p);
  await connections.save({
    id: p.id,
    system: 'salesforce',
    label: `Salesforce ${session.instanceUrl} (${p.username})`,
    settings: {
      instanceUrl: session.instanceUrl,
      loginUrl: p.loginUrl,
      apiVersion: p.apiVersion ?? SALESFORCE_API_VERSION,
      clientId: p.clientId,
      authFlow: 'password',
      username: p.username,
    },
    secrets: {
      accessToken: session.accessToken,
      password: p.password,
      securityToken: p.securityToken,
      clientSecret: p.clientSecret,
    },
  });
  return session.instanceUrl;
}

/** QuickBooks Online OAuth 2.0 authorization-code flow through a loopback redirect (the realm comes back with the code). */
export async function connectQboOAuth(
  connections: ConnectionRepository,
  p: {
    id: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    baseUrl: string;
    authorizeUrl: string;
    tokenUrl: string;
    revokeUrl?: string;
    show: (url: string) => void;
  },
): Promise<string> {
  const state = randomBytes(16).toString('hex');
  const url = qboAuthorizeUrl({
    authorizeUrl: p.authorizeUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    state,
  });
  const waiting = waitForRedirect(p.redirectUri, state);
  p.show(url);
  const params = await waiting;
  const realmId = params.get('realmId');
  if (!realmId) throw new Error('the QuickBooks callback carried no realmId (company id)');
  const tokens = await exchangeQboCode({
    tokenUrl: p.tokenUrl,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    redirectUri: p.redirectUri,
    code: params.get('code')!,
  });
  await saveQboOAuth(connections, {
    id: p.id,
    realmId,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    tokens,
    settings: {
      baseUrl: p.baseUrl,
      tokenUrl: p.tokenUrl,
      authorizeUrl: p.authorizeUrl,
      revokeUrl: p.revokeUrl,
    },
  });
  return realmId;
}

/** Saves a QuickBooks Online connection made through OAuth (CLI loopback or server callback). */
export async function saveQboOAuth(
  connections: ConnectionRepository,
  p: {
    id: string;
    realmId: string;
    clientId: string;
    clientSecret: string;
    tokens: QboTokens;
    /** Endpoints: baseUrl, tokenUrl, authorizeUrl, revokeUrl. */
    settings: ConnectionSettings;
    /** Settings of the connection being replaced, kept where the new sign-in says nothing. */
    keep?: ConnectionSettings;
    /** Kept across reconnects: Intuit signs webhooks with the app's verifier token, not the grant's. */
    webhookVerifierToken?: string;
  },
): Promise<string> {
  const label = `QuickBooks Online company ${p.realmId}`;
  await connections.save({
    id: p.id,
    system: 'qbo',
    label,
    settings: { ...p.keep, ...p.settings, realmId: p.realmId, clientId: p.clientId },
    secrets: {
      ...p.tokens,
      clientSecret: p.clientSecret,
      ...(p.webhookVerifierToken ? { webhookVerifierToken: p.webhookVerifierToken } : {}),
    },
  });
  return label;
}
