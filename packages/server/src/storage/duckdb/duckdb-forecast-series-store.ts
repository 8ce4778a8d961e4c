import type { DuckDBConnection } from '@duckdb/node-api';
import type { ForecastMetric } from '@pulse/api';
import {
  costRunRate,
  negativeRevenueImpact,
  positiveRevenueImpact,
  realizedSavings,
} from '@pulse/events/measures';
import { conditionalSumSql, resourceSql } from './measure-sql.js';
import { ident, isIn, literal } from '../../sql.js';
import type { DailyValue, ForecastSeriesStore, UtilizationTrend } from '../forecast-series-store.js';
import type { TenantScope } from '../query-runner.js';
import { readRows, sql, type Sql } from './sql.js';

const DAY_MS = 86_400_000;
const day = sql`floor(epoch_ms("timestamp") / ${literal(DAY_MS)})`;
const table = (event: string): Sql => ident(`ev_${event}`);
const inScope = (scope: TenantScope): Sql => (scope === 'all' ? sql`TRUE` : isIn(sql`tenant_id`, scope));
const before = (toDay: number) => sql`"timestamp" < epoch_ms(${literal(toDay * DAY_MS)})`;
const since = (fromDay: number) => sql`"timestamp" >= epoch_ms(${literal(fromDay * DAY_MS)})`;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Each statement is one aggregate over one event table: at most a row per day or per resource comes back. */
function dailyMetricSql(metric: ForecastMetric, scope: TenantScope, fromDay: number, toDay: number): Sql {
  const window = sql`${inScope(scope)} AND ${since(fromDay)} AND ${before(toDay)}`;
  switch (metric) {
    case 'net_revenue_impact':
      return sql`SELECT ${day} AS day,
          coalesce(${conditionalSumSql(positiveRevenueImpact)}, 0)
            - coalesce(${conditionalSumSql(negativeRevenueImpact)}, 0) AS value
        FROM ${table(positiveRevenueImpact.event)} WHERE ${window} GROUP BY 1 ORDER BY 1`;
    case 'realized_savings':
      return sql`SELECT ${day} AS day, coalesce(${conditionalSumSql(realizedSavings)}, 0) AS value
        FROM ${table(realizedSavings.event)} WHERE ${window} GROUP BY 1 ORDER BY 1`;
    case 'cost_run_rate': {
      const cost = ident(costRunRate.cost);
      // Σ of each resource's latest cost as the running sum of its changes: every day a resource reports,
      // it adds (its new cost − its previous one). Days before the window fold into its first day.
      return sql`WITH latest AS (
          SELECT tenant_id, ${resourceSql} AS resource, ${day} AS day, arg_max(${cost}, "timestamp") AS cost
          FROM ${table(costRunRate.event)}
          WHERE ${inScope(scope)} AND ${before(toDay)} AND ${cost} IS NOT NULL GROUP BY ALL),
        changes AS (
          SELECT greatest(day, ${literal(fromDay)}) AS day,
            cost - coalesce(lag(cost) OVER (PARTITION BY tenant_id, resource ORDER BY day), 0) AS change
          FROM latest)
        SELECT day, sum(sum(change)) OVER (ORDER BY day) AS value FROM changes GROUP BY day ORDER BY day`;
    }
  }
}

/** The daily series of forecasts and capacity planning, over the store's per-type event tables. */
export class DuckDbForecastSeriesStore implements ForecastSeriesStore {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbForecastSeriesStore> {
    return new DuckDbForecastSeriesStore(await db.connect());
  }

  async dailyMetric(
    metric: ForecastMetric,
    scope: TenantScope,
    fromDay: number,
    toDay: number,
  ): Promise<DailyValue[]> {
    const rows = await readRows(this.connection, dailyMetricSql(metric, scope, fromDay, toDay));
    return rows.map((r) => ({ day: num(r.day), value: num(r.value) }));
  }

  async utilizationTrends(scope: TenantScope, fromDay: number, toDay: number): Promise<UtilizationTrend[]> {
    const rows = await readRows(
      this.connection,
      sql`WITH daily AS (
          SELECT tenant_id, ${resourceSql} AS resource, ${day} AS day,
            arg_max(resource_type, "timestamp") AS type, arg_max(utilization_percentage, "timestamp") AS u
          FROM ${table(costRunRate.event)}
          WHERE ${inScope(scope)} AND ${since(fromDay)} AND ${before(toDay)}
            AND utilization_percentage IS NOT NULL AND tenant_id IS NOT NULL
          GROUP BY ALL)
        SELECT tenant_id, resource, arg_max(type, day) AS type, arg_max(u, day) AS latest, max(day) AS last_day,
          count(*) AS days, regr_slope(u, day) AS slope,
          regr_intercept(u, day) + regr_slope(u, day) * max(day) AS fitted
        FROM daily GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows.map((r) => ({
      tenantId: String(r.tenant_id),
      resourceId: String(r.resource),
      resourceType: typeof r.type === 'string' ? r.type : String(r.resource),
      latest: num(r.latest),
      lastDay: num(r.last_day),
      days: num(r.days),
      slope: num(r.days) >= 2 ? numOrNull(r.slope) : null,
      fittedAtLastDay: num(r.days) >= 2 ? numOrNull(r.fitted) : null,
    }));
  }
}
