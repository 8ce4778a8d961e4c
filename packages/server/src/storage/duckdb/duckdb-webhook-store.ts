import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type {
  EmailWindow,
  OpenPaymentFailure,
  TenantMapEntry,
  TenantMapKind,
  WebhookCommit,
  WebhookStore,
} from '../webhook-store.js';

const tablesSql = [
  `CREATE TABLE IF NOT EXISTS webhook_receipts (
    provider VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, id)
  )`,
  `CREATE TABLE IF NOT EXISTS email_windows (
    tenant_id VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    sending_domain VARCHAR NOT NULL,
    start TIMESTAMP NOT NULL,
    delivered BIGINT NOT NULL,
    hard_bounced BIGINT NOT NULL,
    soft_bounced BIGINT NOT NULL,
    deferred BIGINT NOT NULL,
    complained BIGINT NOT NULL,
    reported_risk INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, sending_domain, start)
  )`,
  `CREATE TABLE IF NOT EXISTS payment_failures (
    invoice_id VARCHAR PRIMARY KEY,
    tenant_id VARCHAR NOT NULL,
    amount DOUBLE NOT NULL,
    failed_at TIMESTAMP NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS webhook_tenant_map (
    kind VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    tenant_id VARCHAR NOT NULL,
    PRIMARY KEY (kind, key)
  )`,
];

const upsertWindowSql = `INSERT INTO email_windows VALUES ($1, $2, $3, epoch_ms($4::BIGINT), $5, $6, $7, $8, $9, $10)
  ON CONFLICT (tenant_id, provider, sending_domain, start) DO UPDATE SET
    delivered = email_windows.delivered + excluded.delivered,
    hard_bounced = email_windows.hard_bounced + excluded.hard_bounced,
    soft_bounced = email_windows.soft_bounced + excluded.soft_bounced,
    deferred = email_windows.deferred + excluded.deferred,
    complained = email_windows.complained + excluded.complained`;

const windowValues = (w: EmailWindow): DuckDBValue[] => [
  w.tenantId,
  w.provider,
  w.sendingDomain,
  Math.trunc(w.start),
  w.delivered,
  w.hardBounced,
  w.softBounced,
  w.deferred,
  w.complained,
  w.reportedRisk,
];

/** Webhook state in the event store's database file: durable, and under the same encryption. */
export class DuckDbWebhookStore implements WebhookStore {
  /** The connection is shared: its calls run one at a time (a commit is a transaction on it). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbWebhookStore> {
    const connection = await db.connect();
    for (const sql of tablesSql) await connection.run(sql);
    return new DuckDbWebhookStore(connection);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Commits when `work` resolves true, rolls back when it resolves false or throws. */
  private async transaction(work: () => Promise<boolean>): Promise<boolean> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const keep = await work();
      await this.connection.run(keep ? 'COMMIT' : 'ROLLBACK');
      return keep;
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  seen(provider: string, ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return Promise.resolve(new Set());
    return this.serial(async () => {
      const rows = (
        await this.connection.runAndReadAll(
          'SELECT id FROM webhook_receipts WHERE provider = $1 AND list_contains($2::VARCHAR[], id)',
          [provider, listValue(ids)],
        )
      ).getRowObjectsJS();
      return new Set(rows.map((r) => r.id as string));
    });
  }

  commit(commit: WebhookCommit): Promise<boolean> {
    return this.serial(() =>
      this.transaction(async () => {
        const receipts = [...new Set(commit.receipts)];
        if (receipts.length) {
          const inserted = (
            await this.connection.runAndReadAll(
              `INSERT INTO webhook_receipts SELECT $1, unnest($2::VARCHAR[]), epoch_ms($3::BIGINT)
               ON CONFLICT DO NOTHING RETURNING id`,
              [commit.provider, listValue(receipts), Math.trunc(commit.at)],
            )
          ).currentRowCount;
          if (inserted < receipts.length) return false;
        }
        for (const w of commit.windows) await this.connection.run(upsertWindowSql, windowValues(w));
        for (const f of commit.failures?.open ?? [])
          await this.connection.run(
            'INSERT OR REPLACE INTO payment_failures VALUES ($1, $2, $3, epoch_ms($4::BIGINT))',
            [f.invoiceId, f.tenantId, f.amount, Math.trunc(f.failedAt)],
          );
        for (const id of commit.failures?.resolve ?? [])
          await this.connection.run('DELETE FROM payment_failures WHERE invoice_id = $1', [id]);
        return true;
      }),
    );
  }

  windows(before?: number): Promise<EmailWindow[]> {
    return this.serial(async () => {
      const rows = (
        await this.connection.runAndReadAll(
          `SELECT *, epoch_ms(start) AS start_ms FROM email_windows
           WHERE $1::BIGINT IS NULL OR start < epoch_ms($1::BIGINT) ORDER BY start, tenant_id, provider`,
          [before === undefined ? null : Math.trunc(before)],
        )
      ).getRowObjectsJS();
      return rows.map((r) => ({
        tenantId: r.tenant_id as string,
        provider: r.provider as string,
        sendingDomain: r.sending_domain as string,
        start: Number(r.start_ms),
        delivered: Number(r.delivered),
        hardBounced: Number(r.hard_bounced),
        softBounced: Number(r.soft_bounced),
        deferred: Number(r.deferred),
        complained: Number(r.complained),
        reportedRisk: Number(r.reported_risk),
      }));
    });
  }

  settleWindow(window: EmailWindow, remove: boolean): Promise<void> {
    return this.serial(async () => {
      const key = [window.tenantId, window.provider, window.sendingDomain, Math.trunc(window.start)];
      await this.connection.run(
        `DELETE FROM email_windows WHERE tenant_id = $1 AND provider = $2 AND sending_domain = $3
         AND start = epoch_ms($4::BIGINT)`,
        key,
      );
      if (!remove) await this.connection.run(upsertWindowSql, windowValues(window));
    });
  }

  openFailure(invoiceId: string): Promise<OpenPaymentFailure | null> {
    return this.serial(async () => {
      const row = (
        await this.connection.runAndReadAll(
          'SELECT *, epoch_ms(failed_at) AS failed_ms FROM payment_failures WHERE invoice_id = $1',
          [invoiceId],
        )
      ).getRowObjectsJS()[0];
      return row
        ? {
            invoiceId,
            tenantId: row.tenant_id as string,
            amount: Number(row.amount),
            failedAt: Number(row.failed_ms),
          }
        : null;
    });
  }

  tenantMap(): Promise<TenantMapEntry[]> {
    return this.serial(async () =>
      (await this.connection.runAndReadAll('SELECT * FROM webhook_tenant_map ORDER BY kind, key'))
        .getRowObjectsJS()
        .map((r) => ({
          kind: r.kind as TenantMapKind,
          key: r.key as string,
          tenantId: r.tenant_id as string,
        })),
    );
  }

  async replaceTenantMap(entries: readonly TenantMapEntry[]): Promise<void> {
    await this.serial(() =>
      this.transaction(async () => {
        await this.connection.run('DELETE FROM webhook_tenant_map');
        for (const e of entries)
          await this.connection.run('INSERT INTO webhook_tenant_map VALUES ($1, $2, $3)', [
            e.kind,
            e.key,
            e.tenantId,
          ]);
        return true;
      }),
    );
  }
}
