import type { BusinessEventName } from '@pulse/events';
import type { StoredEvent } from './event-store.js';

/**
 * Which events make one number and what each adds to it: the read side of an explanation. Property names
 * come from the metric definitions (analytics/explained-metrics.ts), never from a request.
 */
export interface ContributionRule {
  event: BusinessEventName;
  /** Only events whose `property` is one of `values`. */
  match?: { property: string; values: readonly string[] };
  /** Only events that carry this property. */
  requires?: string;
  /**
   * What one event adds: a numeric property (negated on the events where `negate` matches), a boolean
   * property as 1 (true) or 0 (false), or 1 per event.
   */
  amount:
    { property: string; negate?: { property: string; value: string } } | { flag: string } | { count: true };
  /**
   * Only the latest event (by timestamp) of each (tenant, key) counts, the key being the first of these
   * properties that is present (`uuid`: the event's own id). Same-millisecond ties go to the lowest amount
   * (an absent one lowest, as the summary resolves them); a latest event without an amount adds nothing and
   * is left out.
   */
  latestPer?: readonly string[];
}

export interface ContributionFilter {
  rule: ContributionRule;
  /** Tenants the caller may see; undefined = all. Events without a tenant never count. */
  tenants?: readonly string[];
  /** The window [from, to), epoch ms, by event timestamp. */
  from: number;
  to: number;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Contribution {
  event: StoredEvent;
  amount: number;
}

/** Newest first (timestamp, then uuid), like listEvents. */
export interface ContributionPage {
  contributions: Contribution[];
  nextCursor: string | null;
}
