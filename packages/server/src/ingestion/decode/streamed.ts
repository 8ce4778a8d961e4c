import { createGunzip } from 'node:zlib';

import type { TokenCheck } from './capture-request.js';
import { decodeFailed, parseFailed, payloadTooBig } from './capture-error.js';
import { describeJsonError } from './json-error.js';
import { JsonOutline, type OutlineLimits, type Span } from './outline.js';
import { eventToken } from './token.js';
import { yielder } from './yielder.js';

/** Decompressed bytes as they come: gzip inflated in chunks off the main thread, or a buffer sliced. */
export type ByteSource = AsyncIterable<Buffer>;

const SLICE_BYTES = 64 * 1024;

export async function* gunzipChunks(bytes: Buffer): ByteSource {
  const gunzip = createGunzip({ chunkSize: 16 * 1024 });
  gunzip.end(bytes);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw decodeFailed(`invalid GZIP data (${(error as Error).message})`);
  }
}

export async function* sliceChunks(bytes: Buffer): ByteSource {
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES);
}

/** The chunks still needed: the ones holding a value being read (earlier ones are dropped as it goes). */
class Chunks {
  private readonly list: Buffer[] = [];
  private first = 0;
  /** Payload offset of `list[0]`. */
  private base = 0;
  length = 0;

  append(chunk: Buffer): void {
    this.list.push(chunk);
    this.length += chunk.length;
  }

  slice(start: number, end: number): Buffer {
    let at = this.base;
    let i = this.first;
    while (at + (this.list[i] as Buffer).length <= start) at += (this.list[i++] as Buffer).length;
    const head = this.list[i] as Buffer;
    if (end - at <= head.length) return head.subarray(start - at, end - at);
    const parts: Buffer[] = [];
    for (; at < end; at += (this.list[i++] as Buffer).length) {
      const chunk = this.list[i] as Buffer;
      parts.push(chunk.subarray(Math.max(0, start - at), Math.min(chunk.length, end - at)));
    }
    return Buffer.concat(parts);
  }

  /** Drops whole chunks before `offset`. */
  release(offset: number): void {
    while (this.first < this.list.length && this.base + (this.list[this.first] as Buffer).length <= offset) {
      this.base += (this.list[this.first] as Buffer).length;
      this.list[this.first++] = Buffer.alloc(0);
    }
  }

  all(): Buffer {
    return Buffer.concat(this.list.slice(this.first));
  }
}

/** A JSON.parse error of one value, placed in the whole payload (serde's "… at line L column C"). */
function placeError(text: string, span: Span): string {
  const described = describeJsonError(text) ?? 'invalid JSON';
  const match = /^(.*) at line (\d+) column (\d+)$/.exec(described);
  if (!match) return described;
  const line = Number(match[2]);
  const column = Number(match[3]);
  return line === 1
    ? `${match[1]} at line ${span.line} column ${span.column + column - 1}`
    : `${match[1]} at line ${span.line + line - 1} column ${column}`;
}

/** The parsed payload, or its text when it is not a JSON object or array (left to the exact parser). */
export type StreamedBody = { parsed: unknown; byteLength: number } | { text: string; byteLength: number };

export interface StreamedOptions {
  limit: number;
  limits: OutlineLimits;
  /** The decode error for bytes that are not UTF-8. */
  utf8Error: string;
  /** What the payload is called when it passes `limit` ("decompressed payload"). */
  what: string;
  /** Checks a token as soon as one is seen; throws to refuse the request then and there. */
  checkToken?: TokenCheck | undefined;
}

/**
 * Reads a large payload chunk by chunk, never holding the event loop for long: each top-level value is
 * parsed once complete, the token is checked as soon as it is seen, and the request limits end the read
 * the moment they are passed (a bomb is refused after a few kilobytes, not after 100 MiB).
 */
export async function readStreamed(source: ByteSource, options: StreamedOptions): Promise<StreamedBody> {
  const chunks = new Chunks();
  const members: [string, unknown][] = [];
  let events: unknown[] = [];
  let tokenSeen: string | undefined;
  let tokenToCheck: string | undefined;
  const seeToken = (token: unknown) => {
    if (typeof token !== 'string' || tokenSeen !== undefined) return;
    tokenSeen = token;
    tokenToCheck = token;
    outline.pause();
  };

  const parse = (span: Span): unknown => {
    const text = chunks.slice(span.start, span.end).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw parseFailed(placeError(text, span));
    }
  };
  const outline = new JsonOutline(options.limits, {
    key: (span) => parse(span) as string,
    member: (key, span) => {
      const value = parse(span);
      if (key === 'token' || key === 'api_key') seeToken(value);
      members.push([key, value]);
    },
    eventList: () => {
      events = [];
      members.push(['batch', events]);
    },
    event: (span, index) => {
      const value = parse(span);
      if (outline.root === 'array' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const event = value as Record<string, unknown>;
        const properties = event.properties;
        seeToken(
          eventToken(
            event,
            properties !== null && typeof properties === 'object'
              ? (properties as Record<string, unknown>)
              : undefined,
          ),
        );
      }
      events[index] = value;
    },
  });

  // Capture refuses a payload that is not UTF-8 before parsing it: check each chunk before outlining it.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const pause = yielder();
  for await (const chunk of source) {
    if (chunks.length + chunk.length > options.limit)
      throw payloadTooBig(`${options.what} over ${describeBytes(options.limit)}`);
    try {
      utf8.decode(chunk, { stream: true });
    } catch {
      throw decodeFailed(options.utf8Error);
    }
    chunks.append(chunk);
    for (let at = 0; at < chunk.length;) {
      at = outline.push(chunk, at);
      if (tokenToCheck !== undefined) {
        const token = tokenToCheck;
        tokenToCheck = undefined;
        await options.checkToken?.(token);
      }
    }
    if (!outline.notContainer) chunks.release(outline.neededFrom);
    await pause();
  }
  try {
    utf8.decode();
  } catch {
    throw decodeFailed(options.utf8Error);
  }
  outline.end();
  if (outline.notContainer) {
    const all = chunks.all();
    return { text: all.toString('utf8'), byteLength: all.length };
  }
  if (outline.root === 'array') return { parsed: events, byteLength: chunks.length };
  const object: Record<string, unknown> = {};
  // defineProperty, as JSON.parse does: a "__proto__" key is a property, not the prototype.
  for (const [key, value] of members)
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return { parsed: object, byteLength: chunks.length };
}

export function describeBytes(limit: number): string {
  return limit % (1024 * 1024) === 0
    ? `${limit / (1024 * 1024)} MiB`
    : `${limit.toLocaleString('en-US')} bytes`;
}
