import { JSDuckDBValueConverter, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { DomainError } from '../../errors.js';
import {
  QueryTimeoutError,
  ResultTooLargeError,
  type QueryLimits,
  type QueryResult,
  type QueryRunner,
  type TenantScope,
} from '../query-runner.js';
import { jsonSizeWithin, plainValue } from './query-values.js';
import { sqlString } from '../../sql-string.js';
import { quote } from './schema.js';
import { loadFunctionPolicy, type FunctionPolicy } from './sql-guard-functions.js';
import { assertReadOnlySelect } from './sql-guard.js';

/** The empty catalog ad-hoc queries resolve names in (beside `temp`, which holds the scoped views). */
const sandboxCatalog = 'pulse_query_sandbox';
const sandboxAttachSql = `ATTACH IF NOT EXISTS ':memory:' AS ${quote(sandboxCatalog)}`;

/** DuckDB's refusal of a query while it runs: out of memory (memory_limit) or any other SQL error. */
function queryFailure(error: Error): DomainError {
  if (/Out of Memory/i.test(error.message))
    return new DomainError(
      'query_memory_exceeded',
      `the query needed more memory than the store allows (PULSE_DUCKDB_MEMORY_LIMIT): ${error.message}`,
    );
  return new DomainError('invalid_query', `sql: ${error.message}`);
}

/**
 * Runs a checked SELECT on its own connection, inside a transaction that is always rolled back.
 * Temp views `events` and `subscriptions` hold only the scope's tenants, and the connection's default
 * catalog is an empty in-memory one: an unqualified name cannot resolve to one of the store's own
 * tables and the guard refuses qualified ones, so the scope holds even if a check were missed.
 */
export class DuckDbQueryRunner implements QueryRunner {
  readonly dialect = 'duckdb';
  /** What every query needs once per store: the function allowlist, the store's catalog, the sandbox. */
  private setup: Promise<{ policy: FunctionPolicy; database: string }> | null = null;

  /** `subscriptionsSchema`: where the `subscriptions` view reads from (`main`, or the state's copy). */
  constructor(
    private readonly connect: () => Promise<DuckDBConnection>,
    private readonly subscriptionsSchema: () => string = () => 'main',
  ) {}

  async run(sql: string, scope: TenantScope, limits: QueryLimits): Promise<QueryResult> {
    const started = limits.startedAt ?? performance.now();
    if (performance.now() - started >= limits.timeoutMs) throw new QueryTimeoutError(limits.timeoutMs);
    const connection = await this.connect();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        connection.interrupt();
      },
      Math.max(0, limits.timeoutMs - (performance.now() - started)),
    );
    try {
      const { policy, database } = await this.prepare(connection);
      const parse = async (text: string) => {
        const [row] = (
          await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS ast', [text])
        ).getRowObjectsJS();
        return typeof row?.ast === 'string' ? row.ast : '{"error": true}';
      };
      assertReadOnlySelect(await parse(sql), policy);
      // The text that runs is checked too, so nothing in the query can change what the wrapper means.
      const wrapped = `SELECT * FROM (${sql.trim().replace(/;\s*$/, '')}) AS query LIMIT ${limits.maxRows + 1}`;
      assertReadOnlySelect(await parse(wrapped), policy);
      await this.scopeViews(connection, database, scope);
      let result: DuckDBResult;
      try {
        result = await connection.stream(wrapped);
      } catch (error) {
        if (timedOut) throw new QueryTimeoutError(limits.timeoutMs);
        throw queryFailure(error as Error);
      }
      // The clock too: a conversion that never awaits a macrotask would not let the timer set the flag.
      const rows = await this.readRows(
        result,
        limits,
        () => timedOut || performance.now() - started >= limits.timeoutMs,
      );
      const truncated = rows.length > limits.maxRows;
      if (truncated) rows.length = limits.maxRows;
      const types = result.columnTypes().map((t) => t.toString());
      return {
        columns: result.columnNames().map((name, i) => ({ name, type: types[i] ?? 'UNKNOWN' })),
        rows,
        rowCount: rows.length,
        truncated,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (error instanceof DomainError && !(timedOut && error.code === 'invalid_query')) throw error;
      if (timedOut) throw new QueryTimeoutError(limits.timeoutMs);
      throw queryFailure(error as Error);
    } finally {
      clearTimeout(timer);
      await connection.run('ROLLBACK').catch(() => undefined);
      connection.closeSync();
    }
  }

  /** Once per store (retried after a failure): attaching the sandbox is instance-wide and idempotent. */
  private prepare(connection: DuckDBConnection) {
    this.setup ??= (async () => {
      const policy = await loadFunctionPolicy(connection);
      const [row] = (await connection.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJS();
      if (typeof row?.d !== 'string') throw new Error('the store has no current database');
      await connection.run(sandboxAttachSql);
      return { policy, database: quote(row.d) };
    })().catch((error: unknown) => {
      this.setup = null;
      throw error;
    });
    return this.setup;
  }

  /**
   * Shadows the store's views with scoped temp views, and makes an empty in-memory catalog this
   * connection's default (USE is per connection), so no unqualified name resolves to a table of the store.
   */
  private async scopeViews(
    connection: DuckDBConnection,
    database: string,
    scope: TenantScope,
  ): Promise<void> {
    // A view's text cannot hold bound parameters: the tenant list is spliced as escaped literals.
    const filter =
      scope === 'all'
        ? ''
        : ` WHERE tenant_id IN (${scope.length ? scope.map(sqlString).join(', ') : 'NULL'})`;
    await connection.run(`USE ${quote(sandboxCatalog)}`);
    await connection.run('BEGIN TRANSACTION');
    // `events` shows each event's properties as captured, SDK properties included (schema.ts).
    for (const [view, source] of [
      ['events', 'main.captured_events'],
      ['subscriptions', `${quote(this.subscriptionsSchema())}.subscriptions`],
    ])
      await connection.run(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${database}.${source}${filter}`);
  }

  /** Converts chunk by chunk, refusing once the rows' JSON would pass maxBytes or time runs out. */
  private async readRows(
    result: DuckDBResult,
    limits: QueryLimits,
    timedOut: () => boolean,
  ): Promise<unknown[][]> {
    const rows: unknown[][] = [];
    let bytes = 2;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) {
        // An interrupted stream ends like a finished one: without this, a cut result would pass as whole.
        if (timedOut()) throw new QueryTimeoutError(limits.timeoutMs);
        return rows;
      }
      for (let r = 0; r < chunk.rowCount && rows.length <= limits.maxRows; r++) {
        if (timedOut()) throw new QueryTimeoutError(limits.timeoutMs);
        const row = chunk.convertRowValues(r, JSDuckDBValueConverter).map(plainValue);
        bytes = jsonSizeWithin(row, limits.maxBytes - bytes) + bytes + 1;
        if (bytes > limits.maxBytes) throw new ResultTooLargeError(limits.maxBytes);
        rows.push(row);
      }
      if (rows.length > limits.maxRows) return rows;
    }
  }
}
