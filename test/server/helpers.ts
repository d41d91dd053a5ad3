/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers of the API under test */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index.ts';

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/** A sandbox (both emulators, a runtime on them) and the server on its runtime. */
export interface Harness {
  sandbox: Sandbox;
  server: RunningServer;
  /** Calls the server; the admin token is sent unless `token` says otherwise (null: none). */
  call(
    method: string,
    path: string,
    body?: unknown,
    opts?: { token?: string | null; raw?: string },
  ): Promise<Answer>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: SandboxOptions & { server?: Partial<Omit<ServerOptions, 'runtime'>> } = {},
): Promise<Harness> {
  const { server: serverOpts, ...sandboxOpts } = opts;
  const sandbox = await startSandbox({ records: 80, ...sandboxOpts });
  let server: RunningServer;
  try {
    server = await startServer({ runtime: sandbox.runtime, adminToken: 'test-admin-token', ...serverOpts });
  } catch (e) {
    await sandbox.close();
    throw e;
  }
  const call: Harness['call'] = async (method, path, body, o = {}) => {
    const token = o.token === undefined ? harness.server.adminToken : o.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (o.raw !== undefined) payload = o.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${harness.server.url}${path}`, {
      method,
      headers,
      body: payload,
      redirect: 'manual',
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  const harness: Harness = {
    sandbox,
    server,
    call,
    async close() {
      try {
        await harness.server.close();
      } finally {
        await sandbox.close();
      }
    },
  };
  return harness;
}

/** Polls until `probe` gives a value (not undefined/false). */
export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  ms = 15000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** REST calls to the QuickBooks emulator of a sandbox (its own tokens). */
export function qboApi(sandbox: Sandbox) {
  const info = sandbox.qbo.info;
  const base = `${info.baseUrl}/v3/company/${info.realmId}`;
  const send = async (method: string, path: string, body?: unknown): Promise<any> => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(`${base}${path}${sep}minorversion=75`, {
      method,
      headers: {
        authorization: `Bearer ${info.accessToken}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as any;
    if (!res.ok)
      throw new Error(`QuickBooks emulator ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    customer: async (id: string) => (await send('GET', `/customer/${id}`)).Customer,
    updateCustomer: async (id: string, changes: Record<string, unknown>) => {
      const c = (await send('GET', `/customer/${id}`)).Customer;
      return (await send('POST', '/customer', { Id: id, SyncToken: c.SyncToken, sparse: true, ...changes }))
        .Customer;
    },
    query: async (q: string) => (await send('GET', `/query?query=${encodeURIComponent(q)}`)).QueryResponse,
  };
}

/** REST calls to the Salesforce emulator of a sandbox. */
export function salesforceApi(sandbox: Sandbox) {
  const info = sandbox.salesforce.info;
  const base = `${info.instanceUrl}/services/data/v${info.apiVersion}`;
  const send = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${info.accessToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Salesforce emulator ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    account: (id: string) => send('GET', `/sobjects/Account/${id}`),
    updateAccount: (id: string, fields: Record<string, unknown>) =>
      send('PATCH', `/sobjects/Account/${id}`, fields),
  };
}
