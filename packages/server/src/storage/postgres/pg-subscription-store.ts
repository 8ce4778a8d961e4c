import type pg from 'pg';
import { isIn, join, sql } from '../../sql.js';
import type {
  StoredSubscription,
  Subscription,
  SubscriptionStatus,
  SubscriptionStore,
} from '../subscription-store.js';
import { createSchema, query } from './pg-client.js';

/**
 * Subscriptions, and the tenants' names for people that synchronised views supply (listed with them).
 * supplied_by names the synchronised view that owns a row; NULL: the API, a CSV import or Stripe.
 */
export const subscriptionTablesSql = [
  sql`CREATE TABLE IF NOT EXISTS subscriptions (
  tenant_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  plan_name TEXT NOT NULL,
  price_monthly DOUBLE PRECISION NOT NULL,
  current_period_start BIGINT,
  current_period_end BIGINT,
  updated_at BIGINT NOT NULL,
  supplied_by TEXT
)`,
  sql`CREATE TABLE IF NOT EXISTS tenant_names (
  tenant_id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  supplied_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
)`,
];

interface SubscriptionRow {
  tenant_id: string;
  status: string;
  plan_name: string;
  price_monthly: number;
  current_period_start: number | null;
  current_period_end: number | null;
  updated_at: number;
  supplied_by: string | null;
  display_name: string | null;
}

/** Subscriptions in PostgreSQL, shared by every Pulse process on the database. */
export class PgSubscriptionStore implements SubscriptionStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgSubscriptionStore> {
    await createSchema(pool, subscriptionTablesSql);
    return new PgSubscriptionStore(pool);
  }

  /** Written over the API, a CSV import or Stripe: no synchronised view supplies these rows any more. */
  async upsert(subscriptions: readonly Subscription[]): Promise<void> {
    if (!subscriptions.length) return;
    const values = subscriptions.map(
      (s) =>
        sql`(${s.tenantId}, ${s.status}, ${s.planName}, ${s.priceMonthly}, ${s.currentPeriodStart},
          ${s.currentPeriodEnd}, ${s.updatedAt}, NULL)`,
    );
    await query(
      this.pool,
      sql`INSERT INTO subscriptions VALUES ${join(values)}
       ON CONFLICT (tenant_id) DO UPDATE SET status = excluded.status, plan_name = excluded.plan_name,
         price_monthly = excluded.price_monthly, current_period_start = excluded.current_period_start,
         current_period_end = excluded.current_period_end, updated_at = excluded.updated_at, supplied_by = NULL`,
    );
  }

  async list(tenants?: readonly string[]): Promise<StoredSubscription[]> {
    const where = tenants === undefined ? sql`TRUE` : isIn(sql`s.tenant_id`, tenants);
    const rows = await query<SubscriptionRow>(
      this.pool,
      sql`SELECT s.*, n.display_name FROM subscriptions s LEFT JOIN tenant_names n USING (tenant_id)
          WHERE ${where} ORDER BY s.tenant_id COLLATE "C"`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      status: r.status as SubscriptionStatus,
      planName: r.plan_name,
      priceMonthly: r.price_monthly,
      currentPeriodStart: r.current_period_start,
      currentPeriodEnd: r.current_period_end,
      updatedAt: r.updated_at,
      suppliedBy: r.supplied_by,
      displayName: r.display_name,
    }));
  }

  async remove(tenantId: string): Promise<boolean> {
    const removed = await query(
      this.pool,
      sql`DELETE FROM subscriptions WHERE tenant_id = ${tenantId} RETURNING tenant_id`,
    );
    return removed.length === 1;
  }
}
