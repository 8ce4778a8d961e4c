import type { Trend, TrendComparison } from '@pulse/events/trend';

/**
 * The executive summary as analytics computes it; the API's schema (packages/api) mirrors every field.
 * Money is USD (major units); times are epoch ms (UTC) here and ISO 8601 strings in the API's answer
 * (present-summary.ts).
 */

/** Which tenants a summary covers: the caller resolves its visible tenants before asking. */
export interface SummaryScope {
  /** Tenant ids, or `'all'` for every tenant that has business events. Unknown ids contribute nothing. */
  tenants: readonly string[] | 'all';
}

/** A half-open time range [from, to), epoch ms. */
export interface TimeWindow {
  from: number;
  to: number;
}

export type { Trend, TrendComparison };

/** trendAnalysis: current window against the previous one. */
export interface TrendAnalysis {
  /** On net revenue impact (positive − negative): > +5 % improving, < −5 % declining, else stable. */
  revenueTrend: Trend;
  /** On realized savings (implemented optimizations): same ±5 % thresholds. */
  costTrend: Trend;
  /** On operationalEfficiencyScore: more than ±2 points up or down, else stable. */
  efficiencyTrend: Trend;
  revenue: TrendComparison;
  cost: TrendComparison;
  efficiency: TrendComparison;
}

/** Key metrics of the window. */
export interface KeyMetrics {
  /** positiveRevenueImpact scaled to 30 days: × 30 / (length of the window in days, fractional). */
  monthlyRevenueProtection: number;
  /** Realized savings: Σ savings_amount of cost_optimization_event with optimization_type = implemented. */
  costOptimizationSavings: number;
  /** Projected savings: Σ savings_amount with optimization_type = identified. */
  projectedSavings: number;
  /**
   * Mean, over each (tenant, efficiency_metric) with a reading in the window, of its latest efficiency_score
   * in the window; null when there is no reading. Latest = newest timestamp; readings of one metric stamped
   * with the same millisecond resolve to the lower score.
   */
  operationalEfficiencyScore: number | null;
  /** Count of distinct (tenant, decision_id) among strategic_decision_event in the window. */
  strategicDecisionsTracked: number;
  /** (positive − negative) / (positive + negative) × 100, in −100..100; 0 when both are 0. */
  businessPerformanceScore: number;
  /** Σ impact_amount of revenue_impact_event with impact_type = negative. */
  negativeRevenueImpact: number;
  /** Σ impact_amount of revenue_impact_event with impact_type = positive. */
  positiveRevenueImpact: number;
}

/** One health component: its score, its nominal and effective weight, and what it was computed from. */
export interface HealthComponent<Inputs> {
  /** 0..100, or null when the window has no data for it (it then takes no part in the health score). */
  score: number | null;
  /** Nominal weight (health.ts). */
  weight: number;
  /** Weight after renormalisation over the components present (0 when absent); present ones sum to 1. */
  effectiveWeight: number;
  inputs: Inputs;
}

/** Health components, each 0..100. */
export interface HealthComponents {
  /** R = 50 + businessPerformanceScore / 2; present when the window has a revenue_impact_event. */
  revenue: HealthComponent<{
    positive: number;
    negative: number;
    businessPerformanceScore: number;
    events: number;
  }>;
  /** E = operationalEfficiencyScore; present when it is not null. */
  efficiency: HealthComponent<{ operationalEfficiencyScore: number | null; metrics: number }>;
  /**
   * D = 100 × (1 − min(1, b / 0.15)), b = Σ(bounce_rate × email_count) / Σ email_count over the
   * email_deliverability_event that carry a bounce_rate; present when that Σ email_count > 0.
   */
  deliverability: HealthComponent<{ bounceRate: number | null; emails: number; threshold: number }>;
  /** C = 100 × realized / (realized + projected); present when realized + projected > 0. */
  cost: HealthComponent<{ realized: number; projected: number }>;
  /**
   * U = 100 × costEfficient / resources over the latest snapshot in the window of each (tenant, resource_id)
   * whose cost_efficient is stated; present when there is at least one. Snapshots of one resource stamped with
   * the same millisecond resolve to the less favourable one (absent < false < true: the lowest wins).
   */
  resources: HealthComponent<{ resources: number; costEfficient: number }>;
}

/** An alert as the alert engine reports it; the summary lists the open critical ones. */
export interface AlertItem {
  id: string;
  rule: string;
  severity: 'critical' | 'high' | 'medium';
  tenantId: string;
  state: 'open' | 'acknowledged' | 'resolved';
  /** Ids of the events that triggered it. */
  eventIds: readonly string[];
  firstSeen: number;
  lastSeen: number;
  count: number;
  message?: string;
}

/** One recommended action and where it comes from. */
export interface RecommendedAction {
  /** The action text as sent (trimmed). */
  action: string;
  /** $ at stake of the event it came from (the largest among the events carrying it; see stakeOf). */
  atStake: number;
  eventType: string;
  tenantId: string;
  sourceEventUuid: string;
}

/** The executive summary of one scope and window. */
export interface ExecutiveSummary {
  /** The window summarized, [from, to). */
  window: TimeWindow;
  /** The window of the same length just before it, [from − (to − from), from): the trends' baseline. */
  previousWindow: TimeWindow;
  /** Tenants in scope: the distinct ids asked for, or every tenant with business events for `'all'`. */
  tenants: number;
  /** When this summary was computed. */
  generatedAt: number;
  /**
   * The latest ingestion time of a late event whose timestamp falls in the window or the previous one, null if
   * none: when this summary's figures last changed for a period that had already closed. An event is late when
   * it was ingested more than one hour (LATE_GRACE_MS) after the end of the UTC day of its timestamp.
   * Only event types that feed the summary count (security_incident_event and generic events do not).
   */
  restatedAt: number | null;
  /** Weighted mean of the health components present, 0..100; null when none has data. */
  overallBusinessHealth: number | null;
  /** The five components behind overallBusinessHealth, for the dashboard to explain it. */
  healthComponents: HealthComponents;
  keyMetrics: KeyMetrics;
  /** Open alerts of severity critical in scope, newest (lastSeen) first. */
  criticalAlerts: AlertItem[];
  /**
   * Up to 5 distinct action strings from action_required, mitigation_actions (revenue), required_actions
   * (identified cost optimizations), recommendations (efficiency), actions_required (email) and
   * optimization_opportunities (resources) of events in the window, by $ at stake descending, then by text.
   */
  recommendedActions: RecommendedAction[];
  trendAnalysis: TrendAnalysis;
}
