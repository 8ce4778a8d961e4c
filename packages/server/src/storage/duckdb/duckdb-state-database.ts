import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb, type DuckDbEncryptionOptions, type OpenedDuckDb } from './open-database.js';
import {
  DuckDbSubscriptionStore,
  subscriptionsSuppliedBySql,
  subscriptionsTableSql,
  tenantNamesTableSql,
} from './duckdb-subscription-store.js';

/**
 * An embedded DuckDB file holding only the state (users, keys, alerts, audit…) when the events are kept
 * elsewhere (ClickHouse): no event tables. The state stores open on it as they do on the event store's file.
 */
export class DuckDbStateDatabase {
  private constructor(
    private readonly database: OpenedDuckDb,
    private readonly writer: DuckDBConnection,
  ) {}

  static async open(options: {
    path: string;
    threads?: number | undefined;
    memoryLimit?: string | undefined;
    encryption?: DuckDbEncryptionOptions | null | undefined;
  }): Promise<DuckDbStateDatabase> {
    const database = await openDuckDb(options);
    const writer = await database.connect();
    for (const statement of [subscriptionsTableSql, subscriptionsSuppliedBySql, tenantNamesTableSql])
      await writer.run(statement);
    return new DuckDbStateDatabase(database, writer);
  }

  /** How the file is encrypted at rest; null: plaintext. */
  get encryption(): OpenedDuckDb['encryption'] {
    return this.database.encryption;
  }

  connect(): Promise<DuckDBConnection> {
    return this.database.connect();
  }

  async subscriptionStore(): Promise<DuckDbSubscriptionStore> {
    return new DuckDbSubscriptionStore(await this.connect());
  }

  /** After every store on it is closed. */
  async close(): Promise<void> {
    await this.writer.run('CHECKPOINT');
    this.writer.closeSync();
    this.database.instance.closeSync();
  }
}
