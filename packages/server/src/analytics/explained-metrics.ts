import {
  bounceRate,
  bounceRateLimit,
  businessPerformanceScore,
  monthlyRevenueProtection,
  negativeRevenueImpact,
  netRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  sumFormula,
  weightedMean,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { ContributionRule } from '../storage/contributions.js';
import { DAY_MS } from './facts.js';
import {
  HEALTH_COMPONENTS,
  operationalEfficiencyScore,
  overallHealthFormula,
  type HealthComponentName,
} from './health.js';
import type { ExecutiveSummary } from './summary-types.js';

/**
 * Every number of the executive summary that can be explained: its words (taken from the definitions that
 * compute it: @pulse/events/measures, health.ts), its value and inputs read from the summary itself (so an
 * explanation always shows the number the dashboard shows), and the events behind it.
 */

export const metricIds = [
  'netRevenueImpact',
  'positiveRevenueImpact',
  'negativeRevenueImpact',
  'businessPerformanceScore',
  'monthlyRevenueProtection',
  'costOptimizationSavings',
  'projectedSavings',
  'operationalEfficiencyScore',
  'strategicDecisionsTracked',
  'bounceRate',
  'overallBusinessHealth',
  'health.revenue',
  'health.efficiency',
  'health.deliverability',
  'health.cost',
  'health.resources',
] as const;
export type MetricId = (typeof metricIds)[number];
export const isMetricId = (id: string): id is MetricId => (metricIds as readonly string[]).includes(id);

export type MetricUnit = 'usd' | 'score' | 'count' | 'rate';

export interface MetricInput {
  label: string;
  value: number | null;
  unit: MetricUnit;
  /** Set when the input is itself an explained number. */
  metric?: MetricId;
}

/** How the listed events' amounts make a number: their sum, their count, or their mean. */
export type Combine = 'sum' | 'count' | 'mean';

export interface MetricEvents {
  rule: ContributionRule;
  combine: Combine;
  /** What they combine into, in words (the number itself or one of its inputs). */
  yields: string;
  /** Properties worth showing beside each event. */
  keyProperties: readonly string[];
}

export interface ExplainedMetric {
  label: string;
  unit: MetricUnit;
  formula: string;
  value(s: ExecutiveSummary): number | null;
  inputs(s: ExecutiveSummary): MetricInput[];
  events: MetricEvents | null;
}

const revenueProperties = ['impact_type', 'impact_amount', 'event_type', 'urgency_level'];
const savingsProperties = ['optimization_type', 'savings_amount', 'optimization_category'];

/** The events of a conditional sum, each adding its amount. */
const sumEvents = (m: ConditionalSum, keyProperties: readonly string[]): MetricEvents => ({
  rule: {
    event: m.event as ContributionRule['event'],
    match: { property: m.side, values: [m.value] },
    amount: { property: m.amount },
  },
  combine: 'sum',
  yields: m.label.toLowerCase(),
  keyProperties,
});

/** Every revenue impact event, gains adding and losses subtracting their amount. */
const signedRevenue = (combine: Combine, yields: string): MetricEvents => ({
  rule: {
    event: 'revenue_impact_event',
    match: {
      property: positiveRevenueImpact.side,
      values: [positiveRevenueImpact.value, negativeRevenueImpact.value],
    },
    amount: {
      property: positiveRevenueImpact.amount,
      negate: { property: negativeRevenueImpact.side, value: negativeRevenueImpact.value },
    },
  },
  combine,
  yields,
  keyProperties: revenueProperties,
});

const efficiencyEvents: MetricEvents = {
  rule: {
    event: 'operational_efficiency_event',
    amount: { property: 'efficiency_score' },
    latestPer: ['efficiency_metric'],
  },
  combine: 'mean',
  yields: 'operational efficiency score',
  keyProperties: ['efficiency_metric', 'efficiency_score', 'trend_direction'],
};

const emailEvents: MetricEvents = {
  rule: { event: bounceRate.event, requires: bounceRate.rate, amount: { property: bounceRate.weight } },
  combine: 'sum',
  yields: 'emails with a bounce rate',
  keyProperties: [bounceRate.weight, bounceRate.rate, 'provider', 'delivery_outcome'],
};

const gained = (s: ExecutiveSummary): MetricInput => ({
  label: positiveRevenueImpact.label,
  value: s.keyMetrics.positiveRevenueImpact,
  unit: 'usd',
  metric: 'positiveRevenueImpact',
});
const lost = (s: ExecutiveSummary): MetricInput => ({
  label: negativeRevenueImpact.label,
  value: s.keyMetrics.negativeRevenueImpact,
  unit: 'usd',
  metric: 'negativeRevenueImpact',
});

const sumMetric = (
  m: ConditionalSum,
  read: (s: ExecutiveSummary) => number,
  keyProperties: readonly string[],
): ExplainedMetric => ({
  label: m.label,
  unit: 'usd',
  formula: sumFormula(m),
  value: read,
  inputs: () => [],
  events: sumEvents(m, keyProperties),
});

const component = <N extends HealthComponentName>(s: ExecutiveSummary, name: N) => s.healthComponents[name];

const keyMetrics: Record<Exclude<MetricId, 'overallBusinessHealth' | `health.${string}`>, ExplainedMetric> = {
  netRevenueImpact: {
    label: 'Net revenue impact',
    unit: 'usd',
    formula: netRevenueImpact.formula,
    value: (s) => s.trendAnalysis.revenue.current,
    inputs: (s) => [gained(s), lost(s)],
    events: signedRevenue('sum', 'net revenue impact'),
  },
  positiveRevenueImpact: sumMetric(
    positiveRevenueImpact,
    (s) => s.keyMetrics.positiveRevenueImpact,
    revenueProperties,
  ),
  negativeRevenueImpact: sumMetric(
    negativeRevenueImpact,
    (s) => s.keyMetrics.negativeRevenueImpact,
    revenueProperties,
  ),
  businessPerformanceScore: {
    label: 'Business performance score',
    unit: 'score',
    formula: businessPerformanceScore.formula,
    value: (s) => s.keyMetrics.businessPerformanceScore,
    inputs: (s) => [gained(s), lost(s)],
    events: signedRevenue('sum', 'net revenue impact (gained − lost)'),
  },
  monthlyRevenueProtection: {
    label: 'Monthly revenue protection',
    unit: 'usd',
    formula: monthlyRevenueProtection.formula,
    value: (s) => s.keyMetrics.monthlyRevenueProtection,
    inputs: (s) => [
      gained(s),
      { label: 'Window length in days', value: (s.window.to - s.window.from) / DAY_MS, unit: 'count' },
    ],
    events: sumEvents(positiveRevenueImpact, revenueProperties),
  },
  costOptimizationSavings: sumMetric(realizedSavings, (s) => s.keyMetrics.costOptimizationSavings, [
    ...savingsProperties,
    'roi',
  ]),
  projectedSavings: sumMetric(projectedSavings, (s) => s.keyMetrics.projectedSavings, [
    ...savingsProperties,
    'implementation_complexity',
  ]),
  operationalEfficiencyScore: {
    label: 'Operational efficiency score',
    unit: 'score',
    formula: operationalEfficiencyScore.formula,
    value: (s) => s.keyMetrics.operationalEfficiencyScore,
    inputs: (s) => [
      { label: 'Metrics with a reading', value: component(s, 'efficiency').inputs.metrics, unit: 'count' },
    ],
    events: efficiencyEvents,
  },
  strategicDecisionsTracked: {
    label: 'Strategic decisions tracked',
    unit: 'count',
    formula:
      'The number of distinct decisions (tenant and decision_id; an event without a decision_id is its own decision) with a strategic_decision_event in the window.',
    value: (s) => s.keyMetrics.strategicDecisionsTracked,
    inputs: () => [],
    events: {
      rule: {
        event: 'strategic_decision_event',
        amount: { count: true },
        latestPer: ['decision_id', 'uuid'],
      },
      combine: 'count',
      yields: 'decisions (the latest event of each is listed)',
      keyProperties: ['decision_id', 'decision_title', 'status', 'decision_type'],
    },
  },
  bounceRate: {
    label: bounceRate.label,
    unit: 'rate',
    formula: weightedMean.formula.replace('rate × weight', 'bounce_rate × email_count'),
    value: (s) => component(s, 'deliverability').inputs.bounceRate,
    inputs: (s) => [
      {
        label: 'Emails with a bounce rate',
        value: component(s, 'deliverability').inputs.emails,
        unit: 'count',
      },
    ],
    events: emailEvents,
  },
};

const health: Record<'overallBusinessHealth' | `health.${HealthComponentName}`, ExplainedMetric> = {
  overallBusinessHealth: {
    label: 'Overall business health',
    unit: 'score',
    formula: overallHealthFormula,
    value: (s) => s.overallBusinessHealth,
    inputs: (s) =>
      (Object.keys(HEALTH_COMPONENTS) as HealthComponentName[]).map((name) => {
        const c = component(s, name);
        const weight = `weight ${Math.round(c.weight * 100)} %, effective ${Math.round(c.effectiveWeight * 100)} %`;
        return {
          label: `${HEALTH_COMPONENTS[name].label} (${weight})`,
          value: c.score,
          unit: 'score',
          metric: `health.${name}`,
        };
      }),
    events: null,
  },
  'health.revenue': {
    label: HEALTH_COMPONENTS.revenue.label,
    unit: 'score',
    formula: HEALTH_COMPONENTS.revenue.formula,
    value: (s) => component(s, 'revenue').score,
    inputs: (s) => [
      {
        label: 'Business performance score',
        value: s.keyMetrics.businessPerformanceScore,
        unit: 'score',
        metric: 'businessPerformanceScore',
      },
      { label: 'Revenue impact events', value: component(s, 'revenue').inputs.events, unit: 'count' },
    ],
    events: signedRevenue('count', 'revenue impact events'),
  },
  'health.efficiency': {
    label: HEALTH_COMPONENTS.efficiency.label,
    unit: 'score',
    formula: HEALTH_COMPONENTS.efficiency.formula,
    value: (s) => component(s, 'efficiency').score,
    inputs: (s) => [
      {
        label: 'Operational efficiency score',
        value: s.keyMetrics.operationalEfficiencyScore,
        unit: 'score',
        metric: 'operationalEfficiencyScore',
      },
    ],
    events: efficiencyEvents,
  },
  'health.deliverability': {
    label: HEALTH_COMPONENTS.deliverability.label,
    unit: 'score',
    formula: HEALTH_COMPONENTS.deliverability.formula,
    value: (s) => component(s, 'deliverability').score,
    inputs: (s) => [
      {
        label: bounceRate.label,
        value: component(s, 'deliverability').inputs.bounceRate,
        unit: 'rate',
        metric: 'bounceRate',
      },
      { label: 'Bounce rate limit', value: bounceRateLimit, unit: 'rate' },
    ],
    events: emailEvents,
  },
  'health.cost': {
    label: HEALTH_COMPONENTS.cost.label,
    unit: 'score',
    formula: HEALTH_COMPONENTS.cost.formula,
    value: (s) => component(s, 'cost').score,
    inputs: (s) => [
      {
        label: realizedSavings.label,
        value: s.keyMetrics.costOptimizationSavings,
        unit: 'usd',
        metric: 'costOptimizationSavings',
      },
      {
        label: projectedSavings.label,
        value: s.keyMetrics.projectedSavings,
        unit: 'usd',
        metric: 'projectedSavings',
      },
    ],
    events: {
      rule: {
        event: realizedSavings.event,
        match: { property: realizedSavings.side, values: [realizedSavings.value, projectedSavings.value] },
        amount: { property: realizedSavings.amount },
      },
      combine: 'sum',
      yields: 'realized + projected savings',
      keyProperties: savingsProperties,
    },
  },
  'health.resources': {
    label: HEALTH_COMPONENTS.resources.label,
    unit: 'score',
    formula: HEALTH_COMPONENTS.resources.formula,
    value: (s) => component(s, 'resources').score,
    inputs: (s) => [
      { label: 'Resources', value: component(s, 'resources').inputs.resources, unit: 'count' },
      { label: 'Cost-efficient', value: component(s, 'resources').inputs.costEfficient, unit: 'count' },
    ],
    events: {
      rule: {
        event: 'resource_usage_event',
        amount: { flag: 'cost_efficient' },
        latestPer: ['resource_id', 'resource_type'],
      },
      combine: 'mean',
      yields: 'share of cost-efficient resources (1 = cost-efficient; the latest snapshot of each)',
      keyProperties: ['resource_id', 'resource_type', 'cost_efficient', 'utilization_percentage'],
    },
  },
};

export const explainedMetrics: Readonly<Record<MetricId, ExplainedMetric>> = { ...keyMetrics, ...health };
