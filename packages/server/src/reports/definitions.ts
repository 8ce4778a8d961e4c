import {
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import { conditionalSumSql, latestScoresSql, performanceScoreSql, sideSql } from '../analytics/rollup-sql.js';
import type { ColumnDisplay, ValueKind } from '@pulse/events/format';
import { ValidationError } from '../errors.js';
import { constant, literal, sql, textOf } from '../sql.js';

/** Parameters a named report takes; times are epoch ms, UTC. */
export interface ReportParams {
  from: number;
  to: number;
  /** For month-to-date reports: the start of the month `to` falls in. */
  monthStart: number;
}

export interface ReportDefinition {
  name: string;
  title: string;
  description: string;
  /** Whether the report covers [from, to) or the month to date up to `to`. */
  window: 'range' | 'month-to-date';
  /** Columns in display order: the raw names head the CSV, the titles and kinds the tables people read. */
  columns: ColumnDisplay[];
  /** DuckDB SQL over the scoped `events` and `subscriptions` views (the caller's tenants only). */
  sql: (params: ReportParams) => string;
}

const column = (name: string, title: string, kind: ValueKind): ColumnDisplay => ({ name, title, kind });

/** The query runner takes SQL text: report windows are inlined as whole-number literals. */
const at = (ms: number) => sql`epoch_ms(${literal(Math.trunc(ms))})`;

/** A measure over the `events` view, which mixes event types: over its own type's rows only. */
const measureSql = (m: ConditionalSum) => conditionalSumSql(m, sql`event = ${constant(m.event)}`);

/**
 * The "Executive Performance Dashboard" report, with the catalog's real event names; savings
 * split into realized (implemented) and projected (identified) — rejected optimizations save nothing —
 * with the ROI on realized savings; decisions counted as distinct decision_id (one decision emits
 * several status events); window [from, to) instead of a fixed "now() − 30 days". The efficiency column is
 * the summary's operationalEfficiencyScore for the tenant (each metric's latest score, averaged), not a mean
 * of every reading: a metric read hourly would otherwise outweigh one read daily.
 */
const performanceDashboard: ReportDefinition = {
  name: 'performance-dashboard',
  window: 'range',
  title: 'Executive performance dashboard',
  description:
    'Per active tenant (joined with subscriptions): revenue impact, savings, efficiency, decisions, performance score and optimization ROI',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('plan_name', 'Plan', 'text'),
    column('current_period_start', 'Period start', 'date'),
    column('current_period_end', 'Period end', 'date'),
    column('negative_revenue_impact', 'Revenue lost', 'money'),
    column('positive_revenue_impact', 'Revenue gained', 'money'),
    column('business_performance_score', 'Performance score', 'score'),
    column('realized_savings', 'Realized savings', 'money'),
    column('projected_savings', 'Projected savings', 'money'),
    column('optimization_roi_percentage', 'Optimization ROI', 'percent'),
    column('avg_efficiency_score', 'Efficiency score', 'score'),
    column('strategic_decisions_tracked', 'Decisions tracked', 'count'),
  ],
  sql: ({ from, to }) => {
    const inWindow = sql`"timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
    AND tenant_id IN (SELECT tenant_id FROM subscriptions WHERE status = 'active')`;
    const efficiencyRows = sql`FROM events WHERE event = ${constant(operationalEfficiency.event)} AND ${inWindow}`;
    return textOf(sql`
WITH business_metrics AS (
  SELECT tenant_id,
    coalesce(${measureSql(negativeRevenueImpact)}, 0) AS negative_revenue_impact,
    coalesce(${measureSql(positiveRevenueImpact)}, 0) AS positive_revenue_impact,
    coalesce(${measureSql(realizedSavings)}, 0) AS realized_savings,
    coalesce(${measureSql(projectedSavings)}, 0) AS projected_savings,
    count(DISTINCT decision_id) FILTER (WHERE event = 'strategic_decision_event') AS strategic_decisions_tracked
  FROM events
  WHERE ${inWindow}
  GROUP BY tenant_id
),
efficiency AS (
  SELECT tenant_id, avg(score) AS operational_efficiency_score
  FROM (${latestScoresSql(operationalEfficiency, efficiencyRows)})
  GROUP BY tenant_id
)
SELECT bm.tenant_id, s.plan_name, s.current_period_start, s.current_period_end,
  bm.negative_revenue_impact, bm.positive_revenue_impact,
  round(${performanceScoreSql(sql`bm.positive_revenue_impact`, sql`bm.negative_revenue_impact`)}, 2) AS business_performance_score,
  bm.realized_savings, bm.projected_savings,
  round(bm.realized_savings / nullif(s.price_monthly, 0) * 100, 2) AS optimization_roi_percentage,
  round(e.operational_efficiency_score, 2) AS avg_efficiency_score,
  bm.strategic_decisions_tracked
FROM business_metrics bm JOIN subscriptions s ON s.tenant_id = bm.tenant_id
  LEFT JOIN efficiency e ON e.tenant_id = bm.tenant_id
WHERE s.status = 'active'
ORDER BY business_performance_score DESC, bm.tenant_id`);
  },
};

/**
 * The "Monthly cost optimization summary" report over `cost_optimization_event`, with
 * implemented/identified counted on its `optimization_type`. Month to date (UTC).
 */
const costOptimization: ReportDefinition = {
  name: 'cost-optimization',
  window: 'month-to-date',
  title: 'Cost optimization, month to date',
  description:
    'Per tenant × optimization category: count, total and average savings, average ROI, implemented vs identified',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('optimization_category', 'Category', 'text'),
    column('optimization_count', 'Optimizations', 'count'),
    column('total_savings', 'Total savings', 'money'),
    column('avg_savings_percentage', 'Average savings', 'percent'),
    column('avg_roi', 'Average ROI', 'score'),
    column('implemented_count', 'Implemented', 'count'),
    column('identified_count', 'Identified', 'count'),
  ],
  sql: ({ monthStart, to }) =>
    textOf(sql`
SELECT tenant_id, optimization_category,
  count(*) AS optimization_count,
  sum(savings_amount) AS total_savings,
  round(avg(savings_percentage), 2) AS avg_savings_percentage,
  round(avg(roi), 2) AS avg_roi,
  count(*) FILTER (WHERE ${sideSql(realizedSavings)}) AS implemented_count,
  count(*) FILTER (WHERE ${sideSql(projectedSavings)}) AS identified_count
FROM events
WHERE event = 'cost_optimization_event' AND "timestamp" >= ${at(monthStart)} AND "timestamp" < ${at(to)}
GROUP BY tenant_id, optimization_category
ORDER BY total_savings DESC, tenant_id, optimization_category`),
};

/**
 * Strategic decisions of the window and their outcomes: one row per (tenant, decision_id), with the newest
 * event's title, type and status, and the newest stated expected and actual impacts.
 */
const decisions: ReportDefinition = {
  name: 'decisions',
  window: 'range',
  title: 'Decisions and their outcomes',
  description:
    'Per strategic decision with an event in the window: latest status, expected and actual revenue and cost impact',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('decision_id', 'Decision id', 'text'),
    column('decision_title', 'Decision', 'text'),
    column('decision_type', 'Type', 'text'),
    column('status', 'Status', 'text'),
    column('expected_revenue_impact', 'Expected revenue', 'money'),
    column('actual_revenue_impact', 'Actual revenue', 'money'),
    column('expected_cost_impact', 'Expected cost', 'money'),
    column('actual_cost_impact', 'Actual cost', 'money'),
    column('last_update', 'Last update', 'time'),
  ],
  sql: ({ from, to }) =>
    textOf(sql`
SELECT tenant_id, coalesce(decision_id, CAST(uuid AS VARCHAR)) AS decision_id,
  arg_max(decision_title, "timestamp") AS decision_title,
  arg_max(decision_type, "timestamp") AS decision_type,
  arg_max(status, "timestamp") FILTER (WHERE status IS NOT NULL) AS status,
  arg_max(expected_revenue_impact, "timestamp") FILTER (WHERE expected_revenue_impact IS NOT NULL) AS expected_revenue_impact,
  arg_max(actual_revenue_impact, "timestamp") FILTER (WHERE actual_revenue_impact IS NOT NULL) AS actual_revenue_impact,
  arg_max(expected_cost_impact, "timestamp") FILTER (WHERE expected_cost_impact IS NOT NULL) AS expected_cost_impact,
  arg_max(actual_cost_impact, "timestamp") FILTER (WHERE actual_cost_impact IS NOT NULL) AS actual_cost_impact,
  max("timestamp") AS last_update
FROM events
WHERE event = 'strategic_decision_event' AND "timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
GROUP BY tenant_id, coalesce(decision_id, CAST(uuid AS VARCHAR))
ORDER BY last_update DESC, tenant_id, decision_id`),
};

/** Email deliverability per tenant: emails, bounce and spam rates weighted by email_count (as the health score). */
const deliverability: ReportDefinition = {
  name: 'deliverability',
  window: 'range',
  title: 'Email deliverability',
  description: 'Per tenant: emails, and bounce and spam rates weighted by email count',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('emails', 'Emails', 'count'),
    column('bounce_rate', 'Bounce rate', 'rate'),
    column('spam_rate', 'Spam rate', 'rate'),
  ],
  sql: ({ from, to }) =>
    textOf(sql`
SELECT tenant_id, sum(email_count) AS emails,
  round(sum(bounce_rate * email_count) / nullif(sum(email_count) FILTER (WHERE bounce_rate IS NOT NULL), 0), 4) AS bounce_rate,
  round(sum(spam_rate * email_count) / nullif(sum(email_count) FILTER (WHERE spam_rate IS NOT NULL), 0), 4) AS spam_rate
FROM events
WHERE event = 'email_deliverability_event' AND "timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
GROUP BY tenant_id
ORDER BY bounce_rate DESC NULLS LAST, tenant_id`),
};

/** Monthly run-rate per tenant: Σ total_cost of each resource's newest snapshot, month to date (UTC). */
const resourceCosts: ReportDefinition = {
  name: 'resource-costs',
  window: 'month-to-date',
  title: 'Resource costs, month to date',
  description: 'Per tenant: resources and their monthly run-rate (newest total_cost of each resource)',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('resources', 'Resources', 'count'),
    column('monthly_run_rate', 'Monthly run-rate', 'money'),
  ],
  sql: ({ monthStart, to }) =>
    textOf(sql`
WITH latest AS (
  SELECT tenant_id, coalesce(resource_id, resource_type) AS resource,
    arg_max(total_cost, "timestamp") AS total_cost
  FROM events
  WHERE event = 'resource_usage_event' AND total_cost IS NOT NULL
    AND "timestamp" >= ${at(monthStart)} AND "timestamp" < ${at(to)}
  GROUP BY tenant_id, coalesce(resource_id, resource_type)
)
SELECT tenant_id, count(*) AS resources, round(sum(total_cost), 2) AS monthly_run_rate
FROM latest GROUP BY tenant_id ORDER BY monthly_run_rate DESC, tenant_id`),
};

export const reports: Record<string, ReportDefinition> = {
  [performanceDashboard.name]: performanceDashboard,
  [costOptimization.name]: costOptimization,
  [decisions.name]: decisions,
  [deliverability.name]: deliverability,
  [resourceCosts.name]: resourceCosts,
};

export function reportNamed(name: string): ReportDefinition {
  const report = reports[name];
  if (!report)
    throw new ValidationError(
      'report',
      `"${name}" is not a report; available: ${Object.keys(reports).join(', ')}`,
    );
  return report;
}

/** Default window: the last 30 days up to `now`; month start is UTC. */
export function reportParams(now: number, from?: number, to?: number): ReportParams {
  const end = to ?? now;
  const start = from ?? end - 30 * 86_400_000;
  if (start >= end) throw new ValidationError('from', 'must be before to');
  const d = new Date(end - 1);
  return { from: start, to: end, monthStart: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
}
