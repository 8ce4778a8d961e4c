import { Readable } from 'node:stream';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { quoteIdentifier, type Sql } from '../../sql.js';
import { render } from './literals.js';
import { parseClickHouseUrl, type ClickHouseTarget } from './store-url.js';

/** Settings every request carries; all known to 18.16. */
const settings: ClickHouseSettings = {
  // Int64 columns (epoch ms, counts) as JSON numbers: every value Pulse stores is below 2^53.
  output_format_json_quote_64bit_integers: 0,
  // A response (and so an acknowledged insert) only after the statement has finished on the server.
  wait_end_of_query: 1,
  // Long uuid and tenant lists are spelled out as literals on servers without query parameters.
  max_query_size: String(16 * 1024 * 1024),
};

/** Query parameters (`{name:Type}`) arrived in ClickHouse 19.11; older servers get escaped literals. */
export function supportsParameters(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 19 || (major === 19 && minor >= 11);
}

/** One ClickHouse database over HTTP: statements built with the `sql` tag, JSONEachRow in and out. */
export class ClickHouseConnection {
  private constructor(
    private readonly client: ClickHouseClient,
    readonly target: ClickHouseTarget,
    readonly version: string,
    private readonly parameters: boolean,
  ) {}

  /** Connects, creates the database when missing, and detects the server version once. */
  static async open(url: string): Promise<ClickHouseConnection> {
    const target = parseClickHouseUrl(url);
    // Failures reach the caller as errors (and Pulse's own log): the client's console logging stays off.
    const base = {
      url: target.url,
      username: target.username,
      password: target.password,
      log: { level: ClickHouseLogLevel.OFF },
      // The client's default (30 s) cut off the start's full scans of a 10M-event store, which 18.16 answers
      // only once done (wait_end_of_query). Ad-hoc queries bound themselves (max_execution_time and an abort).
      request_timeout: 15 * 60_000,
    };
    const bootstrap = createClient({ ...base, clickhouse_settings: settings });
    let version: string;
    try {
      const result = await bootstrap.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      const [row] = await result.json<{ v: string }>();
      version = row?.v ?? '0';
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(target.database)}` });
    } catch (error) {
      throw new Error(
        `ClickHouse at ${target.url} (database ${target.database}): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      await bootstrap.close();
    }
    const client = createClient({ ...base, database: target.database, clickhouse_settings: settings });
    return new ClickHouseConnection(client, target, version, supportsParameters(version));
  }

  /** Rows of a SELECT. */
  async rows<Row = Record<string, unknown>>(statement: Sql): Promise<Row[]> {
    const { query, params } = render(statement, { parameters: this.parameters });
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<Row>();
  }

  /** Visits the rows of a SELECT as they stream in. */
  async forEachRow<Row>(statement: Sql, visit: (row: Row) => void): Promise<number> {
    const { query, params } = render(statement, { parameters: this.parameters });
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    let count = 0;
    for await (const batch of result.stream<Row>()) {
      for (const row of batch) {
        visit(row.json());
        count++;
      }
    }
    return count;
  }

  /** DDL text of our own schema (schema.ts), which carries no values. */
  async ddl(text: string): Promise<void> {
    await this.client.command({ query: text });
  }

  /** A statement without a result (ALTER … DELETE). */
  async command(statement: Sql): Promise<void> {
    const { query, params } = render(statement, { parameters: this.parameters });
    await this.client.command({ query, query_params: params });
  }

  /**
   * Inserts JSONEachRow lines (each newline-terminated) in one request; resolves once ClickHouse has
   * written them (wait_end_of_query). One request is one insert block up to max_insert_block_size rows
   * (1,048,576): a row ClickHouse refuses fails the whole request and nothing of it is stored.
   */
  async insertLines(table: string, chunks: readonly Buffer[]): Promise<void> {
    const result = await this.client.exec({
      query: `INSERT INTO ${quoteIdentifier(table)} FORMAT JSONEachRow`,
      values: Readable.from(chunks),
    });
    // The response body is empty; reading it to the end frees the socket.
    for await (const chunk of result.stream) void chunk;
  }

  /**
   * Text Pulse did not build (ad-hoc SQL, already wrapped and bounded by the caller) with this request's
   * settings on top of the connection's; the response body as it streams in.
   */
  async execText(
    text: string,
    requestSettings: ClickHouseSettings,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Buffer>> {
    const result = await this.client.exec({
      query: text,
      clickhouse_settings: requestSettings,
      abort_signal: signal,
    });
    return result.stream as AsyncIterable<Buffer>;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
