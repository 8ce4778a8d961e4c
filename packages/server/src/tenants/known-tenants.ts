import type { EventStore } from '../storage/event-store.js';

/** Bounds the memory of the cache (emptied when it grows past this). */
const KNOWN_TENANTS_MAX = 100_000;

type Cached = Pick<EventStore, 'tenantsWithEvents' | 'deleteBefore'>;

/**
 * The event store with the tenants it was seen to hold remembered: a summary naming a tenant asks whether it
 * has events on every request, and on ClickHouse that question is a scan. Only a deletion can make a remembered
 * tenant wrong again, so this process's deletions (retention, through `deleteBefore`) empty the cache before
 * and after they run, and an answer read while one ran is not remembered. Tenants without events are always
 * asked of the store (events for them may arrive at any time).
 */
export function withKnownTenants<T extends Cached>(store: T): T & { forgetKnownTenants(): void } {
  const known = new Set<string>();
  let deletions = 0;
  const forget = () => {
    deletions++;
    known.clear();
  };
  const tenantsWithEvents = async (tenants: readonly string[]): Promise<Set<string>> => {
    const found = new Set(tenants.filter((t) => known.has(t)));
    const unknown = tenants.filter((t) => !known.has(t));
    if (!unknown.length) return found;
    const before = deletions;
    const read = await store.tenantsWithEvents(unknown);
    if (known.size > KNOWN_TENANTS_MAX) known.clear();
    for (const t of read) {
      found.add(t);
      if (before === deletions) known.add(t);
    }
    return found;
  };
  const deleteBefore: EventStore['deleteBefore'] = async (cuts, options) => {
    if (options.dryRun) return store.deleteBefore(cuts, options);
    forget();
    try {
      return await store.deleteBefore(cuts, options);
    } finally {
      forget();
    }
  };
  // Another process's deletion empties it too (retention/shared-deletions.ts).
  const overrides: Record<string | symbol, unknown> = {
    tenantsWithEvents,
    deleteBefore,
    forgetKnownTenants: forget,
  };
  return new Proxy(store as T & { forgetKnownTenants(): void }, {
    get(target, property) {
      if (property in overrides) return overrides[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
