/**
 * The business quantities Pulse reports, each defined here once: which events and properties feed them
 * and how they combine. Plain data and pure functions without imports, so the server (its JS and its SQL
 * builders, which render these definitions) and the dashboard (over live deltas) share them.
 */

const DAY_MS = 86_400_000;

/** Σ `amount` over the events of `event` whose `side` property equals `value`. */
export interface ConditionalSum {
  /** What it is, in plain words (shown where the number is explained). */
  readonly label: string;
  readonly event: string;
  readonly amount: string;
  readonly side: string;
  readonly value: string;
}

/** Revenue protected or gained. */
export const positiveRevenueImpact = {
  label: 'Revenue gained or protected',
  event: 'revenue_impact_event',
  amount: 'impact_amount',
  side: 'impact_type',
  value: 'positive',
} as const satisfies ConditionalSum;

/** Revenue lost. */
export const negativeRevenueImpact = {
  ...positiveRevenueImpact,
  label: 'Revenue lost (at risk)',
  value: 'negative',
} as const;

/** Realized savings: implemented optimizations (rejected ones save nothing). */
export const realizedSavings = {
  label: 'Realized savings',
  event: 'cost_optimization_event',
  amount: 'savings_amount',
  side: 'optimization_type',
  value: 'implemented',
} as const satisfies ConditionalSum;

/** Projected savings: optimizations identified and not yet implemented. */
export const projectedSavings = {
  ...realizedSavings,
  label: 'Projected savings',
  value: 'identified',
} as const;

/** The formula of a conditional sum in plain words. */
export const sumFormula = (m: ConditionalSum): string =>
  `The sum of ${m.amount} over every ${m.event} with ${m.side} = ${m.value}.`;

/** A function together with its formula in plain words, so the words stay beside what they describe. */
export const explained = <F extends (...args: never[]) => unknown>(
  formula: string,
  f: F,
): F & { formula: string } => Object.assign(f, { formula });

/** Whether an event with these properties counts toward `measure` (its type is the caller's to check). */
export const countsToward = (
  measure: ConditionalSum,
  properties: Readonly<Record<string, unknown>>,
): boolean => properties[measure.side] === measure.value;

/** The mean of `rate` weighted by `weight`, over the events of `event` that carry a rate. */
export interface WeightedRate {
  readonly label: string;
  readonly event: string;
  readonly rate: string;
  readonly weight: string;
}

/** Bounce rate, weighted by the emails each event covers. */
export const bounceRate = {
  label: 'Bounce rate (email-weighted)',
  event: 'email_deliverability_event',
  rate: 'bounce_rate',
  weight: 'email_count',
} as const satisfies WeightedRate;

/** Spam-complaint rate, weighted likewise. */
export const spamRate = {
  ...bounceRate,
  label: 'Spam-complaint rate (email-weighted)',
  rate: 'spam_rate',
} as const;

/** Σ rate × weight / Σ weight; null without weight. */
export const weightedMean = explained(
  'The sum of rate × weight divided by the sum of the weights, over the events that report a rate; none without weight.',
  (weightedSum: number, weight: number): number | null => (weight > 0 ? weightedSum / weight : null),
);

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

/**
 * The mean, per tenant, over each `key` with a reading in the window, of its latest `score`: a reading
 * replaces the ones before it, so an old reading of a metric weighs nothing once a newer one exists.
 */
export interface LatestMean {
  readonly label: string;
  readonly event: string;
  readonly score: string;
  readonly key: string;
}

/** The operational efficiency score: each efficiency metric's latest score, averaged over the metrics. */
export const operationalEfficiency = {
  label: 'Operational efficiency score',
  event: 'operational_efficiency_event',
  score: 'efficiency_score',
  key: 'efficiency_metric',
} as const satisfies LatestMean;

/** Net revenue impact: positive − negative. */
export const netRevenueImpact = explained(
  'Revenue gained or protected minus revenue lost: each revenue_impact_event adds its impact_amount when positive and subtracts it when negative.',
  (positive: number, negative: number): number => positive - negative,
);

/** Business performance score: (positive − negative) / (positive + negative) × 100, 0 when both are 0. */
export const businessPerformanceScore = explained(
  '(gained − lost) / (gained + lost) × 100, from −100 (all lost) to 100 (all gained); 0 when there is no revenue impact.',
  (positive: number, negative: number): number => {
    const total = positive + negative;
    return total === 0 ? 0 : (netRevenueImpact(positive, negative) / total) * 100;
  },
);

/** Positive revenue impact of a window scaled to 30 days. */
export const monthlyRevenueProtection = explained(
  'Revenue gained or protected in the window, scaled to 30 days: × 30 / the window length in days.',
  (positive: number, windowMs: number): number => (positive * 30) / (windowMs / DAY_MS),
);

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
