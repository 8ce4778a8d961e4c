import type { DuckDBConnection } from '@duckdb/node-api';
import type { Subscription, SubscriptionStatus, SubscriptionStore } from '../subscription-store.js';
import { isIn, join, readRows, run, sql, timestamp } from './sql.js';

export const subscriptionsTableSql = `CREATE TABLE IF NOT EXISTS subscriptions (
  tenant_id VARCHAR PRIMARY KEY,
  status VARCHAR NOT NULL,
  plan_name VARCHAR NOT NULL,
  price_monthly DOUBLE NOT NULL,
  current_period_start TIMESTAMP,
  current_period_end TIMESTAMP,
  updated_at TIMESTAMP NOT NULL
)`;

const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);

export class DuckDbSubscriptionStore implements SubscriptionStore {
  constructor(private readonly connection: DuckDBConnection) {}

  async upsert(subscriptions: readonly Subscription[]): Promise<void> {
    if (!subscriptions.length) return;
    const values = subscriptions.map(
      (s) =>
        sql`(${s.tenantId}, ${s.status}, ${s.planName}, ${s.priceMonthly}, ${timestamp(s.currentPeriodStart)}, ${timestamp(s.currentPeriodEnd)}, ${timestamp(s.updatedAt)})`,
    );
    await run(this.connection, sql`INSERT OR REPLACE INTO subscriptions VALUES ${join(values)}`);
  }

  async list(tenants?: readonly string[]): Promise<Subscription[]> {
    const where = tenants === undefined ? sql`TRUE` : isIn(sql`tenant_id`, tenants);
    const rows = await readRows(
      this.connection,
      sql`SELECT * FROM subscriptions WHERE ${where} ORDER BY tenant_id`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id as string,
      status: r.status as SubscriptionStatus,
      planName: r.plan_name as string,
      priceMonthly: Number(r.price_monthly),
      currentPeriodStart: ms(r.current_period_start),
      currentPeriodEnd: ms(r.current_period_end),
      updatedAt: ms(r.updated_at) ?? 0,
    }));
  }

  async remove(tenantId: string): Promise<boolean> {
    const before = await this.list([tenantId]);
    await run(this.connection, sql`DELETE FROM subscriptions WHERE tenant_id = ${tenantId}`);
    return before.length > 0;
  }
}
