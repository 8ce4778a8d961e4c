import { isUtf8 } from 'node:buffer';
import { gunzip } from 'node:zlib';

import { CaptureError, decodeFailed, payloadTooBig } from './capture-error.js';
import { decodeBase64Strict, isLikelyBase64, isLikelyUrlencodedForm } from './base64.js';
import type { CaptureRequest } from './capture-request.js';
import { decompressLzBase64, decompressLzBase64Async, type LzResult } from './lz-string.js';
import {
  describeBytes,
  gunzipChunks,
  readStreamed,
  sliceChunks,
  type StreamedBody,
  type StreamedOptions,
} from './streamed.js';
import { yielder } from './yielder.js';

/** The request text, ready for JSON parsing. */
export interface DecodedPayload {
  text: string;
  /** UTF-8 size of `text`. */
  byteLength: number;
}

type Compression = 'gzip' | 'lz-string' | 'base64' | undefined;

/** The bytes to decompress and how, found without decompressing anything. */
export interface LocatedPayload {
  bytes: Buffer;
  compression: Compression;
  path: string;
  /** A Django-style form `api_key`/`token` field, the token of last resort. */
  formToken: string | undefined;
}

const FORM_MIME_TYPE = 'application/x-www-form-urlencoded';

/**
 * Mirrors the `Compression` deserializer, case-insensitive for query and form values; capture
 * matches the Content-Encoding header case-sensitively (`extract_compression`).
 */
function parseCompression(value: string | null | undefined, caseSensitive = false): Compression {
  switch (caseSensitive ? value : value?.toLowerCase()) {
    case 'gzip':
    case 'gzip-js':
      return 'gzip';
    case 'lz64':
    case 'lz-string':
      return 'lz-string';
    case 'base64':
    case 'b64':
      return 'base64';
    default:
      return undefined;
  }
}

/**
 * Mirrors capture's paths with legacy special-casing (`path_is_legacy_endpoint`): only these get a
 * second base64 pass after decompression.
 */
function isLegacyPath(path: string): boolean {
  return (
    path === '/e' ||
    path.startsWith('/e/') ||
    path.startsWith('/e?') ||
    path.startsWith('/capture') ||
    path.startsWith('/engage') ||
    path.startsWith('/track')
  );
}

/** Inflates a small payload in one go (zlib's threadpool); `limit` is small, larger ones are streamed. */
async function gunzipCapped(bytes: Buffer, limit: number): Promise<Buffer> {
  // Output chunks sized to the expected output (JSON inflates ~5-10x) keep a big body from taking
  // thousands of threadpool round trips of the default 16 KiB, without a 1 MiB buffer per small one.
  const chunkSize = Math.min(
    1024 * 1024,
    Math.max(16 * 1024, 2 ** Math.ceil(Math.log2(bytes.length * 8 + 1))),
  );
  return new Promise((resolve, reject) => {
    gunzip(bytes, { maxOutputLength: limit, chunkSize }, (error, out) => {
      if (error === null) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(payloadTooBig(`decompressed payload over ${describeBytes(limit)}`));
      } else reject(decodeFailed(`invalid GZIP data (${error.message})`));
    });
  });
}

/** Rust's `String::from_utf16` refuses unpaired surrogates; JS strings allow them. */
function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (code > 0xdbff) return true;
    const next = text.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}

/**
 * Finds the bytes to decompress, in capture's order (reference/posthog-protocol.md §1.2 steps 1-5,
 * `extract_payload_bytes`): cheap, nothing is decompressed yet.
 */
export function locatePayload(request: CaptureRequest): LocatedPayload {
  // 1. A non-empty `data` query parameter (legacy GET) wins over the body.
  const queryData = request.query.get('data');
  let payload: Buffer;
  if (queryData !== null && queryData !== '') payload = Buffer.from(queryData, 'utf8');
  else if (request.body !== undefined && request.body.length > 0) payload = request.body;
  else throw new CaptureError('empty_payload', 'request missing data payload');

  // 2. Optimistic unwrap of a body that is entirely base64 (and not a form); keep it if invalid.
  if (isLikelyBase64(payload) && !isLikelyUrlencodedForm(payload)) {
    payload = decodeBase64Strict(payload) ?? payload;
  }

  // 3. Form bodies. Capture matches the exact MIME type. Another spelling of it (parameters, case)
  // is also read as a form when the payload looks like one: a harmless superset, since capture
  // answers 400 for such a payload anyway (it is neither JSON nor base64).
  let formData: string | null = null;
  let formCompression: string | null = null;
  let formToken: string | undefined;
  const exactForm = request.contentType === FORM_MIME_TYPE;
  if (exactForm || request.contentType?.split(';')[0]?.trim().toLowerCase() === FORM_MIME_TYPE) {
    if (isLikelyUrlencodedForm(payload)) {
      const form = new URLSearchParams(payload.toString('utf8'));
      formData = form.get('data');
      formCompression = form.get('compression');
      formToken = form.get('api_key') ?? form.get('token') ?? undefined;
      // The '+' of base64 data became ' ' in URL decoding: put them back.
      if (formData !== null && isLikelyBase64(formData, true)) formData = formData.replaceAll(' ', '+');
    } else if (exactForm) {
      throw decodeFailed('expected form data in POST request payload');
    }
  }

  // 4. Compression hint: the first recognised of query, form, Content-Encoding.
  const compression =
    parseCompression(request.query.get('compression')) ??
    parseCompression(formCompression) ??
    parseCompression(request.contentEncoding, true);

  // 5. The bytes to decompress: form `data` if present, else the (unwrapped) body.
  const bytes = formData !== null ? Buffer.from(formData, 'utf8') : payload;
  return { bytes, compression, path: request.path, formToken };
}

const isGzip = (located: LocatedPayload) =>
  located.compression === 'gzip' || (located.bytes[0] === 0x1f && located.bytes[1] === 0x8b);

const GZIP_NOT_UTF8 = 'invalid gzip data (the decompressed bytes are not UTF-8)';
const NOT_UTF8 = 'invalid UTF8 in request payload';

function lzText(result: LzResult, limit: number): string {
  if (result === 'too_big') throw payloadTooBig(`decompressed LZ64 payload over ${describeBytes(limit)}`);
  if (result === 'invalid') throw decodeFailed('decompress_lz64: failed decompress to UTF16');
  if (hasLoneSurrogate(result.text)) throw decodeFailed('decompress_lz64: failed UTF16 to UTF8 conversion');
  return result.text;
}

/** 7. Legacy endpoints: a payload still base64 after decompression is decoded once more. */
function legacyUnwrap(path: string, text: string, limit: number): Buffer | undefined {
  if (!isLegacyPath(path) || !isLikelyBase64(text)) return undefined;
  const unwrapped = decodeBase64Strict(text);
  if (unwrapped === undefined || !isUtf8(unwrapped)) return undefined;
  if (unwrapped.length > limit) throw payloadTooBig(`base64-decoded payload over ${describeBytes(limit)}`);
  return unwrapped;
}

/**
 * Turns a located payload into JSON text in one go (§1.2 steps 6-7, `decompress_payload`). `limit`
 * caps every decompressed or decoded size; payloads over it are refused with `payload_too_big`.
 */
export async function decompressPayload(located: LocatedPayload, limit: number): Promise<DecodedPayload> {
  const { bytes } = located;
  // 6. Decompress: gzip by hint or magic bytes, lz-string by hint, else UTF-8 text.
  let text: string;
  let byteLength: number;
  if (isGzip(located)) {
    const out = await gunzipCapped(bytes, limit);
    if (!isUtf8(out)) throw decodeFailed(GZIP_NOT_UTF8);
    text = out.toString('utf8');
    byteLength = out.length;
  } else if (located.compression === 'lz-string') {
    // The cap counts UTF-16 units against a byte limit, as capture does: UTF-8 is never shorter.
    text = lzText(decompressLzBase64(bytes.toString('utf8'), limit), limit);
    byteLength = Buffer.byteLength(text, 'utf8');
    if (byteLength > limit) throw payloadTooBig(`decompressed LZ64 payload over ${describeBytes(limit)}`);
  } else {
    if (!isUtf8(bytes)) throw decodeFailed(NOT_UTF8);
    if (bytes.length > limit) throw payloadTooBig(`payload over ${describeBytes(limit)}`);
    text = bytes.toString('utf8');
    byteLength = bytes.length;
  }
  const unwrapped = legacyUnwrap(located.path, text, limit);
  return unwrapped
    ? { text: unwrapped.toString('utf8'), byteLength: unwrapped.length }
    : { text, byteLength };
}

/**
 * The same steps as `decompressPayload` for a payload too large to handle in one go: decompressed in
 * chunks and parsed value by value as it comes (streamed.ts), under the request limits.
 */
export async function streamPayload(
  located: LocatedPayload,
  options: Omit<StreamedOptions, 'utf8Error' | 'what'>,
): Promise<StreamedBody> {
  const { bytes } = located;
  const gzip = isGzip(located);
  const source = gzip
    ? gunzipChunks(bytes)
    : sliceChunks(
        located.compression === 'lz-string'
          ? Buffer.from(
              lzText(
                await decompressLzBase64Async(bytes.toString('utf8'), options.limit, yielder()),
                options.limit,
              ),
              'utf8',
            )
          : bytes,
      );
  const first = await readStreamed(source, {
    ...options,
    utf8Error: gzip ? GZIP_NOT_UTF8 : NOT_UTF8,
    what: gzip ? 'decompressed payload' : 'payload',
  });
  const unwrapped = 'text' in first ? legacyUnwrap(located.path, first.text, options.limit) : undefined;
  if (!unwrapped) return first;
  return readStreamed(sliceChunks(unwrapped), {
    ...options,
    utf8Error: NOT_UTF8,
    what: 'base64-decoded payload',
  });
}
