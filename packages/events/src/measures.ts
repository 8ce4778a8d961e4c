/**
 * The business quantities Pulse reports, each defined here once: which events and properties feed them
 * and how they combine. Plain data and pure functions without imports, so the server (its JS and its SQL
 * builders, which render these definitions) and the dashboard (over live deltas) share them.
 */

const DAY_MS = 86_400_000;

/** Σ `amount` over the events of `event` whose `side` property equals `value`. */
export interface ConditionalSum {
  readonly event: string;
  readonly amount: string;
  readonly side: string;
  readonly value: string;
}

/** Revenue protected or gained. */
export const positiveRevenueImpact = {
  event: 'revenue_impact_event',
  amount: 'impact_amount',
  side: 'impact_type',
  value: 'positive',
} as const satisfies ConditionalSum;

/** Revenue lost. */
export const negativeRevenueImpact = { ...positiveRevenueImpact, value: 'negative' } as const;

/** Realized savings: implemented optimizations (rejected ones save nothing). */
export const realizedSavings = {
  event: 'cost_optimization_event',
  amount: 'savings_amount',
  side: 'optimization_type',
  value: 'implemented',
} as const satisfies ConditionalSum;

/** Projected savings: optimizations identified and not yet implemented. */
export const projectedSavings = { ...realizedSavings, value: 'identified' } as const;

/** Whether an event with these properties counts toward `measure` (its type is the caller's to check). */
export const countsToward = (
  measure: ConditionalSum,
  properties: Readonly<Record<string, unknown>>,
): boolean => properties[measure.side] === measure.value;

/** The mean of `rate` weighted by `weight`, over the events of `event` that carry a rate. */
export interface WeightedRate {
  readonly event: string;
  readonly rate: string;
  readonly weight: string;
}

/** Bounce rate, weighted by the emails each event covers. */
export const bounceRate = {
  event: 'email_deliverability_event',
  rate: 'bounce_rate',
  weight: 'email_count',
} as const satisfies WeightedRate;

/** Spam-complaint rate, weighted likewise. */
export const spamRate = { ...bounceRate, rate: 'spam_rate' } as const;

/** Σ rate × weight / Σ weight; null without weight. */
export const weightedMean = (weightedSum: number, weight: number): number | null =>
  weight > 0 ? weightedSum / weight : null;

/**
 * Cost run-rate: Σ of the latest `cost` (a monthly run-rate) of each resource, the resource being
 * `entity`, or `group` for events without one; `group` is also what per-type budgets are set on.
 */
export const costRunRate = {
  event: 'resource_usage_event',
  cost: 'total_cost',
  entity: 'resource_id',
  group: 'resource_type',
} as const;

/**
 * The resource a resource_usage event is about: its `entity`, else its `group` (validation already fills
 * one from the other; events stored before that rule still resolve alike).
 */
export function resourceOf(properties: Readonly<Record<string, unknown>>): string | null {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return text(properties[costRunRate.entity]) ?? text(properties[costRunRate.group]);
}

/** Net revenue impact: positive − negative. */
export const netRevenueImpact = (positive: number, negative: number): number => positive - negative;

/** Business performance score: (positive − negative) / (positive + negative) × 100, 0 when both are 0. */
export function businessPerformanceScore(positive: number, negative: number): number {
  const total = positive + negative;
  return total === 0 ? 0 : (netRevenueImpact(positive, negative) / total) * 100;
}

/** Positive revenue impact of a window scaled to 30 days. */
export const monthlyRevenueProtection = (positive: number, windowMs: number): number =>
  (positive * 30) / (windowMs / DAY_MS);

/** Bounce rate at which deliverability counts as failing: its health score reaches 0, a critical alert fires. */
export const bounceRateLimit = 0.15;

/**
 * Efficiency score under which a metric counts as failing and a high alert fires. Healthy metrics live
 * between 60 and 90; under 55 a metric is in the bottom third of its range, which takes a real decline.
 */
export const efficiencyScoreFloor = 55;

/** Return on investment of a decision: (revenue − cost) / cost, null without both or without a positive cost. */
export const returnOnInvestment = (revenue: number | null, cost: number | null): number | null =>
  revenue === null || cost === null || cost <= 0 ? null : (revenue - cost) / cost;
