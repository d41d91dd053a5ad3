import type { Logger } from 'pino';
import { CallStats } from '../call-stats.ts';
import { ConnectorError } from '../errors.ts';
import { parseLimitInfo, UsageGovernor } from './limits.ts';
import { changedParents, deletedIds, queryPages, readChanges, retrieve } from './reads.ts';
import { RestClient } from './rest.ts';
import type { RetryPolicy } from './retry.ts';
import { SalesforceSession } from './session.ts';
import { objectName } from './soql.ts';
import type {
  ApiUsage,
  ChangedParentsSpec,
  DescribeSObjectResult,
  ReadChangesSpec,
  RetrieveSpec,
  SalesforceConnector,
  SalesforceConnectorOptions,
  SaveResult,
  SfRecord,
} from './types.ts';
import { CollectionWriter } from './writes.ts';

/**
 * The production Salesforce connector: a jsforce session kept in the credential vault, REST
 * calls counted, paced near the daily limit and retried only where that is safe.
 */

const DEFAULTS = { slowdownAt: 0.9, timeoutMs: 120_000, retries: 4, backoffMs: 500, paceMs: 250 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Who the session belongs to (from /services/oauth2/userinfo). */
export interface SalesforceIdentity {
  userId: string;
  orgId: string;
  username: string;
  name?: string;
}

/** The org's daily API allocation from /limits. */
export interface DailyApiRequests {
  max: number;
  remaining: number;
}

/** The connector as built here: the engine's interface plus identity and limits look-ups. */
export interface SalesforceConnectorWithIdentity extends SalesforceConnector {
  /** The signed-in user and org. */
  identity(): Promise<SalesforceIdentity>;
  /** The daily API allocation right now (one call). */
  dailyApiRequests(): Promise<DailyApiRequests>;
  /** How many calls were delayed because usage was past slowdownAt. */
  readonly pacedCalls: number;
}

class Connector implements SalesforceConnectorWithIdentity {
  private readonly describes = new Map<string, Promise<DescribeSObjectResult>>();
  private readonly writer: CollectionWriter;

  constructor(
    readonly connectionId: string,
    readonly stats: CallStats,
    private readonly rest: RestClient,
    private readonly governor: UsageGovernor,
    policy: RetryPolicy,
  ) {
    this.writer = new CollectionWriter(rest, policy);
  }

  get apiVersion(): string {
    return this.rest.version;
  }

  get instanceUrl(): string {
    return this.rest.instanceUrl;
  }

  get pacedCalls(): number {
    return this.governor.paced;
  }

  describe(object: string): Promise<DescribeSObjectResult> {
    const name = objectName(object);
    const key = name.toLowerCase();
    let p = this.describes.get(key);
    if (!p) {
      p = this.rest.call<DescribeSObjectResult>(
        'sobjects describe',
        { method: 'GET', path: `/sobjects/${name}/describe` },
        { idempotent: true },
      );
      this.describes.set(key, p);
      p.catch(() => this.describes.delete(key));
    }
    return p;
  }

  query<T extends SfRecord = SfRecord>(
    soql: string,
    opts: { all?: boolean; batchSize?: number } = {},
  ): AsyncIterable<T[]> {
    return queryPages<T>(this.rest, soql, opts);
  }

  readChanges(spec: ReadChangesSpec): AsyncIterable<SfRecord[]> {
    return readChanges(this.rest, spec);
  }

  changedParents(spec: ChangedParentsSpec): Promise<string[]> {
    return changedParents(this.rest, spec);
  }

  retrieve(spec: RetrieveSpec): Promise<SfRecord[]> {
    return retrieve(this.rest, spec);
  }

  deleted(object: string, start: Date, end: Date): Promise<Array<{ id: string; deletedDate: string }>> {
    return deletedIds(this.rest, object, start, end);
  }

  upsert(
    object: string,
    externalIdField: string,
    records: Array<Record<string, unknown>>,
  ): Promise<SaveResult[]> {
    return this.writer.upsert(object, externalIdField, records);
  }

  update(object: string, records: Array<{ Id: string } & Record<string, unknown>>): Promise<SaveResult[]> {
    return this.writer.update(object, records);
  }

  create(object: string, records: Array<Record<string, unknown>>): Promise<SaveResult[]> {
    return this.writer.create(object, records);
  }

  destroy(ids: string[]): Promise<SaveResult[]> {
    return this.writer.destroy(ids);
  }

  apiUsage(): ApiUsage | null {
    return this.governor.usage();
  }

  async identity(): Promise<SalesforceIdentity> {
    const ask = () =>
      this.rest.call<Record<string, unknown>>(
        'oauth2 userinfo',
        { method: 'GET', path: '/services/oauth2/userinfo' },
        { idempotent: true },
      );
    let info: Record<string, unknown>;
    try {
      info = await ask();
    } catch (e) {
      // userinfo answers an expired session with 403 Bad_OAuth_Token, which jsforce does not refresh on.
      if (!(e instanceof ConnectorError) || e.code !== 'Bad_OAuth_Token') throw e;
      await this.rest.renewSession();
      info = await ask();
    }
    const str = (k: string) => (typeof info?.[k] === 'string' ? (info[k] as string) : '');
    return {
      userId: str('user_id'),
      orgId: str('organization_id'),
      username: str('preferred_username') || str('email'),
      ...(str('name') ? { name: str('name') } : {}),
    };
  }

  async dailyApiRequests(): Promise<DailyApiRequests> {
    const limits = await this.rest.call<Record<string, { Max?: number; Remaining?: number }>>(
      'limits',
      { method: 'GET', path: '/limits' },
      { idempotent: true },
    );
    const d = limits?.DailyApiRequests ?? {};
    return { max: Number(d.Max ?? 0), remaining: Number(d.Remaining ?? 0) };
  }
}

/** Builds a connector on a stored connection (signs in first when the vault holds no session). */
export async function createSalesforceConnector(
  opts: SalesforceConnectorOptions,
): Promise<SalesforceConnectorWithIdentity> {
  const logger: Logger | undefined = opts.logger;
  const sleep = opts.sleep ?? realSleep;
  const governor = new UsageGovernor({
    slowdownAt: opts.slowdownAt ?? DEFAULTS.slowdownAt,
    ...(opts.stopAt !== undefined ? { stopAt: opts.stopAt } : {}),
    paceMs: opts.paceMs ?? DEFAULTS.paceMs,
    sleep,
    onPace: (u, ms) =>
      logger?.debug({ used: u.used, max: u.max, ms }, 'salesforce API usage is high; pacing calls'),
  });
  const stats = new CallStats();
  // The hooks also see the answers to calls made while the session is still opening (sign-in).
  let session: SalesforceSession | null = null;
  session = await SalesforceSession.open({
    vault: opts.vault,
    connectionId: opts.connectionId,
    timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
    ...(logger ? { logger } : {}),
    hooks: {
      onRequest: (endpoint) => stats.add(endpoint),
      onResponse: (endpoint, res) => {
        governor.observe(parseLimitInfo(res.headers?.['sforce-limit-info']));
        if (res.statusCode < 300 && !endpoint.includes('oauth2/token') && !endpoint.endsWith(' soap'))
          session?.noteSuccess();
      },
    },
  });
  const policy: RetryPolicy = {
    retries: opts.retries ?? DEFAULTS.retries,
    backoffMs: opts.backoffMs ?? DEFAULTS.backoffMs,
    sleep,
    ...(logger ? { logger } : {}),
  };
  const rest = new RestClient(session, governor, policy, logger);
  // The stats include the calls made while signing in.
  return new Connector(opts.connectionId, stats, rest, governor, policy);
}
