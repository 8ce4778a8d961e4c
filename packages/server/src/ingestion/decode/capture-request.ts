import type { CapturedEvent } from '../captured-event.js';

/** A v0 capture request as the HTTP layer hands it over (no framework types). */
export interface CaptureRequest {
  method: 'GET' | 'POST';
  /** Request path without the query string, e.g. `/e/`, `/batch`, `/engage/`. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Raw body bytes as received; the HTTP layer has already enforced the 20 MiB wire cap. */
  body: Buffer | undefined;
  /** The server's "now", epoch ms. */
  receivedAt: number;
}

/** A decoded request: what PostHog's capture would accept from it. */
export interface DecodedCapture {
  /** The project token, trimmed ("" when `events` is empty: capture answers 200 before reading it). */
  token: string;
  /** Empty when the request held only `$performance_event`s, which capture drops with a 200. */
  events: CapturedEvent[];
  historicalMigration: boolean;
  /** `beacon=1` in the query: answer 204 instead of 200. */
  beacon: boolean;
}

/**
 * Checks the request's token as sent and returns it trimmed, or throws a CaptureError (401) to refuse
 * the request. Called as soon as a token is seen in a large payload, and again once it is resolved.
 */
export type TokenCheck = (token: string) => string | Promise<string>;

/** Limits (injectable so tests can exercise them cheaply) and the token check. */
export interface DecodeOptions {
  /** Cap on decompressed/decoded payload bytes; default 100 MiB (capture: 5 × the 20 MiB body cap). */
  maxDecompressedBytes?: number;
  /** Cap on one event's JSON size; default 1,000,000 bytes (Kafka's default `message.max.bytes`). */
  maxEventBytes?: number;
  /** Cap on events in one request; default 10,000. */
  maxEvents?: number;
  /** Cap on JSON values (objects, arrays, list items) in one request; default 1,000,000. */
  maxJsonValues?: number;
  /** Payloads up to this many decompressed bytes decode in one go; larger ones are streamed. */
  inlineBytes?: number;
  /** Default: PostHog's shape check (`validateToken`), which accepts any well-formed token. */
  checkToken?: TokenCheck;
}
