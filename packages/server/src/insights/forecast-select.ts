import {
  fitExponentialSmoothing,
  fitNaive,
  fitSeasonalNaive,
  normalQuantile,
  SEASON,
  type Fitted,
  type MethodName,
} from './forecast-models.js';

/**
 * Chooses a model for a daily series by rolling-origin backtest (fpp3 §5.10 "time series cross-validation"):
 * each candidate is refitted on the history up to each origin and scored on the days after it; the lowest mean
 * absolute error wins, ties going to the simpler model. Intervals are the chosen model's ETS intervals
 * (forecast-models.ts); the backtest reports how often its days actually fell inside them.
 */

/** Fewer days than this (two weekly seasons) cannot start a seasonal model: a naive forecast instead. */
export const MIN_SEASONAL_DAYS = 2 * SEASON;
/** Backtest: at most this many origins, a week apart, each scored over at most this many days. */
const MAX_WINDOWS = 8;
const MAX_BACKTEST_DAYS = 28;

const candidates: { method: MethodName; fit: (y: readonly number[]) => Fitted }[] = [
  { method: 'seasonal_naive', fit: fitSeasonalNaive },
  { method: 'holt_linear', fit: (y) => fitExponentialSmoothing(y, false) },
  { method: 'holt_winters_additive', fit: (y) => fitExponentialSmoothing(y, true) },
];

export interface ForecastOptions {
  horizon: number;
  /** Interval probability in (0, 1). */
  level: number;
  /** Clamp the point forecast and the lower bound at 0 (amounts that cannot go negative). */
  nonNegative: boolean;
}

export interface ForecastPoint {
  value: number;
  lower: number;
  upper: number;
}

export interface SeriesForecast {
  method: MethodName | 'none';
  points: ForecastPoint[];
  backtest: { windows: number; mape: number | null; coverage: number | null };
  note?: string;
}

function pointsOf(fitted: Fitted, steps: number, options: ForecastOptions): ForecastPoint[] {
  const z = normalQuantile(0.5 + options.level / 2);
  const { mean, sd } = fitted.forecast(steps);
  const floor = (v: number) => (options.nonNegative ? Math.max(0, v) : v);
  return mean.map((m, i) => {
    const spread = z * (sd[i] as number);
    return { value: floor(m), lower: floor(m - spread), upper: floor(m + spread) };
  });
}

/** The backtest origins: the last leaves `days` after it, earlier ones a week apart, each after 2 seasons. */
function originsOf(length: number, days: number): number[] {
  const origins: number[] = [];
  for (let w = 0; w < MAX_WINDOWS; w++) {
    const origin = length - days - w * SEASON;
    if (origin < MIN_SEASONAL_DAYS) break;
    origins.push(origin);
  }
  return origins;
}

interface Score {
  mae: number;
  mape: number | null;
  coverage: number;
}

function backtest(
  y: readonly number[],
  candidate: (typeof candidates)[number],
  origins: readonly number[],
  days: number,
  options: ForecastOptions,
): Score {
  let absolute = 0;
  let percent = 0;
  let percentDays = 0;
  let inside = 0;
  let count = 0;
  for (const origin of origins) {
    const points = pointsOf(candidate.fit(y.slice(0, origin)), days, options);
    points.forEach((p, i) => {
      const actual = y[origin + i] as number;
      const error = Math.abs(actual - p.value);
      absolute += error;
      if (actual !== 0) {
        percent += error / Math.abs(actual);
        percentDays++;
      }
      if (actual >= p.lower && actual <= p.upper) inside++;
      count++;
    });
  }
  return {
    mae: absolute / count,
    mape: percentDays ? (100 * percent) / percentDays : null,
    coverage: inside / count,
  };
}

/** Forecasts `options.horizon` days after `y` (consecutive days, oldest first). */
export function forecastSeries(y: readonly number[], options: ForecastOptions): SeriesForecast {
  const noBacktest = { windows: 0, mape: null, coverage: null };
  if (y.length === 0)
    return { method: 'none', points: [], backtest: noBacktest, note: 'no data before the as-of day' };
  if (y.length < MIN_SEASONAL_DAYS)
    return {
      method: 'naive',
      points: pointsOf(fitNaive(y), options.horizon, options),
      backtest: noBacktest,
      note: `only ${y.length} day${y.length === 1 ? '' : 's'} of history: a flat forecast from the last day with a wide interval; weekly patterns and trends need at least ${MIN_SEASONAL_DAYS} days`,
    };
  const days = Math.min(options.horizon, MAX_BACKTEST_DAYS, y.length - MIN_SEASONAL_DAYS);
  const origins = days > 0 ? originsOf(y.length, days) : [];
  if (!origins.length) {
    const fitted = fitSeasonalNaive(y);
    return {
      method: fitted.method,
      points: pointsOf(fitted, options.horizon, options),
      backtest: noBacktest,
      note: `${y.length} days of history leave none to backtest on: the seasonal naive forecast, unchecked`,
    };
  }
  let best: { candidate: (typeof candidates)[number]; score: Score } | null = null;
  for (const candidate of candidates) {
    const score = backtest(y, candidate, origins, days, options);
    // Strictly better only: on a tie the simpler (earlier) candidate stays.
    if (!best || score.mae < best.score.mae) best = { candidate, score };
  }
  if (!best) throw new Error('unreachable: there are candidates');
  const { candidate, score } = best;
  return {
    method: candidate.method,
    points: pointsOf(candidate.fit(y), options.horizon, options),
    backtest: { windows: origins.length, mape: score.mape, coverage: score.coverage },
    ...(origins.length < 3
      ? { note: `only ${origins.length} backtest window(s): accuracy and coverage are rough` }
      : {}),
  };
}
