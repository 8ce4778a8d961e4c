import { forecastMetrics, type ForecastMetric } from '@pulse/api';
import { capacityPlan } from '../insights/capacity.js';
import { DAY_MS } from '../insights/decisions.js';
import { forecastMetric, isoDay } from '../insights/forecast.js';
import { scopedBenchmarks, scopedImpact } from '../insights/scoped.js';
import { cell, change, money, rate, score, type ValueKind } from '@pulse/events/format';
import { col, type Metric, type SectionDefinition } from './section-types.js';

const HORIZON_DAYS = 30;
const LEVEL = 0.8;

const forecastLabels: Record<ForecastMetric, string> = {
  net_revenue_impact: 'Net revenue impact',
  realized_savings: 'Realized savings',
  cost_run_rate: 'Cost run-rate',
};

/**
 * Each forecast metric's next 30 days with its 80 % interval, as of the period's end, and the resources
 * forecast to reach the capacity threshold within those days (the figures of /api/insights/forecast and
 * /api/insights/capacity for the recipient's tenants).
 */
export const forecasts: SectionDefinition = {
  id: 'forecasts',
  title: 'Forecasts',
  async build({ forecastSeries, tenants, period }) {
    // History is the whole UTC days before the period's end; capacity also counts that day's readings.
    const asOf = Math.floor(period.to / DAY_MS);
    const results = [];
    for (const metric of forecastMetrics)
      results.push(
        await forecastMetric(forecastSeries, {
          metric,
          scope: tenants,
          tenant: null,
          toDay: asOf,
          horizon: HORIZON_DAYS,
          level: LEVEL,
        }),
      );
    const capacity = await capacityPlan(forecastSeries, tenants, asOf + 1);
    const horizonEnd = isoDay(asOf + HORIZON_DAYS);
    const crossing = capacity.resources
      .filter((r) => r.crossesAt !== null && r.crossesAt <= horizonEnd)
      .sort((a, b) => (a.crossesAt ?? '').localeCompare(b.crossesAt ?? ''));
    return {
      id: this.id,
      title: this.title,
      note: `Daily forecasts for the next ${HORIZON_DAYS} days with their ${LEVEL * 100} % interval (shaded), each by the method that did best in a rolling backtest of its history (MAPE: mean absolute percentage error of that backtest). Capacity: resources whose utilization trend crosses ${capacity.threshold} % within the same days, soonest first.`,
      metrics: [],
      charts: results.map((f) => ({
        kind: 'band' as const,
        id: `forecast-${f.metric.replace(/_/g, '-')}`,
        title: `${forecastLabels[f.metric]}: history and ${HORIZON_DAYS}-day forecast`,
        format: money,
        history: f.history.slice(-90),
        forecast: f.forecast,
      })),
      tables: [
        {
          name: 'forecasts',
          title: 'Forecast methods',
          columns: [
            col('metric', 'Metric', 'text'),
            col('method', 'Method', 'text'),
            col('mape', 'Backtest MAPE', 'percent'),
            col('forecast_end', `Forecast on ${horizonEnd}`, 'money'),
            col('lower', 'Interval low', 'money'),
            col('upper', 'Interval high', 'money'),
          ],
          rows: results.map((f) => ({
            metric: forecastLabels[f.metric],
            method: f.method,
            mape: f.backtest.mape,
            forecast_end: f.forecast.at(-1)?.value ?? null,
            lower: f.forecast.at(-1)?.lower ?? null,
            upper: f.forecast.at(-1)?.upper ?? null,
          })),
        },
        {
          name: 'capacity',
          title: `Resources forecast to reach ${capacity.threshold} % by ${horizonEnd}`,
          columns: [
            col('crosses_at', 'Crosses on', 'date'),
            col('tenant_id', 'Tenant', 'text'),
            col('resource_id', 'Resource', 'text'),
            col('resource_type', 'Type', 'text'),
            col('utilization', 'Utilization now', 'percent'),
            col('trend_per_day', 'Trend (points/day)', 'score'),
          ],
          rows: crossing.map((r) => ({
            crosses_at: r.crossesAt,
            tenant_id: r.tenantId,
            resource_id: r.resourceId,
            resource_type: r.resourceType,
            utilization: r.utilization,
            trend_per_day: r.trendPerDay,
          })),
        },
      ],
    };
  },
};

const days = (n: number) => `${score(n)} days`;
const trendText = { improving: '▲ improving', stable: '► stable', declining: '▼ declining' } as const;

function measure(
  label: string,
  m: { change: number | null; trend: keyof typeof trendText | null },
  current: number | null,
  previous: number | null,
  format: (n: number) => string,
): Metric {
  return {
    label,
    value: current === null ? '—' : format(current),
    previous: previous === null ? '—' : format(previous),
    trend:
      m.trend === null ? null : `${trendText[m.trend]}${m.change === null ? '' : ` (${change(m.change)})`}`,
  };
}

/** What Pulse changed over the period against the one before (the figures of /api/insights/impact). */
export const impact: SectionDefinition = {
  id: 'impact',
  title: 'Business impact',
  async build({ insights, tenants, period }) {
    const i = await scopedImpact(insights, tenants, period);
    return {
      id: this.id,
      title: this.title,
      note: `Decision velocity: median days from a decision's proposal to its completion. Issue identification: median days from the first event behind an alert to the alert, and to its acknowledgement. Realized savings share: realized / all savings identified. Capture success: events accepted / received (target ${rate(i.captureSuccess.target)}). Each against the period of the same length just before.`,
      metrics: [
        measure(
          'Decision velocity (median)',
          i.decisionVelocity,
          i.decisionVelocity.current.medianDays,
          i.decisionVelocity.previous.medianDays,
          days,
        ),
        measure(
          'Issue identification (median, to alert)',
          i.identification.toAlert,
          i.identification.toAlert.current.medianDays,
          i.identification.toAlert.previous.medianDays,
          days,
        ),
        measure(
          'Issue acknowledgement (median)',
          i.identification.toAcknowledge,
          i.identification.toAcknowledge.current.medianDays,
          i.identification.toAcknowledge.previous.medianDays,
          days,
        ),
        measure(
          'Realized savings share',
          i.savingsRealization,
          i.savingsRealization.current.share,
          i.savingsRealization.previous.share,
          rate,
        ),
        measure(
          'Capture success rate',
          i.captureSuccess,
          i.captureSuccess.current.rate,
          i.captureSuccess.previous.rate,
          rate,
        ),
      ],
      charts: [],
      tables: [],
    };
  },
};

const unitKinds: Record<'usd' | 'percent' | 'score', ValueKind> = {
  usd: 'money',
  percent: 'percent',
  score: 'score',
};

/**
 * The recipient's tenants ranked among all tenants on each KPI. Recipients who see every tenant also get the
 * distribution; a scoped one only its own tenants' values and percentiles and how many tenants were compared.
 */
export const benchmarksSection: SectionDefinition = {
  id: 'benchmarks',
  title: 'Benchmarks',
  async build({ insights, tenants, period }) {
    const b = await scopedBenchmarks(insights.store, tenants, period);
    return {
      id: this.id,
      title: this.title,
      note: 'Percentile: the share of tenants with a value for the KPI that this tenant does at least as well as (higher is better), over the period.',
      metrics: [],
      charts: [],
      tables: b.kpis.map((k) => {
        const median = k.distribution ? `; median ${cell(k.distribution.p50, unitKinds[k.unit])}` : '';
        return {
          name: `benchmarks-${k.kpi}`,
          title: `${k.label}: ${k.compared} ${k.compared === 1 ? 'tenant' : 'tenants'} compared${median}`,
          columns: [
            col('tenant_id', 'Tenant', 'text'),
            col('value', k.label, unitKinds[k.unit]),
            col('percentile', 'Percentile', 'score'),
          ],
          rows: k.tenants.map((t) => ({ tenant_id: t.tenantId, value: t.value, percentile: t.percentile })),
        };
      }),
    };
  },
};
