import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { attachSql } from '../../src/storage/duckdb/open-database.js';

/**
 * Opens a store file read-only (with `key`, or plaintext) as `db` and reads one value per table:
 * `read(connection, table)` with `table` the quoted `db."schema"."name"`. Keyed by `keyOf(schema, name)`.
 */
export async function readStoreTables<T>(
  path: string,
  key: Buffer | null,
  keyOf: (schema: string, name: string) => string,
  read: (c: DuckDBConnection, table: string) => Promise<T>,
): Promise<Record<string, T>> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(attachSql(path, 'db', { key, readOnly: true }));
    const tables = (
      await c.runAndReadAll(
        `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'db' ORDER BY ALL`,
      )
    ).getRowObjectsJS();
    const out: Record<string, T> = {};
    for (const t of tables) {
      const [schema, name] = [t.schema_name as string, t.table_name as string];
      out[keyOf(schema, name)] = await read(c, `db."${schema}"."${name}"`);
    }
    return out;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const firstRow = async (c: DuckDBConnection, sql: string) =>
  (await c.runAndReadAll(sql)).getRowObjectsJS()[0];

/** Row count and an order-independent digest per table, as the rewrite verifies them (rewrite-database.ts). */
export const tableFacts = (path: string, key: Buffer | null) =>
  readStoreTables(
    path,
    key,
    (schema, name) => `"${schema}"."${name}"`,
    async (c, table) => {
      const row = await firstRow(
        c,
        `SELECT count(*) AS n, coalesce(bit_xor(hash(t)), 0)::VARCHAR AS d FROM ${table} AS t`,
      );
      return `${Number(row?.n)} rows, digest ${row?.d as string}`;
    },
  );

/** Row count of every table of the store file. */
export const tableCounts = (path: string, key: Buffer | null) =>
  readStoreTables(
    path,
    key,
    (_, name) => name,
    async (c, table) => Number((await firstRow(c, `SELECT count(*) AS n FROM ${table}`))?.n),
  );
