/** Counts API calls by endpoint ("METHOD /route/template"), for inspection and benchmarks. */
export class CallCounter {
  private counts = new Map<string, number>();
  private totalCount = 0;

  /** Records one call. */
  add(endpoint: string): void {
    this.totalCount++;
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  /** Forgets all counts. */
  reset(): void {
    this.counts.clear();
    this.totalCount = 0;
  }

  get total(): number {
    return this.totalCount;
  }

  /** The counts, busiest endpoint first. */
  snapshot(): { total: number; byEndpoint: Record<string, number> } {
    const sorted = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { total: this.totalCount, byEndpoint: Object.fromEntries(sorted) };
  }
}
