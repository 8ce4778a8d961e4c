import { gzipSync } from 'node:zlib';

import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';

import { CaptureError, decodeCaptureRequest, type CaptureRequest, type DecodedCapture } from './index.js';

const NOW = Date.parse('2026-03-04T10:15:31.000Z');
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type RequestInit = Partial<Omit<CaptureRequest, 'body' | 'query'>> & {
  body?: Buffer | string;
  query?: string | URLSearchParams;
};

function request(init: RequestInit = {}): CaptureRequest {
  const { body, query, ...rest } = init;
  return {
    method: 'POST',
    path: '/batch/',
    contentType: 'application/json',
    contentEncoding: undefined,
    receivedAt: NOW,
    ...rest,
    query: query instanceof URLSearchParams ? query : new URLSearchParams(query ?? ''),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

const decode = (init: RequestInit, options?: Parameters<typeof decodeCaptureRequest>[1]) =>
  decodeCaptureRequest(request(init), options);

async function rejection(promise: Promise<unknown>): Promise<CaptureError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

const TOKEN = 'phc_exampleProjectToken123';
const EVENT = {
  event: 'checkout_started',
  distinct_id: 'user_8841',
  uuid: '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d',
  timestamp: '2026-03-04T10:15:29.900Z',
  properties: { cart_value: 129.5, $lib: 'posthog-node', tags: ['a', 'b'], nested: { x: null } },
};
const ENVELOPE = JSON.stringify({ api_key: TOKEN, batch: [EVENT], sent_at: '2026-03-04T10:15:31.000Z' });
const ARRAY = JSON.stringify([{ ...EVENT, properties: { ...EVENT.properties, token: TOKEN } }]);

/** The single event every encoding below must come back as. */
function expectTheEvent(
  decoded: DecodedCapture,
  properties: Record<string, unknown> = EVENT.properties,
): void {
  expect(decoded.token).toBe(TOKEN);
  expect(decoded.events).toEqual([
    {
      uuid: EVENT.uuid,
      event: EVENT.event,
      distinctId: EVENT.distinct_id,
      timestamp: Date.parse(EVENT.timestamp),
      properties,
    },
  ]);
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** A JSON text whose base64 contains '+', so form URL-decoding damage can be exercised. */
function jsonWithPlusInBase64(): string {
  for (let pad = 0; ; pad++) {
    const text = JSON.stringify([
      { ...EVENT, properties: { ...EVENT.properties, token: TOKEN, pad: '>'.repeat(pad) } },
    ]);
    if (b64(text).includes('+')) return text;
  }
}

describe('encodings', () => {
  it('plain JSON', async () => {
    expectTheEvent(await decode({ body: ENVELOPE }));
  });

  it('gzip announced by Content-Encoding (posthog-node)', async () => {
    expectTheEvent(await decode({ body: gzipSync(ENVELOPE), contentEncoding: 'gzip' }));
  });

  it('gzip announced by ?compression=gzip-js (older posthog-js), case-insensitive', async () => {
    expectTheEvent(
      await decode({
        path: '/e/',
        body: gzipSync(ARRAY),
        contentType: 'text/plain',
        query: 'compression=gzip-js',
      }),
      {
        ...EVENT.properties,
        token: TOKEN,
      },
    );
    expectTheEvent(await decode({ body: gzipSync(ENVELOPE), query: 'compression=GZIP' }));
  });

  it('gzip found by its magic bytes with text/plain and no hint (current posthog-js)', async () => {
    expectTheEvent(await decode({ path: '/e/', body: gzipSync(ENVELOPE), contentType: 'text/plain' }));
  });

  it('lz64 form data announced by ?compression=lz64 (LZString.compressToBase64)', async () => {
    // Sent as a form, as old posthog-js did: a bare lz64 body that happens to be valid strict
    // base64 is mangled by capture's optimistic base64 unwrap (step 2) before lz-string sees it.
    const form = `data=${encodeURIComponent(LZString.compressToBase64(ENVELOPE))}`;
    const contentType = 'application/x-www-form-urlencoded';
    expectTheEvent(await decode({ path: '/e/', contentType, body: form, query: 'compression=lz64' }));
  });

  it('lz-string in a form, announced by the form compression field, with + turned into spaces', async () => {
    const text = jsonWithPlusInBase64();
    const lz = LZString.compressToBase64(text);
    expect(lz).toContain('+');
    const form = `data=${lz}&compression=lz-string`; // unescaped: '+' decodes to ' '
    const decoded = await decode({
      path: '/e/',
      contentType: 'application/x-www-form-urlencoded',
      body: form,
    });
    expect(decoded.events[0]?.properties).toEqual(
      (JSON.parse(text) as [{ properties: unknown }])[0].properties,
    );
  });

  it('a body that is entirely base64 (optimistic unwrap, any path)', async () => {
    expectTheEvent(await decode({ body: b64(ENVELOPE) }));
  });

  it('base64 of gzip: unwrapped, then recognised by the magic bytes', async () => {
    expectTheEvent(await decode({ body: b64(gzipSync(ENVELOPE)), contentType: 'text/plain' }));
  });

  it('form data=<base64> (posthog-js base64 / sendBeacon), properly escaped', async () => {
    const form = `data=${encodeURIComponent(b64(ENVELOPE))}&compression=base64&ver=1.2.3`;
    expectTheEvent(
      await decode({ path: '/e/', contentType: 'application/x-www-form-urlencoded', body: form }),
    );
  });

  it('form data=<base64> whose + were turned into spaces by URL decoding', async () => {
    const text = jsonWithPlusInBase64();
    const form = `data=${b64(text)}&compression=base64`; // '+' left unescaped on purpose
    const decoded = await decode({
      path: '/e/',
      contentType: 'application/x-www-form-urlencoded',
      body: form,
    });
    expect(decoded.events).toHaveLength(1);
    expect(decoded.events[0]?.properties).toEqual(
      (JSON.parse(text) as [{ properties: unknown }])[0].properties,
    );
  });

  it('form data=<JSON>', async () => {
    const form = `data=${encodeURIComponent(ENVELOPE)}`;
    expectTheEvent(
      await decode({ path: '/e/', contentType: 'application/x-www-form-urlencoded', body: form }),
    );
  });

  it('form with a charset parameter is read as a form too, when it looks like one', async () => {
    const form = `data=${encodeURIComponent(ENVELOPE)}`;
    const contentType = 'application/x-www-form-urlencoded; charset=UTF-8';
    expectTheEvent(await decode({ path: '/e/', contentType, body: form }));
    expectTheEvent(await decode({ path: '/e/', contentType, body: ENVELOPE }));
    // Only the exact MIME type insists on a form, as in capture.
    expectTheEvent(
      await decode({ path: '/e/', contentType: 'Application/X-WWW-Form-Urlencoded', body: ENVELOPE }),
    );
  });

  it('GET ?data=<base64 JSON>', async () => {
    const query = new URLSearchParams({ data: b64(ENVELOPE), ver: '1.0' });
    expectTheEvent(await decode({ method: 'GET', path: '/e/', contentType: undefined, query }));
  });

  it('GET ?data=<JSON>, and ?data= wins over a POST body', async () => {
    const query = new URLSearchParams({ data: ENVELOPE });
    expectTheEvent(await decode({ method: 'GET', path: '/capture', contentType: undefined, query }));
    expectTheEvent(await decode({ query, body: '{"not":"used"}' }));
  });

  it('second base64 pass only on legacy paths (/e, /capture, /engage, /track)', async () => {
    const wrapped = gzipSync(b64(ENVELOPE));
    for (const path of ['/e', '/e/', '/capture/', '/track', '/engage/']) {
      expectTheEvent(await decode({ path, body: wrapped }));
    }
    const error = await rejection(decode({ path: '/batch/', body: wrapped }));
    expect([error.status, error.code]).toEqual([400, 'parse_failed']);
    // Hence capture refuses posthog-js's base64 form on /i/v0/e: the form data is never unwrapped.
    const form = `data=${encodeURIComponent(b64(ENVELOPE))}`;
    const formError = await rejection(
      decode({ path: '/i/v0/e/', contentType: 'application/x-www-form-urlencoded', body: form }),
    );
    expect(formError.code).toBe('parse_failed');
  });
});

describe('decoding errors', () => {
  it('refuses an empty payload', async () => {
    for (const init of [{ body: undefined }, { body: '' }, { body: '', query: 'data=' }]) {
      const error = await rejection(decode(init));
      expect([error.status, error.code, error.message]).toEqual([
        400,
        'empty_payload',
        'request missing data payload',
      ]);
    }
  });

  it('refuses invalid gzip', async () => {
    const truncated = gzipSync(ENVELOPE).subarray(0, 20);
    const error = await rejection(decode({ body: truncated }));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to decode request: invalid GZIP data (unexpected end of file)',
    ]);
  });

  it('reads a body by its bytes when a gzip hint says otherwise (capture would refuse it)', async () => {
    expectTheEvent(await decode({ body: ENVELOPE, contentEncoding: 'gzip' }));
  });

  it('refuses gzip whose content is not UTF-8', async () => {
    const error = await rejection(decode({ body: gzipSync(Buffer.from([0x7b, 0xff, 0x7d])) }));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to decode request: invalid gzip data (the decompressed bytes are not UTF-8)',
    ]);
  });

  it('refuses invalid UTF-8', async () => {
    const error = await rejection(decode({ body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to decode request: invalid UTF8 in request payload',
    ]);
  });

  it('keeps a body that only looks like base64, then fails to parse it', async () => {
    const error = await rejection(decode({ body: 'abc=defg' }));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to parse request: expected value at line 1 column 1',
    ]);
  });

  it('refuses invalid JSON, saying where', async () => {
    const error = await rejection(decode({ body: '{"a":}' }));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'parse_failed',
      'failed to parse request: expected value at line 1 column 6',
    ]);
  });

  it('reads the body itself under a form content type when it is not a form (capture would refuse it)', async () => {
    expectTheEvent(await decode({ contentType: 'application/x-www-form-urlencoded', body: ENVELOPE }));
  });

  it('refuses corrupt lz64', async () => {
    const error = await rejection(decode({ body: '/', query: 'compression=lz64' }));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to decode request: decompress_lz64: failed decompress to UTF16',
    ]);
  });
});

describe('size limits', () => {
  it('refuses a gzip bomb once the output passes the (injected) cap', async () => {
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(4096);
    const error = await rejection(decode({ body: bomb }, { maxDecompressedBytes: 1024 * 1024 }));
    expect([error.status, error.code, error.message]).toEqual([
      413,
      'payload_too_big',
      'maximum event size exceeded: decompressed payload over 1 MiB',
    ]);
  });

  it('refuses a real 101 MiB gzip bomb under the default 100 MiB cap', async () => {
    const bomb = gzipSync(Buffer.alloc(101 * 1024 * 1024), { level: 1 });
    const error = await rejection(decode({ body: bomb }));
    expect(error.message).toBe('maximum event size exceeded: decompressed payload over 100 MiB');
  });

  it('refuses an lz64 bomb and an oversized plain payload at the cap', async () => {
    const lzBomb = `data=${encodeURIComponent(LZString.compressToBase64(`[${'1,'.repeat(600_000)}1]`))}&compression=lz64`;
    const lz = await rejection(
      decode(
        { body: lzBomb, contentType: 'application/x-www-form-urlencoded' },
        { maxDecompressedBytes: 1024 * 1024 },
      ),
    );
    expect([lz.status, lz.message]).toEqual([
      413,
      'maximum event size exceeded: decompressed LZ64 payload over 1 MiB',
    ]);
    const plain = await rejection(decode({ body: ENVELOPE }, { maxDecompressedBytes: 100 }));
    expect([plain.status, plain.message]).toEqual([
      413,
      'maximum event size exceeded: payload over 100 bytes',
    ]);
  });

  const bigEvent = (bytes: number, index: number) => {
    const shell = JSON.stringify({ event: 'e', distinct_id: 'd', properties: { blob: '' } });
    return { event: 'e', distinct_id: 'd', properties: { blob: 'x'.repeat(bytes - shell.length) }, index };
  };

  it('refuses an event over 1,000,000 bytes of JSON with 413, naming it', async () => {
    const batch = [bigEvent(1000, 0), bigEvent(1_000_000, 1), bigEvent(1_000_001, 2)].map(
      ({ index: _, ...e }) => e,
    );
    const error = await rejection(decode({ body: JSON.stringify({ api_key: TOKEN, batch }) }));
    expect([error.status, error.code, error.message]).toEqual([
      413,
      'event_too_big',
      'maximum event size exceeded: event 2 is 1,000,001 bytes, limit 1,000,000',
    ]);
  });

  it('accepts a payload over 1 MB made of events under it', async () => {
    const batch = [bigEvent(900_000, 0), bigEvent(900_000, 1)].map(({ index: _, ...e }) => e);
    const decoded = await decode({ body: JSON.stringify({ api_key: TOKEN, batch }) });
    expect(decoded.events).toHaveLength(2);
  });

  it('reports a 400 problem in any event before the 413 (capture validates all events first)', async () => {
    const batch = [bigEvent(2_000, 0), { event: 'e' }].map(
      ({ index: _, ...e }: Record<string, unknown>) => e,
    );
    const error = await rejection(
      decode({ body: JSON.stringify({ api_key: TOKEN, batch }) }, { maxEventBytes: 1_000 }),
    );
    expect([error.status, error.message]).toEqual([
      400,
      'event submitted without a distinct_id (batch index 1)',
    ]);
  });
});

describe('body shapes', () => {
  it('single event, token inside', async () => {
    const decoded = await decode({ path: '/i/v0/e/', body: JSON.stringify({ ...EVENT, api_key: TOKEN }) });
    expectTheEvent(decoded);
  });

  it('array of events, token in properties', async () => {
    expectTheEvent(await decode({ path: '/e/', body: ARRAY }), { ...EVENT.properties, token: TOKEN });
  });

  it('batch envelope with api_key or token, sent_at and historical_migration', async () => {
    const decoded = await decode({
      body: JSON.stringify({ token: TOKEN, batch: [EVENT], historical_migration: true }),
    });
    expect(decoded.historicalMigration).toBe(true);
    expect(decoded.token).toBe(TOKEN);
    expect((await decode({ body: ENVELOPE })).historicalMigration).toBe(false);
  });

  it('an envelope without a token is not an envelope (capture: 400)', async () => {
    const error = await rejection(decode({ body: JSON.stringify({ batch: [EVENT] }) }));
    expect([error.status, error.code]).toEqual([400, 'hydration_failed']);
    expect(error.message).toMatch(
      /^failed to hydrate events from request: non-engage request missing event name attribute/,
    );
  });

  it('engage body on /engage becomes $identify', async () => {
    const body = JSON.stringify({ $token: TOKEN, distinct_id: 'u1', $set: { email: 'a@example.com' } });
    const decoded = await decode({ path: '/engage/', body });
    expect(decoded.events).toEqual([
      {
        uuid: expect.stringMatching(UUID_V7) as unknown,
        event: '$identify',
        distinctId: 'u1',
        timestamp: NOW,
        properties: { $set: { email: 'a@example.com' } },
      },
    ]);
  });

  it('engage body elsewhere is refused', async () => {
    const error = await rejection(
      decode({ path: '/e/', body: JSON.stringify({ api_key: TOKEN, distinct_id: 'u1' }) }),
    );
    expect([error.status, error.message]).toEqual([
      400,
      'failed to hydrate events from request: non-engage request missing event name attribute',
    ]);
  });

  it('refuses an empty list', async () => {
    for (const body of ['[]', JSON.stringify({ api_key: TOKEN, batch: [] })]) {
      const error = await rejection(decode({ body }));
      expect([error.status, error.code, error.message]).toEqual([
        400,
        'empty_batch',
        'request holds no event',
      ]);
    }
  });

  it.each([
    ['"hello"', 'failed to parse request: expected an event, a list of events or a batch, got a string'],
    [
      '[{"event":"a","distinct_id":"d"},{"distinct_id":"d"}]',
      'failed to parse request: missing field `event` (batch index 1)',
    ],
    [
      JSON.stringify({ api_key: TOKEN, batch: [EVENT, { ...EVENT, uuid: 'not-a-uuid' }] }),
      'failed to parse request: invalid uuid "not-a-uuid" in `batch` (batch index 1)',
    ],
    [
      JSON.stringify({ ...EVENT, properties: [] }),
      'failed to parse request: `properties` must be a map, got a sequence',
    ],
    [
      JSON.stringify({ ...EVENT, properties: null }),
      'failed to parse request: `properties` must be a map, got null',
    ],
    [
      JSON.stringify({ ...EVENT, offset: 1.5 }),
      'failed to parse request: `offset` must be an integer, got "1.5"',
    ],
    [
      JSON.stringify({ ...EVENT, timestamp: 1741083331000 }),
      'failed to parse request: `timestamp` must be a string, got a number',
    ],
    [
      JSON.stringify({ ...EVENT, token: 5 }),
      'failed to parse request: `token` must be a string, got a number',
    ],
    [JSON.stringify({ ...EVENT, $set: 'x' }), 'failed to parse request: `$set` must be a map, got a string'],
    [
      JSON.stringify({ api_key: TOKEN, batch: {} }),
      'failed to parse request: `batch` must be a sequence, got a map',
    ],
    [
      JSON.stringify({ api_key: TOKEN, batch: [EVENT], historical_migration: 'yes' }),
      'failed to parse request: `historical_migration` must be a boolean, got a string',
    ],
  ])('refuses %s', async (body, message) => {
    const error = await rejection(decode({ body }));
    expect([error.status, error.code, error.message]).toEqual([400, 'parse_failed', message]);
  });

  it('drops $performance_event; a request of only those decodes to no events, token or not', async () => {
    const perf = { event: '$performance_event', distinct_id: 'd' };
    const mixed = await decode({ body: JSON.stringify({ api_key: TOKEN, batch: [perf, EVENT, perf] }) });
    expectTheEvent(mixed);
    const only = await decode({ path: '/e/', body: JSON.stringify([perf, perf]) });
    expect(only).toEqual({ token: '', events: [], historicalMigration: false, beacon: false });
    const withToken = await decode({ body: JSON.stringify({ api_key: TOKEN, batch: [perf] }) });
    expect(withToken.token).toBe(TOKEN);
  });
});

describe('event fields', () => {
  const one = (event: Record<string, unknown>, init: RequestInit = {}) =>
    decode({ body: JSON.stringify({ api_key: TOKEN, batch: [event] }), ...init });

  it('refuses an empty event name, naming the event', async () => {
    const error = await rejection(
      decode({ body: JSON.stringify({ api_key: TOKEN, batch: [EVENT, { ...EVENT, event: '' }] }) }),
    );
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'missing_event_name',
      'event submitted with an empty event name (batch index 1)',
    ]);
  });

  it('refuses a missing distinct_id, naming the event', async () => {
    const batch = [EVENT, EVENT, EVENT, { ...EVENT, distinct_id: '   ' }];
    const error = await rejection(decode({ body: JSON.stringify({ api_key: TOKEN, batch }) }));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'missing_distinct_id',
      'event submitted without a distinct_id (batch index 3)',
    ]);
    const single = await rejection(
      decode({ path: '/capture/', body: JSON.stringify({ event: 'e', api_key: TOKEN }) }),
    );
    expect(single.message).toBe('event submitted without a distinct_id');
  });

  it('applies the distinct_id rules', async () => {
    const ids = await Promise.all(
      [
        { distinct_id: 42 },
        { $distinct_id: 'dollar' },
        { properties: { distinct_id: 'from-props' } },
        { distinct_id: 'a\0b' },
        { distinct_id: 'x'.repeat(300) },
      ].map(async (fields) => (await one({ event: 'e', ...fields })).events[0]?.distinctId),
    );
    expect(ids).toEqual(['42', 'dollar', 'from-props', 'a\uFFFDb', 'x'.repeat(200)]);
  });

  it('refuses a non-boolean $cookieless_mode and accepts a boolean one', async () => {
    const error = await rejection(one({ ...EVENT, properties: { $cookieless_mode: 'yes' } }));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'invalid_cookieless_mode',
      'event submitted with invalid cookieless mode (batch index 0)',
    ]);
    expect((await one({ ...EVENT, properties: { $cookieless_mode: true } })).events).toHaveLength(1);
  });

  it('keeps a valid uuid in canonical lowercase form', async () => {
    const decoded = await one({ ...EVENT, uuid: '{01955C3A-7E11-7C2E-9A4B-3F0D8A1B2C3D}' });
    expect(decoded.events[0]?.uuid).toBe('01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d');
  });

  it('mints a UUIDv7 at receipt time when uuid is absent, null or ""', async () => {
    for (const uuid of [undefined, null, '']) {
      const id = (await one({ event: 'e', distinct_id: 'd', uuid })).events[0]?.uuid ?? '';
      expect(id).toMatch(UUID_V7);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(NOW);
    }
  });

  it('defaults properties to {} and keeps token-like properties as sent', async () => {
    expect((await one({ event: 'e', distinct_id: 'd' })).events[0]?.properties).toEqual({});
    const properties = { token: TOKEN, $token: 'x', api_key: 'y', $lib: 'web' };
    expect(
      (await decode({ path: '/e/', body: JSON.stringify([{ event: 'e', distinct_id: 'd', properties }]) }))
        .events[0]?.properties,
    ).toEqual(properties);
  });

  it('merges top-level $set / $set_once into properties, top-level keys winning', async () => {
    const decoded = await one({
      event: '$identify',
      distinct_id: 'd',
      $set: { plan: 'pro', email: 'new@example.com' },
      $set_once: { first_seen: '2026-01-01' },
      properties: { $set: { email: 'old@example.com', name: 'Ada' } },
    });
    expect(decoded.events[0]?.properties).toEqual({
      $set: { email: 'new@example.com', name: 'Ada', plan: 'pro' },
      $set_once: { first_seen: '2026-01-01' },
    });
  });
});

describe('tokens', () => {
  it('reads the token from every place capture does', async () => {
    const bodies = [
      { path: '/batch/', body: { api_key: TOKEN, batch: [{ event: 'e', distinct_id: 'd' }] } },
      {
        path: '/batch/',
        body: { token: TOKEN, batch: [{ event: 'e', distinct_id: 'd', token: 'ignored' }] },
      },
      { path: '/i/v0/e/', body: { event: 'e', distinct_id: 'd', token: TOKEN } },
      { path: '/i/v0/e/', body: { event: 'e', distinct_id: 'd', $token: TOKEN } },
      { path: '/i/v0/e/', body: { event: 'e', distinct_id: 'd', api_key: TOKEN } },
      { path: '/e/', body: [{ event: 'e', distinct_id: 'd', properties: { token: TOKEN } }] },
    ];
    for (const { path, body } of bodies) {
      expect((await decode({ path, body: JSON.stringify(body) })).token).toBe(TOKEN);
    }
  });

  it('falls back to a Django-style form api_key / token field', async () => {
    const data = encodeURIComponent(JSON.stringify({ event: 'e', distinct_id: 'd' }));
    for (const field of ['api_key', 'token']) {
      const decoded = await decode({
        path: '/capture/',
        contentType: 'application/x-www-form-urlencoded',
        body: `data=${data}&${field}=${TOKEN}`,
      });
      expect(decoded.token).toBe(TOKEN);
    }
  });

  it.each([
    [{ event: 'e', distinct_id: 'd' }, 'no_token', 'event submitted without an api_key'],
    [
      [
        { event: 'e', distinct_id: 'd', token: 'a' },
        { event: 'e', distinct_id: 'd', token: 'b' },
      ],
      'multiple_tokens',
      'batch submitted with inconsistent api_key values (batch index 1 differs from an earlier event)',
    ],
    [{ event: 'e', distinct_id: 'd', token: '' }, 'invalid_token', 'API key is not valid: empty'],
    [
      { event: 'e', distinct_id: 'd', token: 'x'.repeat(65) },
      'invalid_token',
      'API key is not valid: too_long',
    ],
    [{ event: 'e', distinct_id: 'd', token: 'phc_é' }, 'invalid_token', 'API key is not valid: not_ascii'],
    [
      { event: 'e', distinct_id: 'd', token: 'phx_personal' },
      'invalid_token',
      'API key is not valid: personal_api_key',
    ],
    [{ event: 'e', distinct_id: 'd', token: 'a\0b' }, 'invalid_token', 'API key is not valid: null_byte'],
  ])('refuses %j with 401 %s', async (body, code, message) => {
    const error = await rejection(decode({ path: '/e/', body: JSON.stringify(body) }));
    expect([error.status, error.code, error.message]).toEqual([401, code, message]);
  });

  it('checks the token before per-event problems', async () => {
    const error = await rejection(decode({ body: JSON.stringify([{ event: '', token: 'phx_1' }]) }));
    expect(error.status).toBe(401);
  });

  it('returns the trimmed token', async () => {
    const decoded = await decode({ body: JSON.stringify({ api_key: ` ${TOKEN}\n`, batch: [EVENT] }) });
    expect(decoded.token).toBe(TOKEN);
  });
});

describe('timestamps', () => {
  const at = (text: string) => Date.parse(text);
  const timestampOf = async (body: unknown, init: RequestInit = {}) =>
    (await decode({ body: JSON.stringify(body), ...init })).events[0]?.timestamp;
  const event = (fields: Record<string, unknown>) => ({ event: 'e', distinct_id: 'd', ...fields });

  it('corrects clock skew with the envelope sent_at (client 2 s ahead)', async () => {
    const body = {
      api_key: TOKEN,
      sent_at: '2026-03-04T10:15:33.000Z',
      batch: [event({ timestamp: '2026-03-04T10:15:30.000Z' })],
    };
    expect(await timestampOf(body)).toBe(at('2026-03-04T10:15:28.000Z'));
  });

  it('uses the query sent_at (or _) in ms when the body has none; seconds are ignored', async () => {
    const body = [event({ token: TOKEN, timestamp: '2026-03-04T10:15:30.000Z' })];
    const sentAt = at('2026-03-04T10:15:33.000Z');
    expect(await timestampOf(body, { path: '/e/', query: `_=${sentAt}` })).toBe(
      at('2026-03-04T10:15:28.000Z'),
    );
    expect(await timestampOf(body, { path: '/e/', query: `sent_at=${sentAt}` })).toBe(
      at('2026-03-04T10:15:28.000Z'),
    );
    expect(await timestampOf(body, { path: '/e/', query: `_=${sentAt / 1000}` })).toBe(
      at('2026-03-04T10:15:30.000Z'),
    );
  });

  it('prefers the envelope sent_at over the query one', async () => {
    const body = {
      api_key: TOKEN,
      sent_at: '2026-03-04T10:15:31.000Z',
      batch: [event({ timestamp: '2026-03-04T10:15:30.000Z' })],
    };
    expect(await timestampOf(body, { query: `_=${at('2026-03-04T10:16:31.000Z')}` })).toBe(
      at('2026-03-04T10:15:30.000Z'),
    );
  });

  it('skips skew correction when properties.$ignore_sent_at is true', async () => {
    const body = {
      api_key: TOKEN,
      sent_at: '2026-03-04T10:15:33.000Z',
      batch: [event({ timestamp: '2026-03-04T10:15:30.000Z', properties: { $ignore_sent_at: true } })],
    };
    expect(await timestampOf(body)).toBe(at('2026-03-04T10:15:30.000Z'));
  });

  it('lets offset override timestamp', async () => {
    const body = { api_key: TOKEN, batch: [event({ timestamp: '2020-01-01T00:00:00Z', offset: 1200 })] };
    expect(await timestampOf(body)).toBe(NOW - 1200);
  });

  it('adds $clock_skew from the event or its properties', async () => {
    expect(await timestampOf({ api_key: TOKEN, batch: [event({ offset: 0, $clock_skew: 500 })] })).toBe(
      NOW + 500,
    );
    expect(
      await timestampOf({ api_key: TOKEN, batch: [event({ offset: 0, properties: { $clock_skew: -500 } })] }),
    ).toBe(NOW - 500);
  });

  it('clamps more than 23 h ahead to receipt time', async () => {
    const future = new Date(NOW + 24 * 3_600_000).toISOString();
    expect(await timestampOf({ api_key: TOKEN, batch: [event({ timestamp: future })] })).toBe(NOW);
  });

  it('defaults to properties.tracking_date, then to receipt time (a Pulse addition)', async () => {
    const tracked = event({ properties: { tracking_date: '2026-02-01T09:30:00Z' } });
    expect(await timestampOf({ api_key: TOKEN, batch: [tracked] })).toBe(at('2026-02-01T09:30:00Z'));
    expect(await timestampOf({ api_key: TOKEN, batch: [event({})] })).toBe(NOW);
    const both = event({ timestamp: '2026-03-01T00:00:00Z', properties: { tracking_date: '2026-02-01' } });
    expect(await timestampOf({ api_key: TOKEN, batch: [both] })).toBe(at('2026-03-01T00:00:00Z'));
  });
});

describe('query flags', () => {
  it('beacon=1 sets beacon', async () => {
    expect((await decode({ body: ENVELOPE, query: 'beacon=1' })).beacon).toBe(true);
    expect((await decode({ body: ENVELOPE, query: 'beacon=0' })).beacon).toBe(false);
    expect((await decode({ body: ENVELOPE, query: 'beacon=true' })).beacon).toBe(false);
    expect((await decode({ body: ENVELOPE })).beacon).toBe(false);
  });
});
