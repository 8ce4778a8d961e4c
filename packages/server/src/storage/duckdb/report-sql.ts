import {
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { ReportName, ReportParams } from '../analytics-reads.js';
import { constant, literal, sql, textOf } from '../../sql.js';
import { conditionalSumSql, latestScoresSql, performanceScoreSql, sideSql } from './measure-sql.js';

/** The query runner takes SQL text: report windows are inlined as whole-number literals. */
const at = (ms: number) => sql`epoch_ms(${literal(Math.trunc(ms))})`;

/** A measure over the `events` view, which mixes event types: over its own type's rows only. */
const measureSql = (m: ConditionalSum) => conditionalSumSql(m, sql`event = ${constant(m.event)}`);

/**
 * The named reports (reports/definitions.ts says what each one means) as DuckDB SQL over the query
 * runner's scoped `events` and `subscriptions` views: the caller's tenants only.
 */
export const reportSql: Record<ReportName, (params: ReportParams) => string> = {
  'performance-dashboard': ({ from, to }) => {
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
  'cost-optimization': ({ monthStart, to }) =>
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
  decisions: ({ from, to }) =>
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
  deliverability: ({ from, to }) =>
    textOf(sql`
SELECT tenant_id, sum(email_count) AS emails,
  round(sum(bounce_rate * email_count) / nullif(sum(email_count) FILTER (WHERE bounce_rate IS NOT NULL), 0), 4) AS bounce_rate,
  round(sum(spam_rate * email_count) / nullif(sum(email_count) FILTER (WHERE spam_rate IS NOT NULL), 0), 4) AS spam_rate
FROM events
WHERE event = 'email_deliverability_event' AND "timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
GROUP BY tenant_id
ORDER BY bounce_rate DESC NULLS LAST, tenant_id`),
  'resource-costs': ({ monthStart, to }) =>
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
