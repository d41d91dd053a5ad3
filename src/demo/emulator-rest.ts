import type { RunningQboEmulator } from '../../emulators/qbo/index.ts';
import type { RunningSalesforceEmulator } from '../../emulators/salesforce/index.ts';

/** Thrown when an emulator refuses one of the demo's own edits (a bug in the demo or the emulator). */
export class DemoEditError extends Error {
  override name = 'DemoEditError';
}

async function call(method: string, url: string, token: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new DemoEditError(`${method} ${url} answered ${res.status}: ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Salesforce as a user or another integration edits it: the REST API with the emulator's own
 * session, outside ledgerbridge's connector (so these calls are not counted as ours).
 */
export class SalesforceRest {
  private readonly base: string;
  private readonly token: string;
  constructor(emu: RunningSalesforceEmulator) {
    this.base = `${emu.info.instanceUrl}/services/data/v${emu.info.apiVersion}`;
    this.token = emu.info.accessToken;
  }

  /** Records of a SOQL query (first page). */
  async query<T = Record<string, unknown>>(soql: string): Promise<T[]> {
    const r = (await call('GET', `${this.base}/query?q=${encodeURIComponent(soql)}`, this.token)) as {
      records: T[];
    };
    return r.records;
  }

  /** Updates fields of a record. */
  async update(object: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await call('PATCH', `${this.base}/sobjects/${object}/${id}`, this.token, fields);
  }

  /** Creates a record and returns its id. */
  async create(object: string, fields: Record<string, unknown>): Promise<string> {
    const r = (await call('POST', `${this.base}/sobjects/${object}`, this.token, fields)) as { id: string };
    return r.id;
  }
}

/** QuickBooks Online as a bookkeeper edits it: the Accounting API with the emulator's own token. */
export class QboRest {
  private readonly base: string;
  private readonly token: string;
  constructor(emu: RunningQboEmulator) {
    this.base = `${emu.info.baseUrl}/v3/company/${emu.info.realmId}`;
    this.token = emu.info.accessToken;
  }

  private url(path: string, query = ''): string {
    return `${this.base}/${path}?minorversion=75${query}`;
  }

  /** Reads one entity by id. */
  async read(entity: string, id: string): Promise<Record<string, unknown>> {
    const r = (await call('GET', this.url(`${entity.toLowerCase()}/${id}`), this.token)) as Record<
      string,
      Record<string, unknown>
    >;
    return r[entity]!;
  }

  /** A sparse update on the current SyncToken (read first, as every QuickBooks client must). */
  async update(
    entity: string,
    id: string,
    fields: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const current = await this.read(entity, id);
    const r = (await call('POST', this.url(entity.toLowerCase()), this.token, {
      Id: id,
      SyncToken: current.SyncToken,
      sparse: true,
      ...fields,
    })) as Record<string, Record<string, unknown>>;
    return r[entity]!;
  }

  /** Creates an entity and returns it. */
  async create(entity: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = (await call('POST', this.url(entity.toLowerCase()), this.token, fields)) as Record<
      string,
      Record<string, unknown>
    >;
    return r[entity]!;
  }

  /** Rows of a query (first page). */
  async query(text: string): Promise<Array<Record<string, unknown>>> {
    const r = (await call('GET', this.url('query', `&query=${encodeURIComponent(text)}`), this.token)) as {
      QueryResponse: Record<string, unknown>;
    };
    const rows = Object.values(r.QueryResponse).find(Array.isArray);
    return (rows as Array<Record<string, unknown>> | undefined) ?? [];
  }
}
