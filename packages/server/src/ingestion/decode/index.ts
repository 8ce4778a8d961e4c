import type { CapturedEvent } from '../captured-event.js';
import { batchIndexSuffix, CaptureError, parseFailed } from './capture-error.js';
import type { CaptureRequest, DecodeOptions, DecodedCapture } from './capture-request.js';
import { extractDistinctId, trimRust } from './distinct-id.js';
import { DEFAULT_MAX_EVENT_BYTES, readRequest } from './read-request.js';
import type { RawEvent } from './shapes.js';
import { parseQuerySentAt, resolveTimestamp } from './timestamp.js';
import { describePath, MAX_NESTING, unstorable } from './storable.js';
import { resolveToken, validateToken } from './token.js';
import { uuidv7 } from './uuid7.js';
import { yielder } from './yielder.js';

export { CaptureError, type CaptureErrorCode, type CaptureErrorStatus } from './capture-error.js';
export { validateToken } from './token.js';
export type { CaptureRequest, DecodeOptions, DecodedCapture, TokenCheck } from './capture-request.js';

export {
  DEFAULT_INLINE_BYTES,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_JSON_VALUES,
} from './read-request.js';

type JsonObject = Record<string, unknown>;

function integerOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Mirrors ingestion's `normalizeEvent`: top-level `$set`/`$set_once` merge into properties, top-level keys winning. */
function mergePersonUpdate(properties: JsonObject, key: '$set' | '$set_once', update: unknown): void {
  if (update === null || typeof update !== 'object') return;
  const existing = properties[key];
  properties[key] =
    existing !== null && typeof existing === 'object' && !Array.isArray(existing)
      ? { ...(existing as JsonObject), ...(update as JsonObject) }
      : update;
}

/** The token of a request whose events were all dropped; capture never reads it, so never fail. */
function tokenIfAny(
  events: RawEvent[],
  batchToken: string | undefined,
  formToken: string | undefined,
): string {
  try {
    return trimRust(resolveToken(events, batchToken, formToken));
  } catch {
    return '';
  }
}

/**
 * Decodes a PostHog v0 capture request (`/e`, `/i/v0/e`, `/batch`, `/capture`, `/track`,
 * `/engage`) into events, exactly as PostHog's Rust capture service accepts or refuses it
 * (docs/capture.md). Throws CaptureError (400/401/413) for anything capture
 * refuses; the first invalid event refuses the whole request, as in capture's v0 pipeline.
 */
export async function decodeCaptureRequest(
  request: CaptureRequest,
  options: DecodeOptions = {},
): Promise<DecodedCapture> {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const checkToken = options.checkToken ?? validateToken;
  const payload = await readRequest(request, options, checkToken);
  const { raw } = payload;
  // Mirrors `deserialize_beacon`: the integer 1 means "answer 204".
  const beaconParam = request.query.get('beacon');
  const beacon = beaconParam !== null && /^\+?0*1$/.test(beaconParam);

  // Mirrors `RawRequest::events`: `$performance_event`s are dropped; if nothing is left capture
  // answers 200 without looking further.
  let events = raw.events;
  if (events.some((event) => event.event === '$performance_event')) {
    events = events.filter((event) => event.event !== '$performance_event');
    if (events.length === 0) {
      return {
        token: tokenIfAny(raw.events, raw.batchToken, payload.formToken),
        events: [],
        historicalMigration: raw.historicalMigration,
        beacon,
      };
    }
  }

  const token = await checkToken(resolveToken(events, raw.batchToken, payload.formToken));
  const now = request.receivedAt;
  const sentAt = raw.sentAt ?? parseQuerySentAt(request.query);
  // Measuring every event would mean re-serializing it; a payload under the cap cannot hold an
  // event over it, so only oversized payloads pay for that.
  const measure = payload.byteLength > maxEventBytes;
  let oversized: { index: number; bytes: number } | undefined;

  const captured = new Array<CapturedEvent>(events.length);
  // A streamed payload holds up to thousands of events: let other requests in between them.
  const pause = payload.streamed ? yielder() : undefined;
  for (let i = 0; i < events.length; i++) {
    const paused = pause?.();
    if (paused) await paused;
    try {
      captured[i] = decodeEvent(events[i] as RawEvent, i);
    } catch (error) {
      // A distinct_id nested thousands of levels deep overflows the stack while it is stringified.
      if (error instanceof RangeError)
        throw parseFailed(
          `nested deeper than ${MAX_NESTING} levels${batchIndexSuffix(events[i]?.index ?? i)}`,
        );
      throw error;
    }
  }

  // Capture validates every event before producing any, then the producer refuses the big one.
  if (oversized !== undefined) {
    throw new CaptureError(
      'event_too_big',
      `maximum event size exceeded: event ${oversized.index} is ${oversized.bytes.toLocaleString('en-US')} bytes, limit ${maxEventBytes.toLocaleString('en-US')}`,
    );
  }
  return { token, events: captured, historicalMigration: raw.historicalMigration, beacon };

  function decodeEvent(event: RawEvent, i: number): CapturedEvent {
    const { source, properties } = event;
    // Per-event checks in `process_single_event` order: name, (timestamp), distinct_id, cookieless.
    if (event.event === '') {
      throw new CaptureError(
        'missing_event_name',
        `event submitted with an empty event name${batchIndexSuffix(event.index)}`,
      );
    }
    const timestamp = resolveTimestamp(
      {
        timestamp: source.timestamp,
        offset: source.offset,
        clockSkew:
          integerOrUndefined(source.$clock_skew) ??
          integerOrUndefined(source.clock_skew) ??
          integerOrUndefined(properties?.$clock_skew),
        ignoreSentAt: properties?.$ignore_sent_at === true,
        trackingDate: properties?.tracking_date,
      },
      now,
      sentAt,
    );
    const distinctId = extractDistinctId(source, properties);
    if (distinctId === undefined) {
      throw new CaptureError(
        'missing_distinct_id',
        `event submitted without a distinct_id${batchIndexSuffix(event.index)}`,
      );
    }
    const cookieless = properties?.$cookieless_mode;
    if (cookieless !== undefined && typeof cookieless !== 'boolean') {
      throw new CaptureError(
        'invalid_cookieless_mode',
        `event submitted with invalid cookieless mode${batchIndexSuffix(event.index)}`,
      );
    }
    if (measure && oversized === undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(source), 'utf8');
      if (bytes > maxEventBytes) oversized = { index: event.index ?? i, bytes };
    }

    const props = properties ?? {};
    if (source.$set !== undefined && source.$set !== null) mergePersonUpdate(props, '$set', source.$set);
    if (source.$set_once !== undefined && source.$set_once !== null) {
      mergePersonUpdate(props, '$set_once', source.$set_once);
    }
    // JS parses what PostHog's parser refuses (unpaired surrogates, 1e400, 4,000 levels): refuse it too,
    // rather than store something the store cannot hold or read back.
    const bad =
      unstorable(props) ??
      (event.event.isWellFormed() && distinctId.isWellFormed()
        ? undefined
        : { path: [], problem: 'lone surrogate in the event name or distinct_id' });
    if (bad)
      throw parseFailed(
        `${bad.problem} at ${describePath('properties', bad.path)}${batchIndexSuffix(event.index)}`,
      );
    return {
      uuid: event.uuid ?? uuidv7(now),
      event: event.event,
      distinctId,
      timestamp,
      properties: props,
    };
  }
}
