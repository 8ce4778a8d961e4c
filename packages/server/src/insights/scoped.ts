import type { Benchmarks, BusinessImpact } from '@pulse/api';
import type { Rule } from '../alerts/rule-model.js';
import type { AlertStore } from '../storage/alert-store.js';
import type { CaptureCountStore, InsightReads } from '../storage/insight-store.js';
import type { TenantScope } from '../storage/query-runner.js';
import { alertTimings } from './alert-timings.js';
import { benchmarks } from './benchmarks.js';
import { DECISIONS_READ_LIMIT, type Window } from './decisions.js';
import { businessImpact, captureDays, dayText } from './impact.js';

/** Alerts one impact answer reads at most (the newest of its two periods). */
const ALERTS_READ_LIMIT = 20_000;

/** What the outcome insights read: the API and the scheduled reports pass the same. */
export interface InsightSources {
  /** The event engine's reads. */
  store: InsightReads;
  captureCounts: CaptureCountStore;
  alerts: Pick<AlertStore, 'listAlerts'>;
  rules: { rules(): readonly Rule[] };
  /** Stores the capture counts still in memory, so an answer includes every capture so far. */
  flushCaptureCounts?: () => Promise<void>;
}

/** The scope's benchmarks over the window: percentiles among every tenant, shown only for the scope's own. */
export async function scopedBenchmarks(
  store: Pick<InsightReads, 'tenantTotals'>,
  scope: TenantScope,
  window: Window,
): Promise<Benchmarks> {
  // Every tenant's totals: a percentile is a position among all of them, whoever asks.
  return benchmarks(await store.tenantTotals(window), scope, window);
}

/** The scope's business impact over the window, against the period of the same length just before. */
export async function scopedImpact(
  sources: InsightSources,
  scope: TenantScope,
  current: Window,
): Promise<BusinessImpact> {
  const { store } = sources;
  const previous = { from: current.from - (current.to - current.from), to: current.from };
  const visible = (t: { tenantId: string }) => scope === 'all' || scope.includes(t.tenantId);
  await sources.flushCaptureCounts?.();
  const days = { first: captureDays(previous).first, last: captureDays(current).last };
  const [decisions, alerts, totalsNow, totalsBefore, capture] = await Promise.all([
    store.decisions({ tenants: scope, to: current.to, limit: DECISIONS_READ_LIMIT }),
    alertTimings(
      { alerts: sources.alerts, reads: store },
      { tenants: scope, from: previous.from, to: current.to, limit: ALERTS_READ_LIMIT },
    ),
    store.tenantTotals(current),
    store.tenantTotals(previous),
    sources.captureCounts.captureCounts({
      tenants: scope,
      fromDay: dayText(days.first),
      toDay: dayText(days.last),
    }),
  ]);
  const absenceRules = new Set(
    sources.rules
      .rules()
      .filter((r) => r.condition.kind === 'overdue')
      .map((r) => r.id),
  );
  return businessImpact({
    current,
    previous,
    decisions: decisions.records,
    alerts,
    absenceRules,
    totals: { current: totalsNow.filter(visible), previous: totalsBefore.filter(visible) },
    capture,
  });
}
