import type { AlertFilter, AlertGroupRow, AlertStore } from '../storage/alert-store.js';
import { decodeCursor, decodeKeyset, encodeCursor, encodeKeyset } from '../storage/cursor.js';
import type { AlertLifecycle } from './lifecycle.js';
import type { Silence, Silences } from './silences.js';
import type { Alert } from './types.js';

export const silencedModes = ['exclude', 'include', 'only'] as const;
export type SilencedMode = (typeof silencedModes)[number];

/** The filters of the inbox: the store's, with snoozed and muted alerts left out unless asked. */
export type InboxFilter = Omit<AlertFilter, 'silenced' | 'after'> & {
  silenced: SilencedMode;
  cursor?: string;
};

/** How many slices a group's sparkline has, and the span it covers when the filter gives none. */
export const SPARKLINE_SLICES = 30;
const SPARKLINE_SPAN_MS = 30 * 24 * 3_600_000;

export interface AlertGroup extends AlertGroupRow {
  sparkline: { from: number; to: number };
  mute: Silence | null;
  /** The alert seen last: what the row shows, and the row itself when the group holds just one. */
  latest: Alert;
}

function groupCursor(g: Pick<AlertGroupRow, 'lastSeen' | 'tenantId' | 'ruleId'>): string {
  return encodeKeyset([g.lastSeen, g.tenantId, g.ruleId]);
}

function decodeGroupCursor(cursor: string): { lastSeen: number; tenantId: string; ruleId: string } {
  return decodeKeyset(
    cursor,
    ([lastSeen, tenantId, ruleId]) =>
      Number.isSafeInteger(lastSeen) && typeof tenantId === 'string' && typeof ruleId === 'string'
        ? { lastSeen: lastSeen as number, tenantId, ruleId }
        : undefined,
    ' of groups',
  );
}

/**
 * The inbox's reads: pages of alerts and of groups. A group is the repeats of one problem, the alerts of
 * one tenant and one rule (the store groups by exactly that); snoozed and muted alerts are left out by
 * default. Pages are keyset cursors over the store's order (newest last seen first).
 */
export function createAlertInbox(deps: {
  store: Pick<AlertStore, 'listAlerts' | 'alertGroups'>;
  lifecycle: Pick<AlertLifecycle, 'get'>;
  silences: Pick<Silences, 'silencedSet' | 'covering'>;
  clock: () => number;
}) {
  const { store, lifecycle, silences, clock } = deps;

  const storeFilter = (filter: InboxFilter): Omit<AlertFilter, 'after'> => {
    const { silenced, cursor: _cursor, ...rest } = filter;
    return silenced === 'include'
      ? rest
      : { ...rest, silenced: { mode: silenced, set: silences.silencedSet() } };
  };

  return {
    async alerts(filter: InboxFilter): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const stored = await store.listAlerts({
        ...storeFilter(filter),
        ...(after ? { after: { lastSeen: after.timestamp, id: after.uuid } } : {}),
        limit: filter.limit + 1,
      });
      const page = stored.slice(0, filter.limit);
      const last = page[page.length - 1];
      // The page boundary is the stored order; the alerts shown are the fresher copies held in memory.
      return {
        alerts: page.map((a) => lifecycle.get(a.id) ?? a),
        nextCursor: stored.length > filter.limit && last ? encodeCursor(last.lastSeen, last.id) : null,
      };
    },

    async groups(filter: InboxFilter): Promise<{ groups: AlertGroup[]; nextCursor: string | null }> {
      const to = filter.to ?? clock();
      const from = filter.from ?? to - SPARKLINE_SPAN_MS;
      const rows = await store.alertGroups({
        filter: { ...storeFilter(filter), limit: filter.limit + 1 },
        ...(filter.cursor === undefined ? {} : { after: decodeGroupCursor(filter.cursor) }),
        slices: { from, to, count: SPARKLINE_SLICES },
      });
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      const ids = page.map((row) => row.latestId);
      const latest = new Map(
        (ids.length ? await store.listAlerts({ ids, limit: ids.length }) : []).map((a) => [a.id, a]),
      );
      return {
        groups: page.flatMap((row) => {
          const alert = latest.get(row.latestId);
          if (!alert) return [];
          const silence = silences.covering({ id: '', tenantId: row.tenantId, ruleId: row.ruleId });
          return [
            {
              ...row,
              sparkline: { from, to },
              mute: silence?.kind === 'mute' ? silence : null,
              latest: lifecycle.get(alert.id) ?? alert,
            },
          ];
        }),
        nextCursor: rows.length > filter.limit && last ? groupCursor(last) : null,
      };
    },
  };
}
