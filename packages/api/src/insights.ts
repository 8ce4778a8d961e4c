import { Type, type Static } from '@sinclair/typebox';
import { doc, errors, literals, Nullable, tenantQuery, text } from './common.js';

/** GET /api/insights/forecast and /api/insights/capacity: forecasts with intervals, capacity planning. */

export const forecastMetrics = ['net_revenue_impact', 'realized_savings', 'cost_run_rate'] as const;
export type ForecastMetric = (typeof forecastMetrics)[number];

export const forecastMethods = [
  'holt_winters_additive',
  'holt_linear',
  'seasonal_naive',
  'naive',
  'none',
] as const;
export type ForecastMethod = (typeof forecastMethods)[number];

const IsoDate = Type.String({ format: 'date', description: 'A UTC day, YYYY-MM-DD' });

export const Forecast = Type.Object({
  metric: literals(forecastMetrics),
  tenant: Nullable(
    Type.String({ description: 'The tenant asked for; null: every tenant the caller may see' }),
  ),
  method: literals(
    forecastMethods,
    'The model the backtest chose; naive for histories under two weeks, none without history',
  ),
  level: Type.Number({ description: 'Probability that a day falls inside [lower, upper]' }),
  history: Type.Array(Type.Object({ date: IsoDate, value: Type.Number() }), {
    description: 'Whole UTC days before `to` (at most 365), from the first with data',
  }),
  forecast: Type.Array(
    Type.Object({ date: IsoDate, value: Type.Number(), lower: Type.Number(), upper: Type.Number() }),
    { description: 'From `to` on, one point per day of the horizon' },
  ),
  backtest: Type.Object(
    {
      windows: Type.Integer({ minimum: 0, description: 'Rolling origins evaluated' }),
      mape: Nullable(
        Type.Number({ description: 'Mean absolute percentage error in %, over days with a non-zero value' }),
      ),
      coverage: Nullable(Type.Number({ description: 'Share of backtest days inside their interval' })),
    },
    { description: "The chosen method's accuracy on the history's last weeks; null without windows" },
  ),
  note: Type.Optional(Type.String({ description: 'Why the answer is limited, when it is' })),
});
export type Forecast = Static<typeof Forecast>;

export const ForecastQuery = Type.Object({
  // Optional here so that a tenant outside the caller's scope is refused (403) before the input is checked.
  metric: Type.Optional(text(`Required: ${forecastMetrics.join(', ')}`)),
  tenant: Type.Optional(
    Type.String({ description: 'One tenant id; default every tenant the caller may see, summed' }),
  ),
  to: Type.Optional(text('As-of day YYYY-MM-DD (exclusive): only data before it is used; default today UTC')),
  horizon: Type.Optional(text('Days to forecast, 1..365 (default 30)')),
  level: Type.Optional(text('Prediction-interval probability, strictly between 0 and 1 (default 0.8)')),
});
export type ForecastQuery = Static<typeof ForecastQuery>;

export const capacityReasons = [
  'at_or_above',
  'flat_or_decreasing',
  'too_little_data',
  'beyond_horizon',
] as const;

export const Capacity = Type.Object({
  threshold: Type.Number({ description: 'Utilization percentage the crossing is forecast for' }),
  asOf: Type.String({ format: 'date', description: 'Only readings before this UTC day count (YYYY-MM-DD)' }),
  resources: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      resourceId: Type.String(),
      resourceType: Type.String(),
      utilization: Type.Number({ description: 'Latest utilization_percentage' }),
      lastSeen: IsoDate,
      trendPerDay: Nullable(
        Type.Number({ description: 'Least-squares slope of daily utilization, percentage points per day' }),
      ),
      crossesAt: Nullable(IsoDate),
      reason: Nullable(
        literals(
          capacityReasons,
          'Why crossesAt is null: already at or above the threshold, not rising, fewer than 5 days of readings in the last 28, or more than 365 days away',
        ),
      ),
    }),
  ),
});
export type Capacity = Static<typeof Capacity>;

export const CapacityQuery = Type.Object({
  tenant: Type.Optional(tenantQuery),
  to: Type.Optional(
    text(
      'As-of day YYYY-MM-DD (exclusive): only readings before it are used; default tomorrow UTC (every reading)',
    ),
  ),
});
export type CapacityQuery = Static<typeof CapacityQuery>;

export const forecastRoutes = {
  getForecast: {
    ...doc(
      'Daily forecast of a metric with a prediction interval, chosen by rolling-origin backtest (see docs/insights.md)',
      'summary:read',
    ),
    querystring: ForecastQuery,
    response: { 200: Forecast, ...errors },
  },
  getCapacity: {
    ...doc(
      'Per resource: latest utilization, its daily trend and the day it is forecast to cross 90 %',
      'summary:read',
    ),
    querystring: CapacityQuery,
    response: { 200: Capacity, ...errors },
  },
} as const;
