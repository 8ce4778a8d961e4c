import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { LoadBatch, LogSink, TableRows } from '../../ingestion/log-sink.js';
import { ident, sql } from '../../sql.js';
import type { ClickHouseConnection } from './connection.js';
import {
  eventOfLine,
  toEventLine,
  toQuarantineLine,
  toReleaseLine,
  uuidOfLine,
  VersionClock,
} from './rows.js';
import { UNNAMED_LOG_ID } from '../../ingestion/log-id.js';
import {
  EVENTS_TABLE,
  LOG_POSITIONS_TABLE,
  LOG_STATE_TABLE,
  logPositionsTableSql,
  logStateTableSql,
  QUARANTINE_TABLE,
} from './schema.js';

/** Takes inserts like the events table and keeps nothing: where probes find what ClickHouse refuses. */
const PROBE_TABLE = 'events_probe';

/**
 * The ClickHouse side of the ingest log: rows are the events table's JSONEachRow lines (rows.ts), streamed
 * as the log holds them in one large insert per load, then the quarantine changes, then the log position.
 * There are no transactions: a crash before the position is recorded replays the batch, whose rows collapse
 * with their first copies (same sorting key, ReplacingMergeTree; reads use FINAL), so a replay adds nothing.
 */
export class ClickHouseLogSink implements LogSink {
  private readonly versions = new VersionClock();

  private constructor(
    private readonly connection: ClickHouseConnection,
    private readonly logId: string,
  ) {}

  /**
   * Opened by ClickHouseEventStore.logSink() on the store's connection, for the ingest log `logId`: each
   * process sharing the store loads its own log and keeps its own position.
   */
  static async open(connection: ClickHouseConnection, logId: string): Promise<ClickHouseLogSink> {
    await connection.ddl(logStateTableSql());
    await connection.ddl(logPositionsTableSql());
    await connection.ddl(`CREATE TABLE IF NOT EXISTS ${PROBE_TABLE} AS ${EVENTS_TABLE} ENGINE = Null`);
    return new ClickHouseLogSink(connection, logId);
  }

  encode(event: CapturedEvent, ingestedAt: number): { table: string; row: string } {
    return { table: EVENTS_TABLE, row: toEventLine(event, ingestedAt) };
  }

  uuidOf(row: string): string {
    return uuidOfLine(row);
  }

  decode(row: string): CapturedEvent {
    return eventOfLine(row);
  }

  async load(batch: LoadBatch, position: number): Promise<void> {
    for (const section of batch.tables) {
      if (!section.rows) continue;
      if (section.table !== EVENTS_TABLE)
        throw new Error(
          `the ingest log holds rows for table ${section.table}, which ClickHouse does not have`,
        );
      await this.connection.insertLines(EVENTS_TABLE, section.parts);
    }
    const changes: string[] = [];
    for (const { quarantined, released } of batch.quarantine) {
      for (const q of quarantined) changes.push(`${toQuarantineLine(q, this.versions.next())}\n`);
      for (const id of released) changes.push(`${toReleaseLine(id, this.versions.next())}\n`);
    }
    if (changes.length) await this.connection.insertLines(QUARANTINE_TABLE, [Buffer.from(changes.join(''))]);
    await this.connection.insertLines(LOG_POSITIONS_TABLE, [
      Buffer.from(`${JSON.stringify({ log: this.logId, position: Math.trunc(position) })}\n`),
    ]);
  }

  async probe(rows: TableRows): Promise<Error | null> {
    try {
      await this.connection.insertLines(PROBE_TABLE, [rows.bytes]);
      return null;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async loadedPosition(): Promise<number> {
    const [row] = await this.connection.rows<{ position: number }>(
      sql`SELECT max(position) AS position FROM ${ident(LOG_POSITIONS_TABLE)} WHERE log = ${this.logId}`,
    );
    const own = Number(row?.position ?? 0);
    if (this.logId !== UNNAMED_LOG_ID) return own;
    // A log from before ids: its position may still be in the former one-row table.
    const [legacy] = await this.connection.rows<{ position: number }>(
      sql`SELECT max(position) AS position FROM ${ident(LOG_STATE_TABLE)}`,
    );
    return Math.max(own, Number(legacy?.position ?? 0));
  }

  /** Nothing of its own: the connection is the store's, closed with it. */
  close(): void {}
}
