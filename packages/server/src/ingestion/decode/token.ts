import { CaptureError } from './capture-error.js';
import { trimRust } from './distinct-id.js';

/** Mirrors capture's `InvalidTokenReason`, rendered in "API key is not valid: <reason>". */
export type InvalidTokenReason = 'empty' | 'too_long' | 'not_ascii' | 'personal_api_key' | 'null_byte';

const MAX_TOKEN_BYTES = 64;

/**
 * Mirrors capture's token.rs `validate_token`: trims surrounding whitespace and checks the shape
 * only (not whether a project owns it). Returns the trimmed token.
 */
export function validateToken(token: string): string {
  const trimmed = trimRust(token);
  let reason: InvalidTokenReason | undefined;
  if (trimmed.length === 0) reason = 'empty';
  else if (Buffer.byteLength(trimmed, 'utf8') > MAX_TOKEN_BYTES) reason = 'too_long';
  else if (!isAscii(trimmed)) reason = 'not_ascii';
  else if (trimmed.startsWith('phx_')) reason = 'personal_api_key';
  else if (trimmed.includes('\0')) reason = 'null_byte';
  if (reason !== undefined) throw new CaptureError('invalid_token', `API key is not valid: ${reason}`);
  return trimmed;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Mirrors `RawEvent::extract_token`: the event's own `token` (aliases `$token`, `api_key`), else a
 * string `properties.token`. Capture refuses an event carrying two of the aliases (serde's
 * "duplicate field"); we take the first string in that order instead.
 */
export function eventToken(
  event: Record<string, unknown>,
  properties: Record<string, unknown> | undefined,
): string | undefined {
  const own = event.token ?? event.$token ?? event.api_key;
  if (typeof own === 'string') return own;
  const fromProperties = properties?.token;
  return typeof fromProperties === 'string' ? fromProperties : undefined;
}

/** One event's token source, as the resolver needs it. */
export interface TokenSource {
  source: Record<string, unknown>;
  properties: Record<string, unknown> | undefined;
}

/**
 * Mirrors utils.rs `extract_and_verify_token`: the batch envelope's token wins; otherwise the one
 * token the events agree on (distinct values, "" included, must number exactly one). As a harmless
 * superset, an old Django-style form field `api_key`/`token` is used when nothing else gave one.
 * Returns the token as sent: the caller checks it (`validateToken`, or which tokens it accepts).
 */
export function resolveToken(
  events: readonly TokenSource[],
  batchToken: string | undefined,
  formToken: string | undefined,
): string {
  if (batchToken !== undefined) return batchToken;
  let found: string | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as TokenSource;
    const token = eventToken(event.source, event.properties);
    if (token === undefined || token === found) continue;
    if (found !== undefined) {
      throw new CaptureError(
        'multiple_tokens',
        `batch submitted with inconsistent api_key values (batch index ${i} differs from an earlier event)`,
      );
    }
    found = token;
  }
  found ??= formToken;
  if (found === undefined) throw new CaptureError('no_token', 'event submitted without an api_key');
  return found;
}
