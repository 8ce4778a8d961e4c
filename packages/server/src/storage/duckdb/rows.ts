import { businessEventNames, eventFields, isBusinessEventName, type BusinessEventName } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';

type Row = Record<string, unknown>;

/** Per event type: which properties have a typed column, and which of those are date-times. */
const layout = new Map<string, { columns: Set<string>; dateTimes: Set<string> }>(
  businessEventNames.map((name) => {
    const fields = eventFields(name).filter((f) => f.name !== 'tenant_id');
    return [
      name,
      {
        columns: new Set(fields.map((f) => f.name)),
        dateTimes: new Set(fields.filter((f) => f.kind === 'date-time').map((f) => f.name)),
      },
    ];
  }),
);

export function tenantOf(event: CapturedEvent): string | null {
  const tenant = event.properties.tenant_id;
  return typeof tenant === 'string' ? tenant : null;
}

/**
 * The staging row of one event: envelope, one key per typed column, and the remaining properties
 * under `properties`. Times are epoch ms (JS parses the offsets; DuckDB's cast would drop them).
 */
export function toRow(event: CapturedEvent, ingestedAt: number): Row {
  const row: Row = {
    uuid: event.uuid,
    event: event.event,
    tenant_id: tenantOf(event),
    distinct_id: event.distinctId,
    timestamp: event.timestamp,
    ingested_at: ingestedAt,
  };
  const shape = layout.get(event.event);
  let extras: Row | null = null;
  for (const key in event.properties) {
    if (key === 'tenant_id') continue;
    const value = event.properties[key];
    if (shape?.columns.has(key)) row[key] = shape.dateTimes.has(key) ? Date.parse(value as string) : value;
    else (extras ??= {})[key] = value;
  }
  row.properties = extras;
  return row;
}

export function tableKeyOf(event: CapturedEvent): BusinessEventName | 'generic' {
  return isBusinessEventName(event.event) ? event.event : 'generic';
}

export function dateTimeColumnsOf(key: BusinessEventName | 'generic'): Set<string> {
  return key === 'generic' ? new Set() : (layout.get(key)?.dateTimes ?? new Set());
}
