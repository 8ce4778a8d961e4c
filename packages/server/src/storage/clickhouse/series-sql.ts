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
import type { TenantScope } from '../query-runner.js';
import { ident, sql, type Sql } from '../../sql.js';
import type { ClickHouseConnection } from './connection.js';
import {
  conditionalSumSql,
  eventsFinal,
  latestCostSql,
  resourceSql,
  scoped,
  tenantSql,
  weightedRateSql,
} from './measure-sql.js';
import { EVENTS_TABLE } from './schema.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The chart series as ClickHouse statements over the events table, each over the scope and window, in the
 * column order of chart-series-rows.ts; the same statements as the DuckDB store's (storage/duckdb/series-sql.ts).
 */
function seriesSql(
  scope: TenantScope,
  { from, to, bucket }: SeriesWindow,
): Record<keyof ChartSeriesRows, Sql> {
  const window = sql`${scoped(scope)} AND timestamp >= ${Math.trunc(from)} AND timestamp < ${Math.trunc(to)}`;
  const where = (event: string) => sql`event = ${event} AND ${window}`;
  const size = bucket === 'day' ? DAY_MS : HOUR_MS;
  const b = sql`intDiv(timestamp, ${size}) * ${size}`;
  const bounce = weightedRateSql(bounceRate);
  const spam = weightedRateSql(spamRate);
  const efficiency = where('operational_efficiency_event');
  return {
    revenue: sql`SELECT ${b} AS t, ${conditionalSumSql(negativeRevenueImpact)} AS negative,
        ${conditionalSumSql(positiveRevenueImpact)} AS positive
      FROM ${eventsFinal} WHERE ${where(positiveRevenueImpact.event)} GROUP BY t ORDER BY t`,
    savings: sql`SELECT ${b} AS t, ${conditionalSumSql(realizedSavings)} AS realized,
        ${conditionalSumSql(projectedSavings)} AS projected
      FROM ${eventsFinal} WHERE ${where(realizedSavings.event)} GROUP BY t ORDER BY t`,
    // The metrics with the lowest latest score: the ones that need attention are never the ones cut off.
    efficiency: sql`SELECT ${b} AS t, efficiency_metric AS metric, avg(efficiency_score) AS score
      FROM ${eventsFinal} WHERE ${efficiency} AND efficiency_metric IN (
        SELECT efficiency_metric FROM (
          SELECT efficiency_metric, argMax(efficiency_score, timestamp) AS latest FROM ${ident(EVENTS_TABLE)}
          WHERE ${efficiency} GROUP BY efficiency_metric ORDER BY latest ASC, efficiency_metric LIMIT 8))
      GROUP BY t, metric ORDER BY t, metric`,
    deliverability: sql`SELECT ${b} AS t, ${bounce.mean} AS bounce, ${spam.mean} AS spam,
        ${bounce.weight} AS emails
      FROM ${eventsFinal} WHERE ${where(bounceRate.event)} GROUP BY t ORDER BY t`,
    // The whole window per provider; risk_level of each provider's latest report.
    providers: sql`SELECT provider, ${bounce.weight} AS emails, ${bounce.mean} AS bounce,
        ${spam.mean} AS spam, argMax(risk_level, timestamp) AS risk
      FROM ${eventsFinal} WHERE ${where(bounceRate.event)} AND isNotNull(provider)
      GROUP BY provider ORDER BY provider`,
    runRate: sql`SELECT t, sum(cost) AS total FROM (
        SELECT ${b} AS t, ${tenantSql} AS tenant, ${resourceSql} AS rid, ${latestCostSql} AS cost
        FROM ${eventsFinal} WHERE ${where(costRunRate.event)} AND isNotNull(${ident(costRunRate.cost)})
        GROUP BY t, tenant, rid)
      GROUP BY t ORDER BY t`,
    utilization: sql`SELECT ${tenantSql} AS tenant, ${resourceSql} AS resource,
        argMax(resource_type, timestamp) AS type,
        argMax(utilization_percentage, timestamp) AS utilization, ${latestCostSql} AS cost
      FROM ${eventsFinal} WHERE ${where(costRunRate.event)} GROUP BY tenant, resource
      ORDER BY utilization DESC NULLS LAST, tenant, resource LIMIT 12`,
    tenants: sql`SELECT DISTINCT tenant_id FROM ${ident(EVENTS_TABLE)} WHERE has_tenant = 1 AND ${window}
      ORDER BY tenant_id LIMIT 1000`,
  };
}

/** The chart series of a scope, the statements run side by side. */
export async function readSeries(
  connection: ClickHouseConnection,
  scope: TenantScope,
  window: SeriesWindow,
): Promise<ChartSeriesRows> {
  const statements = seriesSql(scope, window);
  const names = Object.keys(statements) as (keyof ChartSeriesRows)[];
  // JSONEachRow keeps the SELECT's column order, which is what chart-series-rows.ts reads.
  const results = await Promise.all(names.map((name) => connection.rows(statements[name])));
  const rows = {} as ChartSeriesResult;
  names.forEach((name, i) => (rows[name] = (results[i] ?? []).map(Object.values)));
  return toChartSeries(rows);
}
