import type { IncomingMessage } from 'node:http';
import type { EmulatorKit } from '../kit/server.ts';
import { TokenStore, type TokenResponse } from './auth/tokens.ts';
import { RequestIdCache } from './idempotency.ts';
import { RealmLimiter, type Limits } from './limits.ts';
import { Company } from './store/company.ts';
import { WebhookNotifier, type WebhookConfig } from './webhooks.ts';

/** One hosted company with its request-id memory and throttle. */
export interface RealmState {
  company: Company;
  requestIds: RequestIdCache;
  limiter: RealmLimiter;
  /** The tokens handed out in the emulator info for this company. */
  tokens: TokenResponse;
}

/** Everything the HTTP routes share: companies, tokens, webhooks, limits, the kit. */
export class QboService {
  readonly realms = new Map<string, RealmState>();
  readonly tokens: TokenStore;
  readonly webhooks: WebhookNotifier;
  /** Whether each in-flight API request was admitted under the concurrency limit. */
  readonly admissions = new WeakMap<IncomingMessage, boolean>();

  constructor(
    readonly kit: EmulatorKit,
    readonly limits: Limits,
    webhooks: WebhookConfig,
    readonly appId: string,
  ) {
    this.tokens = new TokenStore(() => kit.clock.now());
    this.webhooks = new WebhookNotifier(webhooks, appId);
  }

  /** The emulator clock. */
  now(): number {
    return this.kit.clock.now();
  }

  /** A new, empty company (its change events feed the webhooks). */
  newCompany(realmId: string): Company {
    const company = new Company(realmId, this.kit.clock);
    company.onChange((e) => this.webhooks.push(e));
    return company;
  }

  /** Hosts a company and issues the connection whose tokens the info shows. */
  addRealm(company: Company, requestIds = new RequestIdCache()): RealmState {
    const state: RealmState = {
      company,
      requestIds,
      limiter: new RealmLimiter(this.limits, () => this.now()),
      tokens: this.tokens.connect(company.realmId),
    };
    this.realms.set(company.realmId, state);
    return state;
  }

  /** The first hosted company. */
  get primary(): RealmState {
    return this.realms.values().next().value as RealmState;
  }
}
