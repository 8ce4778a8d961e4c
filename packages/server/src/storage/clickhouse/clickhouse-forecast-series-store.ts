import type { ForecastMetric } from '@pulse/api';
import {
  costRunRate,
  negativeRevenueImpact,
  positiveRevenueImpact,
  realizedSavings,
} from '@pulse/events/measures';
import { DAY_MS } from '../../analytics/facts.js';
import type { DailyValue, ForecastSeriesStore, UtilizationTrend } from '../forecast-series-store.js';
import type { TenantScope } from '../query-runner.js';
import { ident, sql, type Sql } from '../../sql.js';
import type { ClickHouseConnection } from './connection.js';
import { conditionalSumSql, daySql, eventsFinal, resourceSql, scoped } from './measure-sql.js';
import { EVENTS_TABLE } from './schema.js';

const events = ident(EVENTS_TABLE);
const before = (toDay: number) => sql`timestamp < ${toDay * DAY_MS}`;
const since = (fromDay: number) => sql`timestamp >= ${fromDay * DAY_MS}`;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Σ of each resource's latest cost, as each day's change to it: every day a resource reports, it adds (its
 * new cost − its previous one); days before the window fold into its first day. The running sum of these
 * changes is the series (18.16 has no window functions: each resource's days are an array).
 */
function runRateChangesSql(scope: TenantScope, fromDay: number, toDay: number): Sql {
  const cost = ident(costRunRate.cost);
  const latest = sql`SELECT tenant_id, has_tenant, ${resourceSql} AS resource, ${daySql} AS day,
      argMax(${cost}, timestamp) AS cost
    FROM ${events} WHERE event = ${costRunRate.event} AND ${scoped(scope)} AND ${before(toDay)} AND isNotNull(${cost})
    GROUP BY tenant_id, has_tenant, resource, day`;
  const perResource = sql`SELECT arraySort(groupArray(tuple(day, cost))) AS points,
      arrayMap(i -> tuple(tupleElement(points[i], 1),
        tupleElement(points[i], 2) - if(i = 1, 0, tupleElement(points[i - 1], 2))), arrayEnumerate(points)) AS changes
    FROM (${latest}) GROUP BY tenant_id, has_tenant, resource`;
  return sql`SELECT greatest(tupleElement(x, 1), ${fromDay}) AS day, sum(tupleElement(x, 2)) AS change
    FROM (${perResource}) ARRAY JOIN changes AS x GROUP BY day ORDER BY day`;
}

/** The daily series of forecasts and capacity planning over the ClickHouse events table. */
export class ClickHouseForecastSeriesStore implements ForecastSeriesStore {
  constructor(private readonly connection: ClickHouseConnection) {}

  async dailyMetric(
    metric: ForecastMetric,
    scope: TenantScope,
    fromDay: number,
    toDay: number,
  ): Promise<DailyValue[]> {
    if (metric === 'cost_run_rate') {
      const rows = await this.connection.rows<{ day: number; change: number }>(
        runRateChangesSql(scope, fromDay, toDay),
      );
      let value = 0;
      return rows.map((r) => ({ day: num(r.day), value: (value += num(r.change)) }));
    }
    const window = sql`${scoped(scope)} AND ${since(fromDay)} AND ${before(toDay)}`;
    const [event, flow] =
      metric === 'net_revenue_impact'
        ? [
            positiveRevenueImpact.event,
            sql`${conditionalSumSql(positiveRevenueImpact)} - ${conditionalSumSql(negativeRevenueImpact)}`,
          ]
        : [realizedSavings.event, conditionalSumSql(realizedSavings)];
    // FINAL: a row written twice must not count twice in a day's total.
    const rows = await this.connection.rows<{ day: number; value: number | null }>(
      sql`SELECT ${daySql} AS day, ${flow} AS value FROM ${eventsFinal}
        WHERE event = ${event} AND ${window} GROUP BY day ORDER BY day`,
    );
    return rows.map((r) => ({ day: num(r.day), value: r.value === null ? 0 : num(r.value) }));
  }

  async utilizationTrends(scope: TenantScope, fromDay: number, toDay: number): Promise<UtilizationTrend[]> {
    const daily = sql`SELECT tenant_id, ${resourceSql} AS resource, ${daySql} AS day,
        argMax(resource_type, timestamp) AS type, argMax(utilization_percentage, timestamp) AS u
      FROM ${events} WHERE event = ${costRunRate.event} AND has_tenant = 1 AND ${scoped(scope)}
        AND ${since(fromDay)} AND ${before(toDay)} AND isNotNull(utilization_percentage)
      GROUP BY tenant_id, resource, day`;
    // The least-squares line through each resource's daily readings (DuckDB's regr_slope / regr_intercept).
    const rows = await this.connection.rows<{
      tenant_id: string;
      resource: string;
      latest_type: string | null;
      latest: number;
      last_day: number;
      days: number;
      slope: number | null;
      fitted: number | null;
    }>(
      sql`SELECT tenant_id, resource, argMax(type, day) AS latest_type, argMax(u, day) AS latest,
          max(day) AS last_day, count() AS days, covarPop(u, day) / varPop(day) AS slope,
          avg(u) - slope * avg(day) + slope * last_day AS fitted
        FROM (${daily}) GROUP BY tenant_id, resource ORDER BY tenant_id, resource`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      resourceId: r.resource,
      resourceType: r.latest_type ?? r.resource,
      latest: num(r.latest),
      lastDay: num(r.last_day),
      days: num(r.days),
      slope: num(r.days) >= 2 ? numOrNull(r.slope) : null,
      fittedAtLastDay: num(r.days) >= 2 ? numOrNull(r.fitted) : null,
    }));
  }
}
