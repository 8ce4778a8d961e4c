import type pg from 'pg';
import type { Sql } from '../../sql.js';
import { sql } from '../../sql.js';
import { inTransaction, query } from './pg-client.js';

/**
 * Runs a store's CREATE … IF NOT EXISTS statements under one database-wide lock: two processes starting at
 * once would otherwise race in PostgreSQL's catalog (IF NOT EXISTS is not atomic there) and one would fail.
 */
export async function ensureTables(pool: pg.Pool, statements: readonly Sql[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await query(client, sql`SELECT pg_advisory_xact_lock(hashtext('pulse.schema'))`);
    for (const statement of statements) await query(client, statement);
  });
}
