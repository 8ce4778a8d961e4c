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
 * Finds the bytes to decompress, in PostHog capture's order (its `extract_payload_bytes`: query `data`,
 * form field, body): cheap, nothing is decompressed yet.
 */
export function locatePayload(request: CaptureRequest): LocatedPayload {
  // 1. A non-empty `data` query parameter (legacy GET) wins over the body.
  const queryData = request.query.get('data');
  let payload: Buffer;
  if (queryData !== null && queryData !== '') payload = Buffer.from(queryData, 'utf8');
  else if (request.body !== undefined && request.body.length > 0) payload = request.body;
  else throw new CaptureError('empty_payload', 'request missing data payload');

  // 2. Optimistic unwrap of a body that is entirely base64 (and not a form); keep it if invalid. Not
  // under an lz64 hint: lz-string's text is base64's alphabet, and unwrapping it would garble it.
  const queryHint = parseCompression(request.query.get('compression'));
  const lzHinted = (queryHint ?? parseCompression(request.contentEncoding, true)) === 'lz-string';
  if (!lzHinted && isLikelyBase64(payload) && !isLikelyUrlencodedForm(payload)) {
    payload = decodeBase64Strict(payload) ?? payload;
  }

  // 3. Form bodies. Capture reads a form only under the exact form MIME type, and refuses that type on
  // a body that is not a form. Pulse goes by the body (a harmless superset: capture answers 400 to
  // both): a payload that looks like a form is read as one under any content type (unless it is JSON,
  // which may hold "&data=" in a string), and a form content type on any other body is ignored.
  let formData: string | null = null;
  let formCompression: string | null = null;
  let formToken: string | undefined;
  const formType = request.contentType?.split(';')[0]?.trim().toLowerCase() === FORM_MIME_TYPE;
  if (isLikelyUrlencodedForm(payload) && (formType || !looksLikeJson(payload))) {
    const form = new URLSearchParams(payload.toString('utf8'));
    formData = form.get('data');
    formCompression = form.get('compression');
    formToken = form.get('api_key') ?? form.get('token') ?? undefined;
    // The '+' of base64 data became ' ' in URL decoding: put them back.
    if (formData !== null && isLikelyBase64(formData, true)) formData = formData.replaceAll(' ', '+');
  }

  // 4. Compression hint: the first recognised of query, form, Content-Encoding.
  const compression =
    queryHint ?? parseCompression(formCompression) ?? parseCompression(request.contentEncoding, true);

  // 5. The bytes to decompress: form `data` if present, else the (unwrapped) body.
  const bytes = formData !== null ? Buffer.from(formData, 'utf8') : payload;
  return { bytes, compression, path: request.path, formToken };
}

const hasGzipMagic = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

/** JSON text opens with `{` or `[`: never a character of lz-string's or base64's alphabet. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}

/**
 * How to decompress, decided by the bytes; the hint only breaks a tie. Capture inflates whenever the
 * hint says gzip, and answers 400 "invalid GZIP data" when the bytes are not gzip (older posthog-js
 * sent `?compression=gzip-js` on base64 form bodies too). Pulse inflates when the bytes start with
 * gzip's magic, whatever the hint, and reads other bytes as if there were no hint: a gzip stream
 * always starts with the magic, so no body capture accepts is read differently.
 */
function decoderFor(located: LocatedPayload): 'gzip' | 'lz-string' | 'text' {
  if (hasGzipMagic(located.bytes)) return 'gzip';
  return located.compression === 'lz-string' && !looksLikeJson(located.bytes) ? 'lz-string' : 'text';
}

/**
 * lz-string that fails, or yields something other than JSON, on bytes that are base64 was a base64
 * body under the wrong hint: read as text, its base64 is decoded (step 7).
 */
const lzMislabelled = (result: LzResult, bytes: Buffer) =>
  (result === 'invalid' || (result !== 'too_big' && !looksLikeJson(Buffer.from(result.text.slice(0, 64))))) &&
  isLikelyBase64(bytes);

const GZIP_NOT_UTF8 = 'invalid gzip data (the decompressed bytes are not UTF-8)';
const NOT_UTF8 = 'invalid UTF8 in request payload';

function lzText(result: LzResult, limit: number): string {
  if (result === 'too_big') throw payloadTooBig(`decompressed LZ64 payload over ${describeBytes(limit)}`);
  if (result === 'invalid') throw decodeFailed('decompress_lz64: failed decompress to UTF16');
  if (hasLoneSurrogate(result.text)) throw decodeFailed('decompress_lz64: failed UTF16 to UTF8 conversion');
  return result.text;
}

/**
 * 7. A payload still base64 after decompression is decoded once more: on legacy endpoints, as capture
 * does, and (by the body) on any endpoint when a hint named an encoding, which the body may not have
 * had. Base64 of gzip is inflated: `gzip` says so.
 */
function unwrapBase64(
  located: LocatedPayload,
  text: string,
  limit: number,
): { bytes: Buffer; gzip: boolean } | undefined {
  if (!(isLegacyPath(located.path) || located.compression !== undefined) || !isLikelyBase64(text))
    return undefined;
  const unwrapped = decodeBase64Strict(text);
  if (unwrapped === undefined) return undefined;
  const gzip = hasGzipMagic(unwrapped);
  if (!gzip && !isUtf8(unwrapped)) return undefined;
  if (unwrapped.length > limit) throw payloadTooBig(`base64-decoded payload over ${describeBytes(limit)}`);
  return { bytes: unwrapped, gzip };
}

/**
 * Turns a located payload into JSON text in one go (PostHog capture's `decompress_payload`). `limit`
 * caps every decompressed or decoded size; payloads over it are refused with `payload_too_big`.
 */
export async function decompressPayload(located: LocatedPayload, limit: number): Promise<DecodedPayload> {
  const { bytes } = located;
  // 6. Decompress by the bytes (decoderFor), else UTF-8 text.
  const decoder = decoderFor(located);
  const lz = decoder === 'lz-string' ? decompressLzBase64(bytes.toString('utf8'), limit) : undefined;
  let text: string;
  let byteLength: number;
  if (decoder === 'gzip') {
    ({ text, byteLength } = await inflateText(bytes, limit));
  } else if (lz !== undefined && !lzMislabelled(lz, bytes)) {
    // The cap counts UTF-16 units against a byte limit, as capture does: UTF-8 is never shorter.
    text = lzText(lz, limit);
    byteLength = Buffer.byteLength(text, 'utf8');
    if (byteLength > limit) throw payloadTooBig(`decompressed LZ64 payload over ${describeBytes(limit)}`);
  } else {
    if (!isUtf8(bytes)) throw decodeFailed(NOT_UTF8);
    if (bytes.length > limit) throw payloadTooBig(`payload over ${describeBytes(limit)}`);
    text = bytes.toString('utf8');
    byteLength = bytes.length;
  }
  const unwrapped = unwrapBase64(located, text, limit);
  if (!unwrapped) return { text, byteLength };
  if (unwrapped.gzip) return inflateText(unwrapped.bytes, limit);
  return { text: unwrapped.bytes.toString('utf8'), byteLength: unwrapped.bytes.length };
}

async function inflateText(bytes: Buffer, limit: number): Promise<DecodedPayload> {
  const out = await gunzipCapped(bytes, limit);
  if (!isUtf8(out)) throw decodeFailed(GZIP_NOT_UTF8);
  return { text: out.toString('utf8'), byteLength: out.length };
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
  const decoder = decoderFor(located);
  const lz =
    decoder === 'lz-string'
      ? await decompressLzBase64Async(bytes.toString('utf8'), options.limit, yielder())
      : undefined;
  const gzip = decoder === 'gzip';
  const source = gzip
    ? gunzipChunks(bytes)
    : sliceChunks(
        lz !== undefined && !lzMislabelled(lz, bytes) ? Buffer.from(lzText(lz, options.limit)) : bytes,
      );
  const first = await readStreamed(source, {
    ...options,
    utf8Error: gzip ? GZIP_NOT_UTF8 : NOT_UTF8,
    what: gzip ? 'decompressed payload' : 'payload',
  });
  const unwrapped = 'text' in first ? unwrapBase64(located, first.text, options.limit) : undefined;
  if (!unwrapped) return first;
  return readStreamed(unwrapped.gzip ? gunzipChunks(unwrapped.bytes) : sliceChunks(unwrapped.bytes), {
    ...options,
    utf8Error: unwrapped.gzip ? GZIP_NOT_UTF8 : NOT_UTF8,
    what: unwrapped.gzip ? 'decompressed payload' : 'base64-decoded payload',
  });
}
