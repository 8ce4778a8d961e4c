import {
  bounceRate,
  costRunRate,
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  spamRate,
} from '@pulse/events/measures';
import type { ChartSeriesRows, SeriesWindow } from '../analytics-reads.js';
import { toChartSeries, type ChartSeriesResult } from '../chart-series-rows.js';
import type { QueryRunner, TenantScope } from '../query-runner.js';
import { constant, ident, literal, sql, textOf, type Sql } from '../../sql.js';
import { conditionalSumSql, latestCostSql, resourceSql, weightedRateSql } from './measure-sql.js';

const LIMITS = { timeoutMs: 10_000, maxRows: 50_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Each series is a fixed, read-only statement over the caller's scoped `events` view (the query runner
 * scopes it); nothing from the request reaches SQL but whole numbers.
 */
function seriesSql({ from, to, bucket }: SeriesWindow) {
  // The query runner takes SQL text: the window is inlined as whole-number literals.
  const window = sql`"timestamp" >= epoch_ms(${literal(Math.trunc(from))}) AND "timestamp" < epoch_ms(${literal(Math.trunc(to))})`;
  const where = (event: Sql) => sql`event = ${event} AND ${window}`;
  const b =
    bucket === 'day'
      ? sql`epoch_ms(date_trunc('day', "timestamp"))`
      : sql`epoch_ms(date_trunc('hour', "timestamp"))`;
  const statements = {
    revenue: sql`SELECT ${b} AS t,
        coalesce(${conditionalSumSql(negativeRevenueImpact)}, 0) AS negative,
        coalesce(${conditionalSumSql(positiveRevenueImpact)}, 0) AS positive
      FROM events WHERE ${where(constant(positiveRevenueImpact.event))} GROUP BY 1 ORDER BY 1`,
    savings: sql`SELECT ${b} AS t,
        coalesce(${conditionalSumSql(realizedSavings)}, 0) AS realized,
        coalesce(${conditionalSumSql(projectedSavings)}, 0) AS projected
      FROM events WHERE ${where(constant(realizedSavings.event))} GROUP BY 1 ORDER BY 1`,
    // The metrics with the lowest latest score: the ones that need attention are never the ones cut off.
    efficiency: sql`WITH top AS (
        SELECT efficiency_metric FROM events WHERE ${where(sql`'operational_efficiency_event'`)}
        GROUP BY 1 ORDER BY arg_max(efficiency_score, "timestamp") ASC, 1 LIMIT 8)
      SELECT ${b} AS t, efficiency_metric AS metric, avg(efficiency_score) AS score
      FROM events WHERE ${where(sql`'operational_efficiency_event'`)}
        AND efficiency_metric IN (SELECT efficiency_metric FROM top)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    deliverability: sql`SELECT ${b} AS t,
        ${weightedRateSql(bounceRate).mean} AS bounce_rate,
        ${weightedRateSql(spamRate).mean} AS spam_rate,
        sum(${ident(bounceRate.weight)}) AS emails
      FROM events WHERE ${where(constant(bounceRate.event))} GROUP BY 1 ORDER BY 1`,
    // The whole window per provider; risk_level of each provider's latest report.
    providers: sql`SELECT provider,
        ${weightedRateSql(bounceRate).weight} AS emails,
        ${weightedRateSql(bounceRate).mean} AS bounce_rate,
        ${weightedRateSql(spamRate).mean} AS spam_rate,
        arg_max(risk_level, "timestamp") AS risk_level
      FROM events WHERE ${where(constant(bounceRate.event))} AND provider IS NOT NULL
      GROUP BY 1 ORDER BY 1`,
    runRate: sql`WITH snap AS (
        SELECT ${b} AS t, tenant_id, ${resourceSql} AS rid, ${latestCostSql} AS cost
        FROM events WHERE ${where(constant(costRunRate.event))} AND ${ident(costRunRate.cost)} IS NOT NULL
        GROUP BY ALL)
      SELECT t, sum(cost) AS cost FROM snap GROUP BY 1 ORDER BY 1`,
    utilization: sql`SELECT tenant_id, ${resourceSql} AS resource_id,
        arg_max(resource_type, "timestamp") AS resource_type,
        arg_max(utilization_percentage, "timestamp") AS utilization,
        ${latestCostSql} AS total_cost
      FROM events WHERE ${where(constant(costRunRate.event))} GROUP BY 1, 2
      ORDER BY utilization DESC NULLS LAST, 1, 2 LIMIT 12`,
    tenants: sql`SELECT DISTINCT tenant_id FROM events WHERE tenant_id IS NOT NULL
        AND ${window} ORDER BY 1 LIMIT 1000`,
  };
  return Object.fromEntries(Object.entries(statements).map(([k, v]) => [k, textOf(v)])) as Record<
    keyof typeof statements,
    string
  >;
}

/** The chart series of a scope, each statement through the query runner (scoped views, limits). */
export async function readSeries(
  queries: QueryRunner,
  scope: TenantScope,
  window: SeriesWindow,
): Promise<ChartSeriesRows> {
  const statements = seriesSql(window);
  const names = Object.keys(statements) as (keyof typeof statements)[];
  const results = await Promise.all(names.map((name) => queries.run(statements[name], scope, LIMITS)));
  const rows = {} as ChartSeriesResult;
  names.forEach((name, i) => (rows[name] = results[i]?.rows ?? []));
  return toChartSeries(rows);
}
