import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Forecast } from '@pulse/api';
import type { Series } from '../types';
import { compactMoney, label, money, moneyTicks, num, numberTicks, pct, pctTicks, timeAxis } from '../format';
import { Chart, type ValueFormat } from './chart';
import { weakestMetrics } from './efficiency-focus';
import { navigate } from '../router';
import { explainHref } from './explain';
import { useForecast, withForecast } from './forecast-band';
import { ProviderTable } from './providers';
import { othersColor, seriesColors } from './series-color';

const sec = (ms: number) => ms / 1000;

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

const DAY = 86_400_000;
const moneyAxis: ValueFormat = { ticks: moneyTicks, value: compactMoney };
const rate: ValueFormat = { ticks: pctTicks, value: (v) => pct(v, 2) };
const score: ValueFormat = { ticks: numberTicks, value: (v) => num(v, 1) };
/** Efficiency metrics drawn on their own; the rest share one averaged line. */
const WEAKEST = 3;

/** The time axis of a chart's x (epoch seconds), which may reach past the window (a forecast). */
const axisOf = (data: uPlot.AlignedData, bucketMs: number) =>
  timeAxis((data[0][0] ?? 0) * 1000, (data[0][data[0].length - 1] ?? 0) * 1000, bucketMs);

/** The chart panels (revenue, savings, efficiency, deliverability, cost, resources), from GET /api/series. */
export function Charts({ series, tenant }: { series: Series; tenant: string | null }) {
  const forecast = useForecast('cost_run_rate', tenant, series);
  const floor = series.thresholds.efficiencyScore;
  const data = useMemo(() => {
    const xs = buckets(series);
    const x = xs.map(sec);
    let realized = 0;
    let projected = 0;
    const savingsR = align(xs, series.savings, (r) => r.realized, 0).map((v) => (realized += v ?? 0));
    const savingsP = align(xs, series.savings, (r) => r.projected, 0).map((v) => (projected += v ?? 0));
    const efficiency = weakestMetrics(
      Object.entries(series.efficiency).map(([name, rows]) => ({
        name,
        values: align(xs, rows, (r) => r.score, null),
      })),
      WEAKEST,
    );
    const budget = series.budgetMonthly;
    return {
      xs,
      revenue: [
        x,
        align(xs, series.revenue, (r) => r.positive, 0),
        // Losses below zero, so a bar's height and side both say what it is (a day without any: 0, not -0).
        align(xs, series.revenue, (r) => (r.negative === 0 ? 0 : -r.negative), 0),
      ] as uPlot.AlignedData,
      savings: [x, savingsR, savingsP] as uPlot.AlignedData,
      efficiency,
      efficiencyColors: seriesColors(efficiency.weakest.map((m) => m.name)),
      efficiencyData: [
        x,
        ...efficiency.weakest.map((m) => m.values),
        ...(efficiency.others ? [efficiency.others.values] : []),
        xs.map(() => floor),
      ] as uPlot.AlignedData,
      bounce: [
        x,
        align(xs, series.deliverability, (r) => r.bounceRate, null),
        xs.map(() => series.thresholds.bounceRate),
      ] as uPlot.AlignedData,
      spam: [
        x,
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
  const bucketMs = series.bucketMs;
  const time = axisOf(data.revenue, bucketMs);
  const per = bucketMs === DAY ? 'day' : 'hour';
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
          label={`Revenue impact per ${per}: gains above zero, losses below`}
          unit={`USD per ${per}: gains above zero, losses below`}
          data={data.revenue}
          bucketMs={bucketMs}
          time={time}
          values={moneyAxis}
          onPick={explainPoint('netRevenueImpact')}
          series={[
            { label: 'Gains', color: '--pos', kind: 'bars' },
            { label: 'Losses', color: '--neg', kind: 'bars' },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-savings">
        <h2 id="ch-savings">Savings: realized vs projected (cumulative)</h2>
        <Chart
          label="Cumulative realized and projected savings"
          unit="USD, cumulative over the window"
          data={data.savings}
          bucketMs={bucketMs}
          time={time}
          values={moneyAxis}
          onPick={explainPoint('costOptimizationSavings', true)}
          series={[
            { label: 'Realized', color: '--pos', fill: true },
            { label: 'Projected', color: '--c2', fill: true },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-eff">
        <h2 id="ch-eff">Efficiency: the weakest metrics vs the alert line</h2>
        <Chart
          label={`The ${WEAKEST} efficiency metrics with the lowest latest score, the others averaged, and the ${floor}-point alert line`}
          unit={`Score 0–100; an alert fires below ${floor}`}
          data={data.efficiencyData}
          bucketMs={bucketMs}
          time={time}
          values={score}
          onPick={explainPoint('operationalEfficiencyScore')}
          series={[
            ...data.efficiency.weakest.map((m) => ({
              label: label(m.name),
              color: data.efficiencyColors.get(m.name) ?? othersColor,
            })),
            ...(data.efficiency.others ? [{ label: data.efficiency.others.name, color: othersColor }] : []),
            { label: `Alert below ${floor}`, color: '--warn', kind: 'threshold' as const },
          ]}
        />
      </section>
      <section class="card chart-card" aria-labelledby="ch-deliv">
        <h2 id="ch-deliv">Deliverability: within limits?</h2>
        <div class="chart-pair">
          <div data-testid="chart-bounce">
            <Chart
              label="Bounce rate against its limit"
              unit="Bounce rate, % of emails sent"
              data={data.bounce}
              onPick={explainPoint('bounceRate')}
              bucketMs={bucketMs}
              time={time}
              values={rate}
              height={160}
              series={[
                { label: 'Bounce rate', color: '--c1' },
                { label: 'Limit', color: '--neg', kind: 'threshold' },
              ]}
            />
          </div>
          <div data-testid="chart-spam">
            <Chart
              label="Spam complaint rate against its limit"
              unit="Spam complaints, % of emails sent"
              data={data.spam}
              bucketMs={bucketMs}
              time={time}
              values={rate}
              height={160}
              series={[
                { label: 'Spam rate', color: '--c4' },
                { label: 'Limit', color: '--neg', kind: 'threshold' },
              ]}
            />
          </div>
        </div>
        <ProviderTable series={series} />
      </section>
      <section class="card chart-card" aria-labelledby="ch-cost">
        <h2 id="ch-cost">Monthly cost run-rate vs budget</h2>
        <Chart
          label="Monthly infrastructure cost run-rate against the budget"
          unit="USD per month"
          data={data.runRate}
          bucketMs={bucketMs}
          time={axisOf(data.runRate, bucketMs)}
          values={moneyAxis}
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
