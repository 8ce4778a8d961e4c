import { bounceRateLimit } from '@pulse/events/measures';
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Forecast } from '@pulse/api';
import type { Series } from '../types';
import { money, num, pct } from '../format';
import { navigate } from '../router';
import { Chart } from './chart';
import { explainHref } from './explain';
import { useForecast, withForecast } from './forecast-band';
import { ProviderTable } from './providers';

const sec = (ms: number) => ms / 1000;
const palette = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7', '--c8'];

/** Every bucket of the window, so gaps show as zero (money) or breaks (rates). */
function buckets(series: Series): number[] {
  const out: number[] = [];
  const step = series.bucketMs;
  const start = Math.floor(Date.parse(series.window.from) / step) * step;
  const end = Date.parse(series.window.to);
  for (let t = start; t < end; t += step) out.push(t);
  return out;
}

function align<T extends { t: string }>(
  xs: number[],
  rows: T[],
  pick: (r: T) => number | null,
  fill: number | null,
) {
  const byT = new Map(rows.map((r) => [Date.parse(r.t), r]));
  return xs.map((t) => {
    const r = byT.get(t);
    return r ? pick(r) : fill;
  });
}

/** The run-rate panel's data: actual, budget lines, then the forecast and its interval when there is one. */
function runRateData(
  xs: number[],
  actual: (number | null)[],
  budget: number | null,
  forecast: Forecast | null,
): uPlot.AlignedData {
  const budgetLines = (x: number[]) =>
    budget !== null ? [x.map(() => budget), x.map(() => budget * 1.2)] : [];
  if (!forecast?.forecast.length) return [xs.map(sec), actual, ...budgetLines(xs)] as uPlot.AlignedData;
  const f = withForecast(xs, actual, forecast);
  return [f.x.map(sec), f.values, ...budgetLines(f.x), f.value, f.upper, f.lower] as uPlot.AlignedData;
}

/** The five chart panels (revenue, costs, efficiency, deliverability, resources), from GET /api/series. */
export function Charts({ series, theme, tenant }: { series: Series; theme: string; tenant: string | null }) {
  const forecast = useForecast('cost_run_rate', tenant, series);
  const data = useMemo(() => {
    const xs = buckets(series);
    const x = xs.map(sec);
    let realized = 0;
    let projected = 0;
    const savingsR = align(xs, series.savings, (r) => r.realized, 0).map((v) => (realized += v ?? 0));
    const savingsP = align(xs, series.savings, (r) => r.projected, 0).map((v) => (projected += v ?? 0));
    const metrics = Object.keys(series.efficiency);
    const budget = series.budgetMonthly;
    return {
      xs,
      revenue: [
        x,
        align(xs, series.revenue, (r) => r.positive, 0),
        align(xs, series.revenue, (r) => r.negative, 0),
      ] as uPlot.AlignedData,
      savings: [x, savingsR, savingsP] as uPlot.AlignedData,
      metrics,
      efficiency: [
        x,
        ...metrics.map((m) => align(xs, series.efficiency[m] ?? [], (r) => r.score, null)),
        xs.map(() => 70),
      ] as uPlot.AlignedData,
      deliverability: [
        x,
        align(xs, series.deliverability, (r) => r.bounceRate, null),
        xs.map(() => series.thresholds.bounceRate),
        align(xs, series.deliverability, (r) => r.spamRate, null),
        xs.map(() => series.thresholds.spamRate),
      ] as uPlot.AlignedData,
      runRate: runRateData(
        xs,
        align(xs, series.runRate, (r) => r.cost, null),
        budget,
        forecast,
      ),
    };
  }, [series, forecast]);
  const money0 = (v: number) => money(v, true);
  /** Opens the explanation of `metric` for the clicked bucket, or from the window start for a running total. */
  const explainPoint =
    (metric: string, cumulative = false) =>
    (i: number) => {
      const start = data.xs[i];
      if (start === undefined) return;
      const from = Date.parse(series.window.from);
      const to = Math.min(start + series.bucketMs, Date.parse(series.window.to));
      navigate(explainHref(metric, cumulative ? from : Math.max(start, from), to));
    };
  return (
    <div class="charts">
      <section class="card chart-card" aria-labelledby="ch-revenue">
        <h2 id="ch-revenue">Revenue impact</h2>
        <Chart
          label="Revenue impact per day: positive and negative"
          theme={theme}
          data={data.revenue}
          onPick={explainPoint('netRevenueImpact')}
          yFormat={money0}
          series={[
            { label: 'Positive', color: '--pos', kind: 'bars' },
            { label: 'Negative', color: '--neg', kind: 'bars' },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-savings">
        <h2 id="ch-savings">Savings: realized vs projected (cumulative)</h2>
        <Chart
          label="Cumulative realized and projected savings"
          theme={theme}
          data={data.savings}
          onPick={explainPoint('costOptimizationSavings', true)}
          yFormat={money0}
          series={[
            { label: 'Realized', color: '--pos', fill: true },
            { label: 'Projected', color: '--c2', fill: true },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-eff">
        <h2 id="ch-eff">Efficiency score by metric</h2>
        <Chart
          label="Efficiency score by metric, with the 70-point alert threshold"
          theme={theme}
          data={data.efficiency}
          onPick={explainPoint('operationalEfficiencyScore')}
          yFormat={(v) => num(v)}
          yRange={[0, 100]}
          series={[
            ...data.metrics.map((m, i) => ({
              label: m.replace(/_/g, ' '),
              color: palette[i % palette.length] ?? '--c1',
            })),
            { label: 'Alert below 70', color: '--warn', kind: 'threshold' as const },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-deliv">
        <h2 id="ch-deliv">Deliverability vs thresholds</h2>
        <Chart
          label="Bounce and spam rates with their thresholds"
          theme={theme}
          data={data.deliverability}
          onPick={explainPoint('bounceRate')}
          yFormat={(v) => pct(v, 0)}
          right={{ scale: 'spam', format: (v) => pct(v, 2) }}
          series={[
            { label: 'Bounce rate', color: '--c1', format: (v) => pct(v, 2) },
            {
              label: `Bounce limit ${pct(bounceRateLimit, 0)}`,
              color: '--neg',
              kind: 'threshold',
              format: (v) => pct(v, 0),
            },
            { label: 'Spam rate', color: '--c4', scale: 'spam', format: (v) => pct(v, 3) },
            {
              label: 'Spam limit 0.3 %',
              color: '--warn',
              kind: 'threshold',
              scale: 'spam',
              format: (v) => pct(v, 1),
            },
          ]}
        />
        <ProviderTable series={series} />
      </section>
      <section class="card chart-card" aria-labelledby="ch-cost">
        <h2 id="ch-cost">Monthly cost run-rate vs budget</h2>
        <Chart
          label="Monthly infrastructure cost run-rate against the budget"
          theme={theme}
          data={data.runRate}
          yFormat={money0}
          series={[
            { label: 'Run-rate', color: '--c3', fill: true },
            ...(series.budgetMonthly !== null
              ? [
                  { label: 'Budget', color: '--muted', kind: 'threshold' as const },
                  { label: 'Alert at 120 %', color: '--neg', kind: 'threshold' as const },
                ]
              : []),
            ...(forecast?.forecast.length
              ? [
                  { label: 'Forecast', color: '--c3', dash: true },
                  { label: `${Math.round(forecast.level * 100)} % high`, color: '--c3' },
                  { label: 'low', color: '--c3' },
                ]
              : []),
          ]}
          bands={
            forecast?.forecast.length
              ? [[series.budgetMonthly !== null ? 4 : 2, series.budgetMonthly !== null ? 5 : 3]]
              : undefined
          }
        />
        {series.budgetMonthly === null && <p class="note">No budget set for this scope.</p>}
      </section>
      <section class="card chart-card" aria-labelledby="ch-util">
        <h2 id="ch-util">Resource utilization (latest)</h2>
        {series.utilization.length === 0 ? (
          <p class="empty">No resource snapshots in this window.</p>
        ) : (
          <ul class="util">
            {series.utilization.map((u) => {
              const value = u.utilization ?? 0;
              const level = value > 90 ? 'bad' : value < 20 ? 'warn' : 'good';
              return (
                <li key={`${u.tenantId}/${u.resourceId}`}>
                  <span class="util-name" title={`${u.tenantId} · ${u.resourceType}`}>
                    {u.resourceId} <small>{u.tenantId}</small>
                  </span>
                  <meter
                    class={`tone-${level}`}
                    min={0}
                    max={100}
                    low={20}
                    high={90}
                    optimum={60}
                    value={value}
                  >
                    {num(value)} %
                  </meter>
                  <span class="util-value">{num(value)} %</span>
                  <span class="util-cost">{money(u.totalCost, true)}/mo</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
