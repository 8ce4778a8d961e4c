import type { Capacity } from '@pulse/api';
import type { ForecastSeriesStore, UtilizationTrend } from '../storage/forecast-series-store.js';
import type { TenantScope } from '../storage/query-runner.js';
import { isoDay } from './forecast.js';

/** Utilization (%) at which a resource counts as full enough to plan for. */
export const CAPACITY_THRESHOLD = 90;
/** Days of readings the trend is fitted over, and the fewest days with a reading it needs. */
export const CAPACITY_LOOKBACK_DAYS = 28;
const MIN_DAYS = 5;
/** Crossings further out than this are not dated: a straight line says little a year ahead. */
const MAX_DAYS_AHEAD = 365;
/** A slope below this (percentage points per day) counts as flat. */
const FLAT = 1e-9;

type Row = Capacity['resources'][number];

/** When a resource's utilization line reaches the threshold, or why that is not forecast. */
function crossingOf(trend: UtilizationTrend): Pick<Row, 'crossesAt' | 'reason'> {
  if (trend.latest >= CAPACITY_THRESHOLD) return { crossesAt: null, reason: 'at_or_above' };
  if (trend.days < MIN_DAYS || trend.slope === null || trend.fittedAtLastDay === null)
    return { crossesAt: null, reason: 'too_little_data' };
  if (trend.slope <= FLAT) return { crossesAt: null, reason: 'flat_or_decreasing' };
  // The first whole day on which the fitted line is at or above the threshold (at the earliest the next day);
  // the tolerance keeps a float rounding of an exact crossing from pushing it a day later.
  const days = Math.max(1, Math.ceil((CAPACITY_THRESHOLD - trend.fittedAtLastDay) / trend.slope - 1e-9));
  if (days > MAX_DAYS_AHEAD) return { crossesAt: null, reason: 'beyond_horizon' };
  return { crossesAt: isoDay(trend.lastDay + days), reason: null };
}

/**
 * Capacity planning: for each resource with utilization readings in the lookback before `toDay`, its latest
 * utilization, the least-squares trend of its daily readings (each day's latest) and the day that line crosses
 * the threshold.
 */
export async function capacityPlan(
  store: ForecastSeriesStore,
  scope: TenantScope,
  toDay: number,
): Promise<Capacity> {
  const trends = await store.utilizationTrends(scope, toDay - CAPACITY_LOOKBACK_DAYS, toDay);
  return {
    threshold: CAPACITY_THRESHOLD,
    asOf: isoDay(toDay),
    resources: trends.map((t) => ({
      tenantId: t.tenantId,
      resourceId: t.resourceId,
      resourceType: t.resourceType,
      utilization: t.latest,
      lastSeen: isoDay(t.lastDay),
      trendPerDay: t.days >= MIN_DAYS ? t.slope : null,
      ...crossingOf(t),
    })),
  };
}
