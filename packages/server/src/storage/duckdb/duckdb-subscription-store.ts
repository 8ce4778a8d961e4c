import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  StoredSubscription,
  Subscription,
  SubscriptionStatus,
  SubscriptionStore,
} from '../subscription-store.js';
import { isIn, join, readRows, run, sql, timestamp } from './sql.js';

export const subscriptionsTableSql = `CREATE TABLE IF NOT EXISTS subscriptions (
  tenant_id VARCHAR PRIMARY KEY,
  status VARCHAR NOT NULL,
  plan_name VARCHAR NOT NULL,
  price_monthly DOUBLE NOT NULL,
  current_period_start TIMESTAMP,
  current_period_end TIMESTAMP,
  updated_at TIMESTAMP NOT NULL,
  supplied_by VARCHAR
)`;

/** Stores made before synchronised views had no supplied_by: their rows came from the API, CSV or Stripe. */
export const subscriptionsSuppliedBySql =
  'ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS supplied_by VARCHAR';

/** Tenants' names for people; only synchronised views supply them. */
export const tenantNamesTableSql = `CREATE TABLE IF NOT EXISTS tenant_names (
  tenant_id VARCHAR PRIMARY KEY,
  display_name VARCHAR NOT NULL,
  supplied_by VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL
)`;

/** One row's VALUES, in the table's column order. */
export const subscriptionValues = (s: Subscription, suppliedBy: string | null) =>
  sql`(${s.tenantId}, ${s.status}, ${s.planName}, ${s.priceMonthly}, ${timestamp(s.currentPeriodStart)}, ${timestamp(s.currentPeriodEnd)}, ${timestamp(s.updatedAt)}, ${suppliedBy})`;

export const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);

export class DuckDbSubscriptionStore implements SubscriptionStore {
  constructor(private readonly connection: DuckDBConnection) {}

  /** Written over the API, a CSV import or Stripe: no synchronised view supplies these rows any more. */
  async upsert(subscriptions: readonly Subscription[]): Promise<void> {
    if (!subscriptions.length) return;
    await run(
      this.connection,
      sql`INSERT OR REPLACE INTO subscriptions VALUES ${join(subscriptions.map((s) => subscriptionValues(s, null)))}`,
    );
  }

  async list(tenants?: readonly string[]): Promise<StoredSubscription[]> {
    const where = tenants === undefined ? sql`TRUE` : isIn(sql`s.tenant_id`, tenants);
    const rows = await readRows(
      this.connection,
      sql`SELECT s.*, n.display_name FROM subscriptions s LEFT JOIN tenant_names n USING (tenant_id)
          WHERE ${where} ORDER BY s.tenant_id`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id as string,
      status: r.status as SubscriptionStatus,
      planName: r.plan_name as string,
      priceMonthly: Number(r.price_monthly),
      currentPeriodStart: ms(r.current_period_start),
      currentPeriodEnd: ms(r.current_period_end),
      updatedAt: ms(r.updated_at) ?? 0,
      suppliedBy: (r.supplied_by as string | null) ?? null,
      displayName: (r.display_name as string | null) ?? null,
    }));
  }

  async remove(tenantId: string): Promise<boolean> {
    const before = await this.list([tenantId]);
    await run(this.connection, sql`DELETE FROM subscriptions WHERE tenant_id = ${tenantId}`);
    return before.length > 0;
  }
}
