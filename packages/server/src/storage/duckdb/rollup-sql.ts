import {
  bounceRate,
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
} from '@pulse/events/measures';
import {
  DAY_MS,
  factProperties,
  stakeProperties,
  summaryEventTypes,
  type SummaryEventType,
} from '../../analytics/facts.js';
import { RowKind, type Applied, type DayRequest } from '../analytics-reads.js';
import { ident, isIn, join, literal, sql, stringList, timestamp, type Sql } from '../../sql.js';
import {
  conditionalSumSql,
  latestReadingSql,
  latestScoreSql,
  resourceSql,
  sideSql,
  tsMs,
  weightedRateSql,
} from './measure-sql.js';
import type { ColumnKind } from './read-columns.js';

/*
 * SQL over the per-type tables (schema.ts: `ev_<event>`, one typed column per catalog property, UTC
 * TIMESTAMPs). The rebuild statement yields what facts.ts + day-rollup.ts compute from events, aggregated
 * per (tenant, UTC day): one statement, so every part reads the same snapshot (RowKind says what each row
 * holds).
 */

/** Columns of rebuild rows, in order: kind, t, g (day), k, ts, a, b, c, u, ty, s. */
export const rebuildColumnKinds: readonly ColumnKind[] = [
  ...(['number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'] as const),
  'string',
  'number',
  'string',
];

const table = (type: string): Sql => ident(`ev_${type}`);

const day = sql`floor(${tsMs} / ${literal(DAY_MS)})`;

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
