/** How much room a scale leaves past its extreme values, as a share of the span. */
const MARGIN = 0.08;

/**
 * The value range of a chart: 0, the lowest and the highest value, with a margin past each extreme, so
 * every bar and line (a loss below zero as much as a gain above it) lies wholly inside the plot.
 */
export function valueRange(min: number | null, max: number | null): [number, number] {
  const lo = Math.min(0, min ?? 0);
  const hi = Math.max(0, max ?? 0);
  if (lo === 0 && hi === 0) return [0, 1];
  const margin = (hi - lo) * MARGIN;
  return [lo < 0 ? lo - margin : 0, hi + margin];
}

/** The time range of a chart: half a bucket before the first and after the last, so each bucket is whole. */
export function bucketRange(first: number | null, last: number | null, bucket: number): [number, number] {
  const a = first ?? 0;
  return [a - bucket / 2, (last ?? a) + bucket / 2];
}

/** The index of a column's last value, or null when it has none. */
export function latestIndex(column: ArrayLike<number | null | undefined>): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return i;
  return null;
}
