import type pg from 'pg';
import { join, sql } from '../../sql.js';
import type { RetentionEvent, RetentionPolicy, RetentionStore } from '../retention-store.js';
import { createSchema, inTransaction, query } from './pg-client.js';

/** One row per policy; tenant '' = the default of its event (a NULL could not take part in the key). */
const tableSql = sql`CREATE TABLE IF NOT EXISTS retention_policies (
  event TEXT NOT NULL,
  tenant TEXT NOT NULL,
  days INTEGER,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (event, tenant)
)`;

/** Retention policies in PostgreSQL, shared by every Pulse process on the database. */
export class PgRetentionStore implements RetentionStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgRetentionStore> {
    await createSchema(pool, [tableSql]);
    return new PgRetentionStore(pool);
  }

  async listPolicies(): Promise<RetentionPolicy[]> {
    // Byte order, whatever the database's collation: the defaults ('*') first, then each event's overrides.
    const rows = await query<{ event: string; tenant: string; days: number | null }>(
      this.pool,
      sql`SELECT event, tenant, days FROM retention_policies ORDER BY event COLLATE "C", tenant COLLATE "C"`,
    );
    return rows.map((r) => ({
      event: r.event as RetentionEvent,
      tenant: r.tenant === '' ? null : r.tenant,
      days: r.days,
    }));
  }

  async replacePolicies(policies: readonly RetentionPolicy[], at: number): Promise<void> {
    await this.replace(policies, at, false);
  }

  seedPolicies(policies: readonly RetentionPolicy[], at: number): Promise<boolean> {
    return this.replace(policies, at, true);
  }

  private replace(policies: readonly RetentionPolicy[], at: number, onlyIfEmpty: boolean): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // Replaces and seeds of every process queue here, so a seed sees another's seed, and a replace
      // deletes the rows a concurrent replace committed before inserting its own; readers are not blocked.
      await query(client, sql`LOCK TABLE retention_policies IN SHARE ROW EXCLUSIVE MODE`);
      if (onlyIfEmpty) {
        const [any] = await query(client, sql`SELECT 1 FROM retention_policies LIMIT 1`);
        if (any) return false;
      }
      await query(client, sql`DELETE FROM retention_policies`);
      if (policies.length)
        await query(
          client,
          sql`INSERT INTO retention_policies VALUES ${join(
            policies.map(
              (p) =>
                sql`(${p.event}, ${p.tenant ?? ''}, ${p.days === null ? null : Math.trunc(p.days)}, ${Math.trunc(at)})`,
            ),
          )}`,
        );
      return true;
    });
  }
}
