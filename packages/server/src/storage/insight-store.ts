import type { TenantScope } from './query-runner.js';

/** One decision (its events linked by decision_id, else the event's own uuid), folded from all its events. */
export interface DecisionRecord {
  tenantId: string;
  decisionId: string;
  /** Newest value given by any of its events (a later event without one keeps the earlier value). */
  decisionType: string | null;
  title: string | null;
  status: string | null;
  decisionMaker: string | null;
  expectedRevenue: number | null;
  expectedCost: number | null;
  actualRevenue: number | null;
  actualCost: number | null;
  nextReviewAt: number | null;
  firstEventAt: number;
  lastEventAt: number;
  /** Timestamp of the first event that reported each status (absent: never reported). */
  firstAtByStatus: Readonly<Record<string, number>>;
}

/** What one tenant's events of a window add up to, for benchmarking; null: no event of that kind. */
export interface TenantTotals {
  tenantId: string;
  revenue: { positive: number; negative: number } | null;
  savings: { realized: number; projected: number } | null;
  /** Σ email_count over reports with a bounce rate, and Σ bounce_rate × email_count over them. */
  email: { emails: number; bouncedWeight: number } | null;
  /** Σ and count of the latest efficiency_score per metric. */
  efficiency: { sum: number; readings: number } | null;
}

export const captureOutcomes = ['received', 'accepted', 'quarantined', 'refused', 'refusedRequests'] as const;
export type CaptureOutcome = (typeof captureOutcomes)[number];

/** Capture counts of one UTC day and tenant ('' for events without one and unread requests). */
export interface CaptureCounts extends Record<CaptureOutcome, number> {
  day: string;
  tenantId: string;
}

/**
 * The insight reports' reads of stored events, answered by the event engine; each bounded by its arguments.
 */
export interface InsightReads {
  /** The decisions of a scope with an event before `to`, most recently active first, at most `limit`. */
  decisions(query: {
    tenants: TenantScope;
    to: number;
    limit: number;
  }): Promise<{ records: DecisionRecord[]; truncated: boolean }>;
  /** Per tenant with events in [from, to): the totals its benchmark KPIs are computed from. */
  tenantTotals(query: { from: number; to: number }): Promise<TenantTotals[]>;
  /**
   * The timestamp of each of these events that is stored with a timestamp ≥ `since`, by uuid as given
   * (an unknown, malformed or older uuid is absent).
   */
  eventTimes(query: { uuids: readonly string[]; since: number }): Promise<Map<string, number>>;
}

/** The capture counters: state, kept where the other state is (the embedded store or PostgreSQL). */
export interface CaptureCountStore {
  /** Adds counts to the stored ones of their (day, tenant), in one transaction. */
  addCaptureCounts(rows: readonly CaptureCounts[]): Promise<void>;
  /** Stored counts of the days in [fromDay, toDay] (YYYY-MM-DD), of a scope's tenants. */
  captureCounts(query: { tenants: TenantScope; fromDay: string; toDay: string }): Promise<CaptureCounts[]>;
}
