import { businessEventNames, eventFields, type BusinessEventName, type FieldKind } from '@pulse/events';
import { ident, join, quoteIdentifier as quote, sql, type Sql } from '../../sql.js';
import { sdkProfileColumn } from './sdk-profiles.js';

const sqlTypes: Record<FieldKind, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  'string[]': 'VARCHAR[]',
  'date-time': 'TIMESTAMP',
};

export interface Column {
  name: string;
  type: string;
}

/** Columns every event table starts with. Times are UTC TIMESTAMPs. */
export const envelopeColumns: Column[] = [
  { name: 'uuid', type: 'UUID' },
  { name: 'event', type: 'VARCHAR' },
  { name: 'tenant_id', type: 'VARCHAR' },
  { name: 'distinct_id', type: 'VARCHAR' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'ingested_at', type: 'TIMESTAMP' },
];

/** Extra (non-catalog) properties, kept as JSON. */
export const extrasColumn: Column = { name: 'properties', type: 'JSON' };

/**
 * One table per business event type with a typed column per catalog property: DuckDB's insert cost grows
 * with table width (measured ~33 µs/row at 95 columns vs ~8–10 at 25), and summaries scan only their type.
 */
export const eventTables: Record<
  BusinessEventName,
  { table: string; columns: Column[]; propertyColumns: Column[] }
> = Object.fromEntries(
  businessEventNames.map((name) => {
    const propertyColumns = eventFields(name)
      .filter((f) => f.name !== 'tenant_id')
      .map((f) => ({ name: f.name, type: sqlTypes[f.kind] }));
    return [
      name,
      {
        table: `ev_${name}`,
        propertyColumns,
        columns: [...envelopeColumns, ...propertyColumns, extrasColumn, sdkProfileColumn],
      },
    ];
  }),
) as Record<BusinessEventName, { table: string; columns: Column[]; propertyColumns: Column[] }>;

/** $pageview, $identify and custom events: all properties but tenant_id stay JSON. */
export const genericTable = {
  table: 'ev_generic',
  columns: [...envelopeColumns, extrasColumn, sdkProfileColumn],
};

export const allTables = [...Object.values(eventTables), genericTable];

/** Identifiers in DDL text (createTableSql, views). */
export { quote };

/** Columns added after the first release: stores made before them gain them (NULL in older rows). */
export function eventTableMigrationsSql(): string[] {
  return allTables.map(
    (t) =>
      `ALTER TABLE ${quote(t.table)} ADD COLUMN IF NOT EXISTS ${quote(sdkProfileColumn.name)} ${sdkProfileColumn.type}`,
  );
}

export function createTableSql(table: string, columns: Column[]): string {
  return `CREATE TABLE IF NOT EXISTS ${quote(table)} (${columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ')})`;
}

/** The quarantine: the event as captured plus the issues that kept it out (ids are event uuids). */
export const quarantineColumns: Column[] = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'received_at', type: 'TIMESTAMP' },
  { name: 'batch_index', type: 'INTEGER' },
  { name: 'uuid', type: 'UUID' },
  { name: 'event', type: 'VARCHAR' },
  { name: 'tenant_id', type: 'VARCHAR' },
  { name: 'distinct_id', type: 'VARCHAR' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'properties', type: 'JSON' },
  { name: 'issues', type: 'JSON' },
];

/** Replays and client retries replace an entry by id. */
export const quarantineTableSql = `${createTableSql('quarantine', quarantineColumns).slice(0, -1)}, PRIMARY KEY (id))`;

/** Every event of every type, one column per catalog property (NULL where a type lacks it). */
export function allEventsViewSql(): string {
  return `CREATE OR REPLACE VIEW events AS ${allTables
    .map((t) => `SELECT * FROM ${quote(t.table)}`)
    .join(' UNION ALL BY NAME ')}`;
}

/**
 * Every event with `properties` as captured: its own JSON merged with its SDK profile's (the keys never
 * overlap: a property is either in the profile or inline). What ad-hoc queries see as `events` (their
 * scoped view shadows that name, so this reads the tables); the profile id stays a storage detail.
 */
export function capturedEventsViewSql(): Sql {
  const all = join(
    allTables.map((t) => sql`SELECT * FROM ${ident(t.table)}`),
    ' UNION ALL BY NAME ',
  );
  return sql`CREATE OR REPLACE VIEW captured_events AS
  SELECT e.* EXCLUDE (sdk_profile) REPLACE (CASE
    WHEN p.properties IS NULL THEN e.properties
    WHEN e.properties IS NULL THEN CAST(p.properties AS JSON)
    ELSE json_merge_patch(e.properties, p.properties) END AS properties)
  FROM (${all}) e LEFT JOIN sdk_profiles p ON p.id = e.sdk_profile`;
}
