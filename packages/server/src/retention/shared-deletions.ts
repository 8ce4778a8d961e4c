import type { StateChange, StateOwner } from '../cluster/ports.js';

/**
 * What a process builds from the stored events (the summary rollups, the tenants known to have events) is
 * stale once any process deletes events. A deletion here refreshes this process's copies and is announced;
 * one announced by another process refreshes them here, and so does a full reload (after a lost connection,
 * or events of other processes missed on the bus).
 */
export function sharedDeletions(refresh: () => Promise<unknown>): {
  owner: StateOwner;
  /** After this process deleted events: refresh here, then tell the others. */
  deleted: () => Promise<void>;
} {
  const listeners = new Set<(change: StateChange) => void>();
  return {
    owner: {
      kinds: ['events-deleted'],
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      apply: async () => {
        await refresh();
      },
      reloadAll: async () => {
        await refresh();
      },
    },
    deleted: async () => {
      await refresh();
      for (const listener of listeners) listener({ kind: 'events-deleted', id: '' });
    },
  };
}
