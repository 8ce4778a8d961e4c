/**
 * Exponential-smoothing models of a daily series with weekly seasonality, in their innovations (error-
 * correction) form, after Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed. (fpp3):
 *
 * - Holt linear trend, ETS(A,A,N) (§8.2, §8.5):  ŷ(t+h|t) = ℓ(t) + h·b(t),
 *   ℓ(t) = ℓ(t−1) + b(t−1) + α·ε(t),  b(t) = b(t−1) + β·ε(t),  ε(t) = y(t) − ℓ(t−1) − b(t−1).
 * - Additive Holt-Winters, ETS(A,A,A) (§8.3):  ŷ(t+h|t) = ℓ(t) + h·b(t) + s(t+h−m(k+1)),  k = ⌊(h−1)/m⌋,
 *   ε(t) = y(t) − ℓ(t−1) − b(t−1) − s(t−m),  s(t) = s(t−m) + γ·ε(t)  (ℓ, b as above). fpp3's smoothing form
 *   uses β* with β = α·β*; the grid below is over β* so that 0 ≤ β ≤ α holds.
 * - Seasonal naive (§5.2): ŷ(t+h|t) = y(t+h−m(k+1)).
 *
 * Prediction intervals are the ETS ones (fpp3 §8.7, Table 8.8), ŷ ± z·σ(h), with σ² the one-step residuals'
 * Σε² / (T − p) (p = smoothing parameters + initial states), and σ(h)² =
 * - ETS(A,A,N): σ²[1 + (h−1){α² + αβh + β²h(2h−1)/6}]
 * - ETS(A,A,A): the above + σ²·γk{2α + γ + βm(k+1)}
 * - seasonal naive: σ²(k+1)  (fpp3 §5.5, Table 5.2); naive (random walk): σ²h.
 * Parameters are chosen by a fixed grid minimizing the one-step squared errors: bounded work, no optimizer.
 */

export const SEASON = 7;

export type MethodName = 'seasonal_naive' | 'holt_linear' | 'holt_winters_additive' | 'naive';

/** A fitted model: forecasts h = 1… steps past the data, each with its standard deviation. */
export interface Fitted {
  method: MethodName;
  forecast(steps: number): { mean: number[]; sd: number[] };
}

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETA_STARS = [0, 0.02, 0.05, 0.1, 0.2];
const GAMMAS = [0, 0.05, 0.1, 0.2, 0.35];

interface State {
  level: number;
  trend: number;
  /** The last m seasonal states; season[i] applies to steps t with t ≡ i (mod m), counted from the data start. */
  season: number[];
  sse: number;
  n: number;
}

/** Runs the recursions over `y`; `seasonal` false keeps every seasonal state at 0 (Holt). */
function smooth(y: readonly number[], p: Params, seasonal: boolean): State {
  const m = SEASON;
  let level: number;
  let trend: number;
  const season = new Array<number>(m).fill(0);
  let start: number;
  if (seasonal) {
    // fpp3's classical start: ℓ0 the first season's mean, b0 the change in the mean between the first two
    // seasons per step, s0 the first season's deviations from ℓ0.
    const first = mean(y.slice(0, m));
    const second = mean(y.slice(m, 2 * m));
    trend = (second - first) / m;
    for (let i = 0; i < m; i++) season[i] = (y[i] as number) - first - (i - (m - 1) / 2) * trend;
    level = first + ((m - 1) / 2) * trend;
    start = m;
  } else {
    level = y[0] as number;
    trend = y.length > 1 ? (y[1] as number) - (y[0] as number) : 0;
    start = 1;
  }
  let sse = 0;
  for (let t = start; t < y.length; t++) {
    const s = season[t % m] as number;
    const error = (y[t] as number) - level - trend - s;
    sse += error * error;
    level = level + trend + p.alpha * error;
    trend = trend + p.beta * error;
    if (seasonal) season[t % m] = s + p.gamma * error;
  }
  return { level, trend, season, sse, n: y.length - start };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** ETS(A,A,N) (seasonal false) or ETS(A,A,A) (true) fitted by grid search; needs 2 seasons when seasonal. */
export function fitExponentialSmoothing(y: readonly number[], seasonal: boolean): Fitted {
  let best: { p: Params; state: State } | null = null;
  for (const alpha of ALPHAS)
    for (const betaStar of BETA_STARS)
      for (const gamma of seasonal ? GAMMAS : [0]) {
        if (gamma > 1 - alpha) continue; // the usual bound 0 ≤ γ ≤ 1 − α
        const p = { alpha, beta: alpha * betaStar, gamma };
        const state = smooth(y, p, seasonal);
        if (!best || state.sse < best.state.sse) best = { p, state };
      }
  if (!best) throw new Error('unreachable: the grid is not empty');
  const { p, state } = best;
  const m = SEASON;
  // Smoothing parameters plus initial states: α, β, ℓ0, b0 (+ γ and m − 1 free seasonal states).
  const params = seasonal ? 4 + m : 4;
  const sigma2 = state.sse / Math.max(1, state.n - params);
  const origin = y.length;
  return {
    method: seasonal ? 'holt_winters_additive' : 'holt_linear',
    forecast(steps) {
      const mean: number[] = [];
      const sd: number[] = [];
      for (let h = 1; h <= steps; h++) {
        const k = Math.floor((h - 1) / m);
        const s = seasonal ? (state.season[(origin + h - 1) % m] as number) : 0;
        mean.push(state.level + h * state.trend + s);
        let factor =
          1 + (h - 1) * (p.alpha ** 2 + p.alpha * p.beta * h + (p.beta ** 2 * h * (2 * h - 1)) / 6);
        if (seasonal) factor += p.gamma * k * (2 * p.alpha + p.gamma + p.beta * m * (k + 1));
        sd.push(Math.sqrt(sigma2 * factor));
      }
      return { mean, sd };
    },
  };
}

/** Seasonal naive: each day as the same weekday last week; needs 2 seasons (one to forecast, one to learn σ). */
export function fitSeasonalNaive(y: readonly number[]): Fitted {
  const m = SEASON;
  let sse = 0;
  for (let t = m; t < y.length; t++) sse += ((y[t] as number) - (y[t - m] as number)) ** 2;
  const sigma2 = sse / Math.max(1, y.length - m);
  const last = y.slice(-m);
  return {
    method: 'seasonal_naive',
    forecast(steps) {
      const mean: number[] = [];
      const sd: number[] = [];
      for (let h = 1; h <= steps; h++) {
        mean.push(last[(h - 1) % m] as number);
        sd.push(Math.sqrt(sigma2 * (Math.floor((h - 1) / m) + 1)));
      }
      return { mean, sd };
    },
  };
}

/**
 * Naive (random walk), for histories too short for anything else: flat at the last value. σ from the day-
 * to-day changes; with fewer than 2 changes, the last value's own size (a deliberately wide guess).
 */
export function fitNaive(y: readonly number[]): Fitted {
  const last = y[y.length - 1] ?? 0;
  const changes = y.slice(1).map((v, i) => v - (y[i] as number));
  const sigma =
    changes.length >= 2
      ? Math.sqrt(changes.reduce((a, d) => a + d * d, 0) / changes.length)
      : Math.abs(last) || 1;
  return {
    method: 'naive',
    forecast(steps) {
      const mean = Array.from({ length: steps }, () => last);
      const sd = Array.from({ length: steps }, (_, i) => sigma * Math.sqrt(i + 1));
      return { mean, sd };
    },
  };
}

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1: P. J. Acklam's rational approximation (relative error
 * below 1.2e-9), ample for interval bounds.
 */
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1,
];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
const horner = (coefficients: readonly number[], x: number) =>
  coefficients.reduce((acc, c) => acc * x + c, 0);

export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return horner(C, q) / horner(D, q);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -horner(C, q) / horner(D, q);
  }
  const q = p - 0.5;
  const r = q * q;
  return (horner(A, r) * q) / horner(B, r);
}
