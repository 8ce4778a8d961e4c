import { parseIsoDateTime, type SchemaIssue } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { QuarantinedEvent, StoredEvent } from '../event-store.js';
import type { FieldKind } from '@pulse/events';
import { typedProperties } from './schema.js';

const untyped = new Map<string, FieldKind>();

export function tenantOf(event: CapturedEvent): string | null {
  const tenant = event.properties.tenant_id;
  return typeof tenant === 'string' ? tenant : null;
}

/** A typed column's value as JSON: booleans as 1/0 (UInt8), date-times as epoch ms. */
function columnValue(kind: string, value: unknown): string {
  if (kind === 'boolean') return value ? '1' : '0';
  if (kind === 'date-time') return String(parseIsoDateTime(value as string));
  return JSON.stringify(value);
}

/**
 * One events-table row as a JSONEachRow line: envelope, a key per typed column the event carries, and the
 * full properties as JSON text, its catalog date-times normalised to UTC ISO (as every store returns them).
 * The uuid comes first and unescaped (`uuidOf` reads it by position).
 */
export function toEventLine(event: CapturedEvent, ingestedAt: number): string {
  const tenant = tenantOf(event);
  const typed = typedProperties.get(event.event) ?? untyped;
  let line = `{"uuid":"${event.uuid}","event":${JSON.stringify(event.event)},"tenant_id":${JSON.stringify(tenant ?? '')},"has_tenant":${tenant === null ? 0 : 1},"distinct_id":${JSON.stringify(event.distinctId)},"timestamp":${event.timestamp},"ingested_at":${ingestedAt}`;
  const properties: Record<string, unknown> = {};
  for (const key in event.properties) {
    const value = event.properties[key];
    if (value === undefined) continue;
    const kind = typed.get(key);
    properties[key] =
      kind === 'date-time' ? new Date(parseIsoDateTime(value as string)).toISOString() : value;
    if (kind !== undefined && value !== null) line += `,"${key}":${columnValue(kind, value)}`;
  }
  return `${line},"properties":${JSON.stringify(JSON.stringify(properties))}}`;
}

/** Stored events (each with its own ingestion time) as one insert body of toEventLine lines. */
export const storedEventLines = (events: readonly StoredEvent[]): Buffer =>
  Buffer.from(`${events.map((e) => toEventLine(e, e.ingestedAt)).join('\n')}\n`);

/** The uuid of a line made by toEventLine: `{"uuid":"` then 36 characters. */
export const uuidOfLine = (line: string): string => line.slice(9, 45);

/** An events-table row (as `eventColumns` selects it, the uuid as text) back as the event it stores. */
export function toStoredEvent(row: Record<string, unknown>): StoredEvent {
  return {
    uuid: String(row.uuid_text),
    event: String(row.event),
    distinctId: String(row.distinct_id),
    timestamp: Number(row.timestamp),
    ingestedAt: Number(row.ingested_at),
    tenantId: Number(row.has_tenant) ? String(row.tenant_id) : null,
    properties: JSON.parse(String(row.properties)) as Record<string, unknown>,
  };
}

/** A line made by toEventLine back as the captured event (its properties as stored). */
export function eventOfLine(line: string): CapturedEvent {
  const row = JSON.parse(line) as Record<string, unknown>;
  return {
    uuid: String(row.uuid),
    event: String(row.event),
    distinctId: String(row.distinct_id),
    timestamp: Number(row.timestamp),
    properties: JSON.parse(String(row.properties)) as Record<string, unknown>,
  };
}

/** A quarantine write: the entry (or, released, its tombstone) at a version higher than any before it. */
export function toQuarantineLine(q: QuarantinedEvent, version: bigint): string {
  const tenant = tenantOf(q.event);
  const row = {
    id: q.id,
    released: 0,
    received_at: q.receivedAt,
    batch_index: q.batchIndex,
    uuid: q.event.uuid,
    event: q.event.event,
    tenant_id: tenant ?? '',
    has_tenant: tenant === null ? 0 : 1,
    distinct_id: q.event.distinctId,
    timestamp: q.event.timestamp,
    properties: JSON.stringify(q.event.properties),
    issues: JSON.stringify(q.issues),
  };
  // A UInt64 beyond 2^53: written as digits, not through a JS number.
  return `{"version":${version},${JSON.stringify(row).slice(1)}`;
}

export function toReleaseLine(id: string, version: bigint): string {
  return `{"version":${version},"id":${JSON.stringify(id)},"released":1}`;
}

/** A quarantine entry as the reads select it: each column's latest value under a `q_` alias. */
export function toQuarantined(row: Record<string, unknown>): QuarantinedEvent {
  return {
    id: String(row.id),
    receivedAt: Number(row.q_received_at),
    batchIndex: Number(row.q_batch_index),
    event: {
      uuid: String(row.q_uuid),
      event: String(row.q_event),
      distinctId: String(row.q_distinct_id),
      timestamp: Number(row.q_timestamp),
      properties: JSON.parse(String(row.q_properties)) as Record<string, unknown>,
    },
    issues: JSON.parse(String(row.q_issues)) as SchemaIssue[],
  };
}

/**
 * Quarantine versions: microsecond-scaled wall time, strictly increasing within the process, so a later
 * write of an id (a re-quarantine, a release) always outranks an earlier one.
 */
export class VersionClock {
  private last = 0n;

  next(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last;
  }
}
