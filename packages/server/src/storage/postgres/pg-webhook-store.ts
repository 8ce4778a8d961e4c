import type pg from 'pg';
import { sql } from '../../sql.js';
import type {
  EmailWindow,
  OpenPaymentFailure,
  TenantMapEntry,
  TenantMapKind,
  WebhookCommit,
  WebhookStore,
} from '../webhook-store.js';
import { createSchema, inTransaction, query, textArray, type PgQueryable } from './pg-client.js';

const tables = [
  sql`CREATE TABLE IF NOT EXISTS webhook_receipts (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, id)
  )`,
  sql`CREATE TABLE IF NOT EXISTS email_windows (
    tenant_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    sending_domain TEXT NOT NULL,
    start BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    hard_bounced BIGINT NOT NULL,
    soft_bounced BIGINT NOT NULL,
    deferred BIGINT NOT NULL,
    complained BIGINT NOT NULL,
    reported_risk INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, sending_domain, start)
  )`,
  sql`CREATE TABLE IF NOT EXISTS payment_failures (
    invoice_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    failed_at BIGINT NOT NULL
  )`,
  sql`CREATE TABLE IF NOT EXISTS webhook_tenant_map (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    PRIMARY KEY (kind, key)
  )`,
];

/** A JSON array bound as one parameter, read as rows (no per-value parameters, whatever the count). */
const rowsOf = (rows: readonly object[]) => sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)`;

const windowColumns = sql`tenant_id TEXT, provider TEXT, sending_domain TEXT, start BIGINT, delivered BIGINT,
  hard_bounced BIGINT, soft_bounced BIGINT, deferred BIGINT, complained BIGINT, reported_risk INTEGER`;

const windowRow = (w: EmailWindow) => ({
  tenant_id: w.tenantId,
  provider: w.provider,
  sending_domain: w.sendingDomain,
  start: Math.trunc(w.start),
  delivered: w.delivered,
  hard_bounced: w.hardBounced,
  soft_bounced: w.softBounced,
  deferred: w.deferred,
  complained: w.complained,
  reported_risk: w.reportedRisk,
});

/**
 * Adds counts to their windows (a new window starts at them). Rows are locked in key order, so concurrent
 * commits touching the same windows queue instead of deadlocking; each adds to what the other committed.
 */
async function addWindowCounts(db: PgQueryable, windows: readonly EmailWindow[]): Promise<void> {
  if (!windows.length) return;
  await query(
    db,
    sql`INSERT INTO email_windows
      SELECT tenant_id, provider, sending_domain, start, sum(delivered), sum(hard_bounced), sum(soft_bounced),
        sum(deferred), sum(complained), 0
      FROM ${rowsOf(windows.map(windowRow))} AS w(${windowColumns})
      GROUP BY tenant_id, provider, sending_domain, start
      ORDER BY tenant_id, provider, sending_domain, start
      ON CONFLICT (tenant_id, provider, sending_domain, start) DO UPDATE SET
        delivered = email_windows.delivered + excluded.delivered,
        hard_bounced = email_windows.hard_bounced + excluded.hard_bounced,
        soft_bounced = email_windows.soft_bounced + excluded.soft_bounced,
        deferred = email_windows.deferred + excluded.deferred,
        complained = email_windows.complained + excluded.complained`,
  );
}

/** Webhook state shared by every Pulse process of one PostgreSQL database. */
export class PgWebhookStore implements WebhookStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgWebhookStore> {
    await createSchema(pool, tables);
    return new PgWebhookStore(pool);
  }

  async seen(provider: string, ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await query<{ id: string }>(
      this.pool,
      sql`SELECT id FROM webhook_receipts
          WHERE provider = ${provider} AND id = ANY(${textArray(ids)})`,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The receipts go in first: a receipt another transaction is inserting makes this one wait for it, and if
   * that one commits, this one records fewer receipts than it has and rolls everything back.
   */
  commit(commit: WebhookCommit): Promise<boolean> {
    const receipts = [...new Set(commit.receipts)].sort();
    return inTransaction(this.pool, async (client) => {
      if (receipts.length) {
        const inserted = await query(
          client,
          sql`INSERT INTO webhook_receipts
              SELECT ${commit.provider}, id, ${Math.trunc(commit.at)}::BIGINT
              FROM unnest(${textArray(receipts)}) AS r(id) ORDER BY id
              ON CONFLICT DO NOTHING RETURNING id`,
        );
        if (inserted.length < receipts.length) throw new ReceiptConflict();
      }
      await addWindowCounts(client, commit.windows);
      const open = commit.failures?.open ?? [];
      if (open.length)
        await query(
          client,
          sql`INSERT INTO payment_failures
              SELECT invoice_id, tenant_id, amount, failed_at
              FROM ${rowsOf(open.map((f) => ({ invoice_id: f.invoiceId, tenant_id: f.tenantId, amount: f.amount, failed_at: Math.trunc(f.failedAt) })))}
                AS f(invoice_id TEXT, tenant_id TEXT, amount DOUBLE PRECISION, failed_at BIGINT)
              ORDER BY invoice_id
              ON CONFLICT (invoice_id) DO UPDATE SET
                tenant_id = excluded.tenant_id, amount = excluded.amount, failed_at = excluded.failed_at`,
        );
      const resolve = commit.failures?.resolve ?? [];
      if (resolve.length)
        await query(
          client,
          sql`DELETE FROM payment_failures
              WHERE invoice_id = ANY(${textArray(resolve)})`,
        );
      return true;
    }).catch((error: unknown) => {
      if (error instanceof ReceiptConflict) return false;
      throw error;
    });
  }

  async windows(before?: number): Promise<EmailWindow[]> {
    const rows = await query(
      this.pool,
      sql`SELECT * FROM email_windows
          WHERE ${before === undefined ? null : Math.trunc(before)}::BIGINT IS NULL
            OR start < ${before === undefined ? null : Math.trunc(before)}::BIGINT
          ORDER BY start, tenant_id COLLATE "C", provider COLLATE "C", sending_domain COLLATE "C"`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id as string,
      provider: r.provider as string,
      sendingDomain: r.sending_domain as string,
      start: r.start as number,
      delivered: r.delivered as number,
      hardBounced: r.hard_bounced as number,
      softBounced: r.soft_bounced as number,
      deferred: r.deferred as number,
      complained: r.complained as number,
      reportedRisk: r.reported_risk as number,
    }));
  }

  async settleWindow(window: EmailWindow, remove: boolean): Promise<void> {
    const w = windowRow(window);
    if (remove) {
      await query(
        this.pool,
        sql`DELETE FROM email_windows WHERE tenant_id = ${w.tenant_id} AND provider = ${w.provider}
            AND sending_domain = ${w.sending_domain} AND start = ${w.start}::BIGINT`,
      );
      return;
    }
    await query(
      this.pool,
      sql`INSERT INTO email_windows VALUES (${w.tenant_id}, ${w.provider}, ${w.sending_domain}, ${w.start}::BIGINT,
            ${w.delivered}::BIGINT, ${w.hard_bounced}::BIGINT, ${w.soft_bounced}::BIGINT, ${w.deferred}::BIGINT,
            ${w.complained}::BIGINT, ${w.reported_risk}::INTEGER)
          ON CONFLICT (tenant_id, provider, sending_domain, start) DO UPDATE SET
            delivered = excluded.delivered, hard_bounced = excluded.hard_bounced,
            soft_bounced = excluded.soft_bounced, deferred = excluded.deferred,
            complained = excluded.complained, reported_risk = excluded.reported_risk`,
    );
  }

  async openFailure(invoiceId: string): Promise<OpenPaymentFailure | null> {
    const [row] = await query(this.pool, sql`SELECT * FROM payment_failures WHERE invoice_id = ${invoiceId}`);
    return row
      ? {
          invoiceId,
          tenantId: row.tenant_id as string,
          amount: row.amount as number,
          failedAt: row.failed_at as number,
        }
      : null;
  }

  async tenantMap(): Promise<TenantMapEntry[]> {
    const rows = await query(
      this.pool,
      sql`SELECT * FROM webhook_tenant_map ORDER BY kind COLLATE "C", key COLLATE "C"`,
    );
    return rows.map((r) => ({
      kind: r.kind as TenantMapKind,
      key: r.key as string,
      tenantId: r.tenant_id as string,
    }));
  }

  /**
   * One transaction: readers see the old map or the new one, never a half. Replacements queue on the table
   * lock; two at once would otherwise each delete only the rows they saw and collide inserting.
   */
  async replaceTenantMap(entries: readonly TenantMapEntry[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await query(client, sql`LOCK TABLE webhook_tenant_map IN EXCLUSIVE MODE`);
      await query(client, sql`DELETE FROM webhook_tenant_map`);
      if (entries.length)
        await query(
          client,
          sql`INSERT INTO webhook_tenant_map
              SELECT kind, key, tenant_id
              FROM ${rowsOf(entries.map((e) => ({ kind: e.kind, key: e.key, tenant_id: e.tenantId })))}
                AS e(kind TEXT, key TEXT, tenant_id TEXT)`,
        );
    });
  }
}

/** Thrown inside a commit's transaction to roll it back when a receipt was already recorded. */
class ReceiptConflict extends Error {}
