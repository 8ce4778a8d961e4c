import {
  bounceRate,
  bounceRateLimit,
  costRunRate,
  efficiencyScoreFloor,
  negativeRevenueImpact,
  projectedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { Rule } from './rule-model.js';

const hour = 60;
/** The events on a measure's side, as a rule predicate. */
const sideOf = (m: ConditionalSum) => ({ property: m.side, op: '==', value: m.value }) as const;
const negative = sideOf(negativeRevenueImpact);

/**
 * The default alert rules as data: what a new deployment starts with (editable through /api/rules).
 * Tuned so a steady tenant raises none and each real incident raises its own alert (docs/alerts.md shows
 * the numbers; `npm run bench:alert-load` measures them). Loss bands are half-open so one event lands in
 * exactly one tier: > $10,000 critical, $5,000–$10,000 high, $2,000–$5,000 (exclusive) medium. Below
 * $2,000 a single loss is the weekly churn of any subscription business: the reports show it, no alert.
 */
export const defaultRules: readonly Rule[] = [
  // ── critical ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'revenue-loss-critical',
    name: 'Negative revenue impact over $10,000',
    severity: 'critical',
    enabled: true,
    events: ['revenue_impact_event'],
    condition: { kind: 'compare', all: [negative, { property: 'impact_amount', op: '>', value: 10_000 }] },
    key: ['event_type'],
    amount: 'impact_amount',
    cooldownMinutes: hour,
    // A key account at risk is not over after a quiet day: it stays on screen for a week unless resolved.
    resolve: { mode: 'quiet', afterMinutes: 7 * 24 * hour },
  },
  {
    id: 'bounce-rate-critical',
    name: 'Email bounce rate over 15 %',
    description:
      'email_count-weighted bounce_rate of the tenant over the last hour, with at least 500 emails',
    severity: 'critical',
    enabled: true,
    events: [bounceRate.event],
    condition: {
      kind: 'window',
      aggregate: 'weighted_mean',
      property: bounceRate.rate,
      weight: bounceRate.weight,
      minutes: hour,
      minSample: 500,
      op: '>',
      value: bounceRateLimit,
      amount: 'cost_impact',
    },
    key: [],
    cooldownMinutes: hour,
    resolve: { mode: 'clear', afterMinutes: 15, hysteresis: 0.02 },
  },
  {
    id: 'bounce-rate-revenue-critical',
    name: 'Revenue event reports a bounce rate over 15 %',
    severity: 'critical',
    enabled: true,
    events: ['revenue_impact_event'],
    condition: { kind: 'compare', all: [{ property: bounceRate.rate, op: '>', value: bounceRateLimit }] },
    key: ['event_type'],
    amount: 'impact_amount',
    cooldownMinutes: hour,
    resolve: { mode: 'quiet', afterMinutes: 24 * hour },
  },
  {
    id: 'cost-budget-critical',
    name: 'Monthly cost run-rate over 120 % of budget',
    description:
      'Σ latest total_cost per resource_id this month vs the tenant budget, and per resource_type budgets',
    severity: 'critical',
    enabled: true,
    events: [costRunRate.event],
    condition: {
      kind: 'budget',
      cost: costRunRate.cost,
      entity: costRunRate.entity,
      group: costRunRate.group,
      percent: 120,
    },
    key: [],
    cooldownMinutes: hour,
    resolve: { mode: 'clear', afterMinutes: hour, hysteresis: 5 },
  },
  {
    id: 'security-customer-data-critical',
    name: 'Security incident affecting customer data',
    severity: 'critical',
    enabled: true,
    events: ['security_incident_event'],
    condition: { kind: 'compare', all: [{ property: 'affects_customer_data', op: '==', value: true }] },
    key: ['incident_type'],
    cooldownMinutes: hour,
    resolve: { mode: 'manual', afterMinutes: 0 },
  },
  // ── high ────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'revenue-loss-high',
    name: 'Negative revenue impact of $5,000–$10,000',
    severity: 'high',
    enabled: true,
    events: ['revenue_impact_event'],
    condition: {
      kind: 'compare',
      all: [
        negative,
        // Half the critical line: a loss an executive would want to hear about the same day.
        { property: 'impact_amount', op: '>=', value: 5_000 },
        { property: 'impact_amount', op: '<=', value: 10_000 },
      ],
    },
    key: ['event_type'],
    amount: 'impact_amount',
    cooldownMinutes: hour,
    resolve: { mode: 'quiet', afterMinutes: 24 * hour },
  },
  {
    id: 'savings-identified-high',
    name: 'Identified savings over $10,000',
    severity: 'medium',
    outlook: 'opportunity',
    enabled: true,
    events: ['cost_optimization_event'],
    condition: {
      kind: 'compare',
      all: [
        sideOf(projectedSavings),
        // A month's saving: over $5,000 every large tenant's routine findings (right-sizing, reserved
        // instances) raised one every other week; $10,000 a month is a finding worth a decision this week.
        { property: 'savings_amount', op: '>', value: 10_000 },
      ],
    },
    key: ['optimization_category'],
    amount: 'savings_amount',
    cooldownMinutes: hour,
    // A category's findings of one month add up to one opportunity to review, not one alert each.
    resolve: { mode: 'quiet', afterMinutes: 30 * 24 * hour },
  },
  {
    id: 'efficiency-low-high',
    name: `Efficiency score below ${efficiencyScoreFloor}`,
    severity: 'high',
    enabled: true,
    events: ['operational_efficiency_event'],
    // At 70 a healthy tenant's weakest metric sat under the line for weeks (it is where healthy metrics
    // live, not a fall); below 55 a metric is in the bottom third of its range, which takes a real decline.
    condition: {
      kind: 'compare',
      all: [{ property: 'efficiency_score', op: '<', value: efficiencyScoreFloor }],
    },
    key: ['efficiency_metric'],
    amount: 'cost_impact',
    cooldownMinutes: hour,
    // Readings come about daily per metric: clear for a day (two readings 5 points above the line) before
    // it resolves, so a metric hovering at the line stays one alert instead of reopening each day.
    resolve: { mode: 'clear', afterMinutes: 24 * hour, hysteresis: 5 },
  },
  {
    id: 'decision-delayed-high',
    name: 'Strategic decision delayed',
    severity: 'high',
    enabled: true,
    events: ['strategic_decision_event'],
    condition: { kind: 'compare', all: [{ property: 'status', op: '==', value: 'delayed' }] },
    key: ['decision_id'],
    label: 'decision_title',
    amount: 'expected_revenue_impact',
    cooldownMinutes: hour,
    resolve: { mode: 'clear', afterMinutes: 0 },
  },
  {
    id: 'decision-overdue-high',
    name: 'Strategic decision past its review date',
    severity: 'high',
    enabled: true,
    events: ['strategic_decision_event'],
    condition: {
      kind: 'overdue',
      date: 'next_review_date',
      entity: 'decision_id',
      // Reviews slip by a few days as calendars do (most decisions did, then reported): a week late is
      // a review that is not happening.
      graceMinutes: 7 * 24 * hour,
      unless: [{ property: 'status', op: 'in', value: ['completed', 'cancelled'] }],
    },
    key: [],
    label: 'decision_title',
    amount: 'expected_revenue_impact',
    cooldownMinutes: hour,
    resolve: { mode: 'clear', afterMinutes: 0 },
  },
  // ── medium (weekly digest) ──────────────────────────────────────────────────────────────────
  {
    id: 'revenue-loss-medium',
    name: 'Negative revenue impact of $2,000–$5,000',
    severity: 'medium',
    enabled: true,
    events: ['revenue_impact_event'],
    condition: {
      kind: 'compare',
      all: [
        negative,
        // From $100 every routine failed payment was an alert (about 2 a day per tenant); $2,000 is about
        // a month of a business-plan account, a loss worth a line in the weekly digest.
        { property: 'impact_amount', op: '>=', value: 2_000 },
        { property: 'impact_amount', op: '<', value: 5_000 },
      ],
    },
    key: ['event_type'],
    amount: 'impact_amount',
    cooldownMinutes: hour,
    resolve: { mode: 'quiet', afterMinutes: 7 * 24 * hour },
  },
  {
    id: 'efficiency-declining-medium',
    name: 'Efficiency declining between 55 and 60',
    severity: 'medium',
    enabled: true,
    events: ['operational_efficiency_event'],
    condition: {
      kind: 'compare',
      all: [
        { property: 'trend_direction', op: '==', value: 'declining' },
        // A dip of a metric that is doing well is the week's noise (every tenant had some, and a healthy
        // tenant's weakest metric sits at 60-70); a slide of one already near the bottom of its range is the
        // early warning before the high alert at 55. Below 55 the high alert says it: one alert, not two.
        { property: 'efficiency_score', op: '<', value: 60 },
        { property: 'efficiency_score', op: '>=', value: efficiencyScoreFloor },
      ],
    },
    key: ['efficiency_metric'],
    amount: 'cost_impact',
    cooldownMinutes: hour,
    // Three days without a declining reading under 60: one flat reading inside a slide does not end it.
    resolve: { mode: 'clear', afterMinutes: 3 * 24 * hour },
  },
  {
    id: 'resource-over-utilized-medium',
    name: 'Resource over-utilized',
    severity: 'medium',
    enabled: true,
    events: ['resource_usage_event'],
    condition: { kind: 'compare', all: [{ property: 'over_utilized', op: '==', value: true }] },
    key: ['resource_id'],
    amount: 'total_cost',
    cooldownMinutes: hour,
    // Usage swings through the day: clear for a whole day (a full cycle) before it resolves, else a
    // resource near the line reopens every afternoon.
    resolve: { mode: 'clear', afterMinutes: 24 * hour },
  },
  {
    id: 'resource-under-utilized-medium',
    name: 'Resource under-utilized',
    severity: 'medium',
    outlook: 'opportunity',
    enabled: true,
    events: ['resource_usage_event'],
    condition: { kind: 'compare', all: [{ property: 'under_utilized', op: '==', value: true }] },
    key: ['resource_id'],
    amount: 'total_cost',
    cooldownMinutes: hour,
    // Right-sizing is decided over weeks, and a resource that is idle on some days is still oversized:
    // a week clear before it resolves (with a day, one resource near the line reopened every few days).
    resolve: { mode: 'clear', afterMinutes: 7 * 24 * hour },
  },
  {
    id: 'utilization-jump-medium',
    name: 'Utilization moved more than 30 points',
    severity: 'medium',
    enabled: true,
    events: ['resource_usage_event'],
    // A web tier's day/night cycle alone swings its utilization by up to ~25 points between readings: 30
    // is beyond any daily cycle, a change in what the resource carries.
    condition: { kind: 'change', property: 'utilization_percentage', entity: 'resource_id', points: 30 },
    key: [],
    amount: 'total_cost',
    cooldownMinutes: hour,
    resolve: { mode: 'quiet', afterMinutes: 24 * hour },
  },
  {
    id: 'decision-outcome-medium',
    name: 'Completed decision lost revenue',
    severity: 'medium',
    enabled: true,
    events: ['strategic_decision_event'],
    condition: {
      kind: 'compare',
      // Any decision reporting actuals was an alert (every working decision, at every review: news, not
      // something to act on). What needs a look is a finished decision whose revenue went the wrong way.
      all: [
        { property: 'status', op: '==', value: 'completed' },
        { property: 'actual_revenue_impact', op: '<', value: 0 },
      ],
    },
    key: ['decision_id'],
    label: 'decision_title',
    amount: 'actual_revenue_impact',
    cooldownMinutes: hour,
    resolve: { mode: 'quiet', afterMinutes: 7 * 24 * hour },
  },
  // ── trends ──────────────────────────────────────────────────────────────────────────────────
  {
    id: 'bounce-rate-anomaly',
    name: 'Email bounce rate',
    description:
      'A day’s email_count-weighted bounce_rate at least 20 robust σ above the tenant’s previous 28 days ' +
      '(median and MAD), with at least 14 of those days reporting',
    severity: 'medium',
    enabled: true,
    events: [bounceRate.event],
    condition: {
      kind: 'anomaly',
      aggregate: 'weighted_mean',
      property: bounceRate.rate,
      weight: bounceRate.weight,
      direction: 'up',
      bucketMinutes: 24 * hour,
      baselineBuckets: 28,
      method: 'mad',
      // A day's rate over thousands of emails is very steady (robust σ ≈ 0.02 points at 0.7 %), so 4 and
      // even 7 σ were a 0.1-point wobble at a steady tenant; 20 σ is about half a point above the usual
      // rate, and a real spike is 100-200 σ.
      threshold: 20,
      minSample: 14,
    },
    key: [],
    cooldownMinutes: 24 * hour,
    resolve: { mode: 'clear', afterMinutes: 24 * hour, hysteresis: 1 },
  },
  {
    id: 'revenue-loss-anomaly',
    name: 'Negative revenue impact',
    description:
      'A day’s negative revenue impact at least 3 σ above the mean of the tenant’s previous 28 days. ' +
      'Off by default: losses are heavy-tailed, the threshold rules above cover the large ones',
    severity: 'medium',
    enabled: false,
    events: ['revenue_impact_event'],
    condition: {
      kind: 'anomaly',
      aggregate: 'sum',
      property: negativeRevenueImpact.amount,
      where: [negative],
      direction: 'up',
      bucketMinutes: 24 * hour,
      baselineBuckets: 28,
      method: 'zscore',
      threshold: 3,
      minSample: 14,
    },
    key: [],
    cooldownMinutes: 24 * hour,
    resolve: { mode: 'quiet', afterMinutes: 2 * 24 * hour },
  },
];
