import type { CommittedBatch } from '../ingestion/event-stream.js';
import type { StoredEvent } from '../storage/event-store.js';

/** Bumped when the layout changes: a process refuses rows of a layout it does not know, naming it. */
const VERSION = 1;

type EventRow = [
  uuid: string,
  event: string,
  distinctId: string,
  timestamp: number,
  ingestedAt: number,
  tenantId: string | null,
  properties: Record<string, unknown>,
];

type BatchRow = [committedAt: number, events: EventRow[]];

/** Committed batches as one bus row: arrays, not objects, so the keys are not repeated per event. */
export function encodeBatches(batches: readonly CommittedBatch[]): string {
  const rows: BatchRow[] = batches.map((batch) => [
    batch.committedAt,
    batch.events.map((e) => [
      e.uuid,
      e.event,
      e.distinctId,
      e.timestamp,
      e.ingestedAt,
      e.tenantId,
      e.properties,
    ]),
  ]);
  return JSON.stringify({ v: VERSION, batches: rows });
}

/** A bus row back into batches, marked as another process's. */
export function decodeBatches(payload: string): CommittedBatch[] {
  const parsed = JSON.parse(payload) as { v?: unknown; batches?: BatchRow[] };
  if (parsed.v !== VERSION || !Array.isArray(parsed.batches))
    throw new Error(`an event bus row of layout ${String(parsed.v)} (this process reads layout ${VERSION})`);
  return parsed.batches.map(([committedAt, rows]) => ({
    committedAt,
    peer: true,
    events: rows.map(
      ([uuid, event, distinctId, timestamp, ingestedAt, tenantId, properties]): StoredEvent => ({
        uuid,
        event,
        distinctId,
        timestamp,
        properties,
        tenantId,
        ingestedAt,
      }),
    ),
  }));
}
