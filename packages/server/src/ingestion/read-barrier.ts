import type { EventHistorySource } from '../storage/alert-store.js';
import type { AnalyticsReads } from '../storage/analytics-reads.js';
import type { EventStore } from '../storage/event-store.js';
import type { InsightReads } from '../storage/insight-store.js';
import type { QueryRunner } from '../storage/query-runner.js';
import type { ForecastSeriesStore } from '../storage/forecast-series-store.js';

/** Waits until the store holds everything acknowledged before the call (IngestPipeline.barrier). */
export type Barrier = () => Promise<void>;

/** Event-store reads that must see acknowledged events (read-your-writes), and retention's deletes. */
const behindBarrier = new Set<string>([
  'listEvents',
  'countEvents',
  'listTenants',
  'tenantsWithEvents',
  'nearestTenants',
  'listQuarantine',
  'getQuarantined',
  'deleteBefore',
]);

/**
 * An object whose listed methods first pass the read barrier; everything else goes straight through
 * (writes, dedup lookups and any method added later).
 */
function gate<T extends object>(target: T, methods: ReadonlySet<string | symbol>, barrier: Barrier): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!methods.has(property)) return method.bind(object);
      return async (...args: unknown[]) => {
        await barrier();
        return method.apply(object, args);
      };
    },
  });
}

/** The event store as the API reads it: /api/events, quarantine list and replay wait for the loader. */
export function eventStoreBehindBarrier<T extends EventStore>(store: T, barrier: Barrier): T {
  return gate(store, behindBarrier, barrier);
}

/** A rule preview replays stored history: it waits for the loader so acknowledged events are in it. */
export function alertStoreBehindBarrier<T extends EventHistorySource>(store: T, barrier: Barrier): T {
  return gate(store, new Set(['eventsBetween']), barrier);
}

/** Ad-hoc SQL (/api/query) waits for the loader. */
export function queryRunnerBehindBarrier<T extends QueryRunner>(runner: T, barrier: Barrier): T {
  return gate(runner, new Set(['run']), barrier);
}

/**
 * Analytics' reads (the startup rebuild, edge days, chart series, reports) wait too; the summary's live
 * rollups come from the stream.
 */
export function analyticsReadsBehindBarrier<T extends AnalyticsReads>(reads: T, barrier: Barrier): T {
  return gate(
    reads,
    new Set(['rebuildRows', 'edgeFacts', 'eventDeletions', 'chartSeries', 'reportRows']),
    barrier,
  );
}

/** The insight reports read decisions, tenants' totals and alerts' triggering events after the loader. */
export function insightReadsBehindBarrier<T extends InsightReads>(reads: T, barrier: Barrier): T {
  return gate(reads, new Set(['decisions', 'tenantTotals', 'eventTimes']), barrier);
}

/** Forecasts and capacity plans read the store: they wait for the loader too. */
export function forecastSeriesBehindBarrier<T extends ForecastSeriesStore>(store: T, barrier: Barrier): T {
  return gate(store, new Set(['dailyMetric', 'utilizationTrends']), barrier);
}
