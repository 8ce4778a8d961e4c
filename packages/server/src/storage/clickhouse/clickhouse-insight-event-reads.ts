import { decisionStatuses } from '@pulse/events';
import {
  bounceRate,
  negativeRevenueImpact,
  operationalEfficiency,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
} from '@pulse/events/measures';
import type { DecisionRecord, InsightReads, TenantTotals } from '../insight-store.js';
import type { TenantScope } from '../query-runner.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import type { ClickHouseConnection } from './connection.js';
import { conditionalSumSql, eventsFinal, latestScoresSql, scoped } from './measure-sql.js';
import { EVENTS_TABLE } from './schema.js';

/** Columns whose newest non-NULL value a decision takes (argMax skips NULLs, as the DuckDB store's FILTER does). */
const latestColumns = [
  'decision_type',
  'decision_title',
  'status',
  'decision_maker',
  'expected_revenue_impact',
  'expected_cost_impact',
  'actual_revenue_impact',
  'actual_cost_impact',
  'next_review_date',
] as const;

type DecisionRow = Record<(typeof latestColumns)[number], string | number | null> & {
  tenant_id: string;
  decision: string;
  first_at: number;
  last_at: number;
  firsts: (number | null)[];
};

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The insight reports' reads of stored events (decisions, benchmark totals, the times of alerts' trigger
 * events) over the ClickHouse events table.
 */
export class ClickHouseInsightEventReads implements InsightReads {
  constructor(private readonly connection: ClickHouseConnection) {}

  async decisions(query: {
    tenants: TenantScope;
    to: number;
    limit: number;
  }): Promise<{ records: DecisionRecord[]; truncated: boolean }> {
    // The first timestamp of each status; minIf over no rows is 0 here, so a count says whether there was one.
    const firsts = join(
      decisionStatuses.map((s) => sql`if(countIf(status = ${s}) > 0, minIf(timestamp, status = ${s}), NULL)`),
    );
    // Min, max and argMax are alike over copies of a row: no FINAL needed.
    const rows = await this.connection.rows<DecisionRow>(
      sql`SELECT tenant_id, coalesce(decision_id, toString(uuid)) AS decision,
          ${join(latestColumns.map((c) => sql`argMax(${ident(c)}, timestamp) AS ${ident(`latest_${c}`)}`))},
          min(timestamp) AS first_at, max(timestamp) AS last_at, [${firsts}] AS firsts
        FROM ${ident(EVENTS_TABLE)}
        WHERE event = 'strategic_decision_event' AND has_tenant = 1 AND ${scoped(query.tenants)}
          AND timestamp < ${query.to}
        GROUP BY tenant_id, decision
        ORDER BY last_at DESC, tenant_id, decision
        LIMIT ${query.limit + 1}`,
    );
    const records = rows.slice(0, query.limit).map((r): DecisionRecord => {
      const latest = (c: (typeof latestColumns)[number]) => (r as Record<string, unknown>)[`latest_${c}`];
      const firstAtByStatus: Record<string, number> = {};
      decisionStatuses.forEach((s, i) => {
        const at = num(r.firsts[i]);
        if (at !== null) firstAtByStatus[s] = at;
      });
      return {
        tenantId: r.tenant_id,
        decisionId: r.decision,
        decisionType: text(latest('decision_type')),
        title: text(latest('decision_title')),
        status: text(latest('status')),
        decisionMaker: text(latest('decision_maker')),
        expectedRevenue: num(latest('expected_revenue_impact')),
        expectedCost: num(latest('expected_cost_impact')),
        actualRevenue: num(latest('actual_revenue_impact')),
        actualCost: num(latest('actual_cost_impact')),
        nextReviewAt: num(latest('next_review_date')),
        firstEventAt: Number(r.first_at),
        lastEventAt: Number(r.last_at),
        firstAtByStatus,
      };
    });
    return { records, truncated: rows.length > query.limit };
  }

  async tenantTotals(query: { from: number; to: number }): Promise<TenantTotals[]> {
    const inWindow = sql`has_tenant = 1 AND timestamp >= ${query.from} AND timestamp < ${query.to}`;
    // FINAL: sums must not count a row written twice.
    const perTenant = (event: string, columns: Sql) =>
      this.connection.rows<Record<string, number | null> & { tenant_id: string }>(
        sql`SELECT tenant_id, ${columns} FROM ${eventsFinal} WHERE event = ${event} AND ${inWindow} GROUP BY tenant_id`,
      );
    const [revenue, savings, email, efficiency] = await Promise.all([
      perTenant(
        positiveRevenueImpact.event,
        sql`${conditionalSumSql(positiveRevenueImpact)} AS positive, ${conditionalSumSql(negativeRevenueImpact)} AS negative`,
      ),
      perTenant(
        realizedSavings.event,
        sql`${conditionalSumSql(realizedSavings)} AS realized, ${conditionalSumSql(projectedSavings)} AS projected`,
      ),
      perTenant(
        bounceRate.event,
        sql`sumIf(${ident(bounceRate.weight)}, isNotNull(${ident(bounceRate.rate)})) AS emails,
          sum(${ident(bounceRate.rate)} * ${ident(bounceRate.weight)}) AS bounced`,
      ),
      this.connection.rows<{ tenant_id: string; score_sum: number; readings: number }>(
        sql`SELECT tenant_id, sum(score) AS score_sum, count() AS readings FROM (${latestScoresSql(
          operationalEfficiency,
          sql`${inWindow} AND isNotNull(${ident(operationalEfficiency.score)})`,
        )}) GROUP BY tenant_id`,
      ),
    ]);
    const totals = new Map<string, TenantTotals>();
    const of = (tenantId: string): TenantTotals => {
      let t = totals.get(tenantId);
      if (!t)
        totals.set(tenantId, (t = { tenantId, revenue: null, savings: null, email: null, efficiency: null }));
      return t;
    };
    const n = (value: unknown) => num(value) ?? 0;
    for (const r of revenue) of(r.tenant_id).revenue = { positive: n(r.positive), negative: n(r.negative) };
    for (const r of savings) of(r.tenant_id).savings = { realized: n(r.realized), projected: n(r.projected) };
    for (const r of email) of(r.tenant_id).email = { emails: n(r.emails), bouncedWeight: n(r.bounced) };
    for (const r of efficiency) of(r.tenant_id).efficiency = { sum: n(r.score_sum), readings: n(r.readings) };
    return [...totals.values()];
  }

  async eventTimes(query: { uuids: readonly string[]; since: number }): Promise<Map<string, number>> {
    // Keyed by the text asked for; a malformed uuid is absent (as it cannot be stored).
    const given = new Map<string, string[]>();
    for (const text of query.uuids)
      if (canonicalUuid.test(text))
        given.set(text.toLowerCase(), [...(given.get(text.toLowerCase()) ?? []), text]);
    if (!given.size) return new Map();
    // min() is alike over copies of a row: no FINAL needed.
    const rows = await this.connection.rows<{ id: string; at: number }>(
      sql`SELECT toString(uuid) AS id, min(timestamp) AS at FROM ${ident(EVENTS_TABLE)}
        WHERE toString(uuid) IN (${join([...given.keys()].map((id) => sql`${id}`))}) AND timestamp >= ${query.since}
        GROUP BY id`,
    );
    const times = new Map<string, number>();
    for (const row of rows) for (const text of given.get(row.id) ?? []) times.set(text, Number(row.at));
    return times;
  }
}

const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
