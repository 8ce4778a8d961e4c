import type { Command } from 'commander';
import type { Capacity, Forecast } from '@pulse/api';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';
import { addInsightOutcomeCommands } from './insights-outcomes.js';

const BARS = '▁▂▃▄▅▆▇█';
const money = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** A one-line sparkline of values, scaled to their own range. */
export function sparkline(values: readonly number[]): string {
  const low = Math.min(...values);
  const span = Math.max(...values) - low;
  return values
    .map((v) => BARS[span === 0 ? 3 : Math.round(((v - low) / span) * (BARS.length - 1))] ?? '')
    .join('');
}

/** The forecast as a person reads it: the method and its checked accuracy, a sparkline, one row per day. */
export function renderForecast(f: Forecast): string {
  const pct = (n: number | null, digits: number) => (n === null ? '—' : `${n.toFixed(digits)} %`);
  const recent = f.history.slice(-56);
  const lines = [
    `Forecast · ${f.metric} · ${f.tenant ?? 'all your tenants'} · method ${f.method} · ${Math.round(f.level * 100)} % interval`,
    `Backtest: ${f.backtest.windows} window(s), MAPE ${pct(f.backtest.mape, 1)}, coverage ${pct(
      f.backtest.coverage === null ? null : f.backtest.coverage * 100,
      0,
    )}`,
    ...(f.note ? [`Note: ${f.note}`] : []),
  ];
  if (f.history.length)
    lines.push(
      '',
      `last ${recent.length} days → next ${f.forecast.length}`,
      `${sparkline(recent.map((h) => h.value))} │ ${sparkline(f.forecast.map((p) => p.value))}`,
    );
  if (f.forecast.length)
    lines.push(
      '',
      formatTable(
        f.forecast.map((p) => ({
          date: p.date,
          forecast: money(p.value),
          lower: money(p.lower),
          upper: money(p.upper),
        })),
        ['date', 'forecast', 'lower', 'upper'],
      ),
    );
  return lines.join('\n');
}

export function renderCapacity(c: Capacity): string {
  if (!c.resources.length) return `No resource reported utilization in the 28 days before ${c.asOf}.`;
  const why: Record<string, string> = {
    at_or_above: `already ≥ ${c.threshold} %`,
    flat_or_decreasing: 'not rising',
    too_little_data: 'too few readings',
    beyond_horizon: 'over a year away',
  };
  return [
    `Capacity · crossing ${c.threshold} % utilization · from readings before ${c.asOf}`,
    '',
    formatTable(
      c.resources.map((r) => ({
        tenant: r.tenantId,
        resource: r.resourceId,
        type: r.resourceType,
        utilization: `${r.utilization.toFixed(1)} %`,
        'trend/day':
          r.trendPerDay === null ? '—' : `${r.trendPerDay >= 0 ? '+' : ''}${r.trendPerDay.toFixed(2)}`,
        crosses: r.crossesAt ?? `— (${why[r.reason ?? ''] ?? r.reason})`,
      })),
      ['tenant', 'resource', 'type', 'utilization', 'trend/day', 'crosses'],
    ),
  ].join('\n');
}

type ForecastOptions = ClientOptions & {
  metric: string;
  tenant?: string;
  to?: string;
  horizon?: string;
  level?: string;
  json?: boolean;
};

/** `pulse insights …`: forecasts and capacity planning, and reports that look back (decisions, benchmarks, impact). */
export function registerInsights(program: Command): void {
  const insights = program
    .command('insights')
    .description('Insights: forecasts, capacity planning, decisions, benchmarks, business impact');
  addInsightOutcomeCommands(insights);
  withClientOptions(
    insights
      .command('forecast')
      .description('Daily forecast of a metric with a prediction interval, checked by backtest')
      .requiredOption('--metric <metric>', 'net_revenue_impact, realized_savings or cost_run_rate')
      .option('--tenant <id>', 'one tenant (default: every tenant you may see, summed)')
      .option('--to <day>', 'as-of day YYYY-MM-DD: only data before it is used (default today UTC)')
      .option('--horizon <days>', 'days to forecast, 1..365 (default 30)')
      .option('--level <p>', 'interval probability in (0, 1) (default 0.8)')
      .option('--json', 'machine output'),
  ).action(async (options: ForecastOptions) => {
    const params = new URLSearchParams({ metric: options.metric });
    for (const key of ['tenant', 'to', 'horizon', 'level'] as const)
      if (options[key]) params.set(key, options[key]);
    const forecast = await ApiClient.from(options).request<Forecast>(
      'GET',
      `/api/insights/forecast?${params}`,
    );
    print(options.json ?? false, forecast, () => renderForecast(forecast));
  });
  withClientOptions(
    insights
      .command('capacity')
      .description('Per resource: utilization, its daily trend and the day it is forecast to cross 90 %')
      .option('--tenant <ids>', 'only these tenants (comma-separated; default all you may see)')
      .option('--to <day>', 'as-of day YYYY-MM-DD: only readings before it (default: every reading)')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { tenant?: string; to?: string; json?: boolean }) => {
    const params = new URLSearchParams();
    for (const key of ['tenant', 'to'] as const) if (options[key]) params.set(key, options[key]);
    const capacity = await ApiClient.from(options).request<Capacity>(
      'GET',
      `/api/insights/capacity?${params}`,
    );
    print(options.json ?? false, capacity, () => renderCapacity(capacity));
  });
}
