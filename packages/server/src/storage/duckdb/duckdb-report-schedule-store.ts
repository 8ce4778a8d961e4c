import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReportRunRecord, ReportScheduleRecord, ReportScheduleStore } from '../report-schedule-store.js';
import { readRows, run, sql } from './sql.js';

const tablesSql = [
  `CREATE TABLE IF NOT EXISTS report_schedules (
    id VARCHAR PRIMARY KEY,
    body JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS report_runs (
    id VARCHAR PRIMARY KEY,
    schedule_id VARCHAR NOT NULL,
    instant BIGINT NOT NULL,
    body JSON NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS report_run_claims (
    id VARCHAR PRIMARY KEY,
    claimed_until BIGINT NOT NULL
  )`,
];

/**
 * Schedules and runs in the event store's database file (same encryption, durable). Both are small
 * documents read whole, so each row keeps its record as JSON beside the keys it is looked up by.
 */
export class DuckDbReportScheduleStore implements ReportScheduleStore {
  /** The connection is shared: its calls run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbReportScheduleStore> {
    const connection = await db.connect();
    for (const statement of tablesSql) await connection.run(statement);
    return new DuckDbReportScheduleStore(connection);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  list(): Promise<ReportScheduleRecord[]> {
    return this.serial(async () =>
      (await readRows(this.connection, sql`SELECT body FROM report_schedules ORDER BY id`)).map(
        (r) => JSON.parse(String(r.body)) as ReportScheduleRecord,
      ),
    );
  }

  get(id: string): Promise<ReportScheduleRecord | null> {
    return this.serial(async () => {
      const rows = await readRows(this.connection, sql`SELECT body FROM report_schedules WHERE id = ${id}`);
      return rows[0] ? (JSON.parse(String(rows[0].body)) as ReportScheduleRecord) : null;
    });
  }

  put(schedule: ReportScheduleRecord): Promise<void> {
    return this.serial(async () => {
      await run(
        this.connection,
        sql`INSERT OR REPLACE INTO report_schedules VALUES (${schedule.id}, ${JSON.stringify(schedule)}, epoch_ms(${schedule.updatedAt}))`,
      );
    });
  }

  remove(id: string): Promise<boolean> {
    return this.serial(async () => {
      const rows = await readRows(
        this.connection,
        sql`DELETE FROM report_schedules WHERE id = ${id} RETURNING id`,
      );
      return rows.length > 0;
    });
  }

  claimRun(runId: string, now: number, until: number): Promise<boolean> {
    return this.serial(async () => {
      const rows = await readRows(
        this.connection,
        sql`INSERT INTO report_run_claims
            SELECT ${runId}, ${until} WHERE NOT EXISTS (SELECT 1 FROM report_runs WHERE id = ${runId})
            ON CONFLICT (id) DO UPDATE SET claimed_until = excluded.claimed_until
              WHERE report_run_claims.claimed_until <= ${now}
            RETURNING id`,
      );
      return rows.length > 0;
    });
  }

  insertRun(record: ReportRunRecord): Promise<boolean> {
    return this.serial(async () => {
      const rows = await readRows(
        this.connection,
        sql`INSERT INTO report_runs VALUES (${record.id}, ${record.scheduleId}, ${record.instant}, ${JSON.stringify(record)})
            ON CONFLICT DO NOTHING RETURNING id`,
      );
      return rows.length > 0;
    });
  }

  runs(scheduleId: string, limit: number): Promise<ReportRunRecord[]> {
    return this.serial(async () =>
      (
        await readRows(
          this.connection,
          sql`SELECT body FROM report_runs WHERE schedule_id = ${scheduleId} ORDER BY instant DESC, id LIMIT ${Math.trunc(limit)}`,
        )
      ).map((r) => JSON.parse(String(r.body)) as ReportRunRecord),
    );
  }

  lastInstant(scheduleId: string): Promise<number | null> {
    return this.serial(async () => {
      const rows = await readRows(
        this.connection,
        sql`SELECT max(instant) AS instant FROM report_runs WHERE schedule_id = ${scheduleId}`,
      );
      const value = rows[0]?.instant;
      return value === null || value === undefined ? null : Number(value);
    });
  }
}
