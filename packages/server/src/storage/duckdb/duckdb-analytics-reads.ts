import type { DuckDBConnection } from '@duckdb/node-api';
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
  ReportValue,
  SeriesWindow,
} from '../analytics-reads.js';
import type { QueryRunner, TenantScope } from '../query-runner.js';
import type { DuckDbEventStore } from './duckdb-event-store.js';
import { readColumns } from './read-columns.js';
import { reportSql } from './report-sql.js';
import {
  edgeFactColumnKinds,
  edgeFactsSql,
  eventDeletionsSql,
  rebuildColumnKinds,
  rebuildSql,
} from './rollup-sql.js';
import { readSeries } from './series-sql.js';

const REPORT_LIMITS = { timeoutMs: 30_000, maxRows: 100_000, maxBytes: 64 * 1024 * 1024 };

type Numbers = Float64Array;
type Strings = (string | null)[];

/**
 * Analytics' reads of the embedded store: the rollup and edge statements on a connection of their own,
 * columns read straight from the driver's vectors; chart series and reports through the query runner,
 * over the scoped `events` and `subscriptions` views.
 */
export class DuckDbAnalyticsReads implements AnalyticsReads {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly queries: QueryRunner,
  ) {}

  /** Its own connection: the startup rebuild (seconds on 10M events) must not block other reads. */
  static async open(store: DuckDbEventStore): Promise<DuckDbAnalyticsReads> {
    return new DuckDbAnalyticsReads(await store.connect(), store.queryRunner());
  }

  async rebuildRows(lateGraceMs: number, after?: Applied): Promise<RebuildRows> {
    const { rows, columns } = await readColumns(
      this.connection,
      rebuildSql(lateGraceMs, after),
      rebuildColumnKinds,
    );
    const [kind, tenant, day, key, ts, a, b, c, uuid, eventType, text] = columns as [
      ...[Numbers, Numbers, Numbers, Numbers, Numbers, Numbers, Numbers, Numbers],
      Strings,
      Numbers,
      Strings,
    ];
    return { rows, kind, tenant, day, key, ts, a, b, c, uuid, eventType, text };
  }

  async edgeFacts(requests: readonly DayRequest[]): Promise<EdgeFactRows> {
    const { rows, columns } = await readColumns(this.connection, edgeFactsSql(requests), edgeFactColumnKinds);
    const [event, tenant, timestamp, ingestedAt, uuid, properties] = columns as [
      Numbers,
      Strings,
      Numbers,
      Numbers,
      Strings,
      Strings,
    ];
    return { rows, event, tenant, timestamp, ingestedAt, uuid, properties };
  }

  async eventDeletions(): Promise<number> {
    const count = (await readColumns(this.connection, eventDeletionsSql, ['number'])).columns[0]?.[0];
    return typeof count === 'number' ? count : 0;
  }

  chartSeries(scope: TenantScope, window: SeriesWindow): Promise<ChartSeriesRows> {
    return readSeries(this.queries, scope, window);
  }

  async reportRows(name: ReportName, params: ReportParams, scope: TenantScope): Promise<ReportRow[]> {
    const result = await this.queries.run(reportSql[name](params), scope, REPORT_LIMITS);
    const names = result.columns.map((c) => c.name);
    // The runner's values are JSON-ready (query-values.ts plainValue); reports select scalars only.
    return result.rows.map((row) => Object.fromEntries(names.map((c, i) => [c, row[i] as ReportValue])));
  }
}
