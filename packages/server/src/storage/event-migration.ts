import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { FullConfig } from '../config/index.js';
import { loadAtRestKey, recordCipherFor } from '../encryption/at-rest.js';
import { LogLoader } from '../ingestion/log-loader.js';
import { ClickHouseEventStore } from './clickhouse/clickhouse-event-store.js';
import {
  eventTotals,
  forEachStoredEvent,
  insertEventLines,
  MigrationPositions,
  storedEventsOf,
  storedRowCount,
} from './clickhouse/migration-reads.js';
import { storedEventLines } from './clickhouse/rows.js';
import type { DuckDbEventStore } from './duckdb/duckdb-event-store.js';
import {
  eventTableNames,
  exportQuarantinePage,
  exportTotals,
  streamTableEvents,
  type EventPosition,
} from './duckdb/event-export.js';
import type { QuarantinedEvent, StoredEvent } from './event-store.js';
import { openEmbeddedStore } from './open-storage.js';
import { openStateMigration, type StateMigration } from './state-migration.js';

export type { EventPosition };

/** The embedded store, read for a copy: events table by table in a stable order, the quarantine by id. */
export interface MigrationSource {
  /** The store's file. */
  readonly path: string;
  totals(): Promise<{ events: number; quarantine: number }>;
  /** The tables holding the events, in the order a copy reads them. */
  readonly eventTables: readonly string[];
  /** The events of `table` after `after` (from the start when null), oldest first by (timestamp, uuid). */
  tableEvents(table: string, after: EventPosition | null): AsyncIterable<StoredEvent[]>;
  /** The next quarantine entries after the id `after` (from the start when null), by id. */
  quarantinePage(after: string | null, limit: number): Promise<QuarantinedEvent[]>;
}

/** The event store a copy writes into, with where the copy has got to kept beside the events. */
export interface MigrationTarget {
  /** The server and database (no password). */
  readonly where: string;
  /** Every row the events table holds, copies not yet collapsed included. */
  storedRows(): Promise<number>;
  /** The stored rows of these uuids, every copy not yet collapsed included. */
  storedEvents(uuids: readonly string[]): Promise<StoredEvent[]>;
  /** Stored events as they were, in the target's insert format (kept compact while a chunk gathers). */
  encodeEvents(events: readonly StoredEvent[]): Buffer;
  /** Encoded events as one insert; resolves once the target acknowledged it. */
  importEncoded(bodies: readonly Buffer[]): Promise<void>;
  getQuarantined(ids: readonly string[]): Promise<QuarantinedEvent[]>;
  importQuarantine(entries: readonly QuarantinedEvent[]): Promise<void>;
  /** Visits every stored event once, in no particular order. */
  forEachEvent(visit: (event: StoredEvent) => void): Promise<number>;
  /** Stored events, and distinct uuids among them: they differ when one uuid holds different events. */
  eventTotals(): Promise<{ rows: number; uuids: number }>;
  /** Up to `limit` current quarantine entries. */
  listQuarantine(limit: number): Promise<QuarantinedEvent[]>;
  /** The position last recorded for this source's `stream` (events, quarantine), null before any. */
  position(stream: string): Promise<string | null>;
  setPosition(stream: string, position: string): Promise<void>;
}

/**
 * Loads what the ingest log holds beyond the store (a server stopped by a crash leaves a tail), as a start
 * would, so a copy has every acknowledged event. Every segment is kept: the relay, if any, still reads them.
 */
async function loadLogTail(config: FullConfig, events: DuckDbEventStore): Promise<number> {
  const sink = await events.logSink();
  try {
    const { loader, replayed } = await LogLoader.open({
      dir: join(config.dataDir, 'ingest-log'),
      cipher: recordCipherFor(loadAtRestKey(config), 'ingest-log'),
      sink,
      registry: new Registry(),
      retainFrom: () => 0,
    });
    await loader.close();
    return replayed;
  } finally {
    sink.close();
  }
}

/** The target as `--to` names it: the URL parser words its errors for PULSE_STORE_URL. */
async function openTarget(url: string): Promise<ClickHouseEventStore> {
  try {
    return await ClickHouseEventStore.open(url);
  } catch (error) {
    throw new Error(`--to ${(error as Error).message.replace(/^PULSE_STORE_URL /, '')}`, { cause: error });
  }
}

/**
 * The embedded store (its ingest log's tail loaded first), the ClickHouse database at `to` and, given a
 * state URL, PostgreSQL, for `pulse migrate`. Offline: the DuckDB file's lock refuses a running server.
 */
export async function openEventMigration(
  config: FullConfig,
  to: string,
  stateUrl?: string,
): Promise<{
  source: MigrationSource;
  target: MigrationTarget;
  /** With a state URL: the state tables' copy into PostgreSQL. */
  state: StateMigration | null;
  replayed: number;
  close: () => Promise<void>;
}> {
  const { path, events } = await openEmbeddedStore(config);
  let target: ClickHouseEventStore;
  let state: StateMigration | null = null;
  try {
    target = await openTarget(to);
    if (stateUrl)
      state = await openStateMigration(config, events, stateUrl).catch(async (error: unknown) => {
        await target.close();
        throw error;
      });
  } catch (error) {
    await events.close();
    throw error;
  }
  const close = async () => {
    await state?.close();
    await target.close();
    await events.close();
  };
  try {
    const replayed = await loadLogTail(config, events);
    const positions = await MigrationPositions.open(target.connection);
    const sourceId = realpathSync(path);
    const reader = events.readConnection;
    const { connection } = target;
    return {
      replayed,
      close,
      state,
      source: {
        path,
        totals: () => exportTotals(reader),
        eventTables: eventTableNames,
        tableEvents: (table, after) => streamTableEvents(reader, table, after),
        quarantinePage: (after, limit) => exportQuarantinePage(reader, after, limit),
      },
      target: {
        where: `${connection.target.url}/${connection.target.database}`,
        storedRows: () => storedRowCount(connection),
        storedEvents: (uuids) => storedEventsOf(connection, uuids),
        encodeEvents: storedEventLines,
        importEncoded: (bodies) => insertEventLines(connection, bodies),
        getQuarantined: (ids) => target.getQuarantined(ids),
        importQuarantine: (entries) =>
          target.commit({ events: [], quarantined: [...entries], releasedQuarantineIds: [], ingestedAt: 0 }),
        forEachEvent: (visit) => forEachStoredEvent(connection, visit),
        eventTotals: () => eventTotals(connection),
        listQuarantine: (limit) => target.listQuarantine({ limit }),
        position: (stream) => positions.get(sourceId, stream),
        setPosition: (stream, position) => positions.set(sourceId, stream, position),
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
