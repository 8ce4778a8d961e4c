import type pg from 'pg';
import { sql } from '../../sql.js';
import type { CaptureCountStore, CaptureCounts } from '../insight-store.js';
import type { TenantScope } from '../query-runner.js';
import { createSchema, query, textArray } from './pg-client.js';

const tables = [
  sql`CREATE TABLE IF NOT EXISTS capture_counts (
    day DATE NOT NULL,
    tenant_id TEXT NOT NULL,
    received BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    refused_requests BIGINT NOT NULL,
    PRIMARY KEY (day, tenant_id)
  )`,
];

const scoped = (tenants: TenantScope) =>
  tenants === 'all' ? sql`TRUE` : sql`tenant_id = ANY(${textArray(tenants)})`;

/**
 * Capture counters shared by every Pulse process: each adds its own tallies, so the same (day, tenant)
 * row is incremented by several writers; an upsert adds under the row's lock and loses none.
 */
export class PgCaptureCountStore implements CaptureCountStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgCaptureCountStore> {
    await createSchema(pool, tables);
    return new PgCaptureCountStore(pool);
  }

  async addCaptureCounts(rows: readonly CaptureCounts[]): Promise<void> {
    if (!rows.length) return;
    const json = rows.map((r) => ({
      day: r.day,
      tenant_id: r.tenantId,
      received: r.received,
      accepted: r.accepted,
      quarantined: r.quarantined,
      refused: r.refused,
      refused_requests: r.refusedRequests,
    }));
    // Summed per key first (one statement may not update a row twice), locked in key order (no deadlock).
    await query(
      this.pool,
      sql`INSERT INTO capture_counts
          SELECT day, tenant_id, sum(received), sum(accepted), sum(quarantined), sum(refused), sum(refused_requests)
          FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb) AS r(day DATE, tenant_id TEXT, received BIGINT,
            accepted BIGINT, quarantined BIGINT, refused BIGINT, refused_requests BIGINT)
          GROUP BY day, tenant_id ORDER BY day, tenant_id
          ON CONFLICT (day, tenant_id) DO UPDATE SET
            received = capture_counts.received + excluded.received,
            accepted = capture_counts.accepted + excluded.accepted,
            quarantined = capture_counts.quarantined + excluded.quarantined,
            refused = capture_counts.refused + excluded.refused,
            refused_requests = capture_counts.refused_requests + excluded.refused_requests`,
    );
  }

  async captureCounts(q: { tenants: TenantScope; fromDay: string; toDay: string }): Promise<CaptureCounts[]> {
    const rows = await query(
      this.pool,
      sql`SELECT to_char(day, 'YYYY-MM-DD') AS day, tenant_id, received, accepted, quarantined, refused,
            refused_requests
          FROM capture_counts
          WHERE day BETWEEN ${q.fromDay}::DATE AND ${q.toDay}::DATE AND ${scoped(q.tenants)}
          ORDER BY day, tenant_id COLLATE "C"`,
    );
    return rows.map((r) => ({
      day: r.day as string,
      tenantId: r.tenant_id as string,
      received: r.received as number,
      accepted: r.accepted as number,
      quarantined: r.quarantined as number,
      refused: r.refused as number,
      refusedRequests: r.refused_requests as number,
    }));
  }
}
