import { bounceRateLimit, explained, weightedMean } from '@pulse/events/measures';
import type { HealthComponent, HealthComponents, KeyMetrics } from './summary-types.js';
import type { WindowTotals } from './window-totals.js';

/** The health components: nominal weight, and in plain words what `scores` below computes. */
export const HEALTH_COMPONENTS = {
  revenue: {
    label: 'Revenue health',
    weight: 0.35,
    formula:
      '50 + business performance score / 2: 0 when all revenue impact is lost, 100 when all is gained.',
  },
  efficiency: {
    label: 'Efficiency health',
    weight: 0.25,
    formula: 'The operational efficiency score itself.',
  },
  deliverability: {
    label: 'Deliverability health',
    weight: 0.2,
    formula: `100 × (1 − bounce rate / ${bounceRateLimit}), and 0 once the email-weighted bounce rate reaches ${bounceRateLimit}.`,
  },
  cost: {
    label: 'Cost health',
    weight: 0.1,
    formula: '100 × realized savings / (realized + projected savings).',
  },
  resources: {
    label: 'Resources health',
    weight: 0.1,
    formula:
      'The share (× 100) of resources whose latest snapshot in the window says cost_efficient = true, among those whose latest snapshot says true or false.',
  },
} as const;

export type HealthComponentName = keyof typeof HEALTH_COMPONENTS;

/** Nominal weights of the health components. */
export const HEALTH_WEIGHTS = Object.fromEntries(
  Object.entries(HEALTH_COMPONENTS).map(([name, c]) => [name, c.weight]),
) as Record<HealthComponentName, number>;

export const overallHealthFormula =
  'The weighted mean of the health components that have data in the window, their weights rescaled to sum to 1; none without any data.';

/** Mean of the latest score per (tenant, metric): the accumulator keeps only the latest (window-totals.ts). */
export const operationalEfficiencyScore = explained(
  'The mean, over each (tenant, efficiency_metric) with a reading in the window, of its latest efficiency_score (a same-millisecond tie counts the lower score).',
  (t: WindowTotals): number | null =>
    t.efficiencyReadings === 0 ? null : t.efficiencySum / t.efficiencyReadings,
);

/** Component scores (null = no data in the window) and their inputs, before weighting. */
function scores(t: WindowTotals, metrics: KeyMetrics) {
  const bounceRate = weightedMean(t.bouncedEmails, t.emails);
  const moneyTotal = t.realized + t.projected;
  return {
    revenue: {
      score: t.revenueEvents > 0 ? 50 + metrics.businessPerformanceScore / 2 : null,
      inputs: {
        positive: t.revenuePositive,
        negative: t.revenueNegative,
        businessPerformanceScore: metrics.businessPerformanceScore,
        events: t.revenueEvents,
      },
    },
    efficiency: {
      score: metrics.operationalEfficiencyScore,
      inputs: {
        operationalEfficiencyScore: metrics.operationalEfficiencyScore,
        metrics: t.efficiencyReadings,
      },
    },
    deliverability: {
      score: bounceRate === null ? null : 100 * (1 - Math.min(1, bounceRate / bounceRateLimit)),
      inputs: { bounceRate, emails: t.emails, threshold: bounceRateLimit },
    },
    cost: {
      score: moneyTotal > 0 ? (100 * t.realized) / moneyTotal : null,
      inputs: { realized: t.realized, projected: t.projected },
    },
    resources: {
      score: t.resources > 0 ? (100 * t.costEfficient) / t.resources : null,
      inputs: { resources: t.resources, costEfficient: t.costEfficient },
    },
  };
}

/**
 * overallBusinessHealth: the weighted mean of the components that have data, weights renormalised over them
 * (effectiveWeight = weight / Σ weights present); null when none has data.
 */
export function businessHealth(
  t: WindowTotals,
  metrics: KeyMetrics,
): { overall: number | null; components: HealthComponents } {
  const raw = scores(t, metrics);
  const names = Object.keys(HEALTH_WEIGHTS) as (keyof typeof HEALTH_WEIGHTS)[];
  const present = names.reduce((sum, name) => sum + (raw[name].score === null ? 0 : HEALTH_WEIGHTS[name]), 0);
  let overall = 0;
  const weigh = <I>(
    name: keyof typeof HEALTH_WEIGHTS,
    c: { score: number | null; inputs: I },
  ): HealthComponent<I> => {
    const weight = HEALTH_WEIGHTS[name];
    const effectiveWeight = c.score === null ? 0 : weight / present;
    if (c.score !== null) overall += c.score * effectiveWeight;
    return { score: c.score, weight, effectiveWeight, inputs: c.inputs };
  };
  const components: HealthComponents = {
    revenue: weigh('revenue', raw.revenue),
    efficiency: weigh('efficiency', raw.efficiency),
    deliverability: weigh('deliverability', raw.deliverability),
    cost: weigh('cost', raw.cost),
    resources: weigh('resources', raw.resources),
  };
  return { overall: present === 0 ? null : overall, components };
}
