import { createHmac, randomUUID } from 'node:crypto';
import type { ChangeEvent, ChangeOperation } from './store/company.ts';
import { formatUtc } from './time.ts';

/**
 * Webhook delivery as Intuit does it: changes are gathered for `delayMs` and posted together to
 * every registered URL, signed with `intuit-signature` = base64(HMAC-SHA256(raw body, verifier
 * token)), either as a CloudEvents array (the current format) or the legacy
 * `{"eventNotifications":[…]}`. A delivery that fails (non-2xx, timeout, refused) is retried with
 * backoff. Delivery never holds up an API response.
 */

export type WebhookFormat = 'cloudevents' | 'legacy';

export interface WebhookConfig {
  urls: string[];
  format: WebhookFormat;
  delayMs: number;
  verifierToken: string;
  /** Waits before each retry; the default is a short version of Intuit's schedule. */
  retryDelaysMs: number[];
  /** How long a receiver may take to answer (Intuit: 3 s). */
  timeoutMs: number;
}

/** One attempt to deliver one payload to one URL. */
export interface Delivery {
  id: number;
  url: string;
  attempt: number;
  at: string;
  ok: boolean;
  status?: number;
  error?: string;
  events: number;
  signature: string;
  body: string;
}

const OPERATION_VERB: Record<ChangeOperation, string> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
  Merge: 'merged',
};

/** base64(HMAC-SHA256(body, token)): the `intuit-signature` header. */
export function signPayload(body: string, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(body).digest('base64');
}

/** The body of one delivery in the chosen format. */
export function buildPayload(events: ChangeEvent[], format: WebhookFormat, appId: string): string {
  if (format === 'legacy') {
    const byRealm = new Map<string, ChangeEvent[]>();
    for (const e of events) byRealm.set(e.realmId, [...(byRealm.get(e.realmId) ?? []), e]);
    return JSON.stringify({
      eventNotifications: [...byRealm].map(([realmId, list]) => ({
        realmId,
        dataChangeEvent: {
          entities: list.map((e) => ({
            id: e.id,
            operation: e.operation,
            name: e.entity,
            lastUpdated: formatUtc(e.at),
          })),
        },
      })),
    });
  }
  return JSON.stringify(
    events.map((e) => ({
      specversion: '1.0',
      id: randomUUID(),
      source: `intuit.${appId}`,
      type: `qbo.${e.entity.toLowerCase()}.${OPERATION_VERB[e.operation]}.v1`,
      datacontenttype: 'application/json',
      time: formatUtc(e.at),
      intuitentityid: e.id,
      intuitaccountid: e.realmId,
      data: {},
    })),
  );
}

/** Collects change events and delivers them to the registered URLs. */
export class WebhookNotifier {
  private queue: ChangeEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private aborts = new Set<AbortController>();
  private seq = 0;
  private closed = false;
  readonly deliveries: Delivery[] = [];
  readonly urls: Set<string>;

  constructor(
    private readonly config: WebhookConfig,
    private readonly appId: string,
  ) {
    this.urls = new Set(config.urls);
  }

  get format(): WebhookFormat {
    return this.config.format;
  }

  /** Queues one change; the batch goes out `delayMs` after its first event. */
  push(event: ChangeEvent): void {
    if (this.closed || this.urls.size === 0) return;
    this.queue.push(event);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.config.delayMs);
      this.flushTimer.unref?.();
    }
  }

  /** Sends whatever is queued now. */
  flush(): void {
    this.flushTimer = undefined;
    const events = this.queue.splice(0);
    if (events.length === 0 || this.closed) return;
    const body = buildPayload(events, this.config.format, this.appId);
    const signature = signPayload(body, this.config.verifierToken);
    for (const url of this.urls) void this.attempt(url, body, signature, events.length, 1);
  }

  private async attempt(
    url: string,
    body: string,
    signature: string,
    events: number,
    attempt: number,
  ): Promise<void> {
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    const delivery: Delivery = {
      id: ++this.seq,
      url,
      attempt,
      at: new Date().toISOString(),
      ok: false,
      events,
      signature,
      body,
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'intuit-signature': signature,
          'intuit-t-id': randomUUID(),
          'user-agent': 'Intuit-Webhooks/1.0 (QuickBooks Online emulator)',
        },
        body,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      delivery.status = res.status;
      delivery.ok = res.status >= 200 && res.status < 300;
    } catch (e) {
      delivery.error = e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
    if (this.closed) return;
    this.deliveries.push(delivery);
    if (this.deliveries.length > 1000) this.deliveries.splice(0, this.deliveries.length - 1000);
    const wait = this.config.retryDelaysMs[attempt - 1];
    if (!delivery.ok && wait !== undefined && this.urls.has(url)) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.attempt(url, body, signature, events, attempt + 1);
      }, wait);
      t.unref?.();
      this.timers.add(t);
    }
  }

  /** Stops delivering: pending batches and retries are dropped. */
  close(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.timers) clearTimeout(t);
    for (const a of this.aborts) a.abort();
    this.timers.clear();
    this.queue = [];
  }
}
