import { costRunRate, type ConditionalSum, type LatestMean, type WeightedRate } from '@pulse/events/measures';
import { DAY_MS } from '../../analytics/facts.js';
import { empty, ident, join, sql, type Sql } from '../../sql.js';
import { always, tenantScope } from './clauses.js';
import type { TenantScope } from '../query-runner.js';
import { EVENTS_TABLE } from './schema.js';

// The measures of @pulse/events/measures as ClickHouse SQL over the events table's typed columns (epoch ms
// times). Aggregates skip NULL arguments, as DuckDB's do; sums over no rows are 0 here (NULL in DuckDB):
// every reader treats both as 0.

/** Every event, each once: copies of a row collapse on the fly (storage/PARITY.md). */
export const eventsFinal = sql`${ident(EVENTS_TABLE)} FINAL`;

/** A tenant scope over the events table ('all' includes events without a tenant). */
export const scoped = (scope: TenantScope): Sql => (scope === 'all' ? always : tenantScope(scope));

/** The tenant of an event as DuckDB reads it: NULL when it has none. */
export const tenantSql = sql`if(has_tenant = 1, tenant_id, NULL)`;

/** The UTC day (epoch ms / day) of an event's timestamp. */
export const daySql = sql`floor(timestamp / ${DAY_MS})`;

/** The rows on the measure's side. */
export const sideSql = (m: ConditionalSum): Sql => sql`${ident(m.side)} = ${m.value}`;

/** Σ amount over the rows on the measure's side; `where` narrows the rows further. */
export const conditionalSumSql = (m: ConditionalSum, where?: Sql): Sql =>
  sql`sumIf(${ident(m.amount)}, ${where ? sql`${where} AND ` : empty}${sideSql(m)})`;

/** The parts of a weighted rate: `rated` selects the rows it is over; the sums are over those rows. */
export function weightedRateSql(m: WeightedRate) {
  const rate = ident(m.rate);
  const weight = ident(m.weight);
  const rated = sql`isNotNull(${rate})`;
  return {
    rated,
    weight: sql`sum(${weight})`,
    weightedSum: sql`sum(${rate} * ${weight})`,
    /** The rate itself over any rows (NULL without weight), like weightedMean. */
    mean: sql`sumIf(${rate} * ${weight}, ${rated}) / nullIf(sumIf(${weight}, ${rated}), 0)`,
  };
}

/** businessPerformanceScore of two SQL amounts. */
export const performanceScoreSql = (positive: Sql, negative: Sql): Sql =>
  sql`if(${positive} + ${negative} = 0, 0, (${positive} - ${negative}) / (${positive} + ${negative}) * 100)`;

/** The resource a resource_usage row is about (costRunRate's entity, else its group). */
export const resourceSql = sql`coalesce(${ident(costRunRate.entity)}, ${ident(costRunRate.group)})`;
/** A resource's latest run-rate in a group of its rows. */
export const latestCostSql = sql`argMax(${ident(costRunRate.cost)}, timestamp)`;

/**
 * The latest `value` of a group of rows as the tuple (ts, −value): the newest millisecond wins and, on a
 * tie there, the lowest value (the least favourable reading), so every reader picks the same row.
 */
export const latestReadingSql = (value: Sql): Sql => sql`max(tuple(timestamp, -${value}))`;

/** A LatestMean's latest score in a group of its rows (one key's rows). */
export const latestScoreSql = (m: LatestMean): Sql =>
  sql`-tupleElement(${latestReadingSql(ident(m.score))}, 2)`;

/**
 * The latest score of each (tenant, key) of a LatestMean, as rows (tenant_id, score), over the measure's
 * events matching `where`: their mean per tenant is the measure.
 */
export const latestScoresSql = (m: LatestMean, where: Sql): Sql =>
  sql`SELECT tenant_id, ${latestScoreSql(m)} AS score FROM ${eventsFinal}
    WHERE event = ${m.event} AND has_tenant = 1 AND ${where} GROUP BY tenant_id, ${ident(m.key)}`;

/** `a AND b AND …`. */
export const all = (conditions: readonly Sql[]): Sql =>
  conditions.length ? join(conditions, ' AND ') : always;
