import type { DuckDBConnection } from '@duckdb/node-api';
import type { SubscriptionCopy } from '../subscription-copy.js';
import type { StoredSubscription } from '../subscription-store.js';
import { subscriptionValues } from './duckdb-subscription-store.js';
import { ident, join, run, sql } from './sql.js';

/** The schema of the copy: beside the store's own (unused) subscriptions table, never mixed with it. */
export const SUBSCRIPTION_COPY_SCHEMA = 'state_copy';

const schema = ident(SUBSCRIPTION_COPY_SCHEMA);
/** Rows per INSERT statement. */
const CHUNK = 1000;

/** The copy in the embedded file: `state_copy.subscriptions`, with the columns of `main.subscriptions`. */
export class DuckDbSubscriptionCopy implements SubscriptionCopy {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbSubscriptionCopy> {
    const connection = await db.connect();
    await run(connection, sql`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await run(
      connection,
      sql`CREATE TABLE IF NOT EXISTS ${schema}.subscriptions AS SELECT * FROM main.subscriptions LIMIT 0`,
    );
    return new DuckDbSubscriptionCopy(connection);
  }

  async replace(subscriptions: readonly StoredSubscription[]): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await run(this.connection, sql`DELETE FROM ${schema}.subscriptions`);
      for (let i = 0; i < subscriptions.length; i += CHUNK) {
        const rows = subscriptions.slice(i, i + CHUNK).map((s) => subscriptionValues(s, s.suppliedBy));
        await run(this.connection, sql`INSERT INTO ${schema}.subscriptions VALUES ${join(rows)}`);
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
