/** HTTP status a capture rejection maps to; PostHog's v0 routes use only these three for client errors. */
export type CaptureErrorStatus = 400 | 401 | 413;

/** Stable, machine-readable reason, so callers and tests need not match on message text. */
export type CaptureErrorCode =
  | 'empty_payload'
  | 'decode_failed'
  | 'parse_failed'
  | 'hydration_failed'
  | 'empty_batch'
  | 'missing_event_name'
  | 'missing_distinct_id'
  | 'invalid_cookieless_mode'
  | 'no_token'
  | 'multiple_tokens'
  | 'invalid_token'
  | 'unknown_token'
  | 'payload_too_big'
  | 'too_many_events'
  | 'event_too_big';

const STATUS: Record<CaptureErrorCode, CaptureErrorStatus> = {
  empty_payload: 400,
  decode_failed: 400,
  parse_failed: 400,
  hydration_failed: 400,
  empty_batch: 400,
  missing_event_name: 400,
  missing_distinct_id: 400,
  invalid_cookieless_mode: 400,
  no_token: 401,
  multiple_tokens: 401,
  invalid_token: 401,
  unknown_token: 401,
  payload_too_big: 413,
  too_many_events: 413,
  event_too_big: 413,
};

/**
 * A capture request PostHog would refuse. `message` is the plain-text response body: PostHog's
 * wording (its plain-text 4xx bodies) followed by where/why detail.
 */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly status: CaptureErrorStatus;

  constructor(
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Mirrors capture's `RequestDecodingError`: "failed to decode request: <detail>". */
export function decodeFailed(detail: string): CaptureError {
  return new CaptureError('decode_failed', `failed to decode request: ${detail}`);
}

/** Mirrors capture's `RequestParsingError`: "failed to parse request: <detail>". */
export function parseFailed(detail: string): CaptureError {
  return new CaptureError('parse_failed', `failed to parse request: ${detail}`);
}

/** Mirrors capture's `EventTooBig(String)`: "maximum event size exceeded: <detail>". */
export function payloadTooBig(detail: string): CaptureError {
  return new CaptureError('payload_too_big', `maximum event size exceeded: ${detail}`);
}

/** The per-request event cap (a 413, so posthog-node halves its batch and sends it again). */
export function tooManyEvents(max: number): CaptureError {
  return new CaptureError(
    'too_many_events',
    `maximum event size exceeded: more than ${max.toLocaleString('en-US')} events in one request; send them in smaller batches`,
  );
}

/** Where an event sits in a multi-event request, appended to per-event messages. */
export function batchIndexSuffix(index: number | undefined): string {
  return index === undefined ? '' : ` (batch index ${index})`;
}

/** A short, quoted excerpt of client input for error messages. */
export function excerpt(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
