/**
 * The q-quantile (0..1) of some numbers, interpolating linearly between the two nearest ranks (as
 * DuckDB's quantile_cont and most spreadsheets do); null without numbers.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (position - below);
}

/**
 * Where `value` stands among `values` (which include it), 0..100: the share of values below it plus half
 * of those equal to it (ties share the middle of their ranks; a lone value is the 50th percentile).
 */
export function percentileRank(value: number, values: readonly number[]): number {
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < value) below++;
    else if (v === value) equal++;
  }
  return ((below + equal / 2) / values.length) * 100;
}
