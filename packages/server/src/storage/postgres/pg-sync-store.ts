import type pg from 'pg';
import { ident, sql, type Sql } from '../../sql.js';
import type { Subscription, SubscriptionStatus } from '../subscription-store.js';
import { plan, subscriptionFingerprint, type Owned } from '../sync-plan.js';
import type { SyncOutcome, SyncRead, SyncStore, TenantName } from '../sync-store.js';
import { createSchema, inTransaction, query, textArray, type PgQueryable } from './pg-client.js';
import { subscriptionTablesSql } from './pg-subscription-store.js';

/** A JSON array bound as one parameter, read as rows: a view of 100,000 rows is one statement. */
const rowsOf = (rows: readonly object[]) => sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)`;

/**
 * Reads the rows kept under a lock that admits readers but no other writer (another process's sync, the
 * API, a CSV import, Stripe) until the transaction ends: what the plan compares against cannot change.
 */
async function lockedOwnership(
  client: PgQueryable,
  table: 'subscriptions' | 'tenant_names',
  statement: Sql,
  fingerprint: (r: Record<string, unknown>) => string,
): Promise<Map<string, Owned>> {
  await query(client, sql`LOCK TABLE ${ident(table)} IN SHARE ROW EXCLUSIVE MODE`);
  const kept = new Map<string, Owned>();
  for (const r of await query(client, statement))
    kept.set(r.tenant_id as string, {
      suppliedBy: (r.supplied_by as string | null) ?? null,
      fingerprint: fingerprint(r),
      ended: r.status === 'canceled',
    });
  return kept;
}

/** Synchronised views' rows in the shared subscriptions and tenant names, each sync one transaction. */
export class PgSyncStore implements SyncStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgSyncStore> {
    await createSchema(pool, subscriptionTablesSql);
    return new PgSyncStore(pool);
  }

  applySubscriptions(source: string, read: SyncRead<Subscription>, at: number): Promise<SyncOutcome> {
    return inTransaction(this.pool, async (client) => {
      const kept = await lockedOwnership(client, 'subscriptions', sql`SELECT * FROM subscriptions`, (r) =>
        subscriptionFingerprint({
          tenantId: r.tenant_id as string,
          status: r.status as SubscriptionStatus,
          planName: r.plan_name as string,
          priceMonthly: r.price_monthly as number,
          currentPeriodStart: r.current_period_start as number | null,
          currentPeriodEnd: r.current_period_end as number | null,
          updatedAt: 0,
        }),
      );
      const { outcome, writes, ends } = plan(source, read, kept, subscriptionFingerprint);
      if (writes.length)
        await query(
          client,
          sql`INSERT INTO subscriptions
              SELECT tenant_id, status, plan_name, price_monthly, current_period_start, current_period_end,
                ${Math.trunc(at)}::BIGINT, ${source}
              FROM ${rowsOf(
                writes.map((s) => ({
                  tenant_id: s.tenantId,
                  status: s.status,
                  plan_name: s.planName,
                  price_monthly: s.priceMonthly,
                  current_period_start: s.currentPeriodStart,
                  current_period_end: s.currentPeriodEnd,
                })),
              )} AS r(tenant_id TEXT, status TEXT, plan_name TEXT, price_monthly DOUBLE PRECISION,
                current_period_start BIGINT, current_period_end BIGINT)
              ON CONFLICT (tenant_id) DO UPDATE SET status = excluded.status, plan_name = excluded.plan_name,
                price_monthly = excluded.price_monthly, current_period_start = excluded.current_period_start,
                current_period_end = excluded.current_period_end, updated_at = excluded.updated_at,
                supplied_by = excluded.supplied_by`,
        );
      if (ends.length)
        await query(
          client,
          sql`UPDATE subscriptions SET status = 'canceled', current_period_end = ${Math.trunc(at)}::BIGINT,
              updated_at = ${Math.trunc(at)}::BIGINT WHERE tenant_id = ANY(${textArray(ends)})`,
        );
      return outcome;
    });
  }

  applyTenantNames(source: string, read: SyncRead<TenantName>, at: number): Promise<SyncOutcome> {
    return inTransaction(this.pool, async (client) => {
      const kept = await lockedOwnership(client, 'tenant_names', sql`SELECT * FROM tenant_names`, (r) =>
        String(r.display_name),
      );
      const { outcome, writes, ends } = plan(source, read, kept, (t) => t.displayName);
      if (writes.length)
        await query(
          client,
          sql`INSERT INTO tenant_names
              SELECT tenant_id, display_name, ${source}, ${Math.trunc(at)}::BIGINT
              FROM ${rowsOf(writes.map((t) => ({ tenant_id: t.tenantId, display_name: t.displayName })))}
                AS r(tenant_id TEXT, display_name TEXT)
              ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name,
                supplied_by = excluded.supplied_by, updated_at = excluded.updated_at`,
        );
      if (ends.length)
        await query(client, sql`DELETE FROM tenant_names WHERE tenant_id = ANY(${textArray(ends)})`);
      return outcome;
    });
  }
}
