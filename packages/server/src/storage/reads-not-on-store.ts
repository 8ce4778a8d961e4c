import { DomainError } from '../errors.js';
import type { ForecastSeriesStore } from './forecast-series-store.js';
import type { CaptureCountStore, InsightStore } from './insight-store.js';

/** The refusal of a read the event engine has no implementation of in this build. */
const notOnStore = (what: string, engine: string) => async (): Promise<never> => {
  throw new DomainError(
    'not_on_this_store',
    `${what} read the stored events, which this build cannot do on ${engine} yet; run on the embedded store for them`,
  );
};

/**
 * The insight store of an event engine without insight reads: capture counts (state) work, the reports
 * that read events are refused with a clear error, so the rest of Pulse runs on that engine.
 */
export function insightsWithoutEventReads(counts: CaptureCountStore, engine: string): InsightStore {
  const refuse = notOnStore('insight reports (decisions, benchmarks, alert timings)', engine);
  return {
    decisions: refuse,
    tenantTotals: refuse,
    alertTimings: refuse,
    addCaptureCounts: (rows) => counts.addCaptureCounts(rows),
    captureCounts: (query) => counts.captureCounts(query),
  };
}

/** Forecasts and capacity plans on an event engine without their series reads: refused, clearly. */
export function forecastsWithoutEventReads(engine: string): ForecastSeriesStore {
  const refuse = notOnStore('forecasts and capacity plans', engine);
  return { dailyMetric: refuse, utilizationTrends: refuse };
}
