import { UNNAMED_LOG_ID } from '../../ingestion/log-id.js';
import type {
  CommitBatch,
  EventFilter,
  EventPage,
  EventStore,
  QuarantineFilter,
  QuarantinedEvent,
  StoredEvent,
  TenantActivityPage,
  TenantFilter,
} from '../event-store.js';
import type { EventHistorySource, EventStateSource } from '../alert-store.js';
import type { ContributionFilter, ContributionPage } from '../contributions.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { RetentionCount, RetentionCut, RetentionTable } from '../retention-store.js';
import { ident, join, sql, type Sql } from '../../sql.js';
import { eventsBetween, latestByEntity, recentEvents } from './alert-event-reads.js';
import { always, beforeCursor, eventColumns, isIn, newestFirst, tenantScope } from './clauses.js';
import { ClickHouseConnection } from './connection.js';
import { listContributions } from './contribution-reads.js';
import { ClickHouseLogSink } from './clickhouse-log-sink.js';
import { ClickHouseQueryRunner } from './clickhouse-query-runner.js';
import { rankNearest } from './nearest-tenants.js';
import { cutSql, deleteEvents, tableSql } from './retention.js';
import {
  storedEventLines,
  toEventLine,
  toQuarantined,
  toQuarantineLine,
  toReleaseLine,
  toStoredEvent,
  VersionClock,
} from './rows.js';
import {
  eventDeletionsTableSql,
  EVENTS_TABLE,
  eventsTableSql,
  QUARANTINE_TABLE,
  quarantineTableSql,
} from './schema.js';
import { ingestedAfter, ingestionMark } from './ingested-after.js';
import { trendBuckets } from './trend-buckets.js';

const events = ident(EVENTS_TABLE);
const quarantine = ident(QUARANTINE_TABLE);
const lines = (rows: readonly string[]) => [Buffer.from(`${rows.join('\n')}\n`)];

/** Each quarantine column's latest value (highest version), under a `q_` alias (rows.ts toQuarantined). */
const latestQuarantine = join(
  [
    'received_at',
    'batch_index',
    'uuid',
    'event',
    'tenant_id',
    'has_tenant',
    'distinct_id',
    'timestamp',
    'properties',
    'issues',
  ].map((c) => sql`argMax(${ident(c)}, version) AS ${ident(`q_${c}`)}`),
);

/** Entries still quarantined (the latest write of the id is not a release), with `having` on their latest values. */
const currentQuarantine = (where: Sql, having: Sql): Sql =>
  sql`SELECT id, ${latestQuarantine} FROM ${quarantine} WHERE ${where} GROUP BY id
    HAVING argMax(released, version) = 0 AND ${having}`;

/**
 * Events in ClickHouse (scale-out): one wide ReplacingMergeTree table, the quarantine as versioned rows.
 * A row written twice is collapsed at merge time; reads that must be exact read FINAL (storage/PARITY.md).
 */
export class ClickHouseEventStore implements EventStore {
  private readonly versions = new VersionClock();

  private constructor(readonly connection: ClickHouseConnection) {}

  /** Opens `clickhouse://user:password@host:port/database`, creating the database and tables when missing. */
  static async open(url: string): Promise<ClickHouseEventStore> {
    const connection = await ClickHouseConnection.open(url);
    try {
      await connection.ddl(eventsTableSql());
      await connection.ddl(quarantineTableSql());
      await connection.ddl(eventDeletionsTableSql());
    } catch (error) {
      await connection.close();
      throw error;
    }
    return new ClickHouseEventStore(connection);
  }

  /** The bulk loader of the ingest log `logId` (ingestion/log-id.ts), on this store's connection. */
  logSink(logId: string = UNNAMED_LOG_ID): Promise<ClickHouseLogSink> {
    return ClickHouseLogSink.open(this.connection, logId);
  }

  /** Ad-hoc read-only SQL (POST /api/query) on this store's database. */
  queryRunner(): ClickHouseQueryRunner {
    return new ClickHouseQueryRunner(this.connection);
  }

  /** The alert rules' reads of the stored events, for the alert store kept beside them (DuckDB or PostgreSQL). */
  alertEventSource(): EventStateSource & EventHistorySource {
    const connection = this.connection;
    return {
      latestByEntity: (query) => latestByEntity(connection, query),
      recentEvents: (query) => recentEvents(connection, query),
      eventsBetween: (query) => eventsBetween(connection, query),
      trendBuckets: (query) => trendBuckets(connection, query),
      ingestionMark: () => ingestionMark(connection),
      ingestedAfter: (query) => ingestedAfter(connection, query),
    };
  }

  /**
   * Events in one insert (one block: all stored or none), then the quarantine upserts and releases in a
   * second; resolves once ClickHouse acknowledged both. A failure between the two leaves the events stored
   * and the quarantine unchanged: retrying the commit converges, its events collapsing with their copies.
   */
  async commit(batch: CommitBatch): Promise<void> {
    if (batch.events.length)
      await this.connection.insertLines(
        EVENTS_TABLE,
        lines(batch.events.map((e) => toEventLine(e, batch.ingestedAt))),
      );
    const changes = [
      ...batch.quarantined.map((q) => toQuarantineLine(q, this.versions.next())),
      ...batch.releasedQuarantineIds.map((id) => toReleaseLine(id, this.versions.next())),
    ];
    if (changes.length) await this.connection.insertLines(QUARANTINE_TABLE, lines(changes));
  }

  /**
   * Stored events as they were (each with its own ingestion time), in one insert: a copy from another
   * store. Like a commit, it resolves once ClickHouse acknowledged the insert, and a repeat collapses.
   */
  async importEvents(stored: readonly StoredEvent[]): Promise<void> {
    if (stored.length) await this.connection.insertLines(EVENTS_TABLE, [storedEventLines(stored)]);
  }

  async existingUuids(uuids: readonly string[]): Promise<Set<string>> {
    if (!uuids.length) return new Set();
    const rows = await this.connection.rows<{ u: string }>(
      sql`SELECT DISTINCT toString(uuid) AS u FROM ${events} WHERE ${isIn(sql`toString(uuid)`, uuids)}`,
    );
    return new Set(rows.map((r) => r.u));
  }

  forEachUuid(visit: (uuid: string) => void, ingestedSince?: number): Promise<number> {
    // Copies of a row share its uuid. Every uuid streams through FINAL (no memory per uuid); the few
    // ingested since a time are read plainly, each once: FINAL would merge every stored row to find them.
    const statement =
      ingestedSince === undefined
        ? sql`SELECT toString(uuid) AS u FROM ${events} FINAL`
        : sql`SELECT DISTINCT toString(uuid) AS u FROM ${events} WHERE ingested_at >= ${ingestedSince}`;
    return this.connection.forEachRow<{ u: string }>(statement, (row) => visit(row.u));
  }

  async newestIngestedAt(): Promise<number | null> {
    const [row] = await this.connection.rows<{ n: number; c: number }>(
      sql`SELECT max(ingested_at) AS n, count() AS c FROM ${events}`,
    );
    return row && Number(row.c) > 0 ? Number(row.n) : null;
  }

  async listEvents(filter: EventFilter): Promise<EventPage> {
    const where = [tenantScope(filter.tenants)];
    if (filter.event !== undefined) where.push(sql`event = ${filter.event}`);
    if (filter.from !== undefined) where.push(sql`timestamp >= ${filter.from}`);
    if (filter.to !== undefined) where.push(sql`timestamp < ${filter.to}`);
    if (filter.cursor !== undefined) where.push(beforeCursor(decodeCursor(filter.cursor)));
    const rows = await this.distinctNewest(join(where, ' AND '), filter.limit + 1);
    const page = rows.slice(0, filter.limit).map((r) => toStoredEvent(r));
    const last = page.at(-1);
    return {
      events: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.timestamp, last.uuid) : null,
    };
  }

  /**
   * The first `want` distinct events matching `where`, newest first. Not FINAL (measured 7× slower on 1M
   * rows: it merges every part before sorting): copies of an event share timestamp and uuid, so they sit
   * side by side in this order and are dropped here; a read that lost rows to copies asks for more.
   */
  private async distinctNewest(where: Sql, want: number): Promise<Record<string, unknown>[]> {
    for (let fetch = want * 2; ; fetch *= 4) {
      const rows = await this.connection.rows(
        sql`SELECT ${eventColumns} FROM ${events} WHERE ${where} ${newestFirst} LIMIT ${fetch}`,
      );
      const distinct = rows.filter((row, i) => i === 0 || row.uuid_text !== rows[i - 1]?.uuid_text);
      if (distinct.length >= want || rows.length < fetch) return distinct.slice(0, want);
    }
  }

  listContributions(filter: ContributionFilter): Promise<ContributionPage> {
    return listContributions(this.connection, filter);
  }

  async countEvents(): Promise<number> {
    const [row] = await this.connection.rows<{ n: number }>(sql`SELECT count() AS n FROM ${events} FINAL`);
    return Number(row?.n ?? 0);
  }

  async listTenants(filter: TenantFilter): Promise<TenantActivityPage> {
    const where = [sql`has_tenant = 1`, tenantScope(filter.tenants)];
    if (filter.after !== undefined) where.push(sql`tenant_id > ${filter.after}`);
    const rows = await this.connection.rows<{ tenant_id: string; n: number; first: number; last: number }>(
      sql`SELECT tenant_id, count() AS n, min(timestamp) AS first, max(timestamp) AS last
        FROM ${events} FINAL WHERE ${join(where, ' AND ')}
        GROUP BY tenant_id ORDER BY tenant_id LIMIT ${filter.limit + 1}`,
    );
    return {
      tenants: rows.slice(0, filter.limit).map((r) => ({
        tenantId: r.tenant_id,
        events: Number(r.n),
        firstEventAt: Number(r.first),
        lastEventAt: Number(r.last),
      })),
      more: rows.length > filter.limit,
    };
  }

  async tenantsWithEvents(tenants: readonly string[]): Promise<Set<string>> {
    if (!tenants.length) return new Set();
    return new Set(await this.knownTenants(tenants));
  }

  async nearestTenants(
    name: string,
    filter: { tenants?: readonly string[]; limit: number },
  ): Promise<string[]> {
    return rankNearest(name, await this.knownTenants(filter.tenants), filter.limit);
  }

  /** Tenants with at least one stored event, within `tenants` when given. */
  private async knownTenants(tenants: readonly string[] | undefined): Promise<string[]> {
    const rows = await this.connection.rows<{ tenant_id: string }>(
      sql`SELECT DISTINCT tenant_id FROM ${events} WHERE has_tenant = 1 AND ${tenantScope(tenants)}`,
    );
    return rows.map((r) => r.tenant_id);
  }

  async listQuarantine(filter: QuarantineFilter): Promise<QuarantinedEvent[]> {
    const having = [
      filter.tenants === undefined
        ? always
        : sql`q_has_tenant = 1 AND ${isIn(sql`q_tenant_id`, filter.tenants)}`,
    ];
    if (filter.event !== undefined) having.push(sql`q_event = ${filter.event}`);
    const rows = await this.connection.rows(
      sql`${currentQuarantine(always, join(having, ' AND '))} ORDER BY q_received_at DESC, id LIMIT ${filter.limit}`,
    );
    return rows.map((r) => toQuarantined(r));
  }

  async getQuarantined(ids: readonly string[]): Promise<QuarantinedEvent[]> {
    if (!ids.length) return [];
    const rows = await this.connection.rows(
      sql`${currentQuarantine(isIn(sql`id`, ids), always)} ORDER BY q_received_at, q_batch_index`,
    );
    return rows.map((r) => toQuarantined(r));
  }

  /**
   * Retention: events through mutations (retention.ts); quarantine entries older than their cut are
   * released by tombstones, which reads honour at once.
   */
  async deleteBefore(cuts: readonly RetentionCut[], options: { dryRun: boolean }): Promise<RetentionCount[]> {
    const counts = new Map<string, RetentionCount>();
    const countOf = (table: RetentionTable, tenant: string | null) => {
      const key = `${table}\u0000${tenant ?? ''}`;
      let count = counts.get(key);
      if (!count) counts.set(key, (count = { table, tenant, events: 0, quarantined: 0 }));
      return count;
    };
    await deleteEvents(this.connection, cuts, options.dryRun, countOf);
    for (const cut of cuts) {
      const expired = await this.connection.rows<{ id: string; q_tenant_id: string; q_has_tenant: number }>(
        sql`${currentQuarantine(always, sql`${tableSql(cut.table, sql`q_event`)} AND ${cutSql(cut, sql`q_received_at`, { id: sql`q_tenant_id`, present: sql`q_has_tenant` })}`)}`,
      );
      for (const q of expired) countOf(cut.table, q.q_has_tenant ? q.q_tenant_id : null).quarantined++;
      if (!options.dryRun && expired.length)
        await this.connection.insertLines(
          QUARANTINE_TABLE,
          lines(expired.map((q) => toReleaseLine(q.id, this.versions.next()))),
        );
    }
    return [...counts.values()].sort(
      (a, b) => a.table.localeCompare(b.table) || (a.tenant ?? '').localeCompare(b.tenant ?? ''),
    );
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
