import { bounceRateLimit, efficiencyScoreFloor } from '@pulse/events/measures';
import { inScope } from '../access/rbac.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { AnalyticsReads } from '../storage/analytics-reads.js';
import type { TenantScope } from '../storage/query-runner.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The bounce-rate limit, the mailbox providers' spam-rate guideline (0.3 %) and the efficiency alert's line. */
export const THRESHOLDS = {
  bounceRate: bounceRateLimit,
  spamRate: 0.003,
  efficiencyScore: efficiencyScoreFloor,
};

export interface SeriesDeps {
  reads: Pick<AnalyticsReads, 'chartSeries'>;
  budgets: Pick<AlertEngine, 'budgets'>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The dashboard's chart series for a scope and window, hourly up to 3 days, daily beyond: the time series
 * that neither the summary nor the reports give and that executives may not compute themselves
 * (POST /api/query is analysts' and admins' only).
 */
export async function chartSeries(deps: SeriesDeps, scope: TenantScope, from: number, to: number) {
  const bucket = to - from <= 3 * DAY ? 'hour' : 'day';
  const [series, budgets] = await Promise.all([
    deps.reads.chartSeries(scope, { from: Math.trunc(from), to: Math.trunc(to), bucket }),
    deps.budgets.budgets(),
  ]);
  const metrics: Record<string, { t: string; score: number }[]> = {};
  for (const { t, metric, score } of series.efficiency) (metrics[metric] ??= []).push({ t: iso(t), score });
  const monthly = budgets.filter((b) => b.resourceType === null && inScope(scope, b.tenantId));
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    bucketMs: bucket === 'hour' ? HOUR : DAY,
    /** Tenants with events in the window (for the tenant picker). */
    tenants: series.tenants,
    revenue: series.revenue.map((point) => ({ ...point, t: iso(point.t) })),
    savings: series.savings.map((point) => ({ ...point, t: iso(point.t) })),
    efficiency: metrics,
    deliverability: series.deliverability.map((point) => ({ ...point, t: iso(point.t) })),
    /** Deliverability over the whole window per email provider, for events that name one. */
    providers: series.providers,
    thresholds: THRESHOLDS,
    runRate: series.runRate.map((point) => ({ ...point, t: iso(point.t) })),
    budgetMonthly: monthly.length ? monthly.reduce((sum, b) => sum + b.monthlyUsd, 0) : null,
    utilization: series.utilization,
  };
}
