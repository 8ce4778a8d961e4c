import type { Alert } from '../alerts/types.js';
import type { AlertStore } from '../storage/alert-store.js';
import type { InsightReads } from '../storage/insight-store.js';
import type { TenantScope } from '../storage/query-runner.js';
import { DAY_MS } from './decisions.js';

/** An alert (not a backfill) and the times that measure how fast its issue was seen and taken up. */
export interface AlertTiming {
  alertId: string;
  tenantId: string;
  ruleId: string;
  /** When Pulse opened the alert. */
  alertedAt: number;
  acknowledgedAt: number | null;
  /** Timestamp of the earliest stored event among its triggers; null when none is stored. */
  firstEventAt: number | null;
}

/** How far before a window an alert's triggering events are looked for (bounds the scan of the events). */
const TRIGGER_LOOKBACK_MS = 90 * DAY_MS;
/** Alerts read per page while looking for those opened in the window. */
const PAGE = 1000;

const newestOpenedFirst = (a: Alert, b: Alert) =>
  b.firstSeen - a.firstSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Alerts of a scope opened in [from, to), not backfills, at most `limit`, newest opened first. The store
 * lists alerts seen in the window by last seen, newest first; as an alert is last seen no earlier than it
 * was opened, paging stops once a page's oldest last-seen is older than the `limit`-th opening found.
 */
async function openedAlerts(
  alerts: Pick<AlertStore, 'listAlerts'>,
  query: { tenants: TenantScope; from: number; to: number; limit: number },
): Promise<Alert[]> {
  if (query.tenants !== 'all' && !query.tenants.length) return [];
  const found: Alert[] = [];
  let after: { lastSeen: number; id: string } | undefined;
  for (;;) {
    const page = await alerts.listAlerts({
      ...(query.tenants === 'all' ? {} : { tenants: query.tenants }),
      from: query.from,
      to: query.to,
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const a of page)
      if (!a.backfill && a.firstSeen >= query.from && a.firstSeen < query.to) found.push(a);
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = { lastSeen: last.lastSeen, id: last.id };
    if (found.length >= query.limit) {
      found.sort(newestOpenedFirst);
      found.length = query.limit;
      if (last.lastSeen < (found.at(-1)?.firstSeen ?? 0)) break;
    }
  }
  return found.sort(newestOpenedFirst).slice(0, query.limit);
}

/**
 * The alerts opened in the window with their times: the alerts from the state's alert store, each one's
 * first triggering event from the event engine (two reads, since the two may be different databases).
 */
export async function alertTimings(
  sources: { alerts: Pick<AlertStore, 'listAlerts'>; reads: Pick<InsightReads, 'eventTimes'> },
  query: { tenants: TenantScope; from: number; to: number; limit: number },
): Promise<AlertTiming[]> {
  const opened = await openedAlerts(sources.alerts, query);
  const uuids = [...new Set(opened.flatMap((a) => a.eventUuids))];
  const times = uuids.length
    ? await sources.reads.eventTimes({ uuids, since: query.from - TRIGGER_LOOKBACK_MS })
    : new Map<string, number>();
  return opened.map((a) => {
    const stored = a.eventUuids.flatMap((uuid) => times.get(uuid) ?? []);
    return {
      alertId: a.id,
      tenantId: a.tenantId,
      ruleId: a.ruleId,
      alertedAt: a.firstSeen,
      acknowledgedAt: a.acknowledgedAt,
      firstEventAt: stored.length ? Math.min(...stored) : null,
    };
  });
}
