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
import type {
  AlertTiming,
  CaptureCounts,
  DecisionRecord,
  InsightStore,
  TenantTotals,
} from '../insight-store.js';
import { latestScoresSql } from './measure-sql.js';
import type { TenantScope } from '../query-runner.js';
import { eventTables } from './schema.js';
import { msOrNull } from './sql-values.js';
import { ident, isIn, join, readRows, run, sql, timestamp as time, type Sql } from './sql.js';

const DAY_MS = 86_400_000;
/** How far before a window an alert's triggering events are looked for (bounds the scan of the events). */
const TRIGGER_LOOKBACK_MS = 90 * DAY_MS;

export const captureCountsTableSql = `CREATE TABLE IF NOT EXISTS capture_counts (
  day DATE NOT NULL,
  tenant_id VARCHAR NOT NULL,
  received BIGINT NOT NULL,
  accepted BIGINT NOT NULL,
  quarantined BIGINT NOT NULL,
  refused BIGINT NOT NULL,
  refused_requests BIGINT NOT NULL,
  PRIMARY KEY (day, tenant_id)
)`;

const scoped = (tenants: TenantScope, column: Sql = sql`tenant_id`): Sql =>
  tenants === 'all' ? sql`TRUE` : isIn(column, tenants);

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const statusColumn = (status: string) => ident(`first_${status}`);

/** Σ of a conditional measure per tenant, as a select expression. */
const conditionalSum = (m: ConditionalSum): Sql =>
  sql`coalesce(sum(${ident(m.amount)}) FILTER (WHERE ${ident(m.side)} = ${m.value}), 0)`;

/** The insight reports' reads, on their own connections (one reads, one adds capture counts). */
export class DuckDbInsightStore implements InsightStore {
  private constructor(
    private readonly reader: DuckDBConnection,
    private readonly writer: DuckDBConnection,
  ) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbInsightStore> {
    const writer = await db.connect();
    await writer.run(captureCountsTableSql);
    return new DuckDbInsightStore(await db.connect(), writer);
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
      this.reader,
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
        this.reader,
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
        this.reader,
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

  async alertTimings(query: {
    tenants: TenantScope;
    from: number;
    to: number;
    limit: number;
  }): Promise<AlertTiming[]> {
    const rows = await readRows(
      this.reader,
      sql`WITH a AS (
          SELECT id, tenant_id, rule_id, first_seen, acknowledged_at, event_uuids FROM alerts_current
          WHERE NOT backfill AND first_seen >= ${time(query.from)} AND first_seen < ${time(query.to)}
            AND ${scoped(query.tenants)}
          ORDER BY first_seen DESC, id LIMIT ${query.limit}
        ), triggers AS (
          SELECT id, TRY_CAST(uuid AS UUID) AS uuid
          FROM (SELECT id, unnest(from_json(event_uuids, '["VARCHAR"]')) AS uuid FROM a)
        ), firsts AS (
          SELECT t.id, min(e."timestamp") AS first_event FROM triggers t JOIN events e ON e.uuid = t.uuid
          WHERE e."timestamp" >= ${time(query.from - TRIGGER_LOOKBACK_MS)}
          GROUP BY t.id
        )
        SELECT a.id, a.tenant_id, a.rule_id, epoch_ms(a.first_seen) AS alerted,
          epoch_ms(a.acknowledged_at) AS acknowledged, epoch_ms(f.first_event) AS first_event
        FROM a LEFT JOIN firsts f ON f.id = a.id
        ORDER BY a.first_seen DESC, a.id`,
    );
    return rows.map((r) => ({
      alertId: String(r.id),
      tenantId: String(r.tenant_id),
      ruleId: String(r.rule_id),
      alertedAt: Number(r.alerted),
      acknowledgedAt: msOrNull(r.acknowledged),
      firstEventAt: msOrNull(r.first_event),
    }));
  }

  async addCaptureCounts(rows: readonly CaptureCounts[]): Promise<void> {
    if (!rows.length) return;
    const values = rows.map(
      (r) =>
        sql`(CAST(${r.day} AS DATE), ${r.tenantId}, ${r.received}, ${r.accepted}, ${r.quarantined}, ${r.refused}, ${r.refusedRequests})`,
    );
    await run(
      this.writer,
      sql`INSERT INTO capture_counts VALUES ${join(values)}
        ON CONFLICT (day, tenant_id) DO UPDATE SET
          received = capture_counts.received + excluded.received,
          accepted = capture_counts.accepted + excluded.accepted,
          quarantined = capture_counts.quarantined + excluded.quarantined,
          refused = capture_counts.refused + excluded.refused,
          refused_requests = capture_counts.refused_requests + excluded.refused_requests`,
    );
  }

  async captureCounts(query: {
    tenants: TenantScope;
    fromDay: string;
    toDay: string;
  }): Promise<CaptureCounts[]> {
    const rows = await readRows(
      this.reader,
      sql`SELECT strftime(day, '%Y-%m-%d') AS day, tenant_id, received, accepted, quarantined, refused, refused_requests
        FROM capture_counts
        WHERE day BETWEEN CAST(${query.fromDay} AS DATE) AND CAST(${query.toDay} AS DATE) AND ${scoped(query.tenants)}
        ORDER BY day, tenant_id`,
    );
    return rows.map((r) => ({
      day: String(r.day),
      tenantId: String(r.tenant_id),
      received: Number(r.received),
      accepted: Number(r.accepted),
      quarantined: Number(r.quarantined),
      refused: Number(r.refused),
      refusedRequests: Number(r.refused_requests),
    }));
  }
}
