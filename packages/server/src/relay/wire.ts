import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { CapturedEvent } from '../ingestion/captured-event.js';

const gzipAsync = promisify(gzip);

/**
 * One event as PostHog's batch endpoint reads it: uuid (PostHog deduplicates a re-sent one), name,
 * distinct_id, properties, and the timestamp Pulse resolved at capture. No `sent_at` goes with the batch,
 * so PostHog takes that timestamp as it is instead of correcting it against the relay's clock.
 */
export function posthogEventJson(event: CapturedEvent): string {
  return JSON.stringify({
    uuid: event.uuid,
    event: event.event,
    distinct_id: event.distinctId,
    timestamp: new Date(event.timestamp).toISOString(),
    properties: event.properties,
  });
}

/**
 * The `/batch/` envelope with the project token as api_key, gzipped. Sent with `Content-Encoding: gzip`
 * as posthog-node does for server-side batches: a standard header proxies understand, which PostHog's
 * capture reads the same as its `?compression=gzip-js` hint (and it sniffs the gzip magic as well).
 */
export async function batchBody(apiKey: string, events: readonly string[]): Promise<Buffer> {
  // The fastest level: a batch is compressed once per send, on the critical path; it still shrinks ~5×.
  return gzipAsync(`{"api_key":${JSON.stringify(apiKey)},"batch":[${events.join(',')}]}`, {
    level: constants.Z_BEST_SPEED,
  });
}
