import {
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import { conditionalSumSql, performanceScoreSql, sideSql } from '../analytics/rollup-sql.js';
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
  /** Columns in display order, for tables and CSV. */
  columns: string[];
  /** DuckDB SQL over the scoped `events` and `subscriptions` views (the caller's tenants only). */
  sql: (params: ReportParams) => string;
}

/** The query runner takes SQL text: report windows are inlined as whole-number literals. */
const at = (ms: number) => sql`epoch_ms(${literal(Math.trunc(ms))})`;

/** A measure over the `events` view, which mixes event types: over its own type's rows only. */
const measureSql = (m: ConditionalSum) => conditionalSumSql(m, sql`event = ${constant(m.event)}`);

/**
 * The "Executive Performance Dashboard" report, with the catalog's real event names; savings
 * split into realized (implemented) and projected (identified) — rejected optimizations save nothing —
 * with the ROI on realized savings; decisions counted as distinct decision_id (one decision emits
 * several status events); window [from, to) instead of a fixed "now() − 30 days".
 */
const performanceDashboard: ReportDefinition = {
  name: 'performance-dashboard',
  window: 'range',
  title: 'Executive performance dashboard',
  description:
    'Per active tenant (joined with subscriptions): revenue impact, savings, efficiency, decisions, performance score and optimization ROI',
  columns: [
    'tenant_id',
    'plan_name',
    'current_period_start',
    'current_period_end',
    'negative_revenue_impact',
    'positive_revenue_impact',
    'business_performance_score',
    'realized_savings',
    'projected_savings',
    'optimization_roi_percentage',
    'avg_efficiency_score',
    'strategic_decisions_tracked',
  ],
  sql: ({ from, to }) =>
    textOf(sql`
WITH business_metrics AS (
  SELECT tenant_id,
    coalesce(${measureSql(negativeRevenueImpact)}, 0) AS negative_revenue_impact,
    coalesce(${measureSql(positiveRevenueImpact)}, 0) AS positive_revenue_impact,
    coalesce(${measureSql(realizedSavings)}, 0) AS realized_savings,
    coalesce(${measureSql(projectedSavings)}, 0) AS projected_savings,
    avg(efficiency_score) FILTER (WHERE event = 'operational_efficiency_event') AS avg_efficiency_score,
    count(DISTINCT decision_id) FILTER (WHERE event = 'strategic_decision_event') AS strategic_decisions_tracked
  FROM events
  WHERE "timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
    AND tenant_id IN (SELECT tenant_id FROM subscriptions WHERE status = 'active')
  GROUP BY tenant_id
)
SELECT bm.tenant_id, s.plan_name, s.current_period_start, s.current_period_end,
  bm.negative_revenue_impact, bm.positive_revenue_impact,
  round(${performanceScoreSql(sql`bm.positive_revenue_impact`, sql`bm.negative_revenue_impact`)}, 2) AS business_performance_score,
  bm.realized_savings, bm.projected_savings,
  round(bm.realized_savings / nullif(s.price_monthly, 0) * 100, 2) AS optimization_roi_percentage,
  round(bm.avg_efficiency_score, 2) AS avg_efficiency_score,
  bm.strategic_decisions_tracked
FROM business_metrics bm JOIN subscriptions s ON s.tenant_id = bm.tenant_id
WHERE s.status = 'active'
ORDER BY business_performance_score DESC, bm.tenant_id`),
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
    'tenant_id',
    'optimization_category',
    'optimization_count',
    'total_savings',
    'avg_savings_percentage',
    'avg_roi',
    'implemented_count',
    'identified_count',
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

export const reports: Record<string, ReportDefinition> = {
  [performanceDashboard.name]: performanceDashboard,
  [costOptimization.name]: costOptimization,
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
