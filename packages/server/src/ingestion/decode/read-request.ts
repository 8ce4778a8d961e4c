import { concurrencyGate } from '../../concurrency-gate.js';
import { CaptureError, tooManyEvents } from './capture-error.js';
import type { CaptureRequest, DecodeOptions, TokenCheck } from './capture-request.js';
import { decompressPayload, locatePayload, streamPayload } from './payload.js';
import { matchRequest, parseRawRequest, type RawRequest } from './shapes.js';
import { MAX_NESTING } from './storable.js';

/** Capture's decompressed-payload budget: 5 × the 20 MiB body limit (setup.rs). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024;
/** Kafka's default `message.max.bytes`, which bounds one event in PostHog. */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;
/**
 * PostHog sets no event count; 100 times the batches the SDKs send (posthog-node `maxBatchSize` and
 * posthog-python `flush_at` both default to 100) leaves room for any real batch and bounds the work.
 */
export const DEFAULT_MAX_EVENTS = 10_000;
/**
 * 100 values per event at the event cap (a 100-event SDK batch holds a few thousand): what parsing
 * allocates is bounded by it, ~100 MB at most.
 */
export const DEFAULT_MAX_JSON_VALUES = 1_000_000;
/** Up to this size a payload is decompressed and parsed at once (a few ms); larger ones are streamed. */
export const DEFAULT_INLINE_BYTES = 256 * 1024;
/**
 * serde_json's 128 levels, counted from the payload root: an envelope, its batch and an event hold
 * `properties`, whose own nesting the per-event check limits to MAX_NESTING.
 */
const MAX_PAYLOAD_DEPTH = MAX_NESTING + 3;

/** Streamed decodes at once, each holding up to its budget of parsed values; more wait their turn. */
const inStreamSlot = concurrencyGate(2, Infinity, 'streamed capture decodes');

export interface ReadRequest {
  raw: RawRequest;
  /** Decompressed payload bytes. */
  byteLength: number;
  formToken: string | undefined;
  /** Whether the payload was large enough to be streamed (per-event work then yields too). */
  streamed: boolean;
}

/**
 * Decompresses and parses a capture request. A small payload is handled in one go, as before; one
 * that decompresses past `inlineBytes` is read again as a stream, value by value, so that no request
 * holds the event loop for long and the limits refuse it as soon as they are passed.
 */
export async function readRequest(
  request: CaptureRequest,
  options: DecodeOptions,
  checkToken: TokenCheck,
): Promise<ReadRequest> {
  const limit = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  const inline = Math.min(limit, options.inlineBytes ?? DEFAULT_INLINE_BYTES);
  const located = locatePayload(request);
  try {
    const payload = await decompressPayload(located, inline);
    const raw = parseRawRequest(payload.text, request.path);
    if (raw.events.length > maxEvents) throw tooManyEvents(maxEvents);
    return { raw, byteLength: payload.byteLength, formToken: located.formToken, streamed: false };
  } catch (error) {
    if (!(error instanceof CaptureError && error.code === 'payload_too_big' && inline < limit)) throw error;
  }
  const body = await inStreamSlot(() =>
    streamPayload(located, {
      limit,
      limits: {
        maxDepth: MAX_PAYLOAD_DEPTH,
        maxEvents,
        maxValues: options.maxJsonValues ?? DEFAULT_MAX_JSON_VALUES,
        maxValueBytes: 2 * (options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES),
      },
      checkToken,
    }),
  );
  const raw =
    'parsed' in body ? matchRequest(body.parsed, request.path) : parseRawRequest(body.text, request.path);
  if (raw.events.length > maxEvents) throw tooManyEvents(maxEvents);
  return { raw, byteLength: body.byteLength, formToken: located.formToken, streamed: true };
}
