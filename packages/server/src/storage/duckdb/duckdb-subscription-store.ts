import type { DuckDBConnection } from '@duckdb/node-api';
import type { Subscription, SubscriptionStatus, SubscriptionStore } from '../subscription-store.js';
import { sqlString } from './read-json-sql.js';

export const subscriptionsTableSql = `CREATE TABLE IF NOT EXISTS subscriptions (
  tenant_id VARCHAR PRIMARY KEY,
  status VARCHAR NOT NULL,
  plan_name VARCHAR NOT NULL,
  price_monthly DOUBLE NOT NULL,
  current_period_start TIMESTAMP,
  current_period_end TIMESTAMP,
  updated_at TIMESTAMP NOT NULL
)`;

const time = (ms: number | null) => (ms === null ? 'NULL' : `epoch_ms(${Math.trunc(ms)})`);
const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);

export class DuckDbSubscriptionStore implements SubscriptionStore {
  constructor(private readonly connection: DuckDBConnection) {}

  async upsert(subscriptions: readonly Subscription[]): Promise<void> {
    if (!subscriptions.length) return;
    const values = subscriptions
      .map(
        (s) =>
          `(${sqlString(s.tenantId)}, ${sqlString(s.status)}, ${sqlString(s.planName)}, ${s.priceMonthly}, ${time(s.currentPeriodStart)}, ${time(s.currentPeriodEnd)}, ${time(s.updatedAt)})`,
      )
      .join(', ');
    await this.connection.run(`INSERT OR REPLACE INTO subscriptions VALUES ${values}`);
  }

  async list(tenants?: readonly string[]): Promise<Subscription[]> {
    const where =
      tenants === undefined
        ? ''
        : `WHERE tenant_id IN (${tenants.length ? tenants.map(sqlString).join(', ') : 'NULL'})`;
    const rows = (
      await this.connection.runAndReadAll(`SELECT * FROM subscriptions ${where} ORDER BY tenant_id`)
    ).getRowObjectsJS();
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
    await this.connection.run(`DELETE FROM subscriptions WHERE tenant_id = ${sqlString(tenantId)}`);
    return before.length > 0;
  }
}
