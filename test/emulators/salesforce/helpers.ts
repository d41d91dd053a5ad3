import jsforce from 'jsforce';
import {
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../../emulators/salesforce/index.ts';

/** Test helpers: a running emulator, a jsforce connection to it, and raw REST calls. */

export type Emulator = RunningSalesforceEmulator;

/** Starts an emulator on a random loopback port (small seed unless told otherwise). */
export async function startEmulator(opts: SalesforceEmulatorOptions = {}): Promise<Emulator> {
  return startSalesforceEmulator({ records: 40, ...opts });
}

/** A jsforce connection using the emulator's pre-issued access token. */
export function connect(emu: Emulator, version = '62.0'): jsforce.Connection {
  return new jsforce.Connection({
    instanceUrl: emu.info.instanceUrl,
    accessToken: emu.info.accessToken,
    version,
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A REST call with the emulator's token (unless headers override it). */
export async function call(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const url = path.startsWith('http')
    ? path
    : `${emu.url}${path.startsWith('/services') || path.startsWith('/id') ? '' : '/services/data/v62.0'}${path}`;
  const init: RequestInit = {
    method,
    headers: {
      authorization: `Bearer ${emu.info.accessToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
  };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The first error of a REST error array. */
export function firstError(r: RawResponse): { errorCode: string; message: string; fields?: string[] } {
  const arr = r.json as Array<{ errorCode: string; message: string; fields?: string[] }>;
  if (!Array.isArray(arr) || !arr[0]) throw new Error(`not an error array: ${r.status} ${r.text}`);
  return arr[0];
}
