import type { DuckDBConnection } from '@duckdb/node-api';
import type { CaptureCounts, CaptureCountStore } from '../insight-store.js';
import type { TenantScope } from '../query-runner.js';
import { isIn, join, readRows, run, sql } from './sql.js';

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

/** The capture counters in the embedded store: one writer connection, one reader. */
export class DuckDbCaptureCountStore implements CaptureCountStore {
  private constructor(
    private readonly reader: DuckDBConnection,
    private readonly writer: DuckDBConnection,
  ) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbCaptureCountStore> {
    const writer = await db.connect();
    await writer.run(captureCountsTableSql);
    return new DuckDbCaptureCountStore(await db.connect(), writer);
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
        WHERE day BETWEEN CAST(${query.fromDay} AS DATE) AND CAST(${query.toDay} AS DATE) AND ${query.tenants === 'all' ? sql`TRUE` : isIn(sql`tenant_id`, query.tenants)}
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
