import { methodNotAllowed, notFound } from '../errors.ts';
import type { ApiRequest, ApiResponse, Route } from './types.ts';

/** Matches REST paths to route templates; static segments win over parameters. */

const splitCache = new WeakMap<Route, string[]>();

function segmentsOf(route: Route): string[] {
  let segs = splitCache.get(route);
  if (!segs) splitCache.set(route, (segs = route.template === '' ? [] : route.template.split('/')));
  return segs;
}

/** The route for a path (templates with more static segments win) and its parameters. */
export function matchRoute(
  routes: Route[],
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const segs = path === '' ? [] : path.split('/');
  let best: { route: Route; params: Record<string, string>; score: number } | null = null;
  for (const route of routes) {
    const t = segmentsOf(route);
    if (t.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    let ok = true;
    for (let i = 0; i < t.length; i++) {
      const ts = t[i]!;
      const s = segs[i]!;
      if (ts.charCodeAt(0) === 58) {
        if (s === '') {
          ok = false;
          break;
        }
        params[ts.slice(1)] = s;
      } else if (ts === s) score++;
      else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || score > best.score)) best = { route, params, score };
  }
  return best && { route: best.route, params: best.params };
}

/** Runs the handler for a request's path and method (HEAD answers as GET). */
export function route(routes: Route[], req: ApiRequest): ApiResponse {
  const m = matchRoute(routes, req.path);
  if (!m) throw notFound();
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const handler = m.route.handlers[method];
  if (!handler) {
    const allowed = Object.keys(m.route.handlers);
    if (allowed.includes('GET')) allowed.unshift('HEAD');
    throw methodNotAllowed(req.method, allowed);
  }
  return handler(req, m.params);
}
