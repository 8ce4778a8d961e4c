/**
 * Values read from a store and trusted for `ttlMs` without reading them again. A read that was in flight
 * when an entry was invalidated is returned to its caller but not kept: otherwise a revocation landing
 * between the read and the caching would be undone for a whole `ttlMs`.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private invalidations = 0;

  constructor(
    private readonly ttlMs: number,
    /** Past this many entries the cache starts over: a flood of made-up keys cannot grow it. */
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, now: number, read: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const before = this.invalidations;
    const value = await read();
    if (this.invalidations === before) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, until: now + this.ttlMs });
    }
    return value;
  }

  delete(key: string): void {
    this.invalidations += 1;
    this.entries.delete(key);
  }

  deleteWhere(stale: (value: V) => boolean): void {
    this.invalidations += 1;
    for (const [key, entry] of this.entries) if (stale(entry.value)) this.entries.delete(key);
  }
}
