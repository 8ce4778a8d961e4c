import { batchIndexSuffix, CaptureError, excerpt, parseFailed } from './capture-error.js';
import { describeJsonError } from './json-error.js';
import { parseEnvelopeSentAt } from './timestamp.js';
import { normalizeUuid } from './uuid.js';

type JsonObject = Record<string, unknown>;

/** One event as parsed, before per-event processing. The parsed object is reused, never copied. */
export interface RawEvent {
  /** The event object from the payload. */
  source: JsonObject;
  /** Its `properties` object, if it had one. */
  properties: JsonObject | undefined;
  /** Event name: the `event` field, or `$identify` for an engage body. */
  event: string;
  /** The `uuid`, normalized, or undefined when absent or "". */
  uuid: string | undefined;
  /** Position in the payload's event list, for messages; undefined for a single-event body. */
  index: number | undefined;
}

/** A request body resolved to its shape (a batch, a list, one event, an engage update). */
export interface RawRequest {
  events: RawEvent[];
  /** The batch envelope's `api_key`/`token`; overrides per-event tokens. */
  batchToken: string | undefined;
  /** The batch envelope's `sent_at`, epoch ms, when it parses. */
  sentAt: number | undefined;
  historicalMigration: boolean;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object') return 'a map';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean';
}

function notStringOrNull(object: JsonObject, key: string): string | undefined {
  const field = object[key];
  return field === undefined || field === null || typeof field === 'string'
    ? undefined
    : `\`${key}\` must be a string, got ${typeName(field)}`;
}

function notMapOrNull(object: JsonObject, key: string): string | undefined {
  const field = object[key];
  return field === undefined || field === null || isObject(field)
    ? undefined
    : `\`${key}\` must be a map, got ${typeName(field)}`;
}

/**
 * Checks an event object the way serde deserializes capture's `RawEvent` (`RawEngageEvent` when
 * `requireEvent` is false) and builds its RawEvent; returns a problem description instead when the
 * object would not deserialize. Unknown fields are ignored, as serde does.
 */
function readEvent(value: unknown, requireEvent: boolean, index: number | undefined): RawEvent | string {
  if (!isObject(value)) return `expected an event object, got ${typeName(value)}`;
  const name = value.event;
  if (requireEvent && typeof name !== 'string') {
    return name === undefined ? 'missing field `event`' : `\`event\` must be a string, got ${typeName(name)}`;
  }
  // Unrolled field checks: this runs once per event on the hot path.
  const stringProblem =
    notStringOrNull(value, 'token') ??
    notStringOrNull(value, '$token') ??
    notStringOrNull(value, 'api_key') ??
    notStringOrNull(value, 'timestamp');
  if (stringProblem !== undefined) return stringProblem;
  const properties = value.properties;
  if (properties !== undefined && !isObject(properties)) {
    return `\`properties\` must be a map, got ${typeName(properties)}`;
  }
  const mapProblem = notMapOrNull(value, '$set') ?? notMapOrNull(value, '$set_once');
  if (mapProblem !== undefined) return mapProblem;
  const offset = value.offset;
  // serde reads `offset` as an i64: fractions and out-of-range values do not deserialize.
  if (
    offset !== undefined &&
    offset !== null &&
    !(Number.isInteger(offset) && Math.abs(offset as number) < 2 ** 63)
  ) {
    return `\`offset\` must be an integer, got ${excerpt(offset)}`;
  }
  // Mirrors `empty_string_uuid_is_none` + `Uuid::parse_str`: "" or null = absent.
  const rawUuid = value.uuid;
  let uuid: string | undefined;
  if (rawUuid !== undefined && rawUuid !== null && rawUuid !== '') {
    if (typeof rawUuid !== 'string') return `\`uuid\` must be a string, got ${typeName(rawUuid)}`;
    uuid = normalizeUuid(rawUuid);
    if (uuid === undefined) return `invalid uuid ${excerpt(rawUuid)}`;
  }
  return {
    source: value,
    properties,
    event: typeof name === 'string' ? name : '$identify',
    uuid,
    index,
  };
}

/** Reads every element of a batch array; the first bad one fails the request. */
function readEvents(items: unknown[], where: string): RawEvent[] | string {
  const events = new Array<RawEvent>(items.length);
  for (let i = 0; i < items.length; i++) {
    const event = readEvent(items[i], true, i);
    if (typeof event === 'string')
      return `${event}${where === '' ? '' : ` in ${where}`}${batchIndexSuffix(i)}`;
    events[i] = event;
  }
  return events;
}

const NOT_A_BATCH = { batchToken: undefined, sentAt: undefined, historicalMigration: false };

/**
 * Parses the JSON once and matches it against capture's untagged `RawRequest`, first match wins:
 * Array → Batch → One → Engage (v0_request.rs). Then mirrors `RawRequest::events`: an engage body
 * is accepted only on `/engage` (as `$identify`), and an empty list is refused.
 */
export function parseRawRequest(text: string, path: string): RawRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw parseFailed(describeJsonError(text) ?? (error as Error).message);
  }
  return matchRequest(body, path);
}

/** Matches an already parsed payload (see parseRawRequest). */
export function matchRequest(body: unknown, path: string): RawRequest {
  const request = matchShape(body, path);
  if (request.events.length === 0) throw new CaptureError('empty_batch', 'request holds no event');
  return request;
}

function matchShape(body: unknown, path: string): RawRequest {
  if (Array.isArray(body)) {
    const events = readEvents(body, '');
    if (typeof events === 'string') throw parseFailed(events);
    return { events, ...NOT_A_BATCH };
  }
  if (!isObject(body))
    throw parseFailed(`expected an event, a list of events or a batch, got ${typeName(body)}`);

  // Shape B: the envelope needs a string token (`token`, alias `api_key`) to match at all.
  const token = body.token ?? body.api_key;
  let batchProblem: string | undefined;
  if (typeof token === 'string' && body.batch !== undefined) {
    const { batch, sent_at: sentAt, historical_migration: historical } = body;
    if (!Array.isArray(batch)) batchProblem = `\`batch\` must be a sequence, got ${typeName(batch)}`;
    else if (sentAt !== undefined && sentAt !== null && typeof sentAt !== 'string') {
      batchProblem = `\`sent_at\` must be a string, got ${typeName(sentAt)}`;
    } else if (historical !== undefined && historical !== null && typeof historical !== 'boolean') {
      batchProblem = `\`historical_migration\` must be a boolean, got ${typeName(historical)}`;
    } else {
      const events = readEvents(batch, '`batch`');
      if (typeof events !== 'string') {
        return {
          events,
          batchToken: token,
          sentAt: parseEnvelopeSentAt(sentAt),
          historicalMigration: historical === true,
        };
      }
      batchProblem = events;
    }
  }

  // Shape A: a single event.
  if (typeof body.event === 'string') {
    const event = readEvent(body, true, undefined);
    if (typeof event === 'string') throw parseFailed(event);
    return { events: [event], ...NOT_A_BATCH };
  }
  // An envelope whose batch is bad would fall through to Shape D in capture and end in a
  // misleading "missing event name" (or "no distinct_id" on /engage); name the real problem.
  if (batchProblem !== undefined) throw parseFailed(batchProblem);

  // Shape D: engage, an event without a name.
  const engage = readEvent(body, false, undefined);
  if (typeof engage === 'string') throw parseFailed(engage);
  if (!path.startsWith('/engage')) {
    const hint =
      body.batch !== undefined
        ? ' (an object with `batch` is a batch envelope only with a string `api_key` or `token`)'
        : '';
    throw new CaptureError(
      'hydration_failed',
      `failed to hydrate events from request: non-engage request missing event name attribute${hint}`,
    );
  }
  return { events: [engage], ...NOT_A_BATCH };
}
