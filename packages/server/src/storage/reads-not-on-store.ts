import { DomainError } from '../errors.js';
import type { CaptureCountStore, InsightStore } from './insight-store.js';

/**
 * The insight store of an event engine that answers decisions and benchmark totals but not alert timings
 * (they join the alerts with the events that triggered them): capture counts come from the state, the
 * impact report is refused with a clear error, and the rest of Pulse runs on that engine.
 */
export function insightsWithoutAlertTimings(
  events: Pick<InsightStore, 'decisions' | 'tenantTotals'>,
  counts: CaptureCountStore,
  engine: string,
): InsightStore {
  return {
    decisions: (query) => events.decisions(query),
    tenantTotals: (query) => events.tenantTotals(query),
    alertTimings: async () => {
      throw new DomainError(
        'not_on_this_store',
        `the impact report joins alerts with the events that triggered them, which this build cannot do on ${engine} yet`,
      );
    },
    addCaptureCounts: (rows) => counts.addCaptureCounts(rows),
    captureCounts: (query) => counts.captureCounts(query),
  };
}
