import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { forecastMetrics, forecastRoutes as contract, type ForecastMetric } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { capacityPlan } from '../../insights/capacity.js';
import { forecastMetric } from '../../insights/forecast.js';
import type { ForecastSeriesStore } from '../../storage/forecast-series-store.js';
import { guard } from '../auth.js';
import { listParam } from '../query-params.js';

const DAY_MS = 86_400_000;

export interface ForecastRouteDeps {
  store: ForecastSeriesStore;
  now: () => number;
}

const received = (value: string) => `; received ${JSON.stringify(value)}`;

/** `to`: a calendar day YYYY-MM-DD → its UTC day number; `fallback` without one. */
function dayParam(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value)
    throw new ValidationError('to', `must be a calendar day YYYY-MM-DD${received(value)}`);
  return ms / DAY_MS;
}

function horizonParam(value: string | undefined): number {
  if (value === undefined || value === '') return 30;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 365)
    throw new ValidationError('horizon', `must be a whole number of days from 1 to 365${received(value)}`);
  return n;
}

function levelParam(value: string | undefined): number {
  if (value === undefined || value === '') return 0.8;
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n > 0 && n < 1))
    throw new ValidationError(
      'level',
      `must be a probability strictly between 0 and 1, e.g. 0.8${received(value)}`,
    );
  return n;
}

function metricParam(value: string | undefined): ForecastMetric {
  if (value === undefined || value === '')
    throw new ValidationError('metric', `is required: one of ${forecastMetrics.join(', ')}`);
  if (!(forecastMetrics as readonly string[]).includes(value))
    throw new ValidationError('metric', `must be one of ${forecastMetrics.join(', ')}${received(value)}`);
  return value as ForecastMetric;
}

/** GET /api/insights/forecast and /api/insights/capacity, for the caller's tenants. */
export function insightsForecastRoutes(app: FastifyInstance, deps: ForecastRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/insights/forecast', { schema: contract.getForecast }, async (request) => {
    const q = request.query;
    const tenant = q.tenant?.trim() || null;
    if (tenant?.includes(','))
      throw new ValidationError(
        'tenant',
        'takes one tenant id; leave it out to forecast every tenant you may see',
      );
    const scope = guard(request, 'summary:read', tenant === null ? undefined : [tenant]);
    return forecastMetric(deps.store, {
      metric: metricParam(q.metric),
      scope,
      tenant,
      // Default today: the history is the whole days before it (today is not over).
      toDay: dayParam(q.to, Math.floor(deps.now() / DAY_MS)),
      horizon: horizonParam(q.horizon),
      level: levelParam(q.level),
    });
  });
  api.get('/api/insights/capacity', { schema: contract.getCapacity }, async (request) => {
    const scope = guard(request, 'summary:read', listParam(request.query.tenant));
    // Default tomorrow: today's readings are the current utilization.
    const toDay = dayParam(request.query.to, Math.floor(deps.now() / DAY_MS) + 1);
    return capacityPlan(deps.store, scope, toDay);
  });
}
