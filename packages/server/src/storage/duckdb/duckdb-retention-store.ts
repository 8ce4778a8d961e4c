import type { DuckDBConnection } from '@duckdb/node-api';
import type { RetentionEvent, RetentionPolicy, RetentionStore } from '../retention-store.js';
import { join, run, sql, timestamp } from './sql.js';

/** One row per policy; tenant '' = the default of its event (a NULL could not take part in the key). */
export const retentionPoliciesTableSql = `CREATE TABLE IF NOT EXISTS retention_policies (
  event VARCHAR NOT NULL,
  tenant VARCHAR NOT NULL,
  days INTEGER,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (event, tenant)
)`;

/** Retention policies in the event store's database file (so under the same encryption, and durable). */
export class DuckDbRetentionStore implements RetentionStore {
  /** The connection is shared: its calls run one at a time (a replace is a transaction on it). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbRetentionStore> {
    const connection = await db.connect();
    await connection.run(retentionPoliciesTableSql);
    return new DuckDbRetentionStore(connection);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  listPolicies(): Promise<RetentionPolicy[]> {
    return this.serial(() => this.list());
  }

  replacePolicies(policies: readonly RetentionPolicy[], at: number): Promise<void> {
    return this.serial(() => this.replace(policies, at, false)).then(() => undefined);
  }

  seedPolicies(policies: readonly RetentionPolicy[], at: number): Promise<boolean> {
    return this.serial(() => this.replace(policies, at, true));
  }

  private async list(): Promise<RetentionPolicy[]> {
    const rows = (
      await this.connection.runAndReadAll(
        // The defaults ('*' sorts before the type names), then each event's tenant overrides.
        `SELECT event, tenant, days FROM retention_policies ORDER BY event, tenant`,
      )
    ).getRowObjectsJS();
    return rows.map((r) => ({
      event: r.event as RetentionEvent,
      tenant: r.tenant === '' ? null : (r.tenant as string),
      days: r.days === null ? null : Number(r.days),
    }));
  }

  private async replace(policies: readonly RetentionPolicy[], at: number, onlyIfEmpty: boolean) {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      if (onlyIfEmpty) {
        const rows = (
          await this.connection.runAndReadAll('SELECT count(*) AS n FROM retention_policies')
        ).getRowObjectsJS();
        if (Number(rows[0]?.n ?? 0) > 0) {
          await this.connection.run('ROLLBACK');
          return false;
        }
      }
      await this.connection.run('DELETE FROM retention_policies');
      if (policies.length)
        await run(
          this.connection,
          sql`INSERT INTO retention_policies VALUES ${join(
            policies.map(
              (p) =>
                sql`(${p.event}, ${p.tenant ?? ''}, ${p.days === null ? null : Math.trunc(p.days)}, ${timestamp(at)})`,
            ),
          )}`,
        );
      await this.connection.run('COMMIT');
      return true;
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }
}
