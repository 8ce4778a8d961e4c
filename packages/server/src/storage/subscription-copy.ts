import type { Logger } from 'pino';
import type { StoredSubscription, SubscriptionStore } from './subscription-store.js';
import type { SyncStore } from './sync-store.js';

/**
 * The event engine's read-only copy of the subscriptions, for the reads that join them with events inside
 * the engine (the named reports, /api/query's `subscriptions` view) while the state is kept in another
 * database. One row per tenant, so a refresh replaces the whole copy.
 */
export interface SubscriptionCopy {
  replace(subscriptions: readonly StoredSubscription[]): Promise<void>;
}

/** How often the copy is compared with the state, for writes made by other processes. */
export const SUBSCRIPTION_COPY_REFRESH_MS = 30_000;

export interface KeptSubscriptionCopy {
  subscriptions: SubscriptionStore;
  sync: SyncStore;
  /** Copies the state now (after what is already queued); resolves once the copy matches it. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Keeps `copy` equal to the state's subscriptions: at start, after every write through the returned stores
 * (which resolves once the copy has it), and every SUBSCRIPTION_COPY_REFRESH_MS. Refreshes run one after
 * another, each reading the state when it starts, so the last one copies the last write; the copy is
 * rewritten only when the subscriptions changed. A failed refresh is logged (the state holds the write)
 * and the next one copies everything again.
 */
export async function keepSubscriptionCopy(
  state: { subscriptions: SubscriptionStore; sync: SyncStore },
  copy: SubscriptionCopy,
  logger?: Logger,
): Promise<KeptSubscriptionCopy> {
  let copied: string | null = null;
  let queue: Promise<void> = Promise.resolve();
  const copyNow = async () => {
    const subscriptions = await state.subscriptions.list();
    const text = JSON.stringify(subscriptions);
    if (text === copied) return;
    copied = null;
    await copy.replace(subscriptions);
    copied = text;
  };
  const refresh = () =>
    (queue = queue.then(copyNow).catch((error: unknown) => {
      logger?.error({ err: error }, 'copying the subscriptions to the event store failed; retrying later');
    }));
  // The first copy must succeed: the reports would read an empty or stale copy.
  await copyNow();
  const refreshed = async <R>(write: Promise<R>): Promise<R> => {
    try {
      return await write;
    } finally {
      await refresh();
    }
  };
  const timer = setInterval(() => void refresh(), SUBSCRIPTION_COPY_REFRESH_MS);
  timer.unref();
  const { subscriptions, sync } = state;
  return {
    subscriptions: {
      upsert: (rows) => refreshed(subscriptions.upsert(rows)),
      list: (tenants) => subscriptions.list(tenants),
      remove: (tenantId) => refreshed(subscriptions.remove(tenantId)),
    },
    sync: {
      applySubscriptions: (source, read, at) => refreshed(sync.applySubscriptions(source, read, at)),
      applyTenantNames: (source, read, at) => refreshed(sync.applyTenantNames(source, read, at)),
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
