import {
  businessEventNames,
  eventFields,
  isBusinessEventName,
  parseIsoDateTime,
  type BusinessEventName,
} from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { QuarantinedEvent } from '../event-store.js';
import { sdkDefinitionKey, sdkPropertyNames, type SdkProfiles } from './sdk-profiles.js';

/** How a row writes one property: its `,"name":` text, and whether it is a date-time stored as epoch ms. */
interface Column {
  prefix: string;
  dateTime: boolean;
}

/** Per event type, its typed columns by property name (text prepared once: rows are written per event). */
const columnsOf = new Map<string, ReadonlyMap<string, Column>>(
  businessEventNames.map((name) => [
    name,
    new Map(
      eventFields(name)
        .filter((f) => f.name !== 'tenant_id')
        .map((f) => [f.name, { prefix: `,"${f.name}":`, dateTime: f.kind === 'date-time' }]),
    ),
  ]),
);
/** The SDK properties of the row being written (reused: rows are written one at a time, per event). */
const sdkNames: string[] = [];
const sdkValues: (string | number | boolean)[] = [];

export function tenantOf(event: CapturedEvent): string | null {
  const tenant = event.properties.tenant_id;
  return typeof tenant === 'string' ? tenant : null;
}

/** A validated value as JSON text: numbers and booleans directly, the rest through JSON.stringify. */
function json(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * The NDJSON staging line of one event: envelope, one key per typed column, the SDK properties as the id
 * of their profile (sdk-profiles.ts; with the profile's text while it is not stored yet), and the
 * remaining properties under `properties`. Written as text, not via an intermediate object (half the cost
 * of building a row and stringifying it: this runs for every event). Times are epoch ms: JS parses the
 * offsets, which DuckDB's VARCHAR→TIMESTAMP cast would drop. Column names are catalog identifiers, safe
 * unquoted.
 */
export function toNdjsonLine(event: CapturedEvent, ingestedAt: number, profiles: SdkProfiles): string {
  const tenant = tenantOf(event);
  let line = `{"uuid":"${event.uuid}","event":${JSON.stringify(event.event)},"tenant_id":${tenant === null ? 'null' : JSON.stringify(tenant)},"distinct_id":${JSON.stringify(event.distinctId)},"timestamp":${event.timestamp},"ingested_at":${ingestedAt}`;
  const columns = columnsOf.get(event.event);
  let extras = '';
  sdkNames.length = 0;
  sdkValues.length = 0;
  const properties = event.properties;
  for (const key in properties) {
    if (key === 'tenant_id') continue;
    const value = properties[key];
    if (value === undefined) continue;
    const column = columns?.get(key);
    if (column) {
      line += column.prefix + (column.dateTime ? String(parseIsoDateTime(value as string)) : json(value));
      continue;
    }
    if (isScalar(value) && sdkPropertyNames.has(key)) {
      sdkNames.push(key);
      sdkValues.push(value);
    } else extras += `${extras ? ',' : ''}${JSON.stringify(key)}:${json(value)}`;
  }
  if (sdkNames.length) {
    const { profile, text } = profiles.resolveProperties(sdkNames, sdkValues);
    if (profile) {
      line += `,"sdk_profile":${profile.id}`;
      if (!profile.stored) line += `,"${sdkDefinitionKey}":${JSON.stringify(profile.text)}`;
    } else extras += `${extras ? ',' : ''}${text.slice(1, -1)}`; // read back after the others, as from a profile
  }
  return extras ? `${line},"properties":{${extras}}}` : `${line}}`;
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

export function tableKeyOf(event: CapturedEvent): BusinessEventName | 'generic' {
  return isBusinessEventName(event.event) ? event.event : 'generic';
}

/** A quarantine entry as the staged NDJSON line the quarantine table loads (quarantineColumns). */
export function toQuarantineLine(q: QuarantinedEvent): string {
  return JSON.stringify({
    id: q.id,
    received_at: q.receivedAt,
    batch_index: q.batchIndex,
    uuid: q.event.uuid,
    event: q.event.event,
    tenant_id: tenantOf(q.event),
    distinct_id: q.event.distinctId,
    timestamp: q.event.timestamp,
    properties: q.event.properties,
    issues: q.issues,
  });
}
