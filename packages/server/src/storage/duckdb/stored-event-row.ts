import type { StoredEvent } from '../event-store.js';
import { envelopeColumns } from './schema.js';
import { sdkProfileColumn } from './sdk-profiles.js';
import { ident, sql, type Sql } from './sql.js';

/** The column `withSdkProperties` adds: the text of the row's SDK profile. */
const SDK_PROPERTIES = 'pulse_sdk_properties';

const notProperties = new Set([
  ...envelopeColumns.map((c) => c.name),
  'properties',
  sdkProfileColumn.name,
  SDK_PROPERTIES,
]);

type DbRow = Record<string, unknown>;

/** DuckDB values as JSON-friendly JS: BIGINT → number, TIMESTAMP → ISO string. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

export const timeOf = (value: unknown): number => (value instanceof Date ? value.getTime() : Number(value));

/**
 * A page of event rows (a SELECT with its own ORDER BY and LIMIT) with each row's SDK profile text, in
 * `order`: joined after the limit, so only the page's rows are looked up.
 */
export function withSdkProperties(page: Sql, order: Sql): Sql {
  return sql`SELECT page.*, p.properties AS ${ident(SDK_PROPERTIES)}
    FROM (${page}) page LEFT JOIN sdk_profiles p ON p.id = page.sdk_profile ORDER BY ${order}`;
}

/**
 * A row of an event table (or the union view, through `withSdkProperties`) as the event it stores:
 * tenant, typed columns, the inline extras, then the SDK profile's properties.
 */
export function toStoredEvent(row: DbRow): StoredEvent {
  const properties: Record<string, unknown> = {};
  if (row.tenant_id !== null) properties.tenant_id = row.tenant_id;
  for (const key in row) {
    if (notProperties.has(key) || row[key] === null) continue;
    properties[key] = plainValue(row[key]);
  }
  if (typeof row.properties === 'string') Object.assign(properties, JSON.parse(row.properties));
  const profile = row[sdkProfileColumn.name];
  if (typeof profile === 'number') {
    const text = row[SDK_PROPERTIES];
    if (typeof text !== 'string')
      throw new Error(`event ${String(row.uuid)} refers to SDK profile ${profile}, which is not stored`);
    Object.assign(properties, JSON.parse(text));
  }
  return {
    uuid: String(row.uuid),
    event: String(row.event),
    distinctId: String(row.distinct_id),
    timestamp: timeOf(row.timestamp),
    ingestedAt: timeOf(row.ingested_at),
    tenantId: (row.tenant_id as string | null) ?? null,
    properties,
  };
}
