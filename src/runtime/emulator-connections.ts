import { z } from 'zod';
import type { ConnectionSecrets, ConnectionSettings } from '../connectors/credentials.ts';

/** Thrown when an emulator URL does not answer with connection details. */
export class EmulatorInfoError extends Error {
  override name = 'EmulatorInfoError';
}

const sfInfo = z.object({
  instanceUrl: z.string().url(),
  loginUrl: z.string().url(),
  apiVersion: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  username: z.string(),
});

const qboInfo = z.object({
  baseUrl: z.string().url(),
  realmId: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  webhookVerifierToken: z.string(),
  tokenUrl: z.string().url().optional(),
  authorizeUrl: z.string().url().optional(),
  revokeUrl: z.string().url().optional(),
});

async function fetchInfo(url: string): Promise<unknown> {
  const base = url.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/__emulator/info`);
  } catch (e) {
    throw new EmulatorInfoError(`cannot reach the emulator at ${base}: ${(e as Error).message}`);
  }
  if (!res.ok)
    throw new EmulatorInfoError(
      `${base}/__emulator/info answered HTTP ${res.status}: is this a ledgerbridge emulator?`,
    );
  try {
    return await res.json();
  } catch {
    throw new EmulatorInfoError(
      `${base}/__emulator/info did not answer JSON: is this a ledgerbridge emulator?`,
    );
  }
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, url: string, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new EmulatorInfoError(
      `${url} is not a ${what} emulator: ${issue.path.join('.') || 'info'}: ${issue.message}`,
    );
  }
  return r.data;
}

/** Connection settings and secrets for a running Salesforce emulator, from its /__emulator/info. */
export async function salesforceFromEmulator(
  url: string,
): Promise<{ settings: ConnectionSettings; secrets: ConnectionSecrets; label: string }> {
  const info = parse(sfInfo, await fetchInfo(url), url, 'Salesforce');
  return {
    label: `Salesforce emulator ${info.instanceUrl}`,
    settings: {
      instanceUrl: info.instanceUrl,
      loginUrl: info.loginUrl,
      apiVersion: info.apiVersion,
      clientId: info.clientId,
      authFlow: 'oauth',
      username: info.username,
      emulator: true,
    },
    secrets: {
      accessToken: info.accessToken,
      refreshToken: info.refreshToken,
      clientSecret: info.clientSecret,
    },
  };
}

/** Connection settings and secrets for a running QuickBooks Online emulator, from its /__emulator/info. */
export async function qboFromEmulator(url: string): Promise<{
  settings: ConnectionSettings;
  secrets: ConnectionSecrets;
  label: string;
  webhookVerifierToken: string;
}> {
  const info = parse(qboInfo, await fetchInfo(url), url, 'QuickBooks Online');
  const origin = new URL(info.baseUrl).origin;
  return {
    label: `QuickBooks Online emulator ${info.baseUrl} (realm ${info.realmId})`,
    settings: {
      baseUrl: info.baseUrl,
      realmId: info.realmId,
      clientId: info.clientId,
      tokenUrl: info.tokenUrl ?? `${origin}/oauth2/v1/tokens/bearer`,
      authorizeUrl: info.authorizeUrl ?? `${origin}/connect/oauth2`,
      revokeUrl: info.revokeUrl ?? `${origin}/v2/oauth2/tokens/revoke`,
      emulator: true,
    },
    secrets: {
      accessToken: info.accessToken,
      refreshToken: info.refreshToken,
      clientSecret: info.clientSecret,
      webhookVerifierToken: info.webhookVerifierToken,
      accessTokenExpiresAt: new Date(Date.now() + 3000 * 1000).toISOString(),
    },
    webhookVerifierToken: info.webhookVerifierToken,
  };
}
