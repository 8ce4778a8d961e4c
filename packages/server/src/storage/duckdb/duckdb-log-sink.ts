import { closeSync, openSync, writeSync, writevSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { businessEventNames, eventFields } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { LoadBatch, LogSink, TableRows } from '../../ingestion/log-sink.js';
import { selectFromStaging, stagedInsertSql } from './read-json-sql.js';
import { isIn, run, sql, type Sql } from './sql.js';
import { tableKeyOf, toNdjsonLine, toQuarantineLine } from './rows.js';
import { envelopeColumns, eventTables, genericTable, quarantineColumns } from './schema.js';
import { carriesDefinition, sdkDefinitionKey, sdkProfileColumn, type SdkProfiles } from './sdk-profiles.js';
import type { StagingArea } from './staging.js';

/** What the sink borrows from the event store. */
export interface LogSinkParts {
  connect: () => Promise<DuckDBConnection>;
  staging: Pick<StagingArea, 'write' | 'remove'>;
  /** Runs a write while no other store write (commit, retention) runs. */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** The store's SDK profiles: rows refer to them by id. */
  profiles: SdkProfiles;
}
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
const notProperties = new Set([
  ...envelopeColumns.map((c) => c.name),
  'properties',
  sdkProfileColumn.name,
  sdkDefinitionKey,
]);
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

  private get staging(): LogSinkParts['staging'] {
    return this.parts.staging;
  }

  encode(event: CapturedEvent, ingestedAt: number): { table: string; row: string } {
    const key = tableKeyOf(event);
    const table = key === 'generic' ? genericTable.table : eventTables[key].table;
    return { table, row: toNdjsonLine(event, ingestedAt, this.parts.profiles) };
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
      if (notProperties.has(key)) continue;
      properties[key] = dateTimes?.has(key) ? new Date(Number(value)).toISOString() : value;
    }
    if (parsed.properties && typeof parsed.properties === 'object')
      Object.assign(properties, parsed.properties);
    if (typeof parsed.sdk_profile === 'number') {
      const text = parsed[sdkDefinitionKey] ?? this.parts.profiles.textOf(parsed.sdk_profile);
      if (typeof text !== 'string')
        throw new Error(`row refers to unknown SDK profile ${parsed.sdk_profile}`);
      Object.assign(properties, JSON.parse(text));
    }
    return {
      uuid: String(parsed.uuid),
      event: String(parsed.event),
      distinctId: String(parsed.distinct_id),
      timestamp: Number(parsed.timestamp),
      properties,
    };
  }

  async load(batch: LoadBatch, position: number): Promise<void> {
    const files: string[] = [];
    const statements: Sql[] = [];
    let defines = false;
    for (const section of batch.tables) {
      if (!section.rows) continue;
      const file = this.stage(section.parts);
      files.push(file);
      const carries = carriesDefinition(section.parts);
      defines ||= carries;
      for (const statement of stagedInsertSql(section.table, file, carries)) statements.push(statement);
    }
    for (const { quarantined, released } of batch.quarantine) {
      if (quarantined.length) {
        const lines = quarantined.map((q) => `${toQuarantineLine(q)}\n`);
        const file = this.stage([Buffer.from(lines.join(''))]);
        files.push(file);
        statements.push(sql`INSERT OR REPLACE INTO quarantine ${selectFromStaging(file, quarantineColumns)}`);
      }
      if (released.length) statements.push(sql`DELETE FROM quarantine WHERE ${isIn(sql`id`, released)}`);
    }
    statements.push(sql`INSERT OR REPLACE INTO ingest_log_state VALUES (1, ${Math.trunc(position)})`);
    try {
      await this.transaction(statements, true);
      // Rows encoded from now on refer to the profiles just stored by id alone.
      if (defines) await this.parts.profiles.refresh(this.connection);
    } finally {
      for (const file of files) this.staging.remove(file);
    }
  }

  async probe(rows: TableRows): Promise<Error | null> {
    const file = this.stage([rows.bytes]);
    try {
      await this.transaction(stagedInsertSql(rows.table, file, false), false);
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

  /** Runs statements in one transaction; commits, or always rolls back for a probe. */
  private transaction(statements: readonly Sql[], commit: boolean): Promise<void> {
    return this.parts.exclusive(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        for (const statement of statements) await run(this.connection, statement);
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
      await this.connection.run(commit ? 'COMMIT' : 'ROLLBACK');
    });
  }
}
