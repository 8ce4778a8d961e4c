import type { StoredEvent } from '../event-store.js';
import { envelopeColumns } from './schema.js';

const envelopeNames = new Set([...envelopeColumns.map((c) => c.name), 'properties']);

type DbRow = Record<string, unknown>;

/** DuckDB values as JSON-friendly JS: BIGINT → number, TIMESTAMP → ISO string. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

export const timeOf = (value: unknown): number => (value instanceof Date ? value.getTime() : Number(value));

/** A row of an event table (or the union view) as the event it stores. */
export function toStoredEvent(row: DbRow): StoredEvent {
  const properties: Record<string, unknown> = {};
  if (row.tenant_id !== null) properties.tenant_id = row.tenant_id;
  for (const key in row) {
    if (envelopeNames.has(key) || row[key] === null) continue;
    properties[key] = plainValue(row[key]);
  }
  if (typeof row.properties === 'string') Object.assign(properties, JSON.parse(row.properties));
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
