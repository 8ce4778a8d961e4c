import type { DuckDBConnection } from '@duckdb/node-api';
import { decisionStatuses } from '@pulse/events';
import {
  bounceRate,
  positiveRevenueImpact,
  negativeRevenueImpact,
  operationalEfficiency,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { DecisionRecord, InsightReads, TenantTotals } from '../insight-store.js';
import { latestScoresSql } from './measure-sql.js';
import type { TenantScope } from '../query-runner.js';
import { eventTables } from './schema.js';
import { msOrNull } from './sql-values.js';
import { ident, isIn, join, readRows, sql, timestamp as time, type Sql } from './sql.js';

const scoped = (tenants: TenantScope, column: Sql = sql`tenant_id`): Sql =>
  tenants === 'all' ? sql`TRUE` : isIn(column, tenants);

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const statusColumn = (status: string) => ident(`first_${status}`);

/** Σ of a conditional measure per tenant, as a select expression. */
const conditionalSum = (m: ConditionalSum): Sql =>
  sql`coalesce(sum(${ident(m.amount)}) FILTER (WHERE ${ident(m.side)} = ${m.value}), 0)`;

/** The insight reports' reads of the stored events, on a connection of their own. */
export class DuckDbInsightReads implements InsightReads {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbInsightReads> {
    return new DuckDbInsightReads(await db.connect());
  }

  async decisions(query: {
    tenants: TenantScope;
    to: number;
    limit: number;
  }): Promise<{ records: DecisionRecord[]; truncated: boolean }> {
    const table = ident(eventTables.strategic_decision_event.table);
    const latest = (column: string) =>
      sql`arg_max(${ident(column)}, "timestamp") FILTER (WHERE ${ident(column)} IS NOT NULL) AS ${ident(column)}`;
    const firsts = join(
      decisionStatuses.map(
        (s) => sql`epoch_ms(min("timestamp") FILTER (WHERE status = ${s})) AS ${statusColumn(s)}`,
      ),
    );
    const rows = await readRows(
      this.connection,
      sql`SELECT tenant_id, coalesce(decision_id, uuid::VARCHAR) AS decision, ${join(
        [
          'decision_type',
          'decision_title',
          'status',
          'decision_maker',
          'expected_revenue_impact',
          'expected_cost_impact',
          'actual_revenue_impact',
          'actual_cost_impact',
        ].map(latest),
      )},
        epoch_ms(arg_max(next_review_date, "timestamp") FILTER (WHERE next_review_date IS NOT NULL)) AS next_review,
        epoch_ms(min("timestamp")) AS first_at, epoch_ms(max("timestamp")) AS last_at, ${firsts},
        count(*) OVER () AS total
      FROM ${table}
      WHERE tenant_id IS NOT NULL AND ${scoped(query.tenants)} AND "timestamp" < ${time(query.to)}
      GROUP BY tenant_id, decision
      ORDER BY last_at DESC, tenant_id, decision
      LIMIT ${query.limit}`,
    );
    const records = rows.map((r): DecisionRecord => {
      const firstAtByStatus: Record<string, number> = {};
      for (const s of decisionStatuses) {
        const at = num(r[`first_${s}`]);
        if (at !== null) firstAtByStatus[s] = at;
      }
      return {
        tenantId: String(r.tenant_id),
        decisionId: String(r.decision),
        decisionType: text(r.decision_type),
        title: text(r.decision_title),
        status: text(r.status),
        decisionMaker: text(r.decision_maker),
        expectedRevenue: num(r.expected_revenue_impact),
        expectedCost: num(r.expected_cost_impact),
        actualRevenue: num(r.actual_revenue_impact),
        actualCost: num(r.actual_cost_impact),
        nextReviewAt: msOrNull(r.next_review),
        firstEventAt: Number(r.first_at),
        lastEventAt: Number(r.last_at),
        firstAtByStatus,
      };
    });
    return { records, truncated: rows.length > 0 && Number(rows[0]?.total) > rows.length };
  }

  async tenantTotals(query: { from: number; to: number }): Promise<TenantTotals[]> {
    const inWindow = sql`tenant_id IS NOT NULL AND "timestamp" >= ${time(query.from)} AND "timestamp" < ${time(query.to)}`;
    const perTenant = (event: keyof typeof eventTables, columns: Sql) =>
      readRows(
        this.connection,
        sql`SELECT tenant_id, ${columns} FROM ${ident(eventTables[event].table)} WHERE ${inWindow} GROUP BY tenant_id`,
      );
    const [revenue, savings, email, efficiency] = await Promise.all([
      perTenant(
        'revenue_impact_event',
        sql`${conditionalSum(positiveRevenueImpact)} AS positive, ${conditionalSum(negativeRevenueImpact)} AS negative`,
      ),
      perTenant(
        'cost_optimization_event',
        sql`${conditionalSum(realizedSavings)} AS realized, ${conditionalSum(projectedSavings)} AS projected`,
      ),
      perTenant(
        'email_deliverability_event',
        sql`coalesce(sum(${ident(bounceRate.weight)}) FILTER (WHERE ${ident(bounceRate.rate)} IS NOT NULL), 0) AS emails,
          coalesce(sum(${ident(bounceRate.rate)} * ${ident(bounceRate.weight)}), 0) AS bounced`,
      ),
      readRows(
        this.connection,
        sql`SELECT tenant_id, sum(score) AS score_sum, count(*) AS readings FROM (${latestScoresSql(
          operationalEfficiency,
          sql`FROM ${ident(eventTables[operationalEfficiency.event].table)}
            WHERE ${inWindow} AND ${ident(operationalEfficiency.score)} IS NOT NULL`,
        )}) GROUP BY tenant_id`,
      ),
    ]);
    const totals = new Map<string, TenantTotals>();
    const of = (row: Record<string, unknown>): TenantTotals => {
      const tenantId = String(row.tenant_id);
      let t = totals.get(tenantId);
      if (!t) {
        t = { tenantId, revenue: null, savings: null, email: null, efficiency: null };
        totals.set(tenantId, t);
      }
      return t;
    };
    const n = (value: unknown) => num(value) ?? 0;
    for (const r of revenue) of(r).revenue = { positive: n(r.positive), negative: n(r.negative) };
    for (const r of savings) of(r).savings = { realized: n(r.realized), projected: n(r.projected) };
    for (const r of email) of(r).email = { emails: n(r.emails), bouncedWeight: n(r.bounced) };
    for (const r of efficiency) of(r).efficiency = { sum: n(r.score_sum), readings: n(r.readings) };
    return [...totals.values()];
  }

  async eventTimes(query: { uuids: readonly string[]; since: number }): Promise<Map<string, number>> {
    if (!query.uuids.length) return new Map();
    // One bound JSON list, joined on the events' uuid; keyed by the text asked for.
    const rows = await readRows(
      this.connection,
      sql`WITH wanted AS (
          SELECT DISTINCT given, TRY_CAST(given AS UUID) AS uuid
          FROM (SELECT unnest(from_json(${JSON.stringify(query.uuids)}, '["VARCHAR"]')) AS given)
        )
        SELECT w.given, epoch_ms(min(e."timestamp")) AS at FROM wanted w JOIN events e ON e.uuid = w.uuid
        WHERE e."timestamp" >= ${time(query.since)}
        GROUP BY w.given`,
    );
    return new Map(rows.map((r) => [String(r.given), Number(r.at)]));
  }
}
