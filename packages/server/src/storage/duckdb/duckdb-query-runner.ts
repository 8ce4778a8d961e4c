import type { DuckDBInstance } from '@duckdb/node-api';
import { DomainError } from '../../errors.js';
import type { QueryLimits, QueryResult, QueryRunner, TenantScope } from '../query-runner.js';
import { sqlString } from './read-json-sql.js';
import { quote } from './schema.js';
import { assertReadOnlySelect } from './sql-guard.js';

export class QueryTimeoutError extends DomainError {
  constructor(ms: number) {
    super('query_timeout', `the query ran longer than ${ms} ms and was stopped; narrow it or add filters`);
  }
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * Runs a checked SELECT on its own connection, inside a transaction that is always rolled back, over
 * temp views `events` and `subscriptions` that shadow the real ones and hold only the scope's tenants.
 */
export class DuckDbQueryRunner implements QueryRunner {
  constructor(private readonly instance: DuckDBInstance) {}

  async run(sql: string, scope: TenantScope, limits: QueryLimits): Promise<QueryResult> {
    const started = performance.now();
    const connection = await this.instance.connect();
    try {
      const serialized = (
        await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)}) AS ast`)
      ).getRowObjectsJS()[0]?.ast;
      assertReadOnlySelect(serialized as string);
      const filter =
        scope === 'all'
          ? ''
          : ` WHERE tenant_id IN (${scope.length ? scope.map(sqlString).join(', ') : 'NULL'})`;
      // Qualified by the database's catalog: inside the temp catalog, `main.events` is the temp view itself.
      const [row] = (await connection.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJS();
      const database = quote(row?.d as string);
      await connection.run('BEGIN TRANSACTION');
      await connection.run(`CREATE TEMP VIEW events AS SELECT * FROM ${database}.main.events${filter}`);
      await connection.run(
        `CREATE TEMP VIEW subscriptions AS SELECT * FROM ${database}.main.subscriptions${filter}`,
      );
      const timer = setTimeout(() => connection.interrupt(), limits.timeoutMs);
      let reader;
      try {
        reader = await connection.runAndReadAll(
          `SELECT * FROM (${sql.trim().replace(/;\s*$/, '')}) AS query LIMIT ${limits.maxRows + 1}`,
        );
      } catch (error) {
        if (/interrupt/i.test((error as Error).message)) throw new QueryTimeoutError(limits.timeoutMs);
        throw new DomainError('invalid_query', `sql: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.toString());
      const rows = reader.getRowsJS().map((row) => row.map(plain));
      const truncated = rows.length > limits.maxRows;
      if (truncated) rows.length = limits.maxRows;
      return {
        columns: names.map((name, i) => ({ name, type: types[i] ?? 'UNKNOWN' })),
        rows,
        rowCount: rows.length,
        truncated,
        elapsedMs: Math.round(performance.now() - started),
      };
    } finally {
      await connection.run('ROLLBACK').catch(() => undefined);
      connection.closeSync();
    }
  }
}
