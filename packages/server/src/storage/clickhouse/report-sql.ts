import {
  bounceRate,
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  spamRate,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { ReportName, ReportParams, ReportRow, ReportValue } from '../analytics-reads.js';
import type { TenantScope } from '../query-runner.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import type { ClickHouseConnection } from './connection.js';
import {
  conditionalSumSql,
  eventsFinal,
  latestScoresSql,
  performanceScoreSql,
  scoped,
  sideSql,
  tenantSql,
  weightedRateSql,
} from './measure-sql.js';
import { EVENTS_TABLE, SUBSCRIPTIONS_TABLE } from './schema.js';

/**
 * A named report (reports/definitions.ts says what each one means) as a ClickHouse statement: `columns`
 * names its result columns in order (the statement's own aliases differ, as ClickHouse resolves an alias
 * named like a column inside its own expression), `times` those holding epoch ms, returned as ISO 8601.
 */
interface ReportStatement {
  columns: readonly string[];
  times: readonly string[];
  statement: Sql;
}

/** The subscriptions copy as last replaced (schema.ts subscriptionsTableSql). */
const subscriptions = sql`(SELECT * FROM ${ident(SUBSCRIPTIONS_TABLE)} WHERE present = 1
  AND version = (SELECT max(version) FROM ${ident(SUBSCRIPTIONS_TABLE)}))`;

/** A measure over rows of mixed event types: over its own type's rows only, 0 over none. */
const measureSql = (m: ConditionalSum) => sql`ifNull(${conditionalSumSql(m, sql`event = ${m.event}`)}, 0)`;

const during = (scope: TenantScope, from: number, to: number) =>
  sql`${scoped(scope)} AND timestamp >= ${Math.trunc(from)} AND timestamp < ${Math.trunc(to)}`;

type Builder = (params: ReportParams, scope: TenantScope) => ReportStatement;

const reports: Record<ReportName, Builder> = {
  'performance-dashboard': ({ from, to }, scope) => {
    const active = sql`SELECT tenant_id FROM ${subscriptions} WHERE status = 'active'`;
    const inWindow = sql`${during(scope, from, to)} AND has_tenant = 1 AND tenant_id IN (${active})`;
    const metrics = sql`SELECT tenant_id, ${measureSql(negativeRevenueImpact)} AS negative,
        ${measureSql(positiveRevenueImpact)} AS positive, ${measureSql(realizedSavings)} AS realized,
        ${measureSql(projectedSavings)} AS projected,
        uniqExactIf(decision_id, event = 'strategic_decision_event') AS decisions
      FROM ${eventsFinal} WHERE ${inWindow} GROUP BY tenant_id`;
    const withPlans = sql`SELECT * FROM (${metrics}) ALL INNER JOIN (
        SELECT tenant_id, plan_name, current_period_start, current_period_end, price_monthly
        FROM ${subscriptions} WHERE status = 'active') USING tenant_id`;
    const efficiency = sql`SELECT tenant_id, toNullable(avg(score)) AS efficiency FROM (${latestScoresSql(
      operationalEfficiency,
      inWindow,
    )}) GROUP BY tenant_id`;
    return {
      columns: [
        'tenant_id',
        'plan_name',
        'current_period_start',
        'current_period_end',
        'negative_revenue_impact',
        'positive_revenue_impact',
        'business_performance_score',
        'realized_savings',
        'projected_savings',
        'optimization_roi_percentage',
        'avg_efficiency_score',
        'strategic_decisions_tracked',
      ],
      times: ['current_period_start', 'current_period_end'],
      statement: sql`SELECT tenant_id, plan_name, current_period_start, current_period_end, negative, positive,
          round(${performanceScoreSql(sql`positive`, sql`negative`)}, 2) AS score, realized, projected,
          round(realized / nullIf(price_monthly, 0) * 100, 2) AS roi, round(efficiency, 2), decisions
        FROM (${withPlans}) ANY LEFT JOIN (${efficiency}) USING tenant_id
        ORDER BY score DESC, tenant_id`,
    };
  },
  'cost-optimization': ({ monthStart, to }, scope) => ({
    columns: [
      'tenant_id',
      'optimization_category',
      'optimization_count',
      'total_savings',
      'avg_savings_percentage',
      'avg_roi',
      'implemented_count',
      'identified_count',
    ],
    times: [],
    statement: sql`SELECT ${tenantSql} AS tenant, optimization_category, count(), sum(savings_amount) AS total,
        round(avg(savings_percentage), 2), round(avg(roi), 2),
        countIf(${sideSql(realizedSavings)}), countIf(${sideSql(projectedSavings)})
      FROM ${eventsFinal} WHERE event = 'cost_optimization_event' AND ${during(scope, monthStart, to)}
      GROUP BY tenant, optimization_category
      ORDER BY total DESC, tenant, optimization_category`,
  }),
  decisions: ({ from, to }, scope) => {
    const latest = [
      'decision_title',
      'decision_type',
      'status',
      'expected_revenue_impact',
      'actual_revenue_impact',
      'expected_cost_impact',
      'actual_cost_impact',
    ];
    return {
      columns: ['tenant_id', 'decision_id', ...latest, 'last_update'],
      times: ['last_update'],
      // argMax skips rows whose value is NULL, as DuckDB's arg_max does.
      statement: sql`SELECT ${tenantSql} AS tenant, coalesce(decision_id, toString(uuid)) AS decision,
          ${join(latest.map((c) => sql`argMax(${ident(c)}, timestamp)`))}, max(timestamp) AS last_update
        FROM ${ident(EVENTS_TABLE)} WHERE event = 'strategic_decision_event' AND ${during(scope, from, to)}
        GROUP BY tenant, decision
        ORDER BY last_update DESC, tenant, decision`,
    };
  },
  deliverability: ({ from, to }, scope) => ({
    columns: ['tenant_id', 'emails', 'bounce_rate', 'spam_rate'],
    times: [],
    statement: sql`SELECT ${tenantSql} AS tenant, sum(email_count), round(${weightedRateSql(bounceRate).mean}, 4) AS bounce,
        round(${weightedRateSql(spamRate).mean}, 4)
      FROM ${eventsFinal} WHERE event = 'email_deliverability_event' AND ${during(scope, from, to)}
      GROUP BY tenant
      ORDER BY bounce DESC NULLS LAST, tenant`,
  }),
  'resource-costs': ({ monthStart, to }, scope) => ({
    columns: ['tenant_id', 'resources', 'monthly_run_rate'],
    times: [],
    statement: sql`SELECT tenant, count(), round(sum(cost), 2) AS run_rate FROM (
        SELECT ${tenantSql} AS tenant, coalesce(resource_id, resource_type) AS resource,
          argMax(total_cost, timestamp) AS cost
        FROM ${ident(EVENTS_TABLE)} WHERE event = 'resource_usage_event' AND isNotNull(total_cost)
          AND ${during(scope, monthStart, to)}
        GROUP BY tenant, resource)
      GROUP BY tenant ORDER BY run_rate DESC, tenant`,
  }),
};

const iso = (value: ReportValue): ReportValue =>
  value === null ? null : new Date(Number(value)).toISOString();

/** A named report's rows, keyed by the report's column names, times as ISO 8601 (as DuckDB's runner gives). */
export async function reportRows(
  connection: ClickHouseConnection,
  name: ReportName,
  params: ReportParams,
  scope: TenantScope,
): Promise<ReportRow[]> {
  const { columns, times, statement } = reports[name](params, scope);
  const rows = await connection.rows(statement);
  return rows.map((row) => {
    const values = Object.values(row) as ReportValue[];
    return Object.fromEntries(
      columns.map((c, i) => [c, times.includes(c) ? iso(values[i] ?? null) : (values[i] ?? null)]),
    );
  });
}
