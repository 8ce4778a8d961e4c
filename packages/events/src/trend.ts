/**
 * Trends: how a figure moved between the previous window and the current one. Pure and without imports
 * like measures.ts, so the server's summary and the dashboard (over live deltas) judge alike.
 */

/** Direction of a metric between the previous window and the current one. */
export type Trend = 'improving' | 'stable' | 'declining';

/** The two values one trend compares, so the dashboard can show why it says what it says. */
export interface TrendComparison {
  /** Value in the current window (null: no data, as for an efficiency score without readings). */
  current: number | null;
  /** Value in the previous window. */
  previous: number | null;
  /**
   * `relative`: (current − previous) / |previous| as a fraction (0.05 = +5 %), null when previous is 0 or
   * a value is missing. `absolute`: current − previous in points, null when a value is missing.
   */
  change: number | null;
  basis: 'relative' | 'absolute';
}

/** Money trends move on a relative change beyond ±5 % (= 1/20, kept as an integer ratio below). */
export const RELATIVE_TREND_THRESHOLD = 0.05;
const RELATIVE_DIVISOR = Math.round(1 / RELATIVE_TREND_THRESHOLD);
/** The efficiency trend moves on an absolute change beyond ±2 points. */
export const EFFICIENCY_TREND_POINTS = 2;
/** Efficiency scores are compared in millionths of a point (float means differ in their last bits). */
const MICRO = 1_000_000;

const bySign = (n: number): Trend => (n > 0 ? 'improving' : n < 0 ? 'declining' : 'stable');

export interface TrendResult {
  trend: Trend;
  comparison: TrendComparison;
}

/**
 * Trend of a money figure (net revenue impact, realized savings), compared in whole cents with integer
 * arithmetic: float sums differ in their last bits with summation order, and "exactly +5 %" must be stable
 * (> +5 % improving, < −5 % declining). The change is relative to |previous|, so a net loss shrinking from
 * −100 to −50 is +50 %, an improvement. A previous value of 0 (in cents) has no relative change: the trend is
 * the sign of the current value and `change` is null.
 */
export function moneyTrend(current: number, previous: number): TrendResult {
  const cur = Math.round(current * 100);
  const prev = Math.round(previous * 100);
  const basis = 'relative' as const;
  if (prev === 0) return { trend: bySign(cur), comparison: { current, previous, change: null, basis } };
  // diff / |prev| > 1/20  ⇔  diff × 20 > |prev|: exact for cent amounts below 2^53 / 20.
  const diff = (cur - prev) * RELATIVE_DIVISOR;
  const limit = Math.abs(prev);
  return {
    trend: diff > limit ? 'improving' : diff < -limit ? 'declining' : 'stable',
    comparison: { current, previous, change: (current - previous) / Math.abs(previous), basis },
  };
}

/**
 * Trend of operationalEfficiencyScore: current − previous beyond ±2 points. The difference is always defined,
 * so the zero-previous rule (a fallback for an undefined ratio) does not apply here. When either window
 * has no reading there is nothing to compare: stable, change null.
 */
export function efficiencyTrend(current: number | null, previous: number | null): TrendResult {
  const basis = 'absolute' as const;
  if (current === null || previous === null)
    return { trend: 'stable', comparison: { current, previous, change: null, basis } };
  const diff = Math.round(current * MICRO) - Math.round(previous * MICRO);
  const limit = EFFICIENCY_TREND_POINTS * MICRO;
  return {
    trend: diff > limit ? 'improving' : diff < -limit ? 'declining' : 'stable',
    comparison: { current, previous, change: current - previous, basis },
  };
}
