/** API calls a connector made, by endpoint: run statistics and the benchmark's call counts. */
export class CallStats {
  private counts = new Map<string, number>();

  /** Records one call to an endpoint ("GET query", "POST batch" …). */
  add(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  /** Total calls. */
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /** Counts by endpoint. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort((a, b) => a[0].localeCompare(b[0])));
  }

  /** Forgets everything (start of a run). */
  reset(): void {
    this.counts.clear();
  }
}
