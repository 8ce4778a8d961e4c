import { ValidationError } from '../errors.js';

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

const at = (ms: number) => `epoch_ms(${Math.trunc(ms)})`;

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
  sql: ({ from, to }) => `
WITH business_metrics AS (
  SELECT tenant_id,
    coalesce(sum(impact_amount) FILTER (WHERE event = 'revenue_impact_event' AND impact_type = 'negative'), 0) AS negative_revenue_impact,
    coalesce(sum(impact_amount) FILTER (WHERE event = 'revenue_impact_event' AND impact_type = 'positive'), 0) AS positive_revenue_impact,
    coalesce(sum(savings_amount) FILTER (WHERE event = 'cost_optimization_event' AND optimization_type = 'implemented'), 0) AS realized_savings,
    coalesce(sum(savings_amount) FILTER (WHERE event = 'cost_optimization_event' AND optimization_type = 'identified'), 0) AS projected_savings,
    avg(efficiency_score) FILTER (WHERE event = 'operational_efficiency_event') AS avg_efficiency_score,
    count(DISTINCT decision_id) FILTER (WHERE event = 'strategic_decision_event') AS strategic_decisions_tracked
  FROM events
  WHERE "timestamp" >= ${at(from)} AND "timestamp" < ${at(to)}
    AND tenant_id IN (SELECT tenant_id FROM subscriptions WHERE status = 'active')
  GROUP BY tenant_id
)
SELECT bm.tenant_id, s.plan_name, s.current_period_start, s.current_period_end,
  bm.negative_revenue_impact, bm.positive_revenue_impact,
  CASE WHEN bm.negative_revenue_impact + bm.positive_revenue_impact > 0
    THEN round((bm.positive_revenue_impact - bm.negative_revenue_impact) / (bm.negative_revenue_impact + bm.positive_revenue_impact) * 100, 2)
    ELSE 0 END AS business_performance_score,
  bm.realized_savings, bm.projected_savings,
  round(bm.realized_savings / nullif(s.price_monthly, 0) * 100, 2) AS optimization_roi_percentage,
  round(bm.avg_efficiency_score, 2) AS avg_efficiency_score,
  bm.strategic_decisions_tracked
FROM business_metrics bm JOIN subscriptions s ON s.tenant_id = bm.tenant_id
WHERE s.status = 'active'
ORDER BY business_performance_score DESC, bm.tenant_id`,
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
  sql: ({ monthStart, to }) => `
SELECT tenant_id, optimization_category,
  count(*) AS optimization_count,
  sum(savings_amount) AS total_savings,
  round(avg(savings_percentage), 2) AS avg_savings_percentage,
  round(avg(roi), 2) AS avg_roi,
  count(*) FILTER (WHERE optimization_type = 'implemented') AS implemented_count,
  count(*) FILTER (WHERE optimization_type = 'identified') AS identified_count
FROM events
WHERE event = 'cost_optimization_event' AND "timestamp" >= ${at(monthStart)} AND "timestamp" < ${at(to)}
GROUP BY tenant_id, optimization_category
ORDER BY total_savings DESC, tenant_id, optimization_category`,
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
