import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';

import { trimRust } from './distinct-id.js';
import { CaptureError, decodeCaptureRequest, type CaptureRequest } from './index.js';

const NOW = Date.parse('2026-03-04T10:15:31.000Z');
const PATHS = ['/e/', '/e', '/batch/', '/i/v0/e/', '/engage/', '/capture/', '/track', '/decide'];
const FORM = 'application/x-www-form-urlencoded';

function request(init: Partial<CaptureRequest>): CaptureRequest {
  return {
    method: 'POST',
    path: '/batch/',
    query: new URLSearchParams(),
    contentType: 'application/json',
    contentEncoding: undefined,
    body: undefined,
    receivedAt: NOW,
    ...init,
  };
}

const TOKEN = 'phc_propertyToken';
const propertyKey = fc.string().filter((k) => k !== '__proto__' && k !== '$cookieless_mode');
const validEvent = fc.record(
  {
    event: fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((e) => e !== '$performance_event'),
    distinct_id: fc
      .string({ unit: 'binary', minLength: 1, maxLength: 200 })
      .filter((id) => !id.includes('\0') && trimRust(id) !== ''),
    uuid: fc.uuid(),
    properties: fc.dictionary(propertyKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
    timestamp: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  },
  { requiredKeys: ['event', 'distinct_id'] },
);

/** Valid batches, often with one field of one event overwritten by an arbitrary value. */
const nearlyValid = fc
  .tuple(
    fc.array(validEvent, { minLength: 1, maxLength: 4 }),
    fc.option(
      fc.tuple(
        fc.constantFrom(
          'event',
          'distinct_id',
          'uuid',
          'properties',
          'timestamp',
          'offset',
          'token',
          '$set',
          'api_key',
        ),
        fc.jsonValue({ maxDepth: 2 }),
        fc.nat(),
      ),
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(TOKEN) },
      fc.constantFrom('', ' ', 'phx_1', 'x'.repeat(65), 'é'),
    ),
  )
  .map(([events, mutation, token]) => {
    const batch: Record<string, unknown>[] = events.map((e) => ({ ...e }));
    if (mutation !== null) {
      const [field, value, at] = mutation;
      (batch[at % batch.length] as Record<string, unknown>)[field] = value;
    }
    return { api_key: token, batch, sent_at: new Date(NOW).toISOString() };
  });

/** JSON objects shaped like capture bodies, with arbitrary (often wrong) field values. */
const eventish = fc.record(
  {
    event: fc.oneof(fc.string(), fc.jsonValue()),
    distinct_id: fc.jsonValue(),
    $distinct_id: fc.jsonValue(),
    token: fc.oneof(fc.string(), fc.jsonValue()),
    api_key: fc.oneof(fc.string(), fc.jsonValue()),
    uuid: fc.oneof(fc.uuid(), fc.string(), fc.jsonValue()),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
      fc.jsonValue(),
    ),
    offset: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    $set: fc.jsonValue(),
    $clock_skew: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const bodyish = fc.oneof(
  { weight: 3, arbitrary: nearlyValid },
  { weight: 2, arbitrary: nearlyValid.map((body) => body.batch.map((e) => ({ ...e, token: body.api_key }))) },
  eventish,
  fc.array(eventish, { maxLength: 4 }),
  fc.record(
    {
      api_key: fc.oneof(fc.string(), fc.jsonValue()),
      token: fc.string(),
      batch: fc.oneof(fc.array(eventish, { maxLength: 4 }), fc.jsonValue()),
      sent_at: fc.oneof(fc.string(), fc.jsonValue()),
      historical_migration: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
const text = fc.oneof(fc.string({ unit: 'binary' }), {
  weight: 3,
  arbitrary: bodyish.map((v) => JSON.stringify(v)),
});
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  { weight: 3, arbitrary: text.map((t) => Buffer.from(t)) },
  { weight: 2, arbitrary: text.map((t) => gzipSync(t)) },
  fc.uint8Array({ maxLength: 100 }).map((b) => gzipSync(b)),
  text.map((t) => Buffer.from(Buffer.from(t).toString('base64'))),
  text.map((t) => Buffer.from(`data=${encodeURIComponent(t)}&compression=lz64`)),
  text.map((t) => Buffer.from(`data=${LZString.compressToBase64(t)}`)),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(`data=${Buffer.from(b).toString('base64')}`)),
);

describe('decodeCaptureRequest on arbitrary input', () => {
  it('throws nothing but CaptureError (400/401/413)', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes,
        fc.constantFrom(...PATHS),
        fc.constantFrom(
          undefined,
          'application/json',
          'text/plain',
          'text/plain',
          FORM,
          `${FORM}; charset=utf-8`,
        ),
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          fc.constantFrom('gzip', 'lz64', 'base64', 'br'),
        ),
        fc.oneof(
          { weight: 2, arbitrary: fc.constant({}) },
          fc.record(
            {
              compression: fc.constantFrom('gzip', 'gzip-js', 'lz64', 'lz-string', 'base64', 'nope'),
              data: fc.oneof(
                text,
                text.map((t) => Buffer.from(t).toString('base64')),
              ),
              _: fc.oneof(fc.integer().map(String), fc.string()),
              beacon: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        async (body, path, contentType, contentEncoding, query) => {
          try {
            const decoded = await decodeCaptureRequest(
              request({
                path,
                contentType,
                contentEncoding,
                body: Buffer.from(body),
                query: new URLSearchParams(query),
              }),
              { maxDecompressedBytes: 64 * 1024, maxEventBytes: 2_000 },
            );
            for (const event of decoded.events) {
              expect(typeof event.distinctId).toBe('string');
              expect(Number.isFinite(event.timestamp)).toBe(true);
            }
          } catch (error) {
            if (!(error instanceof CaptureError)) throw error;
            expect([400, 401, 413]).toContain(error.status);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

type Encoding = (json: string) => Partial<CaptureRequest>;
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64');
const ENCODINGS: Record<string, Encoding> = {
  'plain JSON': (json) => ({ body: Buffer.from(json) }),
  'gzip, Content-Encoding': (json) => ({ body: gzipSync(json), contentEncoding: 'gzip' }),
  'gzip, ?compression=gzip-js': (json) => ({
    path: '/e/',
    body: gzipSync(json),
    contentType: 'text/plain',
    query: new URLSearchParams('compression=gzip-js'),
  }),
  'gzip, magic bytes only': (json) => ({ path: '/e/', body: gzipSync(json), contentType: 'text/plain' }),
  'lz64 form': (json) => ({
    path: '/e/',
    contentType: FORM,
    body: Buffer.from(`data=${encodeURIComponent(LZString.compressToBase64(json))}`),
    query: new URLSearchParams('compression=lz64'),
  }),
  'base64 body': (json) => ({ body: Buffer.from(b64(json)), contentType: 'text/plain' }),
  'form data=base64, + damaged to spaces': (json) => ({
    path: '/e/',
    contentType: FORM,
    body: Buffer.from(`data=${b64(json)}&compression=base64`),
  }),
  'GET ?data=base64': (json) => ({
    method: 'GET',
    path: '/e/',
    contentType: undefined,
    query: new URLSearchParams({ data: b64(json) }),
  }),
};

describe('valid batches decode to their input', () => {
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    it(`through ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(validEvent, { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          async (events, asArray) => {
            const json = asArray
              ? JSON.stringify(events.map((e) => ({ ...e, token: TOKEN })))
              : JSON.stringify({ api_key: TOKEN, batch: events });
            const decoded = await decodeCaptureRequest(request(encode(json)));
            expect(decoded.token).toBe(TOKEN);
            expect(decoded.events.map((e) => [e.event, e.distinctId, e.properties])).toEqual(
              events.map((e) => [e.event, e.distinct_id, JSON.parse(JSON.stringify(e.properties ?? {}))]),
            );
            decoded.events.forEach((event, i) => {
              const uuid = events[i]?.uuid;
              if (uuid === undefined) expect(event.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
              else expect(event.uuid).toBe(uuid.toLowerCase());
            });
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
