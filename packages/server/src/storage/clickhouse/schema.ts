import { businessEventNames, eventFields, type FieldKind } from '@pulse/events';
import { quoteIdentifier as quote } from '../../sql.js';

/** Catalog kinds as ClickHouse 18.16 types; date-times as epoch ms (18.16 has no DateTime64). */
const columnTypes: Record<FieldKind, string> = {
  string: 'Nullable(String)',
  number: 'Nullable(Float64)',
  integer: 'Nullable(Int64)',
  boolean: 'Nullable(UInt8)',
  // Arrays cannot be Nullable in 18.16: an absent list reads as [] (the full properties keep the difference).
  'string[]': 'Array(String)',
  'date-time': 'Nullable(Int64)',
};

export interface PropertyColumn {
  name: string;
  kind: FieldKind;
}

/** Every catalog property but tenant_id, once: no two event types give one name different kinds. */
export const propertyColumns: PropertyColumn[] = [
  ...new Map(
    businessEventNames.flatMap((name) =>
      eventFields(name)
        .filter((f) => f.name !== 'tenant_id')
        .map((f) => [f.name, { name: f.name, kind: f.kind }] as const),
    ),
  ).values(),
];

/** Per business event type: the kind of each catalog property it has a typed column for. */
export const typedProperties = new Map<string, Map<string, FieldKind>>(
  businessEventNames.map((name) => [
    name,
    new Map(
      eventFields(name)
        .filter((f) => f.name !== 'tenant_id')
        .map((f) => [f.name, f.kind]),
    ),
  ]),
);

export const EVENTS_TABLE = 'events';
export const QUARANTINE_TABLE = 'quarantine';
export const LOG_STATE_TABLE = 'ingest_log_state';
export const LOG_POSITIONS_TABLE = 'ingest_log_positions';
export const EVENT_DELETIONS_TABLE = 'event_deletions';
export const SUBSCRIPTIONS_TABLE = 'subscriptions';

/**
 * One wide table for every event type: a column store reads only the columns a query names and an absent
 * property costs next to nothing on disk, so per-type tables would buy nothing but a UNION in every read.
 * Times are epoch ms (Int64). A sorting key cannot hold a Nullable column, so a missing tenant is ''
 * with has_tenant = 0. `properties` is the full property object as JSON text (what reads return); the
 * typed columns serve analytics. Replacing on the sorting key, which ends with the uuid, collapses a row
 * written twice (a retried commit, a replayed log batch) at merge time; reads that must be exact use FINAL.
 */
export function eventsTableSql(): string {
  const columns = [
    'uuid UUID',
    'event String',
    'tenant_id String',
    'has_tenant UInt8',
    'distinct_id String',
    'timestamp Int64',
    'ingested_at Int64',
    ...propertyColumns.map((c) => `${quote(c.name)} ${columnTypes[c.kind]}`),
    'properties String',
  ];
  return `CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (${columns.join(', ')})
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(timestamp, 1000)))
ORDER BY (tenant_id, event, timestamp, uuid)`;
}

/**
 * The quarantine: an entry is replaced by writing it again with a higher version, and released by writing a
 * tombstone (released = 1); reads take each id's highest version (argMax), which is exact before merges too.
 */
export function quarantineTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${QUARANTINE_TABLE} (
  id String, version UInt64, released UInt8, received_at Int64, batch_index Int32, uuid String, event String,
  tenant_id String, has_tenant UInt8, distinct_id String, timestamp Int64, properties String, issues String)
ENGINE = ReplacingMergeTree(version)
ORDER BY id`;
}

/** The ingest log position loaded up to, from before logs had ids (one process); the highest one wins. */
export function logStateTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${LOG_STATE_TABLE} (id UInt8, position UInt64)
ENGINE = ReplacingMergeTree(position)
ORDER BY id`;
}

/** The position each process's ingest log is loaded up to, by the log's id; the highest one wins. */
export function logPositionsTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${LOG_POSITIONS_TABLE} (log String, position UInt64)
ENGINE = ReplacingMergeTree(position)
ORDER BY log`;
}

/**
 * One row per retention deletion, written before its mutation starts: a deletion that fails half way still
 * counts, so state derived from the events (the saved rollups) is never taken for current when it is not.
 */
export function eventDeletionsTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${EVENT_DELETIONS_TABLE} (at Int64) ENGINE = MergeTree() ORDER BY at`;
}

/**
 * A copy of the subscriptions the reports join, replaced wholesale: each replacement is one insert under a
 * new version (one block: all of it or none) with a marker row (present = 0), so a replacement by nothing
 * is a version too; reads take the newest version only, and older ones are deleted afterwards.
 */
export function subscriptionsTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS ${SUBSCRIPTIONS_TABLE} (
  version UInt64, present UInt8, tenant_id String, status String, plan_name String, price_monthly Float64,
  current_period_start Nullable(Int64), current_period_end Nullable(Int64), updated_at Int64)
ENGINE = MergeTree()
ORDER BY (version, tenant_id)`;
}
