import type { Connection, HttpRequest, HttpRequestOptions, HttpResponse } from '@jsforce/jsforce-node';

type Transport = Connection['_transport'];

/**
 * One place every HTTP request jsforce makes for a connector goes through (REST calls, token
 * refreshes, SOAP logins), so that each one is counted, none is retried behind our back (the
 * connector decides what is safe to repeat), each has a deadline, and loopback is never sent to
 * an HTTP(S)_PROXY from the environment (jsforce reads those variables and ignores NO_PROXY).
 */

export interface TransportHooks {
  /** Called as each request leaves, with a short endpoint name. */
  onRequest?(endpoint: string, req: HttpRequest): void;
  /** Called with each response that arrived (any status). */
  onResponse?(endpoint: string, res: HttpResponse): void;
}

/** Where the connector's transport settings come from. */
export interface TransportSettings {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const INSTRUMENTED = Symbol('ledgerbridge.instrumented');

type Instrumentable = Transport & { [INSTRUMENTED]?: true };

/** Wraps a jsforce transport in place (idempotent). */
export function instrumentTransport(
  transport: Transport,
  settings: TransportSettings,
  hooks: TransportHooks,
): void {
  const t = transport as Instrumentable;
  if (t[INSTRUMENTED]) return;
  t[INSTRUMENTED] = true;
  const inner = t.httpRequest.bind(t);
  t.httpRequest = (req: HttpRequest, options: HttpRequestOptions = {}) => {
    const endpoint = endpointName(req.method, req.url);
    hooks.onRequest?.(endpoint, req);
    const promise = inner(req, {
      ...options,
      timeout: settings.timeoutMs,
      // jsforce would repeat GET/PUT/DELETE on 5xx and socket errors without telling anyone.
      retry: { maxRetries: 0, methods: [] },
      httpProxy: proxyFor(req.url, settings.env ?? process.env),
    });
    promise.then(
      (res: HttpResponse) => hooks.onResponse?.(endpoint, res),
      () => undefined,
    );
    return promise;
  };
}

/** The proxy a URL should go through: none for loopback or NO_PROXY hosts, else the environment's. */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
  if (host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost'))
    return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of noProxy) {
    if (entry === '*') return undefined;
    const bare = entry.replace(/^\*?\./, '').replace(/:\d+$/, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  const proxy = env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY;
  return proxy ? proxy : undefined;
}

const DATA_PATH = /^\/services\/data\/v\d+\.\d+\/(.*)$/;

/** A short, stable name for the endpoint of a request ("GET query", "PATCH composite/sobjects upsert"). */
export function endpointName(method: string, url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  path = path.replace(/\/+$/, '');
  const m = DATA_PATH.exec(path);
  if (!m) {
    if (path.startsWith('/services/oauth2/'))
      return `${method} oauth2/${path.slice('/services/oauth2/'.length)}`;
    if (path.startsWith('/services/Soap/')) return `${method} soap`;
    if (path.startsWith('/id/')) return `${method} identity`;
    return `${method} ${path}`;
  }
  const segs = (m[1] ?? '').split('/').filter(Boolean);
  const [a, b, c, d] = segs;
  if (a === 'query' || a === 'queryAll') return `${method} ${segs.length > 1 ? `${a} more` : a}`;
  if (a === 'composite' && b === 'sobjects') {
    if (segs.length === 2) return `${method} composite/sobjects`;
    if (segs.length === 3) return `${method} composite/sobjects retrieve`;
    if (segs.length === 4) return `${method} composite/sobjects upsert`;
  }
  if (a === 'sobjects' && b) {
    if (c === 'describe' || c === 'deleted' || c === 'updated') return `${method} sobjects ${c}`;
    if (!c) return `${method} sobjects`;
    return `${method} sobjects ${d ? 'upsert' : 'record'}`;
  }
  return `${method} ${a ?? ''}`.trim();
}
