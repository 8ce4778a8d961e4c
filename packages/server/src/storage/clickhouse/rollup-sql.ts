import {
  bounceRate,
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
} from '@pulse/events/measures';
import { DAY_MS, stakeProperties, summaryEventTypes, type SummaryEventType } from '../../analytics/facts.js';
import { RowKind, type Applied, type DayRequest } from '../analytics-reads.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import { always, inStringSet, isIn } from './clauses.js';
import {
  all,
  conditionalSumSql,
  daySql,
  eventsFinal,
  latestReadingSql,
  latestScoreSql,
  resourceSql,
  sideSql,
  weightedRateSql,
} from './measure-sql.js';
import { EVENTS_TABLE } from './schema.js';

/*
 * The rebuild (see RowKind) as ClickHouse statements over the events table, one per row kind, each row
 * with the columns t (tenant), g (day), k, ts, a, b, c, u, ty as it needs. ClickHouse has no snapshot
 * across statements: every statement is bounded by the same high-water mark (the newest ingestion instant
 * and the uuids stored at it, read first), so all of them count the same events.
 */

/** Events stored at or before a high-water mark. */
export interface Bound {
  ingestedAt: number;
  uuids: readonly string[];
}

/** Business event types: the high-water mark is over these (as DuckDB's per-type tables). */
const businessTypes = [...summaryEventTypes, 'security_incident_event'];

/** The newest ingestion instant of a business event, and the uuids stored at it (no rows: no such event). */
export const highWaterSql = sql`SELECT ingested_at AS ts, groupUniqArray(toString(uuid)) AS uuids
  FROM ${ident(EVENTS_TABLE)} WHERE ${isIn(sql`event`, businessTypes)} AND ingested_at = (
    SELECT max(ingested_at) FROM ${ident(EVENTS_TABLE)} WHERE ${isIn(sql`event`, businessTypes)})
  GROUP BY ingested_at`;

const uuidText = sql`toString(uuid)`;

const boundSql = ({ ingestedAt, uuids }: Bound): Sql =>
  sql`(ingested_at < ${ingestedAt} OR (ingested_at = ${ingestedAt} AND ${inStringSet(uuidText, uuids)}))`;

/** The events a snapshot does not hold (see Applied). */
const notAppliedSql = ({ ingestedAt, uuids }: Applied): Sql =>
  sql`(ingested_at > ${ingestedAt} OR (ingested_at = ${ingestedAt} AND NOT ${inStringSet(uuidText, uuids)}))`;

// The same whitespace set as trimAction in facts.ts (\t \n \v \f \r and space), at either end.
const edgeWhitespace = '^[\\x09-\\x0D ]+|[\\x09-\\x0D ]+$';
const resourceState = sql`if(isNull(cost_efficient), 0, if(assumeNotNull(cost_efficient) = 1, 2, 1))`;

/** stakeOf (facts.ts) in SQL. */
function stakeSql(type: SummaryEventType): Sql {
  const stake = stakeProperties[type];
  if (!stake) return sql`toFloat64(0)`;
  const value = sql`toFloat64(ifNull(${ident(stake.property)}, 0))`;
  return stake.magnitude ? sql`abs(${value})` : value;
}

/** actionsOf (facts.ts) in SQL: the action list of one row, before trimming (absent lists read as []). */
const actionListSql: Partial<Record<SummaryEventType, { list: Sql; where?: Sql }>> = {
  revenue_impact_event: {
    list: sql`arrayConcat(if(isNull(action_required), emptyArrayString(), [assumeNotNull(action_required)]), mitigation_actions)`,
  },
  cost_optimization_event: { list: sql`required_actions`, where: sideSql(projectedSavings) },
  operational_efficiency_event: { list: sql`recommendations` },
  email_deliverability_event: { list: sql`actions_required` },
  resource_usage_event: { list: sql`optimization_opportunities` },
};

/** A rebuild statement and the kind of the rows it yields (`'per row'`: each row's `r` column). */
export interface RebuildPart {
  kind: number | 'per row';
  statement: Sql;
}

/** The summed kinds: one scan of their three event types, whose copies must collapse. */
const summed = {
  revenue: { kind: RowKind.revenue, event: positiveRevenueImpact.event },
  cost: { kind: RowKind.cost, event: realizedSavings.event },
  email: { kind: RowKind.email, event: bounceRate.event },
};

/**
 * The rebuild statements (see RowKind), bounded by `bound`, and with `after` only over the events a
 * snapshot does not hold (their rows are added onto the snapshot's rollups).
 *
 * Only the sums and counts must read each stored row once (storage/PARITY.md): a copy of a row cannot change
 * a max, a latest reading or a distinct key, so those statements read the table plainly. The sums read
 * FINAL over every event; over the few events after a snapshot, they read the matching rows once by uuid
 * instead, since FINAL merges the whole table before it filters.
 */
export function rebuildParts(lateGraceMs: number, bound: Bound, after?: Applied): RebuildPart[] {
  const events = (types: readonly string[], where?: Sql) =>
    all([
      isIn(sql`event`, types),
      sql`has_tenant = 1`,
      boundSql(bound),
      ...(after ? [notAppliedSql(after)] : []),
      ...(where ? [where] : []),
    ]);
  // After a snapshot few rows match: the ingestion time is read alone first, the other columns only for the
  // parts of the table it selects (left to itself, ClickHouse moves a smaller column to PREWHERE instead).
  const newer = after ? sql`PREWHERE ingested_at >= ${after.ingestedAt}` : sql``;
  const plain = ident(EVENTS_TABLE);
  const perDay = (type: string, columns: Sql, key: Sql) =>
    sql`SELECT tenant_id AS t, ${daySql} AS g, ${key} AS k, ${columns}
      FROM ${plain} ${newer} WHERE ${events([type])} GROUP BY t, g, k`;

  const { revenue, cost, email } = summed;
  const bounce = weightedRateSql(bounceRate);
  const sumsWhere = events(
    [revenue.event, cost.event, email.event],
    sql`(event != ${email.event} OR ${bounce.rated})`,
  );
  const once = after
    ? sql`(SELECT * FROM ${plain} ${newer} WHERE ${sumsWhere} LIMIT 1 BY uuid)`
    : sql`${eventsFinal} WHERE ${sumsWhere}`;
  // multiIf needs one type over its branches (the email weight is an integer sum).
  const byEvent = (values: Record<keyof typeof summed, Sql>) =>
    sql`multiIf(event = ${revenue.event}, toFloat64(${values.revenue}), event = ${cost.event}, toFloat64(${values.cost}), toFloat64(${values.email}))`;
  const parts: RebuildPart[] = [
    {
      kind: 'per row',
      statement: sql`SELECT tenant_id AS t, ${daySql} AS g,
        multiIf(event = ${revenue.event}, ${revenue.kind}, event = ${cost.event}, ${cost.kind}, ${email.kind}) AS r,
        ${byEvent({
          revenue: conditionalSumSql(positiveRevenueImpact),
          cost: conditionalSumSql(realizedSavings),
          email: bounce.weight,
        })} AS a,
        ${byEvent({
          revenue: conditionalSumSql(negativeRevenueImpact),
          cost: conditionalSumSql(projectedSavings),
          email: bounce.weightedSum,
        })} AS b,
        count() AS c
      FROM ${once} GROUP BY t, g, event`,
    },
    {
      kind: RowKind.efficiency,
      statement: perDay(
        operationalEfficiency.event,
        sql`tupleElement(${latestReadingSql(ident(operationalEfficiency.score))}, 1) AS ts, ${latestScoreSql(operationalEfficiency)} AS a`,
        ident(operationalEfficiency.key),
      ),
    },
    {
      kind: RowKind.resource,
      statement: perDay(
        'resource_usage_event',
        sql`tupleElement(${latestReadingSql(resourceState)}, 1) AS ts, -tupleElement(${latestReadingSql(resourceState)}, 2) AS a`,
        resourceSql,
      ),
    },
    {
      kind: RowKind.decision,
      statement: perDay('strategic_decision_event', sql`1 AS c`, sql`coalesce(decision_id, ${uuidText})`),
    },
  ];

  // Actions: the best source (stake, then newest, then highest uuid) per (tenant, day, trimmed action), read
  // in one scan of the types with actions; then the top 5 by stake per day, ties at the 5th kept (no window
  // functions in 18.16: the 5th stake is read from the day's sorted stakes).
  const specs = Object.entries(actionListSql) as [SummaryEventType, { list: Sql; where?: Sql }][];
  const byType = (value: (type: SummaryEventType, spec: { list: Sql; where?: Sql }) => Sql, otherwise: Sql) =>
    sql`multiIf(${join(specs.map(([type, spec]) => sql`event = ${type}, ${value(type, spec)}`))}, ${otherwise})`;
  const listed = all(
    specs.map(([type, spec]) => (spec.where ? sql`(event != ${type} OR ${spec.where})` : always)),
  );
  const sources = sql`SELECT tenant_id AS t, ${daySql} AS g, replaceRegexpAll(raw, ${edgeWhitespace}, '') AS k,
      tuple(${byType(stakeSql, sql`toFloat64(0)`)}, timestamp, ${uuidText}, indexOf([${join(summaryEventTypes)}], event) - 1) AS best
    FROM ${plain} ARRAY JOIN ${byType((_, spec) => spec.list, sql`emptyArrayString()`)} AS raw ${newer}
    WHERE ${events(
      specs.map(([type]) => type),
      listed,
    )}`;
  const perAction = sql`SELECT t, g, k, max(best) AS best FROM (${sources}) WHERE k != '' GROUP BY t, g, k`;
  const perDayActions = sql`SELECT t, g, groupArray(tuple(k, best)) AS xs,
    arrayReverseSort(groupArray(tupleElement(best, 1))) AS stakes FROM (${perAction}) GROUP BY t, g`;
  parts.push({
    kind: RowKind.action,
    statement: sql`SELECT t, g, tupleElement(x, 1) AS k, tupleElement(tupleElement(x, 2), 1) AS a,
      tupleElement(tupleElement(x, 2), 2) AS ts, tupleElement(tupleElement(x, 2), 3) AS u,
      tupleElement(tupleElement(x, 2), 4) AS ty
      FROM (${perDayActions}) ARRAY JOIN xs AS x WHERE length(stakes) < 5 OR a >= stakes[5]`,
  });

  const late = sql`ingested_at > (${daySql} + 1) * ${DAY_MS} + ${lateGraceMs}`;
  parts.push({
    kind: RowKind.late,
    statement: sql`SELECT tenant_id AS t, ${daySql} AS g, max(ingested_at) AS a
      FROM ${plain} ${newer} WHERE ${events(summaryEventTypes, late)} GROUP BY t, g`,
  });
  parts.push({
    kind: RowKind.tenant,
    statement: sql`SELECT DISTINCT tenant_id AS t FROM ${plain} ${newer} WHERE ${events(['security_incident_event'])}`,
  });
  return parts;
}

/** The raw summary events of some days (properties: the stored JSON; the reader keeps factProperties). */
export function edgeFactsSql(requests: readonly DayRequest[]): Sql {
  const days = requests.map(({ day, tenants }) => {
    const range = sql`timestamp >= ${day * DAY_MS} AND timestamp < ${(day + 1) * DAY_MS}`;
    return sql`(${range} AND has_tenant = 1${tenants === 'all' ? sql`` : sql` AND ${isIn(sql`tenant_id`, tenants)}`})`;
  });
  return sql`SELECT indexOf([${join(summaryEventTypes)}], event) - 1 AS e, tenant_id AS t, timestamp AS ts,
      ingested_at AS i, ${uuidText} AS u, properties AS p
    FROM ${eventsFinal} WHERE ${isIn(sql`event`, summaryEventTypes)} AND (${days.length ? join(days, ' OR ') : sql`0`})`;
}

/** The count of retention deletions (storage/clickhouse/schema.ts eventDeletionsTableSql). */
export const eventDeletionsSql = sql`SELECT count() AS n FROM event_deletions`;
