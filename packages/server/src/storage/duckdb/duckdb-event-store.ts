import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import type { SchemaIssue } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type {
  CommitBatch,
  EventFilter,
  EventPage,
  EventStore,
  QuarantineFilter,
  QuarantinedEvent,
  TenantActivityPage,
  TenantFilter,
} from '../event-store.js';
import { listTenantActivity, nearestTenants, tenantsWithEvents } from './tenant-activity.js';
import type { ContributionFilter, ContributionPage } from '../contributions.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { selectFromStaging, stagedInsertSql } from './read-json-sql.js';
import { literal } from '../../sql.js';
import {
  empty,
  ident,
  isIn,
  join,
  readRows,
  run,
  sql,
  stream,
  stringList,
  timestamp,
  type Sql,
} from './sql.js';
import { tableKeyOf, toNdjsonLine, toQuarantineLine } from './rows.js';
import {
  allEventsViewSql,
  allTables,
  capturedEventsViewSql,
  createTableSql,
  eventTableMigrationsSql,
  eventTables,
  genericTable,
  quarantineColumns,
  quarantineTableSql,
} from './schema.js';
import { carriesDefinition, sdkProfilesTableSql, SdkProfiles } from './sdk-profiles.js';
import { StagingArea } from './staging.js';
import { listContributions } from './contribution-reads.js';
import { timeOf, toStoredEvent, withSdkProperties } from './stored-event-row.js';
import { DuckDbLogSink } from './duckdb-log-sink.js';
import { openDuckDb, type DuckDbEncryptionOptions, type OpenedDuckDb } from './open-database.js';
import { DuckDbSubscriptionCopy, SUBSCRIPTION_COPY_SCHEMA } from './duckdb-subscription-copy.js';
import { DuckDbQueryRunner } from './duckdb-query-runner.js';
import { releaseCachedBlocks, type ReleasedMemory } from './engine-memory.js';
import {
  DuckDbSubscriptionStore,
  subscriptionsSuppliedBySql,
  subscriptionsTableSql,
  tenantNamesTableSql,
} from './duckdb-subscription-store.js';
import type { RetentionCount, RetentionCut } from '../retention-store.js';
import { applyRetentionCuts, eventDeletionsTableSql } from './duckdb-retention.js';

type DbRow = Record<string, unknown>;

/** A quarantine row as the entry it stores. */
export function toQuarantined(row: DbRow): QuarantinedEvent {
  const event: CapturedEvent = {
    uuid: String(row.uuid),
    event: String(row.event),
    distinctId: String(row.distinct_id),
    timestamp: timeOf(row.timestamp),
    properties: JSON.parse(String(row.properties)) as Record<string, unknown>,
  };
  return {
    id: String(row.id),
    receivedAt: timeOf(row.received_at),
    batchIndex: Number(row.batch_index),
    event,
    issues: JSON.parse(String(row.issues)) as SchemaIssue[],
  };
}

function tenantClause(tenants: readonly string[] | undefined): Sql {
  return tenants === undefined ? sql`TRUE` : isIn(sql`tenant_id`, tenants);
}

export interface DuckDbStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  threads?: number;
  /** DuckDB's memory_limit (e.g. '4GB'); beyond it operators spill to the temp directory or fail. */
  memoryLimit?: string;
  /** DuckDB's checkpoint_threshold (e.g. '64MiB'): WAL bytes before an automatic checkpoint. */
  checkpointThreshold?: string;
  /** Encrypt the file at rest (AES-256-GCM via DuckDB's ATTACH … ENCRYPTION_KEY); null/absent: plaintext. */
  encryption?: DuckDbEncryptionOptions | null;
}

/** The embedded default store: one DuckDB file, a table per business event type (see schema.ts). */
export class DuckDbEventStore implements EventStore {
  /** Commits and retention's quarantine delete run one at a time (see exclusiveWrite). */
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Where the `subscriptions` of reports and ad-hoc SQL come from: the store's own, or the state's copy. */
  private subscriptionsSchema = 'main';

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly staging: StagingArea,
    private readonly database: OpenedDuckDb,
    private readonly profiles: SdkProfiles,
  ) {}

  static async open(options: DuckDbStoreOptions): Promise<DuckDbEventStore> {
    // Encrypted: staged batches may only live in RAM (staging.ts); checked before the file is opened.
    const encrypted = Boolean(options.encryption) && options.path !== ':memory:';
    const staging = StagingArea.open({ ramOnly: encrypted });
    let database: OpenedDuckDb;
    try {
      database = await openDuckDb(options);
    } catch (error) {
      staging.close();
      throw error;
    }
    const instance = database.instance;
    const writer = await database.connect();
    for (const t of allTables) await writer.run(createTableSql(t.table, t.columns));
    for (const statement of eventTableMigrationsSql()) await writer.run(statement);
    await writer.run(sdkProfilesTableSql);
    await writer.run(quarantineTableSql);
    await writer.run(subscriptionsTableSql);
    await writer.run(subscriptionsSuppliedBySql);
    await writer.run(tenantNamesTableSql);
    await writer.run(eventDeletionsTableSql);
    await writer.run(allEventsViewSql());
    await run(writer, capturedEventsViewSql());
    const profiles = await SdkProfiles.load(writer);
    return new DuckDbEventStore(instance, writer, await database.connect(), staging, database, profiles);
  }

  /** How the file is encrypted at rest; null: plaintext. */
  get encryption(): OpenedDuckDb['encryption'] {
    return this.database.encryption;
  }

  /** The store's own read connection (same process: DuckDB allows one writer process). */
  get readConnection(): DuckDBConnection {
    return this.reader;
  }

  /** DuckDB's worker threads from now on, for every connection (a start's scans use more than serving). */
  async setThreads(threads: number): Promise<void> {
    await run(this.writer, sql`SET threads = ${literal(threads)}`);
  }

  /** Gives back the blocks DuckDB keeps cached after a start's scans (see engine-memory.ts). */
  releaseCachedBlocks(): Promise<ReleasedMemory> {
    return releaseCachedBlocks(this.database);
  }

  /** A new connection to the same database, for another repository (alerts, audit…): same file, same encryption. */
  connect(): Promise<DuckDBConnection> {
    return this.database.connect();
  }

  /** The ingest log's bulk loader (ADR 0002): this store's staging (RAM-only when encrypted) and write queue. */
  logSink(): Promise<DuckDbLogSink> {
    return DuckDbLogSink.open({
      connect: () => this.connect(),
      staging: this.staging,
      exclusive: (work) => this.exclusiveWrite(work),
      profiles: this.profiles,
    });
  }

  /** Ad-hoc read-only SQL, each query on its own connection. */
  queryRunner(): DuckDbQueryRunner {
    // The store's connect(): an encrypted store's catalog is the connection's default.
    return new DuckDbQueryRunner(
      () => this.connect(),
      () => this.subscriptionsSchema,
    );
  }

  /**
   * A copy of subscriptions kept in another database (PULSE_STATE_URL): from now on reports and ad-hoc
   * SQL read it instead of the store's own table.
   */
  async subscriptionCopy(): Promise<DuckDbSubscriptionCopy> {
    const copy = await DuckDbSubscriptionCopy.open(this);
    this.subscriptionsSchema = SUBSCRIPTION_COPY_SCHEMA;
    return copy;
  }

  /** Subscriptions live in the same database file (and so under the same encryption). */
  async subscriptionStore(): Promise<DuckDbSubscriptionStore> {
    return new DuckDbSubscriptionStore(await this.connect());
  }

  async commit(batch: CommitBatch): Promise<void> {
    const groups = new Map<string, CapturedEvent[]>();
    for (const event of batch.events) {
      const key = tableKeyOf(event);
      const group = groups.get(key);
      if (group) group.push(event);
      else groups.set(key, [event]);
    }
    const files: string[] = [];
    const statements: Sql[] = [];
    let defines = false;
    for (const [key, events] of groups) {
      const target = key === 'generic' ? genericTable : eventTables[key as keyof typeof eventTables];
      const lines = events.map((e) => toNdjsonLine(e, batch.ingestedAt, this.profiles));
      const file = this.staging.write(lines);
      files.push(file);
      const carries = carriesDefinition(lines);
      defines ||= carries;
      for (const statement of stagedInsertSql(target.table, file, carries)) statements.push(statement);
    }
    if (batch.quarantined.length) {
      const file = this.staging.write(batch.quarantined.map(toQuarantineLine));
      files.push(file);
      statements.push(sql`INSERT OR REPLACE INTO quarantine ${selectFromStaging(file, quarantineColumns)}`);
    }
    if (batch.releasedQuarantineIds.length)
      statements.push(sql`DELETE FROM quarantine WHERE ${isIn(sql`id`, batch.releasedQuarantineIds)}`);
    try {
      await this.exclusiveWrite(async () => {
        await this.writer.run('BEGIN TRANSACTION');
        try {
          for (const statement of statements) await run(this.writer, statement);
          await this.writer.run('COMMIT');
        } catch (error) {
          await this.writer.run('ROLLBACK');
          throw error;
        }
        if (defines) await this.profiles.refresh(this.writer);
      });
    } finally {
      for (const file of files) this.staging.remove(file);
    }
  }

  async existingUuids(uuids: readonly string[]): Promise<Set<string>> {
    if (!uuids.length) return new Set();
    // One bound list, unnested once, rather than the uuids repeated per table.
    const union = join(
      allTables.map(
        (t) => sql`SELECT uuid::VARCHAR AS u FROM ${ident(t.table)} WHERE uuid IN (SELECT w FROM wanted)`,
      ),
      ' UNION ALL ',
    );
    const rows = await readRows(
      this.reader,
      sql`WITH wanted AS (SELECT CAST(unnest(${stringList(uuids)}) AS UUID) AS w) ${union}`,
    );
    return new Set(rows.map((r) => r.u as string));
  }

  async newestIngestedAt(): Promise<number | null> {
    const newest = allTables.map((t) => sql`SELECT max(ingested_at) AS m FROM ${ident(t.table)}`);
    const [row] = await readRows(
      this.reader,
      sql`SELECT CAST(epoch_ms(max(m)) AS DOUBLE) AS n FROM (${join(newest, ' UNION ALL ')})`,
    );
    return typeof row?.n === 'number' ? row.n : null;
  }

  async forEachUuid(visit: (uuid: string) => void, ingestedSince?: number): Promise<number> {
    let count = 0;
    // Rows are stored in ingestion order, so a recent `ingestedSince` skips whole row groups by their zone maps.
    const where =
      ingestedSince === undefined ? empty : sql` WHERE ingested_at >= ${timestamp(ingestedSince)}`;
    for (const t of allTables) {
      const result = await stream(this.reader, sql`SELECT uuid::VARCHAR AS u FROM ${ident(t.table)}${where}`);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const u of chunk.getColumnValues(0)) {
          visit(String(u));
          count++;
        }
      }
    }
    return count;
  }

  async listEvents(filter: EventFilter): Promise<EventPage> {
    const where = [tenantClause(filter.tenants)];
    if (filter.event !== undefined) where.push(sql`event = ${filter.event}`);
    if (filter.from !== undefined) where.push(sql`"timestamp" >= ${timestamp(filter.from)}`);
    if (filter.to !== undefined) where.push(sql`"timestamp" < ${timestamp(filter.to)}`);
    if (filter.cursor !== undefined) {
      const cursor = decodeCursor(filter.cursor);
      const at = timestamp(cursor.timestamp);
      where.push(sql`("timestamp" < ${at} OR ("timestamp" = ${at} AND uuid < CAST(${cursor.uuid} AS UUID)))`);
    }
    // A known event type reads its own table; otherwise the union view.
    const source =
      filter.event !== undefined && filter.event in eventTables
        ? ident(eventTables[filter.event as keyof typeof eventTables].table)
        : sql`events`;
    const rows = await readRows(
      this.reader,
      withSdkProperties(
        sql`SELECT * FROM ${source} WHERE ${join(where, ' AND ')} ORDER BY "timestamp" DESC, uuid DESC LIMIT ${filter.limit + 1}`,
        sql`"timestamp" DESC, uuid DESC`,
      ),
    );
    const events = rows.slice(0, filter.limit).map((r) => toStoredEvent(r));
    const last = events.at(-1);
    return {
      events,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.timestamp, last.uuid) : null,
    };
  }

  listContributions(filter: ContributionFilter): Promise<ContributionPage> {
    return listContributions(this.reader, filter);
  }

  async countEvents(): Promise<number> {
    const counts = join(
      allTables.map((t) => sql`SELECT count(*) AS n FROM ${ident(t.table)}`),
      ' UNION ALL ',
    );
    const rows = await readRows(this.reader, sql`SELECT sum(n) AS n FROM (${counts})`);
    return Number(rows[0]?.n ?? 0);
  }

  listTenants(filter: TenantFilter): Promise<TenantActivityPage> {
    return listTenantActivity(this.reader, filter);
  }

  tenantsWithEvents(tenants: readonly string[]): Promise<Set<string>> {
    return tenantsWithEvents(this.reader, tenants);
  }

  nearestTenants(name: string, filter: { tenants?: readonly string[]; limit: number }): Promise<string[]> {
    return nearestTenants(this.reader, name, filter);
  }

  async listQuarantine(filter: QuarantineFilter): Promise<QuarantinedEvent[]> {
    const where = [tenantClause(filter.tenants)];
    if (filter.event !== undefined) where.push(sql`event = ${filter.event}`);
    const rows = await readRows(
      this.reader,
      sql`SELECT * FROM quarantine WHERE ${join(where, ' AND ')} ORDER BY received_at DESC, id LIMIT ${filter.limit}`,
    );
    return rows.map((r) => toQuarantined(r));
  }

  async getQuarantined(ids: readonly string[]): Promise<QuarantinedEvent[]> {
    if (!ids.length) return [];
    const rows = await readRows(
      this.reader,
      sql`SELECT * FROM quarantine WHERE ${isIn(sql`id`, ids)} ORDER BY received_at, batch_index`,
    );
    return rows.map((r) => toQuarantined(r));
  }

  /** Runs `work` while no commit runs and holds commits off until it is done. */
  private exclusiveWrite<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(work, work);
    this.writeQueue = run.catch(() => {});
    return run;
  }

  /** Retention, on its own connection: see duckdb-retention.ts. */
  async deleteBefore(cuts: readonly RetentionCut[], options: { dryRun: boolean }): Promise<RetentionCount[]> {
    // connect(), not the instance's: an encrypted store's catalog must be the connection's default.
    const connection = await this.connect();
    try {
      return await applyRetentionCuts(connection, cuts, options, (work) => this.exclusiveWrite(work));
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.writer.run('CHECKPOINT');
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
    this.staging.close();
  }
}
