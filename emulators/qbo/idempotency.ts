/** A response as first sent, kept for replays of the same `requestid`. */
export interface StoredResponse {
  status: number;
  body: string;
}

/**
 * The responses a company has given to requests carrying a `requestid`: a repeat of the id is
 * answered with the original response and runs nothing (QuickBooks' idempotency). Bounded: the
 * oldest ids are forgotten first.
 */
export class RequestIdCache {
  private map = new Map<string, StoredResponse>();

  constructor(private readonly max = 100_000) {}

  /** The stored response for an id, if any. */
  get(id: string): StoredResponse | undefined {
    return this.map.get(id);
  }

  /** Stores the first response for an id. */
  set(id: string, response: StoredResponse): void {
    if (this.map.has(id)) return;
    this.map.set(id, response);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** All entries, oldest first (for the state file). */
  entries(): Array<[string, StoredResponse]> {
    return [...this.map.entries()];
  }
}
