import type { ForecastMetric } from '@pulse/api';
import type { TenantScope } from './query-runner.js';

/** A value of one UTC day (`day` = epoch ms / 86 400 000, whole). */
export interface DailyValue {
  day: number;
  value: number;
}

/** A resource's daily utilization over a lookback: its latest reading and the least-squares line through them. */
export interface UtilizationTrend {
  tenantId: string;
  resourceId: string;
  resourceType: string;
  /** The latest utilization_percentage, and the day of that reading. */
  latest: number;
  lastDay: number;
  /** Days with a reading (each day's latest counts once). */
  days: number;
  /** Percentage points per day, and the line's value at lastDay; null with fewer than 2 days. */
  slope: number | null;
  fittedAtLastDay: number | null;
}

/** The daily series insights forecast from, read for a tenant scope over whole UTC days [fromDay, toDay). */
export interface ForecastSeriesStore {
  /**
   * The metric's days with data, ascending. Flows (net_revenue_impact, realized_savings): the day's total.
   * cost_run_rate, a level: its value on each day it changed, the first row (at fromDay or later) carrying
   * what stood before; it holds until the next row.
   */
  dailyMetric(
    metric: ForecastMetric,
    scope: TenantScope,
    fromDay: number,
    toDay: number,
  ): Promise<DailyValue[]>;
  /** Every resource with a utilization reading in the window, by tenant then resource. */
  utilizationTrends(scope: TenantScope, fromDay: number, toDay: number): Promise<UtilizationTrend[]>;
}
