import { latestIndex } from './chart-scales';

export interface MetricColumn {
  name: string;
  /** One score per bucket (null where the metric has none). */
  values: (number | null)[];
}

const latestScore = (column: MetricColumn) => {
  const i = latestIndex(column.values);
  return i === null ? Infinity : (column.values[i] ?? Infinity);
};

/**
 * The chart's one question is which metrics need attention: the `keep` metrics with the lowest latest
 * score stand on their own, and the rest given (the next weakest) are averaged per bucket into one line
 * (a single leftover metric is shown as itself).
 */
export function weakestMetrics(
  columns: readonly MetricColumn[],
  keep: number,
): { weakest: MetricColumn[]; others: MetricColumn | null } {
  const ranked = [...columns].sort((a, b) => latestScore(a) - latestScore(b) || a.name.localeCompare(b.name));
  if (ranked.length <= keep + 1) return { weakest: ranked, others: null };
  const rest = ranked.slice(keep);
  const buckets = ranked[0]?.values.length ?? 0;
  const values = Array.from({ length: buckets }, (_, i) => {
    const scores = rest.map((c) => c.values[i]).filter((v): v is number => v !== null && v !== undefined);
    return scores.length ? scores.reduce((sum, v) => sum + v, 0) / scores.length : null;
  });
  return {
    weakest: ranked.slice(0, keep),
    others: { name: `Next ${rest.length} weakest (average)`, values },
  };
}
