import type { Forecast, ForecastMetric } from '@pulse/api';
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import type { Series } from '../types';

const DAY = 86_400_000;
/** Days drawn past the window: two weeks reads well beside a 30-day window. */
const HORIZON = 14;

/**
 * The forecast of `metric` from the window's last day on, for a daily chart (null otherwise, or while it
 * loads, or if the server refuses it: the chart then simply has no band).
 */
export function useForecast(metric: ForecastMetric, tenant: string | null, series: Series): Forecast | null {
  const [forecast, setForecast] = useState<Forecast | null>(null);
  const daily = series.bucketMs === DAY;
  const to = new Date(Date.parse(series.window.to)).toISOString().slice(0, 10);
  useEffect(() => {
    setForecast(null);
    if (!daily) return;
    let cancelled = false;
    api<Forecast>(`/api/insights/forecast${qs({ metric, tenant, to, horizon: HORIZON })}`)
      .then((f) => !cancelled && setForecast(f))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [metric, tenant, to, daily]);
  return forecast;
}

/**
 * Extends a chart's x (epoch ms of its buckets) with the forecast's days and lays the forecast out on it:
 * the point forecast joined to the last actual value, and the interval's bounds.
 */
export function withForecast(xs: readonly number[], actual: readonly (number | null)[], forecast: Forecast) {
  const days = forecast.forecast.map((p) => Date.parse(`${p.date}T00:00:00Z`));
  const x = [...new Set([...xs, ...days])].sort((a, b) => a - b);
  const at = new Map(x.map((t, i) => [t, i]));
  const column = () => x.map((): number | null => null);
  const values = column();
  xs.forEach((t, i) => (values[at.get(t) as number] = actual[i] ?? null));
  const [value, lower, upper] = [column(), column(), column()];
  const start = days[0] ?? Infinity;
  const last = xs.findLastIndex((t, i) => actual[i] !== null && t < start);
  if (last >= 0) value[at.get(xs[last] as number) as number] = actual[last] ?? null;
  forecast.forecast.forEach((p, i) => {
    const index = at.get(days[i] as number) as number;
    value[index] = p.value;
    lower[index] = p.lower;
    upper[index] = p.upper;
  });
  return { x, values, value, lower, upper };
}
