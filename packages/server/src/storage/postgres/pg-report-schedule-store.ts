import type pg from 'pg';
import { sql } from '../../sql.js';
import type { ReportRunRecord, ReportScheduleRecord, ReportScheduleStore } from '../report-schedule-store.js';
import { createSchema, query } from './pg-client.js';

const tables = [
  sql`CREATE TABLE IF NOT EXISTS report_schedules (
    id TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  sql`CREATE TABLE IF NOT EXISTS report_runs (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL,
    instant BIGINT NOT NULL,
    body JSONB NOT NULL
  )`,
  sql`CREATE INDEX IF NOT EXISTS report_runs_by_schedule ON report_runs (schedule_id, instant DESC)`,
  sql`CREATE TABLE IF NOT EXISTS report_run_claims (
    id TEXT PRIMARY KEY,
    claimed_until BIGINT NOT NULL
  )`,
];

/** Schedules and runs as JSON documents beside their lookup keys, shared by every Pulse process. */
export class PgReportScheduleStore implements ReportScheduleStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgReportScheduleStore> {
    await createSchema(pool, tables);
    return new PgReportScheduleStore(pool);
  }

  async list(): Promise<ReportScheduleRecord[]> {
    const rows = await query<{ body: ReportScheduleRecord }>(
      this.pool,
      sql`SELECT body FROM report_schedules ORDER BY id COLLATE "C"`,
    );
    return rows.map((r) => r.body);
  }

  async get(id: string): Promise<ReportScheduleRecord | null> {
    const [row] = await query<{ body: ReportScheduleRecord }>(
      this.pool,
      sql`SELECT body FROM report_schedules WHERE id = ${id}`,
    );
    return row?.body ?? null;
  }

  async put(schedule: ReportScheduleRecord): Promise<void> {
    await query(
      this.pool,
      sql`INSERT INTO report_schedules VALUES (${schedule.id}, ${JSON.stringify(schedule)}::jsonb, ${schedule.updatedAt}::BIGINT)
          ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    );
  }

  async remove(id: string): Promise<boolean> {
    const rows = await query(this.pool, sql`DELETE FROM report_schedules WHERE id = ${id} RETURNING id`);
    return rows.length > 0;
  }

  /**
   * One statement: of two processes inserting the same claim, the second waits for the first's row and then
   * finds it live, so only one gets a row back.
   */
  async claimRun(runId: string, now: number, until: number): Promise<boolean> {
    const rows = await query(
      this.pool,
      sql`INSERT INTO report_run_claims
          SELECT ${runId}, ${until}::BIGINT WHERE NOT EXISTS (SELECT 1 FROM report_runs WHERE id = ${runId})
          ON CONFLICT (id) DO UPDATE SET claimed_until = excluded.claimed_until
            WHERE report_run_claims.claimed_until <= ${now}::BIGINT
          RETURNING id`,
    );
    return rows.length > 0;
  }

  async insertRun(run: ReportRunRecord): Promise<boolean> {
    const rows = await query(
      this.pool,
      sql`INSERT INTO report_runs VALUES (${run.id}, ${run.scheduleId}, ${run.instant}::BIGINT, ${JSON.stringify(run)}::jsonb)
          ON CONFLICT DO NOTHING RETURNING id`,
    );
    return rows.length > 0;
  }

  async runs(scheduleId: string, limit: number): Promise<ReportRunRecord[]> {
    const rows = await query<{ body: ReportRunRecord }>(
      this.pool,
      sql`SELECT body FROM report_runs WHERE schedule_id = ${scheduleId}
          ORDER BY instant DESC, id COLLATE "C" LIMIT ${Math.trunc(limit)}`,
    );
    return rows.map((r) => r.body);
  }

  async lastInstant(scheduleId: string): Promise<number | null> {
    const [row] = await query<{ instant: number | null }>(
      this.pool,
      sql`SELECT max(instant) AS instant FROM report_runs WHERE schedule_id = ${scheduleId}`,
    );
    return row?.instant ?? null;
  }
}
