import type { Forecast, ForecastMetric } from '@pulse/api';
import type { ForecastSeriesStore } from '../storage/forecast-series-store.js';
import type { TenantScope } from '../storage/query-runner.js';
import { forecastSeries } from './forecast-select.js';

const DAY_MS = 86_400_000;
/** Days of history a forecast reads at most, before its as-of day: bounded work whatever the store holds. */
export const MAX_HISTORY_DAYS = 365;

/**
 * How each metric's days combine: a flow is a day's total (a day without events is 0); a level holds until it
 * changes (cost run-rate: each resource's latest monthly cost stands until the resource reports again).
 */
const metricShapes: Record<ForecastMetric, { kind: 'flow' | 'level'; nonNegative: boolean }> = {
  net_revenue_impact: { kind: 'flow', nonNegative: false },
  realized_savings: { kind: 'flow', nonNegative: true },
  cost_run_rate: { kind: 'level', nonNegative: true },
};

export interface ForecastRequest {
  metric: ForecastMetric;
  scope: TenantScope;
  /** The tenant asked for, null for the whole scope (echoed in the answer). */
  tenant: string | null;
  /** The as-of UTC day (epoch day number): history is the days before it, the forecast starts on it. */
  toDay: number;
  horizon: number;
  level: number;
}

export const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The metric's consecutive daily values from its first day with data (within the bound) up to toDay. */
async function history(store: ForecastSeriesStore, request: ForecastRequest) {
  const fromDay = request.toDay - MAX_HISTORY_DAYS;
  const rows = await store.dailyMetric(request.metric, request.scope, fromDay, request.toDay);
  const first = rows[0];
  if (!first) return { firstDay: request.toDay, values: [] };
  const values = new Array<number>(request.toDay - first.day).fill(0);
  for (const row of rows) values[row.day - first.day] = row.value;
  if (metricShapes[request.metric].kind === 'level') {
    let standing = first.value;
    let next = 0;
    for (let i = 0; i < values.length; i++) {
      if (rows[next]?.day === first.day + i) standing = (rows[next++] as { value: number }).value;
      values[i] = standing;
    }
  }
  return { firstDay: first.day, values };
}

/** A daily forecast of one metric for a scope, with its interval and backtest (docs/insights.md). */
export async function forecastMetric(
  store: ForecastSeriesStore,
  request: ForecastRequest,
): Promise<Forecast> {
  const { firstDay, values } = await history(store, request);
  const result = forecastSeries(values, {
    horizon: request.horizon,
    level: request.level,
    nonNegative: metricShapes[request.metric].nonNegative,
  });
  return {
    metric: request.metric,
    tenant: request.tenant,
    method: result.method,
    level: request.level,
    history: values.map((value, i) => ({ date: isoDay(firstDay + i), value })),
    forecast: result.points.map((p, i) => ({ date: isoDay(request.toDay + i), ...p })),
    backtest: result.backtest,
    ...(result.note ? { note: result.note } : {}),
  };
}
