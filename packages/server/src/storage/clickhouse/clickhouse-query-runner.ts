import { DomainError, ForbiddenError, ValidationError } from '../../errors.js';
import {
  QueryTimeoutError,
  ResultTooLargeError,
  type QueryLimits,
  type QueryResult,
  type QueryRunner,
  type TenantScope,
} from '../query-runner.js';
import type { ClickHouseConnection } from './connection.js';

/** ClickHouse error codes the runner answers in its own words. */
const TIMEOUT_EXCEEDED = '159';
const READONLY = '164';
const MEMORY_LIMIT_EXCEEDED = '241';

/** What the response holds besides the rows (meta, statistics): allowed on top of maxBytes. */
const ENVELOPE_BYTES = 64 * 1024;

interface CompactResult {
  meta: { name: string; type: string }[];
  data: unknown[][];
}

/** 64-bit integers come quoted (they may pass 2^53): back to numbers where that is exact, as on DuckDB. */
function plain(value: unknown, type: string): unknown {
  if (Array.isArray(value)) {
    const inner = /^Array\((.*)\)$/.exec(type)?.[1] ?? type;
    return value.map((item) => plain(item, inner));
  }
  if (typeof value === 'string' && /^(Nullable\()?U?Int(64|128|256)\)?$/.test(type)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
}

/** ClickHouse's code and message, without the C++ decoration of 18.16's error text. */
function clickHouseError(error: unknown): { code: string | undefined; message: string } {
  const text = error instanceof Error ? error.message : String(error);
  const parsed =
    /^Code: (\d+), e\.displayText\(\) = DB::Exception: ([\s\S]*?)(, e\.what\(\) = DB::Exception)?\s*$/.exec(
      text,
    );
  return { code: parsed?.[1], message: parsed?.[2] ?? text };
}

function failure(error: unknown, limits: QueryLimits, aborted: boolean): DomainError {
  if (error instanceof DomainError) return error;
  const { code, message } = clickHouseError(error);
  if (aborted || code === TIMEOUT_EXCEEDED) return new QueryTimeoutError(limits.timeoutMs);
  if (code === READONLY)
    return new ValidationError(
      'sql',
      `may only read, without table functions or changed settings: ${message}`,
    );
  if (code === MEMORY_LIMIT_EXCEEDED)
    return new DomainError(
      'query_memory_exceeded',
      `the query needed more memory than ClickHouse allows Pulse's user (max_memory_usage): ${message}`,
    );
  return new DomainError('invalid_query', `sql: ${message}`);
}

/**
 * Ad-hoc SQL on the events in ClickHouse, for callers who see every tenant. ClickHouse 18.16 has no row
 * policies, and no parse of a query Pulse could check, so nothing proves a query stays within some tenants:
 * a tenant-scoped caller is refused. A query runs with readonly=1 (no writes, no SET or SETTINGS, no table
 * functions: files, URLs and other servers stay out of reach), max_execution_time and the row limit, in the
 * database of PULSE_STORE_URL.
 */
export class ClickHouseQueryRunner implements QueryRunner {
  readonly dialect = 'clickhouse';

  constructor(private readonly connection: ClickHouseConnection) {}

  async run(text: string, scope: TenantScope, limits: QueryLimits): Promise<QueryResult> {
    if (scope !== 'all')
      throw new ForbiddenError(
        'ad-hoc SQL on the ClickHouse event store is open only to roles that see every tenant: ClickHouse has ' +
          'no row policies here, so Pulse cannot prove a query stays within your tenants. Use the named ' +
          'reports (GET /api/reports/<name>) or the dashboard, which are scoped',
      );
    const started = limits.startedAt ?? performance.now();
    const remaining = limits.timeoutMs - (performance.now() - started);
    if (remaining <= 0) throw new QueryTimeoutError(limits.timeoutMs);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), remaining);
    // Line breaks around the text: a trailing `--` comment cannot swallow the limit.
    const wrapped = `SELECT * FROM (\n${text.trim().replace(/;\s*$/, '')}\n) LIMIT ${limits.maxRows + 1}\nFORMAT JSONCompact`;
    try {
      const body = await this.connection.execText(
        wrapped,
        {
          readonly: '1',
          max_execution_time: Math.max(1, Math.ceil(remaining / 1000)),
          max_result_rows: String(limits.maxRows + 1),
          result_overflow_mode: 'break',
          output_format_json_quote_64bit_integers: 1,
        },
        abort.signal,
      );
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of body) {
        bytes += chunk.length;
        if (bytes > limits.maxBytes + ENVELOPE_BYTES) {
          abort.abort();
          throw new ResultTooLargeError(limits.maxBytes);
        }
        chunks.push(chunk);
      }
      const result = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CompactResult;
      const types = result.meta.map((m) => m.type);
      const rows = result.data.map((row) => row.map((v, i) => plain(v, types[i] ?? '')));
      const truncated = rows.length > limits.maxRows;
      if (truncated) rows.length = limits.maxRows;
      if (JSON.stringify(rows).length > limits.maxBytes) throw new ResultTooLargeError(limits.maxBytes);
      return {
        columns: result.meta.map(({ name, type }) => ({ name, type })),
        rows,
        rowCount: rows.length,
        truncated,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      throw failure(error, limits, abort.signal.aborted && !(error instanceof ResultTooLargeError));
    } finally {
      clearTimeout(timer);
    }
  }
}
