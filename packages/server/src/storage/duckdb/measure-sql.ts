import { costRunRate, type ConditionalSum, type LatestMean, type WeightedRate } from '@pulse/events/measures';
import { constant, empty, ident, sql, type Sql } from '../../sql.js';

// The measures of @pulse/events/measures as DuckDB SQL, over columns named as their properties.

/** The rows on the measure's side. */
export const sideSql = (m: ConditionalSum): Sql => sql`${ident(m.side)} = ${constant(m.value)}`;

/** Σ amount over the rows on the measure's side (NULL over none, as `sum`); `where` narrows the rows further. */
export const conditionalSumSql = (m: ConditionalSum, where?: Sql): Sql =>
  sql`sum(${ident(m.amount)}) FILTER (WHERE ${where ? sql`${where} AND ` : empty}${sideSql(m)})`;

/** The parts of a weighted rate: `rated` selects the rows it is over; the sums are over those rows. */
export function weightedRateSql(m: WeightedRate) {
  const rate = ident(m.rate);
  const weight = ident(m.weight);
  const rated = sql`${rate} IS NOT NULL`;
  return {
    rated,
    weight: sql`sum(${weight})`,
    weightedSum: sql`sum(${rate} * ${weight})`,
    /** The rate itself over any rows (NULL without weight), like weightedMean. */
    mean: sql`sum(${rate} * ${weight}) FILTER (WHERE ${rated}) / nullif(sum(${weight}) FILTER (WHERE ${rated}), 0)`,
  };
}

/** businessPerformanceScore of two SQL amounts. */
export const performanceScoreSql = (positive: Sql, negative: Sql): Sql =>
  sql`CASE WHEN ${positive} + ${negative} = 0 THEN 0 ELSE (${positive} - ${negative}) / (${positive} + ${negative}) * 100 END`;

/** The resource a resource_usage row is about (costRunRate's entity, else its group). */
export const resourceSql = sql`coalesce(${ident(costRunRate.entity)}, ${ident(costRunRate.group)})`;
/** A resource's latest run-rate in a group of its rows. */
export const latestCostSql = sql`arg_max(${ident(costRunRate.cost)}, "timestamp")`;

/** A row's timestamp in epoch ms. */
export const tsMs = sql`epoch_ms("timestamp")`;

/**
 * The latest `value` of a group of rows as {ts, v: −value}: the newest millisecond wins and, on a tie
 * there, the lowest value (the least favourable reading), so every reader picks the same row.
 */
export const latestReadingSql = (value: Sql): Sql => sql`max({'ts': ${tsMs}, 'v': -${value}})`;

/** A LatestMean's latest score in a group of its rows (one key's rows). */
export const latestScoreSql = (m: LatestMean): Sql => sql`-${latestReadingSql(ident(m.score))}.v`;

/**
 * The latest score of each (tenant_id, key) of a LatestMean, as rows (tenant_id, score), over the rows of
 * `from` (a FROM clause, with its WHERE, over the measure's event): their mean per tenant is the measure.
 */
export const latestScoresSql = (m: LatestMean, from: Sql): Sql =>
  sql`SELECT tenant_id, ${latestScoreSql(m)} AS score ${from} GROUP BY tenant_id, ${ident(m.key)}`;
