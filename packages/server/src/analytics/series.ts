import {
  bounceRate,
  bounceRateLimit,
  costRunRate,
  efficiencyScoreFloor,
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  spamRate,
} from '@pulse/events/measures';
import { inScope } from '../access/rbac.js';
import type { AlertEngine } from '../alerts/engine.js';
import { constant, ident, literal, sql, textOf, type Sql } from '../sql.js';
import type { QueryRunner, TenantScope } from '../storage/query-runner.js';
import { conditionalSumSql, latestCostSql, resourceSql, weightedRateSql } from './rollup-sql.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const LIMITS = { timeoutMs: 10_000, maxRows: 50_000, maxBytes: 64 * 1024 * 1024 };
/** The bounce-rate limit, the mailbox providers' spam-rate guideline (0.3 %) and the efficiency alert's line. */
export const THRESHOLDS = {
  bounceRate: bounceRateLimit,
  spamRate: 0.003,
  efficiencyScore: efficiencyScoreFloor,
};

export interface SeriesDeps {
  queries: QueryRunner;
  budgets: Pick<AlertEngine, 'budgets'>;
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => new Date(n(v)).toISOString();
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The dashboard's charts need time series that neither the summary nor the reports give and that
 * executives may not compute themselves (POST /api/query is analysts' and admins' only). Each series is
 * a fixed, read-only query over the caller's scoped `events` view; nothing from the request reaches SQL
 * but whole numbers.
 */
function seriesSql(from: number, to: number, bucket: 'day' | 'hour') {
  // The query runner takes SQL text: the window is inlined as whole-number literals.
  const window = sql`"timestamp" >= epoch_ms(${literal(from)}) AND "timestamp" < epoch_ms(${literal(to)})`;
  const where = (event: Sql) => sql`event = ${event} AND ${window}`;
  const b =
    bucket === 'day'
      ? sql`epoch_ms(date_trunc('day', "timestamp"))`
      : sql`epoch_ms(date_trunc('hour', "timestamp"))`;
  const statements = {
    revenue: sql`SELECT ${b} AS t,
        coalesce(${conditionalSumSql(negativeRevenueImpact)}, 0) AS negative,
        coalesce(${conditionalSumSql(positiveRevenueImpact)}, 0) AS positive
      FROM events WHERE ${where(constant(positiveRevenueImpact.event))} GROUP BY 1 ORDER BY 1`,
    savings: sql`SELECT ${b} AS t,
        coalesce(${conditionalSumSql(realizedSavings)}, 0) AS realized,
        coalesce(${conditionalSumSql(projectedSavings)}, 0) AS projected
      FROM events WHERE ${where(constant(realizedSavings.event))} GROUP BY 1 ORDER BY 1`,
    // The metrics with the lowest latest score: the ones that need attention are never the ones cut off.
    efficiency: sql`WITH top AS (
        SELECT efficiency_metric FROM events WHERE ${where(sql`'operational_efficiency_event'`)}
        GROUP BY 1 ORDER BY arg_max(efficiency_score, "timestamp") ASC, 1 LIMIT 8)
      SELECT ${b} AS t, efficiency_metric AS metric, avg(efficiency_score) AS score
      FROM events WHERE ${where(sql`'operational_efficiency_event'`)}
        AND efficiency_metric IN (SELECT efficiency_metric FROM top)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    deliverability: sql`SELECT ${b} AS t,
        ${weightedRateSql(bounceRate).mean} AS bounce_rate,
        ${weightedRateSql(spamRate).mean} AS spam_rate,
        sum(${ident(bounceRate.weight)}) AS emails
      FROM events WHERE ${where(constant(bounceRate.event))} GROUP BY 1 ORDER BY 1`,
    // The whole window per provider; risk_level of each provider's latest report.
    providers: sql`SELECT provider,
        ${weightedRateSql(bounceRate).weight} AS emails,
        ${weightedRateSql(bounceRate).mean} AS bounce_rate,
        ${weightedRateSql(spamRate).mean} AS spam_rate,
        arg_max(risk_level, "timestamp") AS risk_level
      FROM events WHERE ${where(constant(bounceRate.event))} AND provider IS NOT NULL
      GROUP BY 1 ORDER BY 1`,
    runRate: sql`WITH snap AS (
        SELECT ${b} AS t, tenant_id, ${resourceSql} AS rid, ${latestCostSql} AS cost
        FROM events WHERE ${where(constant(costRunRate.event))} AND ${ident(costRunRate.cost)} IS NOT NULL
        GROUP BY ALL)
      SELECT t, sum(cost) AS cost FROM snap GROUP BY 1 ORDER BY 1`,
    utilization: sql`SELECT tenant_id, ${resourceSql} AS resource_id,
        arg_max(resource_type, "timestamp") AS resource_type,
        arg_max(utilization_percentage, "timestamp") AS utilization,
        ${latestCostSql} AS total_cost
      FROM events WHERE ${where(constant(costRunRate.event))} GROUP BY 1, 2
      ORDER BY utilization DESC NULLS LAST, 1, 2 LIMIT 12`,
    tenants: sql`SELECT DISTINCT tenant_id FROM events WHERE tenant_id IS NOT NULL
        AND ${window} ORDER BY 1 LIMIT 1000`,
  };
  return Object.fromEntries(Object.entries(statements).map(([k, v]) => [k, textOf(v)])) as Record<
    keyof typeof statements,
    string
  >;
}

/** The dashboard's chart series for a scope and window: hourly up to 3 days, daily beyond. */
export async function chartSeries(deps: SeriesDeps, scope: TenantScope, from: number, to: number) {
  const bucket = to - from <= 3 * DAY ? 'hour' : 'day';
  const sql = seriesSql(Math.trunc(from), Math.trunc(to), bucket);
  const run = (text: string) => deps.queries.run(text, scope, LIMITS).then((r) => r.rows);
  const [revenue, savings, efficiency, deliverability, providers, runRate, utilization, tenants, budgets] =
    await Promise.all([
      run(sql.revenue),
      run(sql.savings),
      run(sql.efficiency),
      run(sql.deliverability),
      run(sql.providers),
      run(sql.runRate),
      run(sql.utilization),
      run(sql.tenants),
      deps.budgets.budgets(),
    ]);
  const metrics: Record<string, { t: string; score: number }[]> = {};
  for (const [t, metric, score] of efficiency)
    (metrics[String(metric)] ??= []).push({ t: iso(t), score: n(score) });
  const monthly = budgets.filter((b) => b.resourceType === null && inScope(scope, b.tenantId));
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    bucketMs: bucket === 'hour' ? HOUR : DAY,
    /** Tenants with events in the window (for the tenant picker). */
    tenants: tenants.map(([t]) => String(t)),
    revenue: revenue.map(([t, negative, positive]) => ({
      t: iso(t),
      negative: n(negative),
      positive: n(positive),
    })),
    savings: savings.map(([t, realized, projected]) => ({
      t: iso(t),
      realized: n(realized),
      projected: n(projected),
    })),
    efficiency: metrics,
    deliverability: deliverability.map(([t, bounce, spam, emails]) => ({
      t: iso(t),
      bounceRate: nOrNull(bounce),
      spamRate: nOrNull(spam),
      emails: n(emails),
    })),
    /** Deliverability over the whole window per email provider, for events that name one. */
    providers: providers.map(([provider, emails, bounce, spam, risk]) => ({
      provider: String(provider),
      emails: n(emails),
      bounceRate: nOrNull(bounce),
      spamRate: nOrNull(spam),
      riskLevel: typeof risk === 'string' ? risk : null,
    })),
    thresholds: THRESHOLDS,
    runRate: runRate.map(([t, cost]) => ({ t: iso(t), cost: n(cost) })),
    budgetMonthly: monthly.length ? monthly.reduce((sum, b) => sum + b.monthlyUsd, 0) : null,
    utilization: utilization.map(([tenant, resource, type, util, cost]) => ({
      tenantId: String(tenant),
      resourceId: String(resource),
      resourceType: String(type),
      utilization: nOrNull(util),
      totalCost: nOrNull(cost),
    })),
  };
}
