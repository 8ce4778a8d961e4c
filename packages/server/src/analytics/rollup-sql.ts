import {
  bounceRate,
  costRunRate,
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
  type WeightedRate,
} from '@pulse/events/measures';
import {
  DAY_MS,
  factProperties,
  stakeProperties,
  summaryEventTypes,
  type SummaryEventType,
} from './facts.js';
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

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
import { sqlString } from '../sql-string.js';

export { sqlString };
const table = (type: string): string => quoteIdent(`ev_${type}`);

// ── The measures of @pulse/events/measures as SQL, over columns named as their properties ──────────────

/** The rows on the measure's side. */
export const sideSql = (m: ConditionalSum): string => `${quoteIdent(m.side)} = ${sqlString(m.value)}`;

/** Σ amount over the rows on the measure's side (NULL over none, as `sum`); `where` narrows the rows further. */
export const conditionalSumSql = (m: ConditionalSum, where?: string): string =>
  `sum(${quoteIdent(m.amount)}) FILTER (WHERE ${where ? `${where} AND ` : ''}${sideSql(m)})`;

/** The parts of a weighted rate: `rated` selects the rows it is over; the sums are over those rows. */
export function weightedRateSql(m: WeightedRate) {
  const rate = quoteIdent(m.rate);
  const weight = quoteIdent(m.weight);
  const rated = `${rate} IS NOT NULL`;
  return {
    rated,
    weight: `sum(${weight})`,
    weightedSum: `sum(${rate} * ${weight})`,
    /** The rate itself over any rows (NULL without weight), like weightedMean. */
    mean: `sum(${rate} * ${weight}) FILTER (WHERE ${rated}) / nullif(sum(${weight}) FILTER (WHERE ${rated}), 0)`,
  };
}

/** businessPerformanceScore of two SQL amounts. */
export const performanceScoreSql = (positive: string, negative: string): string =>
  `CASE WHEN ${positive} + ${negative} = 0 THEN 0 ELSE (${positive} - ${negative}) / (${positive} + ${negative}) * 100 END`;

/** The resource a resource_usage row is about (costRunRate's entity, else its group). */
export const resourceSql = `coalesce(${quoteIdent(costRunRate.entity)}, ${quoteIdent(costRunRate.group)})`;
/** A resource's latest run-rate in a group of its rows. */
export const latestCostSql = `arg_max(${quoteIdent(costRunRate.cost)}, "timestamp")`;

const tsMs = 'epoch_ms("timestamp")';
const day = `floor(${tsMs} / ${DAY_MS})`;
// The same whitespace set as trimAction in facts.ts, so both sides see the same action strings.
const whitespace = `' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)`;
const resourceState = 'CASE WHEN cost_efficient THEN 2 WHEN NOT cost_efficient THEN 1 ELSE 0 END';

/** stakeOf (facts.ts) in SQL. */
function stakeSql(type: SummaryEventType): string {
  const stake = stakeProperties[type];
  if (!stake) return '0';
  const value = `coalesce(${quoteIdent(stake.property)}, 0)`;
  return stake.magnitude ? `abs(${value})` : value;
}

/** actionsOf (facts.ts) in SQL: the action list of one row, before trimming. */
const actionListSql: Partial<Record<SummaryEventType, { list: string; where?: string }>> = {
  revenue_impact_event: {
    list: 'list_concat(CASE WHEN action_required IS NULL THEN [] ELSE [action_required] END, coalesce(mitigation_actions, []))',
  },
  cost_optimization_event: { list: 'required_actions', where: sideSql(projectedSavings) },
  operational_efficiency_event: { list: 'recommendations' },
  email_deliverability_event: { list: 'actions_required' },
  resource_usage_event: { list: 'optimization_opportunities' },
};

type Field = 'k' | 'ts' | 'a' | 'b' | 'c' | 'u' | 'ty';
const fieldTypes: Record<Field, string> = {
  k: 'VARCHAR',
  ts: 'DOUBLE',
  a: 'DOUBLE',
  b: 'DOUBLE',
  c: 'DOUBLE',
  u: 'VARCHAR',
  ty: 'DOUBLE',
};

/** One part of the rows CTE: kind, t, g and the fields given (NULL otherwise), typed alike for UNION ALL. */
function part(kind: number, g: string, fields: Partial<Record<Field, string>>, rest: string): string {
  const cols = (Object.keys(fieldTypes) as Field[]).map(
    (f) => `CAST(${fields[f] ?? 'NULL'} AS ${fieldTypes[f]}) AS ${f}`,
  );
  return `SELECT ${kind} AS kind, t, CAST(${g} AS DOUBLE) AS g, ${cols.join(', ')} ${rest}`;
}

const from = (type: string, where?: string) =>
  `FROM (SELECT *, tenant_id AS t FROM ${table(type)} WHERE tenant_id IS NOT NULL${where ? ` AND ${where}` : ''})`;

/** The rebuild statement (see RowKind and rebuildColumnKinds). */
export function rebuildSql(lateGraceMs: number): string {
  const bounce = weightedRateSql(bounceRate);
  const parts: string[] = [
    part(
      RowKind.revenue,
      day,
      {
        a: conditionalSumSql(positiveRevenueImpact),
        b: conditionalSumSql(negativeRevenueImpact),
        c: 'count(*)',
      },
      `${from('revenue_impact_event')} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.cost,
      day,
      {
        a: conditionalSumSql(realizedSavings),
        b: conditionalSumSql(projectedSavings),
      },
      `${from('cost_optimization_event')} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.email,
      day,
      { a: bounce.weight, b: bounce.weightedSum },
      `${from(bounceRate.event, bounce.rated)} GROUP BY t, ${day}`,
    ),
    part(
      RowKind.efficiency,
      day,
      {
        k: 'efficiency_metric',
        ts: `max({'ts': ${tsMs}, 'v': -efficiency_score}).ts`,
        a: `-max({'ts': ${tsMs}, 'v': -efficiency_score}).v`,
      },
      `${from('operational_efficiency_event')} GROUP BY t, ${day}, efficiency_metric`,
    ),
    part(
      RowKind.resource,
      day,
      {
        k: resourceSql,
        ts: `max({'ts': ${tsMs}, 'v': -${resourceState}}).ts`,
        a: `-max({'ts': ${tsMs}, 'v': -${resourceState}}).v`,
      },
      `${from('resource_usage_event')} GROUP BY t, ${day}, ${resourceSql}`,
    ),
    part(
      RowKind.decision,
      day,
      { k: 'coalesce(decision_id, CAST(uuid AS VARCHAR))' },
      `${from('strategic_decision_event')} GROUP BY t, ${day}, coalesce(decision_id, CAST(uuid AS VARCHAR))`,
    ),
  ];

  // Actions: the best source per (tenant, day, action list) first (lists repeat: a metric's recommendations
  // are one constant array), then per trimmed action; the top 5 by stake per day, with ties at the 5th kept.
  const perList = (Object.entries(actionListSql) as [SummaryEventType, { list: string; where?: string }][])
    .map(
      ([type, spec]) =>
        `SELECT t, ${day} AS g, ${spec.list} AS l, ` +
        `max({'stake': ${stakeSql(type)}, 'ts': ${tsMs}, 'u': CAST(uuid AS VARCHAR), 'ty': ${summaryEventTypes.indexOf(type)}}) AS best ` +
        `${from(type, spec.where)} GROUP BY ALL`,
    )
    .join(' UNION ALL ');
  const perAction =
    `SELECT t, g, a, max(best) AS best FROM (SELECT t, g, trim(a, ${whitespace}) AS a, best ` +
    `FROM (SELECT t, g, unnest(l) AS a, best FROM (${perList}))) WHERE a IS NOT NULL AND a <> '' GROUP BY t, g, a`;
  parts.push(
    part(
      RowKind.action,
      'g',
      { k: 'a', ts: 'best.ts', a: 'best.stake', u: 'best.u', ty: 'best.ty' },
      `FROM (${perAction}) QUALIFY rank() OVER (PARTITION BY t, g ORDER BY best.stake DESC) <= 5`,
    ),
  );

  const late = `epoch_ms(ingested_at) > (${day} + 1) * ${DAY_MS} + ${lateGraceMs}`;
  const lateSources = summaryEventTypes
    .map((type) => `SELECT t, ${day} AS g, epoch_ms(ingested_at) AS ing ${from(type, late)}`)
    .join(' UNION ALL ');
  parts.push(part(RowKind.late, 'g', { a: 'max(ing)' }, `FROM (${lateSources}) GROUP BY t, g`));
  parts.push(part(RowKind.tenant, 'NULL', {}, `${from('security_incident_event')} GROUP BY t`));

  // The snapshot's high-water mark: the newest ingestion instant and the uuids ingested at it.
  const business = [...summaryEventTypes, 'security_incident_event'];
  const newest = business
    .map((type) => `SELECT max(ingested_at) AS m FROM ${table(type)}`)
    .join(' UNION ALL ');
  const atNewest = business
    .map(
      (type) =>
        `SELECT NULL AS t, uuid, ingested_at FROM ${table(type)} WHERE ingested_at = (SELECT m FROM hw)`,
    )
    .join(' UNION ALL ');
  parts.push(
    part(
      RowKind.highWater,
      'NULL',
      { ts: 'epoch_ms(ingested_at)', u: 'CAST(uuid AS VARCHAR)' },
      `FROM (${atNewest})`,
    ),
  );

  return (
    `WITH hw AS (SELECT max(m) AS m FROM (${newest})), ` +
    `rows AS MATERIALIZED (${parts.join(' UNION ALL ')}), ` +
    `dict AS MATERIALIZED (SELECT s, CAST(row_number() OVER () - 1 AS DOUBLE) AS id FROM ` +
    `(SELECT DISTINCT s FROM (SELECT t AS s FROM rows UNION ALL SELECT k FROM rows) WHERE s IS NOT NULL)) ` +
    `SELECT kind, td.id AS t, g, kd.id AS k, ts, a, b, c, u, ty, NULL AS s ` +
    `FROM rows LEFT JOIN dict td ON td.s = rows.t LEFT JOIN dict kd ON kd.s = rows.k ` +
    `UNION ALL SELECT ${RowKind.dictionary}, NULL, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, s FROM dict`
  );
}

export function tenantInSql(tenants: readonly string[]): string {
  return tenants.length ? `tenant_id IN (${tenants.map(sqlString).join(', ')})` : 'FALSE';
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

/** The raw events of some days, with the properties facts.ts reads (factProperties). */
export function edgeFactsSql(requests: readonly DayRequest[]): string {
  const where = requests
    .map(({ day: d, tenants }) => {
      const range = `"timestamp" >= make_timestamp(${d * DAY_MS * 1000}) AND "timestamp" < make_timestamp(${(d + 1) * DAY_MS * 1000})`;
      return `(${range} AND ${tenants === 'all' ? 'tenant_id IS NOT NULL' : tenantInSql(tenants)})`;
    })
    .join(' OR ');
  return summaryEventTypes
    .map((type) => {
      const json = factProperties[type].map((p) => `${sqlString(p)}: ${quoteIdent(p)}`).join(', ');
      return (
        `SELECT ${summaryEventTypes.indexOf(type)} AS e, tenant_id AS t, CAST(${tsMs} AS DOUBLE) AS ts, CAST(epoch_ms(ingested_at) AS DOUBLE) AS i, ` +
        `CAST(uuid AS VARCHAR) AS u, CAST(to_json({${json}}) AS VARCHAR) AS p FROM ${table(type)} WHERE ${where || 'FALSE'}`
      );
    })
    .join(' UNION ALL ');
}
