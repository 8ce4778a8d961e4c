import { describe, expect, it } from 'vitest';
import { fitExponentialSmoothing, normalQuantile } from './forecast-models.js';
import { forecastSeries } from './forecast-select.js';

/** A seeded uniform generator (mulberry32) and standard normal draws from it (Box–Muller). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const weekly = [12, 8, 5, -3, -6, -9, -7];
/** Level 200, trend `slope` per day, a weekly pattern and N(0, noise²) noise. */
function synthetic(days: number, seed: number, slope = 0.8, noise = 6): number[] {
  const draw = normals(seed);
  return Array.from({ length: days }, (_, t) => 200 + slope * t + (weekly[t % 7] as number) + noise * draw());
}

describe('normalQuantile', () => {
  it('matches known quantiles of the standard normal', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 6);
    expect(() => normalQuantile(1)).toThrow(/\(0, 1\)/);
  });
});

describe('forecastSeries on trend + weekly seasonality + noise', () => {
  it('picks a trended seasonal model and tracks the true mean', () => {
    const y = synthetic(120, 1);
    const result = forecastSeries(y, { horizon: 14, level: 0.8, nonNegative: false });
    expect(result.method).toBe('holt_winters_additive');
    expect(result.backtest.windows).toBe(8);
    expect(result.note).toBeUndefined();
    result.points.forEach((p, h) => {
      const t = 120 + h;
      const truth = 200 + 0.8 * t + (weekly[t % 7] as number);
      expect(Math.abs(p.value - truth)).toBeLessThan(15);
      expect(p.lower).toBeLessThan(p.value);
      expect(p.upper).toBeGreaterThan(p.value);
    });
    expect(result.backtest.mape).toBeGreaterThan(0);
    expect(result.backtest.mape).toBeLessThan(10);
  });

  it('lands inside its 80 % interval about 80 % of the time, over many series and days', () => {
    let inside = 0;
    let total = 0;
    const reported: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const full = synthetic(150, seed * 7919);
      const history = full.slice(0, 120);
      const result = forecastSeries(history, { horizon: 30, level: 0.8, nonNegative: false });
      result.points.forEach((p, h) => {
        const actual = full[120 + h] as number;
        if (actual >= p.lower && actual <= p.upper) inside++;
        total++;
      });
      reported.push(result.backtest.coverage ?? NaN);
    }
    const coverage = inside / total;
    expect(total).toBe(1200);
    expect(coverage).toBeGreaterThan(0.65);
    expect(coverage).toBeLessThan(0.95);
    // The backtest's own coverage estimate agrees on average.
    const meanReported = reported.reduce((a, b) => a + b, 0) / reported.length;
    expect(meanReported).toBeGreaterThan(0.65);
    expect(meanReported).toBeLessThan(0.95);
  });

  it('a 95 % interval is wider than an 80 % one and covers more', () => {
    const y = synthetic(100, 3);
    const at80 = forecastSeries(y, { horizon: 7, level: 0.8, nonNegative: false });
    const at95 = forecastSeries(y, { horizon: 7, level: 0.95, nonNegative: false });
    expect(at95.method).toBe(at80.method);
    at95.points.forEach((p, i) => {
      const q = at80.points[i];
      expect(p.upper - p.lower).toBeGreaterThan((q?.upper ?? 0) - (q?.lower ?? 0));
    });
    expect(at95.backtest.coverage ?? 0).toBeGreaterThanOrEqual(at80.backtest.coverage ?? 1);
  });

  it('intervals widen with the horizon (ETS(A,A,A) variance grows with h)', () => {
    const { sd } = fitExponentialSmoothing(synthetic(90, 5), true).forecast(60);
    for (let h = 1; h < sd.length; h++) expect(sd[h]).toBeGreaterThanOrEqual(sd[h - 1] as number);
  });
});

describe('forecastSeries with little or no history', () => {
  it('answers an empty history with no points and a note', () => {
    expect(forecastSeries([], { horizon: 30, level: 0.8, nonNegative: true })).toEqual({
      method: 'none',
      points: [],
      backtest: { windows: 0, mape: null, coverage: null },
      note: 'no data before the as-of day',
    });
  });

  it('falls back to a flat naive forecast with a wide interval under two weeks', () => {
    const y = [100, 120, 90, 110, 105];
    const result = forecastSeries(y, { horizon: 10, level: 0.8, nonNegative: true });
    expect(result.method).toBe('naive');
    expect(result.note).toMatch(/only 5 days of history.*at least 14 days/);
    expect(result.points.every((p) => p.value === 105)).toBe(true);
    const widths = result.points.map((p) => p.upper - p.lower);
    expect(widths[9]).toBeGreaterThan(widths[0] as number);
    expect(result.backtest.windows).toBe(0);
  });

  it('a single day still gives an interval, never negative for amounts that cannot be', () => {
    const result = forecastSeries([40], { horizon: 3, level: 0.8, nonNegative: true });
    expect(result.points[0]).toMatchObject({ value: 40, lower: 0 });
    expect(result.points[0]?.upper).toBeGreaterThan(40);
  });

  it('notes how rough a backtest of few windows is', () => {
    const result = forecastSeries(synthetic(20, 9), { horizon: 30, level: 0.8, nonNegative: false });
    expect(result.backtest.windows).toBe(1);
    expect(result.note).toMatch(/only 1 backtest window/);
    expect(result.points).toHaveLength(30);
  });
});
