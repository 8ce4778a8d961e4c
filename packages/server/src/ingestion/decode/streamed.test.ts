import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { CaptureError, decodeCaptureRequest, type CaptureRequest, type DecodeOptions } from './index.js';

// Payloads over `inlineBytes` are read as a stream, value by value. These run the same requests both
// ways (inlineBytes: 1 forces the stream) and check what the stream adds: limits enforced while reading.

const TOKEN = 'phc_streamed_test_token';
const STREAM = { inlineBytes: 1 } satisfies DecodeOptions;

function request(body: Buffer | string, init: Partial<CaptureRequest> = {}): CaptureRequest {
  return {
    method: 'POST',
    path: '/batch/',
    query: new URLSearchParams(),
    contentType: 'application/json',
    contentEncoding: undefined,
    receivedAt: Date.parse('2026-03-04T10:15:31.000Z'),
    ...init,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

async function rejection(promise: Promise<unknown>): Promise<CaptureError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

const event = (i: number, extra: Record<string, unknown> = {}) => ({
  event: 'order_completed',
  distinct_id: `user-${i}`,
  uuid: `01955c3a-7e11-7c2e-9a4b-${String(i).padStart(12, '0')}`,
  timestamp: '2026-03-04T10:15:29.900Z',
  properties: { amount: i, tags: ['a', { b: [1, 2.5, null, true] }], 'quo"te\\': 'é\u2028', ...extra },
});
const envelope = (events: unknown[]) =>
  JSON.stringify({ api_key: TOKEN, batch: events, sent_at: '2026-03-04T10:15:31.000Z' });

/** A gzip body whose compressed tail is cut off: reading all of it fails, so a refusal names what was seen first. */
function truncatedGzip(text: string): Buffer {
  const gzip = gzipSync(text);
  return gzip.subarray(0, gzip.length - 64);
}

describe('streamed payloads decode exactly as small ones', () => {
  const bodies: [string, CaptureRequest][] = [
    ['an envelope', request(envelope([event(1), event(2)]))],
    ['a gzip envelope', request(gzipSync(envelope([event(3)])), { contentEncoding: 'gzip' })],
    [
      'an array with the token in properties',
      request(JSON.stringify([event(4, { token: TOKEN }), event(5, { token: TOKEN })]), { path: '/e/' }),
    ],
    ['a single event', request(JSON.stringify({ ...event(6), api_key: TOKEN }), { path: '/i/v0/e/' })],
    [
      'a form data=<base64> on /e/',
      request(`data=${encodeURIComponent(Buffer.from(envelope([event(7)])).toString('base64'))}`, {
        path: '/e/',
        contentType: 'application/x-www-form-urlencoded',
      }),
    ],
    [
      'an envelope with whitespace, a duplicate batch and a __proto__ key',
      request(
        ` { "batch" : [ ${JSON.stringify(event(8))} ] ,\n "__proto__" : 1 , "api_key" : "${TOKEN}" , "batch":[${JSON.stringify(event(9))}] } `,
      ),
    ],
  ];
  it.each(bodies)('%s', async (_name, req) => {
    const inline = await decodeCaptureRequest(req);
    const streamed = await decodeCaptureRequest(req, STREAM);
    expect(streamed).toEqual(inline);
    expect(streamed.events.length).toBeGreaterThan(0);
  });

  it.each([
    ['[{"event":"a"} {"event":"b"}]', 'failed to parse request: expected `,` or `]` at line 1 column 16'],
    [
      '{"api_key":"t","batch":[{"event":"a",}]}',
      'failed to parse request: trailing comma at line 1 column 38',
    ],
    ['[{"event":"a"},\n {"event":tru}]', 'failed to parse request: expected ident at line 2 column 14'],
    ['[{"event":"a"}', 'failed to parse request: EOF while parsing a list at line 1 column 14'],
    ['{"api_key" 1}', 'failed to parse request: expected `:` at line 1 column 12'],
  ])('refuses %j with the error and position of the whole payload', async (body, message) => {
    const inline = await rejection(decodeCaptureRequest(request(body)));
    const streamed = await rejection(decodeCaptureRequest(request(body), STREAM));
    expect(streamed.message).toBe(inline.message);
    expect(streamed.message).toBe(message);
  });
});

describe('streamed payloads are refused as soon as a limit is passed', () => {
  it('stops inflating once the event cap is passed: a `{},` bomb gets 413, not the gzip error at its end', async () => {
    const bomb = truncatedGzip(`{"batch":[${'{},'.repeat(200_000)}{}]}`);
    const error = await rejection(decodeCaptureRequest(request(bomb, { contentEncoding: 'gzip' })));
    expect([error.status, error.code, error.message]).toEqual([
      413,
      'too_many_events',
      'maximum event size exceeded: more than 10,000 events in one request; send them in smaller batches',
    ]);
  });

  it('checks the envelope token when it is seen, before reading the rest', async () => {
    const seen: string[] = [];
    const checkToken = (token: string) => {
      seen.push(token);
      throw new CaptureError('unknown_token', `API key is not valid: ${token} is unknown`);
    };
    const body = truncatedGzip(
      `{"api_key":"phc_unknown","batch":[${JSON.stringify(event(1)).repeat(1)}${`,${JSON.stringify(event(2))}`.repeat(5_000)}]}`,
    );
    const error = await rejection(
      decodeCaptureRequest(request(body, { contentEncoding: 'gzip' }), { checkToken }),
    );
    expect([error.status, error.message]).toEqual([401, 'API key is not valid: phc_unknown is unknown']);
    expect(seen).toEqual(['phc_unknown']);
  });

  it('checks an array’s token at the first event that carries one', async () => {
    const events = [
      event(1),
      event(2, { token: 'phc_other' }),
      ...Array.from({ length: 3_000 }, (_, i) => event(i)),
    ];
    const body = truncatedGzip(JSON.stringify(events));
    const checkToken = (token: string): string => {
      throw new CaptureError('unknown_token', `API key is not valid: ${token} is unknown`);
    };
    const error = await rejection(decodeCaptureRequest(request(body, { path: '/e/' }), { checkToken }));
    expect(error.message).toBe('API key is not valid: phc_other is unknown');
  });

  it('refuses nesting deeper than PostHog’s parser allows, at the byte where it happens', async () => {
    const body = `{"api_key":"${TOKEN}","batch":[${'['.repeat(200)}`;
    const error = await rejection(decodeCaptureRequest(request(body), STREAM));
    expect([error.status, error.message]).toEqual([
      400,
      'failed to parse request: nested deeper than 131 levels at line 1 column 176',
    ]);
  });

  it('refuses a request holding more JSON values than the cap', async () => {
    const body = envelope([event(1, { list: new Array(5_000).fill(0) })]);
    const error = await rejection(decodeCaptureRequest(request(body), { ...STREAM, maxJsonValues: 1_000 }));
    expect([error.status, error.message]).toEqual([
      413,
      'maximum event size exceeded: more than 1,000 JSON values in one request',
    ]);
  });

  it('refuses an event over twice the event cap before reading it all', async () => {
    const body = envelope([event(1), event(2, { blob: 'x'.repeat(5_000) })]);
    const error = await rejection(decodeCaptureRequest(request(body), { ...STREAM, maxEventBytes: 1_000 }));
    expect([error.status, error.code, error.message]).toEqual([
      413,
      'event_too_big',
      'maximum event size exceeded: event 1 is over 2,000 bytes of JSON',
    ]);
  });

  it('lets other work run while it reads a large payload', async () => {
    const body = envelope(Array.from({ length: 5_000 }, (_, i) => event(i, { pad: 'y'.repeat(2_000) })));
    let turns = 0;
    let decoding = true;
    const tick = () => {
      turns++;
      if (decoding) setImmediate(tick);
    };
    setImmediate(tick);
    const decoded = await decodeCaptureRequest(request(body));
    decoding = false;
    expect(decoded.events).toHaveLength(5_000);
    expect(turns).toBeGreaterThan(1);
  });
});
