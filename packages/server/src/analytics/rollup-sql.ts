import {
  bounceRate,
  costRunRate,
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
  type LatestMean,
  type WeightedRate,
} from '@pulse/events/measures';
import {
  DAY_MS,
  factProperties,
  stakeProperties,
  summaryEventTypes,
  type SummaryEventType,
} from './facts.js';
import { constant, empty, ident, isIn, join, literal, sql, stringList, timestamp, type Sql } from '../sql.js';
import type { ColumnKind } from './sql-reader.js';

/**
 * SQL over the DuckDB store's per-type tables (storage/duckdb/schema.ts: `ev_<event>`, one typed column per
 * catalog property, UTC TIMESTAMPs). The rebuild statement yields what facts.ts + day-rollup.ts compute from
 * events, aggregated per (tenant, UTC day): one statement, so every part reads the same snapshot.
 *
 * Rebuild rows are numeric but for `u` and `s`: tenant ids and keys (`t`, `k`) are indexes into the dictionary
 * rows the statement also returns (the driver turns a string into JS several times slower than a number).
 * Row kinds, with the columns each uses:
 */
export const RowKind = {
  /** k = id, s = the string (a tenant id or a key) */
  dictionary: 0,
  /** a = Σ positive impact_amount, b = Σ negative, c = events */
  revenue: 1,
  /** a = Σ savings_amount implemented, b = Σ identified */
  cost: 2,
  /** a = Σ email_count, b = Σ bounce_rate × email_count, over events with a bounce_rate */
  email: 3,
  /** k = efficiency_metric, ts = latest timestamp, a = its score (lowest on a same-ms tie) */
  efficiency: 4,
  /** k = resource_id, ts = latest timestamp, a = ResourceState (lowest on a same-ms tie) */
  resource: 5,
  /** k = decision_id */
  decision: 6,
  /** k = action, a = stake, ts/u = source event, ty = its type's index in summaryEventTypes; the top 5 by
   * stake per day, ties at the 5th kept */
  action: 7,
  /** a = latest ingested_at of a late event */
  late: 8,
  /** a tenant with any business event (no day) */
  tenant: 9,
  /** ts = newest ingested_at in the snapshot; one row per uuid ingested at that instant (u) */
  highWater: 10,
} as const;

/** Columns of rebuild rows, in order: kind, t, g (day), k, ts, a, b, c, u, ty, s. */
export const rebuildColumnKinds: readonly ColumnKind[] = [
  ...(['number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'] as const),
  'string',
  'number',
  'string',
];

const table = (type: string): Sql => ident(`ev_${type}`);

// ── The measures of @pulse/events/measures as SQL, over columns named as their properties ──────────────

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

const tsMs = sql`epoch_ms("timestamp")`;
const day = sql`floor(${tsMs} / ${literal(DAY_MS)})`;

/**
 * The latest `value` of a group of rows as {ts, v: −value}: the newest millisecond wins and, on a tie
 * there, the lowest value (the least favourable reading), so every reader picks the same row.
 */
const latestReadingSql = (value: Sql): Sql => sql`max({'ts': ${tsMs}, 'v': -${value}})`;

/** A LatestMean's latest score in a group of its rows (one key's rows). */
const latestScoreSql = (m: LatestMean): Sql => sql`-${latestReadingSql(ident(m.score))}.v`;

/**
 * The latest score of each (tenant_id, key) of a LatestMean, as rows (tenant_id, score), over the rows of
 * `from` (a FROM clause, with its WHERE, over the measure's event): their mean per tenant is the measure.
 */
export const latestScoresSql = (m: LatestMean, from: Sql): Sql =>
  sql`SELECT tenant_id, ${latestScoreSql(m)} AS score ${from} GROUP BY tenant_id, ${ident(m.key)}`;

// The same whitespace set as trimAction in facts.ts, so both sides see the same action strings.
const whitespace = sql`' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)`;
const resourceState = sql`CASE WHEN cost_efficient THEN 2 WHEN NOT cost_efficient THEN 1 ELSE 0 END`;

/** stakeOf (facts.ts) in SQL. */
function stakeSql(type: SummaryEventType): Sql {
  const stake = stakeProperties[type];
  if (!stake) return sql`0`;
  const value = sql`coalesce(${ident(stake.property)}, 0)`;
  return stake.magnitude ? sql`abs(${value})` : value;
}

/** actionsOf (facts.ts) in SQL: the action list of one row, before trimming. */
const actionListSql: Partial<Record<SummaryEventType, { list: Sql; where?: Sql }>> = {
  revenue_impact_event: {
    list: sql`list_concat(CASE WHEN action_required IS NULL THEN [] ELSE [action_required] END, coalesce(mitigation_actions, []))`,
  },
  cost_optimization_event: { list: sql`required_actions`, where: sideSql(projectedSavings) },
  operational_efficiency_event: { list: sql`recommendations` },
  email_deliverability_event: { list: sql`actions_required` },
  resource_usage_event: { list: sql`optimization_opportunities` },
};

type Field = 'k' | 'ts' | 'a' | 'b' | 'c' | 'u' | 'ty';
const fieldTypes: Record<Field, Sql> = {
  k: sql`VARCHAR`,
  ts: sql`DOUBLE`,
  a: sql`DOUBLE`,
  b: sql`DOUBLE`,
  c: sql`DOUBLE`,
  u: sql`VARCHAR`,
  ty: sql`DOUBLE`,
};

/** One part of the rows CTE: kind, t, g and the fields given (NULL otherwise), typed alike for UNION ALL. */
function part(kind: number, g: Sql, fields: Partial<Record<Field, Sql>>, rest: Sql): Sql {
  const cols = (Object.keys(fieldTypes) as Field[]).map(
    (f) => sql`CAST(${fields[f] ?? sql`NULL`} AS ${fieldTypes[f]}) AS ${ident(f)}`,
  );
  return sql`SELECT ${literal(kind)} AS kind, t, CAST(${g} AS DOUBLE) AS g, ${join(cols, ', ')} ${rest}`;
}

const unionAll = (parts: readonly Sql[]) => join(parts, ' UNION ALL ');

/** Events a snapshot of the rollups already holds (rollup-snapshot.ts): those ingested before `ingestedAt`
 * and the listed ones ingested at it. */
export interface Applied {
  ingestedAt: number;
  uuids: readonly string[];
}

/**
 * The events a snapshot does not hold. Rows are stored in ingestion order: zone maps skip the rest. The
 * uuids at the snapshot's instant (thousands after a bulk load) are one bound list in the `applied` CTE,
 * matched by a hash join: spelled out as `IN (…)` they cost seconds per table.
 */
const notAppliedSql = ({ ingestedAt }: Applied): Sql =>
  sql`(ingested_at > ${timestamp(ingestedAt)} OR (ingested_at = ${timestamp(ingestedAt)} AND CAST(uuid AS VARCHAR) NOT IN (SELECT u FROM applied)))`;

/** The store's count of retention runs that deleted events (a snapshot taken before one is stale). */
export const eventDeletionsSql = sql`SELECT CAST(coalesce(max(runs), 0) AS DOUBLE) AS n FROM event_deletions`;

/**
 * The rebuild statement (see RowKind and rebuildColumnKinds): over every event, or with `after`, over
 * the events a snapshot does not hold (its rows are added onto the snapshot's rollups).
 */
export function rebuildSql(lateGraceMs: number, after?: Applied): Sql {
  const since = after ? notAppliedSql(after) : null;
  const from = (type: string, where?: Sql) => {
    const filter = [sql`tenant_id IS NOT NULL`, ...(where ? [where] : []), ...(since ? [since] : [])];
    return sql`FROM (SELECT *, tenant_id AS t FROM ${table(type)} WHERE ${join(filter, ' AND ')})`;
  };
  const bounce = weightedRateSql(bounceRate);
  const parts: Sql[] = [
    part(
      RowKind.revenue,
      day,
      {
        a: conditionalSumSql(positiveRevenueImpact),
        b: conditionalSumSql(negativeRevenueImpact),
        c: sql`count(*)`,
      },
      sql`${from('revenue_impact_event')} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.cost,
      day,
      {
        a: conditionalSumSql(realizedSavings),
        b: conditionalSumSql(projectedSavings),
      },
      sql`${from('cost_optimization_event')} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.email,
      day,
      { a: bounce.weight, b: bounce.weightedSum },
      sql`${from(bounceRate.event, bounce.rated)} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.efficiency,
      day,
      {
        k: ident(operationalEfficiency.key),
        ts: sql`${latestReadingSql(ident(operationalEfficiency.score))}.ts`,
        a: latestScoreSql(operationalEfficiency),
      },
      sql`${from(operationalEfficiency.event)} GROUP BY t, ${day}, ${ident(operationalEfficiency.key)}`,
    ),
    part(
      RowKind.resource,
      day,
      {
        k: resourceSql,
        ts: sql`${latestReadingSql(resourceState)}.ts`,
        a: sql`-${latestReadingSql(resourceState)}.v`,
      },
      sql`${from('resource_usage_event')} GROUP BY t, ${day}, ${resourceSql}`,
    ),
    part(
      RowKind.decision,
      day,
      { k: sql`coalesce(decision_id, CAST(uuid AS VARCHAR))` },
      sql`${from('strategic_decision_event')} GROUP BY t, ${day}, coalesce(decision_id, CAST(uuid AS VARCHAR))`,
    ),
  ];

  // Actions: the best source per (tenant, day, action list) first (lists repeat: a metric's recommendations
  // are one constant array), then per trimmed action; the top 5 by stake per day, with ties at the 5th kept.
  const perList = unionAll(
    (Object.entries(actionListSql) as [SummaryEventType, { list: Sql; where?: Sql }][]).map(
      ([type, spec]) =>
        sql`SELECT t, ${day} AS g, ${spec.list} AS l,
          max({'stake': ${stakeSql(type)}, 'ts': ${tsMs}, 'u': CAST(uuid AS VARCHAR), 'ty': ${literal(summaryEventTypes.indexOf(type))}}) AS best
          ${from(type, spec.where)} GROUP BY ALL`,
    ),
  );
  const perAction = sql`SELECT t, g, a, max(best) AS best FROM (SELECT t, g, trim(a, ${whitespace}) AS a, best
    FROM (SELECT t, g, unnest(l) AS a, best FROM (${perList}))) WHERE a IS NOT NULL AND a <> '' GROUP BY t, g, a`;
  parts.push(
    part(
      RowKind.action,
      sql`g`,
      { k: sql`a`, ts: sql`best.ts`, a: sql`best.stake`, u: sql`best.u`, ty: sql`best.ty` },
      sql`FROM (${perAction}) QUALIFY rank() OVER (PARTITION BY t, g ORDER BY best.stake DESC) <= 5`,
    ),
  );

  const late = sql`epoch_ms(ingested_at) > (${day} + 1) * ${literal(DAY_MS)} + ${lateGraceMs}`;
  const lateSources = unionAll(
    summaryEventTypes.map(
      (type) => sql`SELECT t, ${day} AS g, epoch_ms(ingested_at) AS ing ${from(type, late)}`,
    ),
  );
  parts.push(part(RowKind.late, sql`g`, { a: sql`max(ing)` }, sql`FROM (${lateSources}) GROUP BY t, g`));
  parts.push(part(RowKind.tenant, sql`NULL`, {}, sql`${from('security_incident_event')} GROUP BY t`));

  // The snapshot's high-water mark: the newest ingestion instant and the uuids ingested at it.
  const business = [...summaryEventTypes, 'security_incident_event'];
  const newest = unionAll(business.map((type) => sql`SELECT max(ingested_at) AS m FROM ${table(type)}`));
  const atNewest = unionAll(
    business.map(
      (type) =>
        sql`SELECT NULL AS t, uuid, ingested_at FROM ${table(type)} WHERE ingested_at = (SELECT m FROM hw)`,
    ),
  );
  parts.push(
    part(
      RowKind.highWater,
      sql`NULL`,
      { ts: sql`epoch_ms(ingested_at)`, u: sql`CAST(uuid AS VARCHAR)` },
      sql`FROM (${atNewest})`,
    ),
  );

  const applied = sql`applied AS MATERIALIZED (SELECT unnest(${stringList(after?.uuids ?? [])}) AS u),`;
  return sql`WITH ${applied} hw AS (SELECT max(m) AS m FROM (${newest})),
    rows AS MATERIALIZED (${unionAll(parts)}),
    dict AS MATERIALIZED (SELECT s, CAST(row_number() OVER () - 1 AS DOUBLE) AS id FROM
      (SELECT DISTINCT s FROM (SELECT t AS s FROM rows UNION ALL SELECT k FROM rows) WHERE s IS NOT NULL))
    SELECT kind, td.id AS t, g, kd.id AS k, ts, a, b, c, u, ty, NULL AS s
    FROM rows LEFT JOIN dict td ON td.s = rows.t LEFT JOIN dict kd ON kd.s = rows.k
    UNION ALL SELECT ${literal(RowKind.dictionary)}, NULL, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, s FROM dict`;
}

/** Rows of the raw events of some UTC days, for edge-days.ts: one range and tenant set per day. */
export interface DayRequest {
  day: number;
  tenants: readonly string[] | 'all';
}

/**
 * Columns of edge fact rows: event (its index in summaryEventTypes), tenant, timestamp and ingested_at (ms),
 * uuid, properties JSON.
 */
export const edgeFactColumnKinds: readonly ColumnKind[] = [
  'number',
  'string',
  'number',
  'number',
  'string',
  'string',
];

/** Microseconds since the epoch as a TIMESTAMP (exact: no float rounding of ms). */
const microsTimestamp = (us: number) => sql`make_timestamp(CAST(${us} AS BIGINT))`;

/** The raw events of some days, with the properties facts.ts reads (factProperties). */
export function edgeFactsSql(requests: readonly DayRequest[]): Sql {
  const days = requests.map(({ day: d, tenants }) => {
    const range = sql`"timestamp" >= ${microsTimestamp(d * DAY_MS * 1000)} AND "timestamp" < ${microsTimestamp((d + 1) * DAY_MS * 1000)}`;
    return sql`(${range} AND ${tenants === 'all' ? sql`tenant_id IS NOT NULL` : isIn(sql`tenant_id`, tenants)})`;
  });
  const where = days.length ? join(days, ' OR ') : sql`FALSE`;
  return unionAll(
    summaryEventTypes.map((type) => {
      const json = join(factProperties[type].map((p) => sql`${ident(p)}: ${ident(p)}`));
      return sql`SELECT ${literal(summaryEventTypes.indexOf(type))} AS e, tenant_id AS t, CAST(${tsMs} AS DOUBLE) AS ts, CAST(epoch_ms(ingested_at) AS DOUBLE) AS i,
        CAST(uuid AS VARCHAR) AS u, CAST(to_json({${json}}) AS VARCHAR) AS p FROM ${table(type)} WHERE ${where}`;
    }),
  );
}
