import { factProperties, summaryEventTypes } from '../../analytics/facts.js';
import type {
  AnalyticsReads,
  Applied,
  ChartSeriesRows,
  DayRequest,
  EdgeFactRows,
  RebuildRows,
  ReportName,
  ReportParams,
  ReportRow,
  SeriesWindow,
} from '../analytics-reads.js';
import { RowKind } from '../analytics-reads.js';
import type { TenantScope } from '../query-runner.js';
import type { Subscription } from '../subscription-store.js';
import type { ClickHouseConnection } from './connection.js';
import { reportRows } from './report-sql.js';
import { edgeFactsSql, eventDeletionsSql, highWaterSql, rebuildParts, type Bound } from './rollup-sql.js';
import { SUBSCRIPTIONS_TABLE, subscriptionsTableSql } from './schema.js';
import { readSeries } from './series-sql.js';
import { VersionClock } from './rows.js';
import { sql } from '../../sql.js';

/** A number column's value: SQL NULL (and NaN, which ClickHouse writes as null) as NaN. */
const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Rebuild rows gathered row by row, strings interned into the dictionary rows. */
class RebuildColumns {
  private readonly ids = new Map<string, number>();
  private readonly kind: number[] = [];
  private readonly tenant: number[] = [];
  private readonly day: number[] = [];
  private readonly key: number[] = [];
  private readonly ts: number[] = [];
  private readonly a: number[] = [];
  private readonly b: number[] = [];
  private readonly c: number[] = [];
  private readonly eventType: number[] = [];
  private readonly uuid: (string | null)[] = [];
  private readonly text: (string | null)[] = [];

  private id(value: unknown): number {
    if (typeof value !== 'string') return NaN;
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = this.ids.size));
    return id;
  }

  add(kind: number, row: Record<string, unknown>): void {
    this.kind.push(kind);
    this.tenant.push(this.id(row.t));
    this.day.push(num(row.g));
    this.key.push(this.id(row.k));
    this.ts.push(num(row.ts));
    this.a.push(num(row.a));
    this.b.push(num(row.b));
    this.c.push(num(row.c));
    this.eventType.push(num(row.ty));
    this.uuid.push(str(row.u));
    this.text.push(null);
  }

  finish(): RebuildRows {
    for (const [s, id] of this.ids) {
      this.add(RowKind.dictionary, { k: null });
      this.key[this.key.length - 1] = id;
      this.text[this.text.length - 1] = s;
    }
    const f = (values: number[]) => Float64Array.from(values);
    return {
      rows: this.kind.length,
      kind: f(this.kind),
      tenant: f(this.tenant),
      day: f(this.day),
      key: f(this.key),
      ts: f(this.ts),
      a: f(this.a),
      b: f(this.b),
      c: f(this.c),
      uuid: this.uuid,
      eventType: f(this.eventType),
      text: this.text,
    };
  }
}

/**
 * Analytics' reads of the ClickHouse event store: the rebuild and edge statements of rollup-sql.ts, the
 * chart series and named reports over the events table (FINAL where copies would count twice), the reports
 * joining a copy of the subscriptions kept in the same database (replaceSubscriptions).
 */
export class ClickHouseAnalyticsReads implements AnalyticsReads {
  private readonly versions = new VersionClock();

  private constructor(private readonly connection: ClickHouseConnection) {}

  /** Over the event store's connection; creates the subscriptions copy when missing. */
  static async open(connection: ClickHouseConnection): Promise<ClickHouseAnalyticsReads> {
    await connection.ddl(subscriptionsTableSql());
    return new ClickHouseAnalyticsReads(connection);
  }

  async rebuildRows(lateGraceMs: number, after?: Applied): Promise<RebuildRows> {
    const columns = new RebuildColumns();
    const [mark] = await this.connection.rows<{ ts: number; uuids: string[] }>(highWaterSql);
    if (!mark) return columns.finish();
    const bound: Bound = { ingestedAt: Number(mark.ts), uuids: mark.uuids };
    const parts = rebuildParts(lateGraceMs, bound, after);
    const results = await Promise.all(parts.map((p) => this.connection.rows(p.statement)));
    parts.forEach(({ kind }, i) => {
      for (const row of results[i] ?? []) columns.add(kind === 'per row' ? Number(row.r) : kind, row);
    });
    for (const u of bound.uuids) columns.add(RowKind.highWater, { ts: bound.ingestedAt, u });
    return columns.finish();
  }

  async edgeFacts(requests: readonly DayRequest[]): Promise<EdgeFactRows> {
    const rows = requests.length
      ? await this.connection.rows<{ e: number; t: string; ts: number; i: number; u: string; p: string }>(
          edgeFactsSql(requests),
        )
      : [];
    // Only the properties facts.ts reads, absent ones as null, as the DuckDB store selects them.
    const factsOf = (type: number, text: string) => {
      const properties = JSON.parse(text) as Record<string, unknown>;
      const name = summaryEventTypes[type];
      const names = name ? factProperties[name] : [];
      return JSON.stringify(Object.fromEntries(names.map((p) => [p, properties[p] ?? null])));
    };
    return {
      rows: rows.length,
      event: Float64Array.from(rows, (r) => Number(r.e)),
      tenant: rows.map((r) => r.t),
      timestamp: Float64Array.from(rows, (r) => Number(r.ts)),
      ingestedAt: Float64Array.from(rows, (r) => Number(r.i)),
      uuid: rows.map((r) => r.u),
      properties: rows.map((r) => factsOf(Number(r.e), r.p)),
    };
  }

  async eventDeletions(): Promise<number> {
    const [row] = await this.connection.rows<{ n: number }>(eventDeletionsSql);
    return Number(row?.n ?? 0);
  }

  chartSeries(scope: TenantScope, window: SeriesWindow): Promise<ChartSeriesRows> {
    return readSeries(this.connection, scope, window);
  }

  reportRows(name: ReportName, params: ReportParams, scope: TenantScope): Promise<ReportRow[]> {
    return reportRows(this.connection, name, params, scope);
  }

  /**
   * Replaces the copy of the subscriptions the reports join: one insert under a new version (all rows or
   * none), then the older versions are deleted in the background (reads already ignore them).
   */
  async replaceSubscriptions(subscriptions: readonly Subscription[]): Promise<void> {
    const version = this.versions.next();
    const marker = `{"version":${version},"present":0}`;
    const lines = subscriptions.map(
      (s) =>
        `{"version":${version},"present":1,${JSON.stringify({
          tenant_id: s.tenantId,
          status: s.status,
          plan_name: s.planName,
          price_monthly: s.priceMonthly,
          current_period_start: s.currentPeriodStart,
          current_period_end: s.currentPeriodEnd,
          updated_at: s.updatedAt,
        }).slice(1)}`,
    );
    await this.connection.insertLines(SUBSCRIPTIONS_TABLE, [
      Buffer.from(`${[marker, ...lines].join('\n')}\n`),
    ]);
    await this.connection.command(sql`ALTER TABLE subscriptions DELETE WHERE version < ${version}`);
  }
}
