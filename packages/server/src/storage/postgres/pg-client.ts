import pg from 'pg';
import { sql, Sql } from '../../sql.js';

/** A pool or one checked-out client: both run statements. */
export type PgQueryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

// BIGINT (int8) and NUMERIC come back as JS numbers: the state keeps epoch ms and counts, all far below 2^53.
const asNumber = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types = {
  getTypeParser: (oid: number): ((value: string) => unknown) =>
    asNumber.has(oid) ? Number : (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown),
};

/** A pool on `url` (postgres://user:password@host:port/db); every state store of one process shares it. */
export function openPgPool(url: string, options: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'pulse',
    types,
  });
  // An idle client's error (a restarted database) must not end the process: the pool drops that client and
  // the next query fails or reconnects, where its caller handles it.
  pool.on('error', () => {});
  return pool;
}

/** A list of strings bound as one TEXT[] parameter (the `sql` tag binds only scalars). */
export const textArray = (values: readonly string[]): Sql => new Sql(['', '::text[]'], [[...values]]);

/** Runs a statement built with the `sql` tag (its `$1…` placeholders are PostgreSQL's own). */
export async function query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  db: PgQueryable,
  statement: Sql,
): Promise<Row[]> {
  const result = await db.query<Row>(statement.text, statement.values);
  return result.rows;
}

/**
 * Runs `work` in one transaction on one client of the pool: committed when it resolves, rolled back when it
 * throws (the error is rethrown).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Any fixed number: the key every Pulse process takes to change the schema. */
const SCHEMA_LOCK = 0x70756c7365;

/**
 * Runs a store's `CREATE … IF NOT EXISTS` statements in one transaction under a database-wide lock: two
 * processes starting at once would otherwise both create a table (IF NOT EXISTS does not guard a race, one
 * fails on pg_class's unique index).
 */
export async function createSchema(pool: pg.Pool, statements: readonly Sql[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await query(client, sql`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`);
    for (const statement of statements) await query(client, statement);
  });
}
