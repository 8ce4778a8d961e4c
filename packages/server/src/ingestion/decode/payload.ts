import { isUtf8 } from 'node:buffer';
import { createGunzip, gunzip } from 'node:zlib';

import { CaptureError, decodeFailed, payloadTooBig } from './capture-error.js';
import { decodeBase64Strict, isLikelyBase64, isLikelyUrlencodedForm } from './base64.js';
import type { CaptureRequest } from './capture-request.js';
import { decompressLzBase64 } from './lz-string.js';

/** The request text, ready for JSON parsing. */
export interface DecodedPayload {
  text: string;
  /** UTF-8 size of `text`. */
  byteLength: number;
  /** A Django-style form `api_key`/`token` field, the token of last resort. */
  formToken: string | undefined;
}

type Compression = 'gzip' | 'lz-string' | 'base64' | undefined;

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

function describeLimit(limit: number): string {
  return limit % (1024 * 1024) === 0
    ? `${limit / (1024 * 1024)} MiB`
    : `${limit.toLocaleString('en-US')} bytes`;
}

/**
 * Whether inflating would pass `limit`, found with constant memory (output is counted, not kept).
 * Rejects with the decode error for a corrupt stream.
 */
function inflatesPast(bytes: Buffer, limit: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const inflate = createGunzip();
    let total = 0;
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        inflate.destroy();
        resolve(true);
      }
    });
    inflate.on('error', (error) => reject(decodeFailed(`invalid GZIP data (${error.message})`)));
    inflate.on('end', () => resolve(false));
    inflate.end(bytes);
  });
}

async function gunzipCapped(bytes: Buffer, limit: number): Promise<Buffer> {
  // The gzip trailer states the inflated size (mod 2^32). When it claims more than the budget (a bomb,
  // or a corrupt tail), check by counting instead of buffering: a bomb never holds 100 MiB in memory.
  if (
    bytes.length >= 18 &&
    bytes.readUInt32LE(bytes.length - 4) > limit &&
    (await inflatesPast(bytes, limit))
  )
    throw payloadTooBig(`decompressed payload over ${describeLimit(limit)}`);
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
        reject(payloadTooBig(`decompressed payload over ${describeLimit(limit)}`));
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
 * Turns the request's bytes into JSON text, in capture's order (reference/posthog-protocol.md
 * §1.2 steps 1-7; `extract_payload_bytes` then `decompress_payload`). `limit` caps every
 * decompressed or decoded size (capture: 5 × the 20 MiB body limit).
 */
export async function decodePayload(request: CaptureRequest, limit: number): Promise<DecodedPayload> {
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

  // 6. Decompress: gzip by hint or magic bytes, lz-string by hint, else UTF-8 text.
  let text: string;
  let byteLength: number;
  if (compression === 'gzip' || (bytes[0] === 0x1f && bytes[1] === 0x8b)) {
    const out = await gunzipCapped(bytes, limit);
    if (!isUtf8(out)) throw decodeFailed('invalid gzip data (the decompressed bytes are not UTF-8)');
    text = out.toString('utf8');
    byteLength = out.length;
  } else if (compression === 'lz-string') {
    // The cap counts UTF-16 units against a byte limit, as capture does: UTF-8 is never shorter.
    const result = decompressLzBase64(bytes.toString('utf8'), limit);
    if (result === 'too_big') throw payloadTooBig(`decompressed LZ64 payload over ${describeLimit(limit)}`);
    if (result === 'invalid') throw decodeFailed('decompress_lz64: failed decompress to UTF16');
    if (hasLoneSurrogate(result.text)) throw decodeFailed('decompress_lz64: failed UTF16 to UTF8 conversion');
    text = result.text;
    byteLength = Buffer.byteLength(text, 'utf8');
    if (byteLength > limit) throw payloadTooBig(`decompressed LZ64 payload over ${describeLimit(limit)}`);
  } else {
    if (!isUtf8(bytes)) throw decodeFailed('invalid UTF8 in request payload');
    if (bytes.length > limit) throw payloadTooBig(`payload over ${describeLimit(limit)}`);
    text = bytes.toString('utf8');
    byteLength = bytes.length;
  }

  // 7. Legacy endpoints: a payload still base64 after decompression is decoded once more.
  if (isLegacyPath(request.path) && isLikelyBase64(text)) {
    const unwrapped = decodeBase64Strict(text);
    if (unwrapped !== undefined && isUtf8(unwrapped)) {
      if (unwrapped.length > limit)
        throw payloadTooBig(`base64-decoded payload over ${describeLimit(limit)}`);
      text = unwrapped.toString('utf8');
      byteLength = unwrapped.length;
    }
  }

  return { text, byteLength, formToken };
}
