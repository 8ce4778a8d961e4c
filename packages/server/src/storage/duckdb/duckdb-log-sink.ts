import { closeSync, openSync, writeSync, writevSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { businessEventNames, eventFields } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { LoadBatch, LogSink, TableRows } from '../../ingestion/log-sink.js';
import { appendEvents, UnrepresentableValueError } from './column-chunks.js';
import { selectFromStaging } from './read-json-sql.js';
import { ident, isIn, run, sql, type Sql } from './sql.js';
import { tableKeyOf, toNdjsonLine, toQuarantineLine } from './rows.js';
import { allTables, envelopeColumns, eventTables, genericTable, quarantineColumns } from './schema.js';
import type { StagingArea } from './staging.js';

/** What the sink borrows from the event store. */
export interface LogSinkParts {
  connect: () => Promise<DuckDBConnection>;
  staging: Pick<StagingArea, 'write' | 'remove'>;
  /** Runs a write while no other store write (commit, retention) runs. */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** Load rows whose events the loader still holds as data chunks (column-chunks.ts) instead of read_json. */
  columnChunks?: boolean;
}

const columnsOf = new Map(allTables.map((t) => [t.table, t.columns]));
const dateTimesOf = new Map(
  businessEventNames.map((name) => [
    eventTables[name].table,
    new Set(
      eventFields(name)
        .filter((f) => f.kind === 'date-time')
        .map((f) => f.name),
    ),
  ]),
);
const envelopeNames = new Set([...envelopeColumns.map((c) => c.name), 'properties']);
const stateTableSql =
  'CREATE TABLE IF NOT EXISTS ingest_log_state (id INTEGER PRIMARY KEY, position BIGINT NOT NULL)';

/**
 * The DuckDB side of the ingest log: rows are the NDJSON staging lines of rows.ts, bulk-loaded per table
 * with `INSERT … SELECT … FROM read_json(…)` (DuckDB's C++ reader, on its own threads: the fastest path
 * measured, see ADR 0002), with the loaded log position in the same transaction.
 */
export class DuckDbLogSink implements LogSink {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly parts: LogSinkParts,
  ) {}

  /** Opened by DuckDbEventStore.logSink(), which lends its staging (RAM-only when encrypted) and write queue. */
  static async open(parts: LogSinkParts): Promise<DuckDbLogSink> {
    const connection = await parts.connect();
    await connection.run(stateTableSql);
    return new DuckDbLogSink(connection, parts);
  }

  get loadsEvents(): boolean {
    return this.parts.columnChunks ?? false;
  }

  private get staging(): LogSinkParts['staging'] {
    return this.parts.staging;
  }

  encode(event: CapturedEvent, ingestedAt: number): { table: string; row: string } {
    const key = tableKeyOf(event);
    const table = key === 'generic' ? genericTable.table : eventTables[key].table;
    return { table, row: toNdjsonLine(event, ingestedAt) };
  }

  uuidOf(row: string): string {
    // toNdjsonLine starts every row with {"uuid":"<36 chars>"
    return row.slice(9, 45);
  }

  decode(row: string): CapturedEvent {
    const parsed = JSON.parse(row) as Record<string, unknown>;
    const dateTimes = dateTimesOf.get(`ev_${String(parsed.event)}`);
    const properties: Record<string, unknown> = {};
    if (typeof parsed.tenant_id === 'string') properties.tenant_id = parsed.tenant_id;
    for (const [key, value] of Object.entries(parsed)) {
      if (envelopeNames.has(key)) continue;
      properties[key] = dateTimes?.has(key) ? new Date(Number(value)).toISOString() : value;
    }
    if (parsed.properties && typeof parsed.properties === 'object')
      Object.assign(properties, parsed.properties);
    return {
      uuid: String(parsed.uuid),
      event: String(parsed.event),
      distinctId: String(parsed.distinct_id),
      timestamp: Number(parsed.timestamp),
      properties,
    };
  }

  async load(batch: LoadBatch, position: number): Promise<void> {
    if (this.parts.columnChunks && batch.tables.every((t) => !t.rows || t.events))
      try {
        await this.loadChunks(batch, position);
        return;
      } catch (error) {
        // A value the chunks leave to DuckDB's casts: the same batch through read_json stores or refuses it.
        if (!(error instanceof UnrepresentableValueError)) throw error;
      }
    const files: string[] = [];
    const statements: Sql[] = [];
    for (const section of batch.tables) {
      if (!section.rows) continue;
      const file = this.stage(section.parts);
      files.push(file);
      statements.push(this.insertSql(section.table, file));
    }
    try {
      for (const statement of this.quarantineStatements(batch, files)) statements.push(statement);
      statements.push(this.positionSql(position));
      await this.transaction(
        statements.map((statement) => () => run(this.connection, statement)),
        true,
      );
    } finally {
      for (const file of files) this.staging.remove(file);
    }
  }

  /** The column path: each table's events appended as data chunks, in the same one transaction. */
  private async loadChunks(batch: LoadBatch, position: number): Promise<void> {
    const files: string[] = [];
    try {
      const statements = [...this.quarantineStatements(batch, files), this.positionSql(position)];
      await this.transaction(
        [
          ...batch.tables
            .filter((section) => section.rows)
            .map((section) => () => {
              const columns = columnsOf.get(section.table);
              if (!columns) throw new Error(`no event table ${section.table}`);
              return appendEvents(this.connection, section.table, columns, section.events ?? []);
            }),
          ...statements.map((statement) => () => run(this.connection, statement)),
        ],
        true,
      );
    } finally {
      for (const file of files) this.staging.remove(file);
    }
  }

  /** Quarantine upserts and releases in log order (staged files are added to `files`). */
  private quarantineStatements(batch: LoadBatch, files: string[]): Sql[] {
    const statements: Sql[] = [];
    for (const { quarantined, released } of batch.quarantine) {
      if (quarantined.length) {
        const lines = quarantined.map((q) => `${toQuarantineLine(q)}\n`);
        const file = this.stage([Buffer.from(lines.join(''))]);
        files.push(file);
        statements.push(sql`INSERT OR REPLACE INTO quarantine ${selectFromStaging(file, quarantineColumns)}`);
      }
      if (released.length) statements.push(sql`DELETE FROM quarantine WHERE ${isIn(sql`id`, released)}`);
    }
    return statements;
  }

  private positionSql(position: number): Sql {
    return sql`INSERT OR REPLACE INTO ingest_log_state VALUES (1, ${Math.trunc(position)})`;
  }

  async probe(rows: TableRows): Promise<Error | null> {
    const file = this.stage([rows.bytes]);
    try {
      await this.transaction([() => run(this.connection, this.insertSql(rows.table, file))], false);
      return null;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      this.staging.remove(file);
    }
  }

  async loadedPosition(): Promise<number> {
    const rows = (
      await this.connection.runAndReadAll('SELECT position FROM ingest_log_state WHERE id = 1')
    ).getRowObjectsJS();
    return Number(rows[0]?.position ?? 0);
  }

  close(): void {
    this.connection.closeSync();
  }

  private insertSql(table: string, file: string): Sql {
    const columns = columnsOf.get(table);
    if (!columns) throw new Error(`no event table ${table}`);
    return sql`INSERT INTO ${ident(table)} ${selectFromStaging(file, columns)}`;
  }

  private stage(buffers: Buffer[]): string {
    const path = this.staging.write([]);
    const fd = openSync(path, 'w');
    try {
      // writev takes at most IOV_MAX (1024) buffers at a time; short writes are finished.
      for (let i = 0; i < buffers.length; i += 1024) {
        const chunk = buffers.slice(i, i + 1024);
        const total = chunk.reduce((n, b) => n + b.length, 0);
        const written = writevSync(fd, chunk);
        if (written < total) writeSync(fd, Buffer.concat(chunk).subarray(written));
      }
    } finally {
      closeSync(fd);
    }
    return path;
  }

  /** Runs steps in one transaction; commits, or always rolls back for a probe. */
  private transaction(steps: readonly (() => Promise<unknown>)[], commit: boolean): Promise<void> {
    return this.parts.exclusive(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        for (const step of steps) await step();
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
      await this.connection.run(commit ? 'COMMIT' : 'ROLLBACK');
    });
  }
}
