import { DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Subscription } from '../subscription-store.js';
import type { SyncOutcome, SyncRead, SyncStore, TenantName } from '../sync-store.js';
import { plan, subscriptionFingerprint, type Owned } from '../sync-plan.js';
import { ms } from './duckdb-subscription-store.js';
import { ident, isIn, readRows, run, sql, timestamp, type Sql } from './sql.js';

/** A value of an appended row; a timestamp as epoch ms (null: none). */
type Cell = string | number | { ms: number | null } | null;

/** Each sync is one transaction on its own connection; syncs run one at a time. */
export class DuckDbSyncStore implements SyncStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbSyncStore> {
    return new DuckDbSyncStore(await db.connect());
  }

  private transaction<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const result = await work();
        await this.connection.run('COMMIT');
        return result;
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Writes rows over the table's (same columns, same order) through an appender into a temporary table:
   * a VALUES list binding 100,000 rows took DuckDB minutes, the appender takes well under a second.
   */
  private async replace(table: 'subscriptions' | 'tenant_names', rows: Cell[][]): Promise<void> {
    if (!rows.length) return;
    await run(
      this.connection,
      sql`CREATE OR REPLACE TEMP TABLE sync_rows AS SELECT * FROM ${ident(table)} LIMIT 0`,
    );
    const appender = await this.connection.createAppender('sync_rows', 'main', 'temp');
    // Closed whatever happens: an open appender holds the database's statement gate (statement-gate.ts).
    try {
      for (const row of rows) {
        for (const cell of row) {
          if (cell === null) appender.appendNull();
          else if (typeof cell === 'string') appender.appendVarchar(cell);
          else if (typeof cell === 'number') appender.appendDouble(cell);
          else if (cell.ms === null) appender.appendNull();
          else appender.appendTimestamp(new DuckDBTimestampValue(BigInt(cell.ms) * 1000n));
        }
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    await run(this.connection, sql`INSERT OR REPLACE INTO ${ident(table)} SELECT * FROM sync_rows`);
    await run(this.connection, sql`DROP TABLE sync_rows`);
  }

  private async ownership(statement: Sql, fingerprint: (r: Record<string, unknown>) => string) {
    const kept = new Map<string, Owned>();
    for (const r of await readRows(this.connection, statement))
      kept.set(r.tenant_id as string, {
        suppliedBy: (r.supplied_by as string | null) ?? null,
        fingerprint: fingerprint(r),
        ended: r.status === 'canceled',
      });
    return kept;
  }

  applySubscriptions(source: string, read: SyncRead<Subscription>, at: number): Promise<SyncOutcome> {
    return this.transaction(async () => {
      const kept = await this.ownership(sql`SELECT * FROM subscriptions`, (r) =>
        subscriptionFingerprint({
          tenantId: r.tenant_id as string,
          status: r.status as Subscription['status'],
          planName: r.plan_name as string,
          priceMonthly: Number(r.price_monthly),
          currentPeriodStart: ms(r.current_period_start),
          currentPeriodEnd: ms(r.current_period_end),
          updatedAt: 0,
        }),
      );
      const { outcome, writes, ends } = plan(source, read, kept, subscriptionFingerprint);
      await this.replace(
        'subscriptions',
        writes.map((s) => [
          s.tenantId,
          s.status,
          s.planName,
          s.priceMonthly,
          { ms: s.currentPeriodStart },
          { ms: s.currentPeriodEnd },
          { ms: at },
          source,
        ]),
      );
      if (ends.length)
        await run(
          this.connection,
          sql`UPDATE subscriptions SET status = 'canceled', current_period_end = ${timestamp(at)},
              updated_at = ${timestamp(at)} WHERE ${isIn(sql`tenant_id`, ends)}`,
        );
      return outcome;
    });
  }

  applyTenantNames(source: string, read: SyncRead<TenantName>, at: number): Promise<SyncOutcome> {
    return this.transaction(async () => {
      const kept = await this.ownership(sql`SELECT * FROM tenant_names`, (r) => String(r.display_name));
      const { outcome, writes, ends } = plan(source, read, kept, (t) => t.displayName);
      await this.replace(
        'tenant_names',
        writes.map((t) => [t.tenantId, t.displayName, source, { ms: at }]),
      );
      if (ends.length)
        await run(this.connection, sql`DELETE FROM tenant_names WHERE ${isIn(sql`tenant_id`, ends)}`);
      return outcome;
    });
  }
}
