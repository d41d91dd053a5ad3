import { SfError } from '../errors.ts';
import type { ApiRequest, ApiResponse, Route, Services } from './types.ts';

/** /query and /queryAll, with paging through nextRecordsUrl locators. */

/** The batchSize of a `Sforce-Query-Options: batchSize=N` header, if any. */
export function batchSizeOf(req: ApiRequest): number | undefined {
  const h = req.headers['sforce-query-options'];
  const m = h ? /batchSize\s*=\s*(\d+)/i.exec(h) : null;
  return m ? Number(m[1]) : undefined;
}

export function queryRoutes(svc: Services): Route[] {
  const run =
    (scanAll: boolean) =>
    (req: ApiRequest): ApiResponse => {
      const q = req.query.get('q');
      if (q === null) throw new SfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
      const batchSize = batchSizeOf(req);
      const page = svc.queries.run(q, {
        scanAll,
        version: req.version,
        userId: req.session.userId,
        ...(batchSize !== undefined ? { batchSize } : {}),
      });
      return { status: 200, body: page };
    };
  const more = (req: ApiRequest, p: Record<string, string>): ApiResponse => {
    const batchSize = batchSizeOf(req);
    const page = svc.queries.more(p.locator!, {
      version: req.version,
      userId: req.session.userId,
      ...(batchSize !== undefined ? { batchSize } : {}),
    });
    return { status: 200, body: page };
  };
  return [
    { template: 'query', handlers: { GET: run(false) } },
    { template: 'queryAll', handlers: { GET: run(true) } },
    { template: 'query/:locator', handlers: { GET: more } },
    { template: 'queryAll/:locator', handlers: { GET: more } },
  ];
}
