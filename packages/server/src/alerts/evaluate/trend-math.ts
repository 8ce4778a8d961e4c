/**
 * The statistics of the trend rules (change_percent, anomaly), pure so they are tested on their own.
 */

/**
 * (current − previous) / |previous| × 100. A previous value of 0 has no relative change: 0 when the
 * current one is 0 too, else ±Infinity (“from nothing”), which crosses any percent in its direction.
 */
export function percentChange(previous: number, current: number): number {
  if (previous === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return ((current - previous) / Math.abs(previous)) * 100;
}

export function median(values: readonly number[]): number {
  // A typed array sorts numerically without a comparator call per comparison.
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/**
 * 1 / Φ⁻¹(3/4): makes the median absolute deviation a consistent estimator of σ for normal data
 * (Rousseeuw & Croux, "Alternatives to the Median Absolute Deviation", JASA 1993).
 */
export const MAD_SCALE = 1.4826;
/**
 * √(π/2): the same for the mean absolute deviation around the median, used when more than half the
 * baseline sits on the median (MAD = 0; Iglewicz & Hoaglin, "How to Detect and Handle Outliers", 1993).
 */
export const MEAN_AD_SCALE = 1.2533;

export interface Score {
  /** Standard deviations from the centre; ±Infinity when the baseline has no spread and x differs. */
  score: number;
  /** The baseline's mean (zscore) or median (mad). */
  center: number;
  /** The σ estimate the score divides by (0 for a constant baseline). */
  spread: number;
}

/** Divides by the spread; a constant baseline (spread 0) scores 0 at its value and ±Infinity elsewhere. */
function scored(x: number, center: number, spread: number): Score {
  const d = x - center;
  if (spread > 0) return { score: d / spread, center, spread };
  return { score: d === 0 ? 0 : d > 0 ? Infinity : -Infinity, center, spread: 0 };
}

/** z = (x − mean) / s, with s the sample standard deviation (n − 1) of the baseline (n ≥ 2). */
export function zScore(x: number, baseline: readonly number[]): Score {
  const m = mean(baseline);
  const variance = baseline.reduce((s, v) => s + (v - m) ** 2, 0) / (baseline.length - 1);
  return scored(x, m, Math.sqrt(variance));
}

/**
 * Robust score = (x − median) / (1.4826 × MAD), MAD = median |v − median|; when MAD is 0 the spread is
 * 1.2533 × mean |v − median| instead, and 0 only for a constant baseline.
 */
export function madScore(x: number, baseline: readonly number[]): Score {
  const m = median(baseline);
  const deviations = baseline.map((v) => Math.abs(v - m));
  const mad = median(deviations);
  const spread = mad > 0 ? MAD_SCALE * mad : MEAN_AD_SCALE * mean(deviations);
  return scored(x, m, spread);
}
