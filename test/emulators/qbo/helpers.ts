/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import nodeQuickbooks from 'node-quickbooks';
import type { QuickBooks as QuickBooksClient } from 'node-quickbooks';
import {
  startQboEmulator,
  type QboEmulatorOptions,
  type RunningQboEmulator,
} from '../../../emulators/qbo/index.ts';

// node-quickbooks is CommonJS (module.exports = the class) while its typings declare an ES default
const QuickBooks = nodeQuickbooks as unknown as typeof QuickBooksClient;
export type QuickBooks = QuickBooksClient;

/** A raw HTTP answer, with the body parsed when it is JSON. */
export interface Answer {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

/** Starts an emulator on a random port with a small universe unless told otherwise. */
export function start(opts: QboEmulatorOptions = {}): Promise<RunningQboEmulator> {
  return startQboEmulator({ records: 30, ...opts });
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** A raw-fetch client for one company of an emulator (what the SDKs hide). */
export function api(emu: RunningQboEmulator, opts: { realmId?: string; token?: string } = {}) {
  const realmId = opts.realmId ?? emu.info.realmId;
  const token = opts.token ?? emu.info.tokens[realmId]?.accessToken ?? emu.info.accessToken;
  const base = `${emu.url}/v3/company/${realmId}`;
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
    ...extra,
  });
  return {
    base,
    realmId,
    async get(path: string): Promise<Answer> {
      return answer(await fetch(base + path, { headers: headers() }));
    },
    async post(path: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
      return answer(
        await fetch(base + path, {
          method: 'POST',
          headers: headers({ 'Content-Type': contentType }),
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
    },
    async query(q: string): Promise<Answer> {
      return answer(
        await fetch(`${base}/query?query=${encodeURIComponent(q)}&minorversion=75`, { headers: headers() }),
      );
    },
  };
}

/** node-quickbooks pointed at the emulator (OAuth 2.0 bearer; never its discovery-doc fetch). */
export function sdk(emu: RunningQboEmulator, realmId = emu.info.realmId): QuickBooks {
  const qb = new QuickBooks(
    emu.info.clientId,
    emu.info.clientSecret,
    emu.info.tokens[realmId]!.accessToken,
    false,
    realmId,
    true,
    false,
    '75',
    '2.0',
    emu.info.tokens[realmId]!.refreshToken,
  );
  qb.endpoint = `${emu.url}/v3/company/`;
  return qb;
}

/** Calls a callback-style node-quickbooks method as a promise; rejects with the Fault body. */
export function call<T = any>(qb: QuickBooks, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (qb as unknown as Record<string, (...a: unknown[]) => void>)[method];
    if (typeof fn !== 'function') throw new Error(`node-quickbooks has no ${method}`);
    fn.call(qb, ...args, (err: unknown, data: T) => (err ? reject(err) : resolve(data)));
  });
}

/** The Fault error node-quickbooks rejected with (the body, or an axios error carrying it). */
export function faultOf(err: any): { code: string; Message: string; Detail: string; element?: string } {
  const body = err?.Fault ? err : err?.response?.data;
  return body?.Fault?.Error?.[0];
}

/** Advances the emulator clock. */
export async function advance(emu: RunningQboEmulator, ms: number): Promise<void> {
  emu.kit.clock.advance(ms);
}
