import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, readAllEvents, type ApiEvent } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Every request here goes through the real HTTP server (Fastify, decoder, pipeline, DuckDB), never the
// decoder alone: each encoding a PostHog SDK has ever sent is stored and read back, and each refusal has
// PostHog's status and a plain-text reason that says what is wrong and where.

const TOKEN = 'phc_encodings_test_token';
const tenant = `tenant-enc-${randomUUID().slice(0, 8)}`;

interface Reply {
  status: number;
  text: string;
  headers: Headers;
}

async function send(
  url: string,
  path: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'POST',
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body) }
      : {}),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A valid event with a fresh uuid; `label` says which encoding carried it, to read it back. */
function event(label: string, extra: Record<string, unknown> = {}) {
  return {
    event: 'revenue_impact_event',
    distinct_id: `user-${label}`,
    uuid: randomUUID(),
    timestamp: '2026-03-04T10:15:30.250Z',
    properties: {
      tenant_id: tenant,
      impact_amount: 125.5,
      impact_type: 'negative',
      encoding: label,
      ...extra,
    },
  };
}

const batch = (...events: unknown[]) => ({
  api_key: TOKEN,
  batch: events,
  sent_at: new Date().toISOString(),
});
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A gzip stream of `mib` MiB of spaces, built in 1 MiB steps so the test never holds the inflated bytes. */
async function gzipBomb(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < mib; i++)
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  gzip.end();
  await ended;
  return Buffer.concat(chunks);
}

/** POSTs `mib` MiB of chunked body (no Content-Length), stopping as soon as the server answers. */
function streamBody(
  url: string,
  path: string,
  mib: number,
): Promise<{ status: number; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, sent }));
      },
    );
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const block = Buffer.alloc(1024 * 1024, 0x20);
    const pump = () => {
      while (sent < mib && !answered) {
        sent++;
        if (!req.write(block)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('capture encodings through the real HTTP server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
  });
  afterAll(async () => server.close());

  const stored = async (): Promise<Map<string, ApiEvent>> =>
    new Map((await readAllEvents(server.url, server.adminKey, { tenant })).map((e) => [e.uuid, e]));

  // Each case sends its events with a different encoding; all must come back, exactly.
  const cases: {
    name: string;
    send: (url: string) => Promise<{ reply: Reply; sent: ReturnType<typeof event>[] }>;
  }[] = [
    {
      name: 'JSON batch envelope on /batch/ (posthog-node, disableCompression)',
      send: async (url) => {
        const sent = [event('json'), event('json')];
        const reply = await send(url, '/batch/', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch(...sent)),
        });
        return { reply, sent };
      },
    },
    {
      name: 'gzip with Content-Encoding: gzip (posthog-node default)',
      send: async (url) => {
        const sent = [event('gzip-header'), event('gzip-header')];
        const reply = await send(url, '/batch/', {
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: gzipSync(JSON.stringify(batch(...sent))),
        });
        return { reply, sent };
      },
    },
    {
      name: 'gzip with ?compression=gzip-js, array body, tokens in properties (older posthog-js)',
      send: async (url) => {
        const sent = [event('gzip-js'), event('gzip-js')];
        const body = sent.map((e) => ({ ...e, properties: { ...e.properties, token: TOKEN } }));
        const reply = await send(url, `/e/?ip=1&_=${Date.now()}&ver=1.160.0&compression=gzip-js`, {
          headers: { 'content-type': 'text/plain' },
          body: gzipSync(JSON.stringify(body)),
        });
        return { reply, sent };
      },
    },
    {
      name: 'gzip as text/plain with no hint: sniffed by its magic bytes (posthog-js 1.449)',
      send: async (url) => {
        const sent = [event('gzip-magic'), event('gzip-magic')];
        const reply = await send(url, '/e/', {
          headers: { 'content-type': 'text/plain' },
          body: gzipSync(JSON.stringify(batch(...sent))),
        });
        return { reply, sent };
      },
    },
    {
      name: 'lz64 form: data=<LZString.compressToBase64(json)>&compression=lz64 (very old posthog-js)',
      send: async (url) => {
        const sent = [event('lz64'), event('lz64')];
        const data = LZString.compressToBase64(JSON.stringify(batch(...sent)));
        const reply = await send(url, '/e/', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `data=${encodeURIComponent(data)}&compression=lz64&ver=1.0.0`,
        });
        return { reply, sent };
      },
    },
    {
      name: 'lz64 form whose base64 was not URL-encoded ("+" arrives as " ")',
      send: async (url) => {
        // Deterministic content whose lz-string base64 holds '+': proves the '+'→' '→'+' repair.
        let sent = [event('lz64-raw')];
        let data = LZString.compressToBase64(JSON.stringify(batch(...sent)));
        for (let i = 0; !data.includes('+') && i < 100; i++) {
          sent = [event('lz64-raw', { attempt: i })];
          data = LZString.compressToBase64(JSON.stringify(batch(...sent)));
        }
        expect(data).toContain('+');
        const reply = await send(url, '/e/', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `data=${data}&compression=lz64`,
        });
        return { reply, sent };
      },
    },
    {
      name: 'base64 form: data=<base64(json)> with compression=base64 (posthog-js base64 mode)',
      send: async (url) => {
        const sent = [event('base64-form'), event('base64-form')];
        const reply = await send(url, '/e/?compression=base64', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `data=${encodeURIComponent(b64(JSON.stringify(batch(...sent))))}`,
        });
        return { reply, sent };
      },
    },
    {
      name: 'base64 form with no compression hint (legacy second base64 pass on /e)',
      send: async (url) => {
        const sent = [event('base64-nohint')];
        const reply = await send(url, '/e/', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `data=${encodeURIComponent(b64(JSON.stringify(batch(...sent))))}`,
        });
        return { reply, sent };
      },
    },
    {
      name: 'GET /e/?data=<base64> (legacy pixel/GET capture)',
      send: async (url) => {
        const single = event('get-data');
        const data = encodeURIComponent(b64(JSON.stringify({ ...single, api_key: TOKEN })));
        const reply = await send(url, `/e/?data=${data}&ip=1&_=${Date.now()}`, { method: 'GET' });
        const sent = [single];
        return { reply, sent };
      },
    },
    ...['/i/v0/e/', '/capture', '/track', '/e'].map((path) => ({
      name: `single event object on ${path}`,
      send: async (url: string) => {
        const sent = [event(`single${path}`)];
        const reply = await send(url, path, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...sent[0], api_key: TOKEN }),
        });
        return { reply, sent };
      },
    })),
    {
      name: 'bare JSON array of events on /batch (token inside each event)',
      send: async (url) => {
        const sent = [event('array'), event('array'), event('array')];
        const reply = await send(url, '/batch', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(sent.map((e) => ({ ...e, token: TOKEN }))),
        });
        return { reply, sent };
      },
    },
    {
      name: 'raw base64 body (optimistic unwrap, no form, no hint)',
      send: async (url) => {
        const sent = [event('raw-base64'), event('raw-base64')];
        const reply = await send(url, '/batch/', {
          headers: { 'content-type': 'text/plain' },
          body: b64(JSON.stringify(batch(...sent))),
        });
        return { reply, sent };
      },
    },
  ];

  it.each(cases)('$name: 200 {"status":"Ok"} and the events read back exactly', async ({ send: run }) => {
    const { reply, sent } = await run(server.url);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.text).toBe('{"status":"Ok"}');
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    const byUuid = await stored();
    for (const e of sent) {
      const got = byUuid.get(e.uuid);
      expect(got, `${e.properties.encoding} event ${e.uuid} was not stored`).toBeDefined();
      expect(got).toMatchObject({
        event: e.event,
        distinctId: e.distinct_id,
        tenantId: tenant,
        properties: e.properties,
      });
    }
  });

  it('/engage/ person update (no event name) is stored as $identify with its $set', async () => {
    const distinct = `engage-${randomUUID()}`;
    const reply = await send(server.url, '/engage/', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ $token: TOKEN, $distinct_id: distinct, $set: { plan: 'pro', seats: 12 } }),
    });
    expect(reply).toMatchObject({ status: 200, text: '{"status":"Ok"}' });
    const events = await readAllEvents(server.url, server.adminKey, { event: '$identify' });
    const got = events.filter((e) => e.distinctId === distinct);
    expect(got).toHaveLength(1);
    expect(got[0]?.properties.$set).toEqual({ plan: 'pro', seats: 12 });

    // The same body on a non-engage path is refused, saying why.
    const elsewhere = await send(server.url, '/capture/', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ $token: TOKEN, $distinct_id: distinct, $set: { plan: 'pro' } }),
    });
    expect(elsewhere).toMatchObject({
      status: 400,
      text: 'failed to hydrate events from request: non-engage request missing event name attribute',
    });
  });

  it('beacon=1 answers 204 with no body, and the event is stored', async () => {
    const sent = event('beacon');
    const reply = await send(server.url, '/e/?beacon=1', {
      headers: { 'content-type': 'text/plain' },
      body: gzipSync(JSON.stringify(batch(sent))),
    });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect((await stored()).get(sent.uuid)?.properties).toEqual(sent.properties);
  });

  it('CORS preflight OPTIONS /e/ mirrors Origin and requested headers, with credentials', async () => {
    const origin = 'https://shop.example.com';
    const response = await fetch(`${server.url}/e/`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-custom',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,x-custom');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('vary')).toMatch(/Origin/);
    // The actual POST from that origin carries the same headers.
    const post = await fetch(`${server.url}/e/`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify(batch(event('cors'))),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(origin);
    expect(post.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it("posthog-js's init routes (remote config, flags) answer cross-origin with the same CORS headers", async () => {
    // A site on another origin loads these with CORS (script crossorigin and fetch): without
    // Access-Control-Allow-Origin the browser blocks them, posthog-js never learns it may gzip, and the
    // console fills with CORS errors (see posthog-js-browser.e2e.test.ts).
    const origin = 'https://shop.example.com';
    const requests: [string, string, RequestInit][] = [
      ['GET', `/array/${TOKEN}/config`, {}],
      ['GET', `/array/${TOKEN}/config.js`, {}],
      [
        'POST',
        '/flags/?v=2',
        {
          body: JSON.stringify({ token: TOKEN, distinct_id: 'x' }),
          headers: { 'content-type': 'application/json' },
        },
      ],
    ];
    const missing: string[] = [];
    for (const [method, path, init] of requests) {
      const response = await fetch(`${server.url}${path}`, {
        ...init,
        method,
        headers: { ...(init.headers as Record<string, string>), origin },
      });
      expect(response.status, `${method} ${path}`).toBe(200);
      if (response.headers.get('access-control-allow-origin') !== origin) missing.push(`${method} ${path}`);
    }
    const preflight = await fetch(`${server.url}/flags/?v=2`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    if (preflight.status !== 200 && preflight.status !== 204)
      missing.push(`OPTIONS /flags/ answered ${preflight.status}`);
    else if (preflight.headers.get('access-control-allow-origin') !== origin) missing.push('OPTIONS /flags/');
    expect(missing, 'responses without Access-Control-Allow-Origin mirroring the Origin').toEqual([]);
  });

  describe('refusals: PostHog status, plain-text reason naming what and where, counted in /metrics', () => {
    const json = { 'content-type': 'application/json' };
    /** Starts watching `pulse_capture_rejected_total{reason}`; the returned function gives the increase since. */
    const rejections = async (reason: string) => {
      const sample = `pulse_capture_rejected_total{reason="${reason}"}`;
      const before = await metricValue(server.url, sample);
      return async () => (await metricValue(server.url, sample)) - before;
    };

    it('empty body → 400 request missing data payload', async () => {
      const rejected = await rejections('empty_payload');
      const reply = await send(server.url, '/batch/', { headers: json, body: '' });
      expect(reply).toMatchObject({ status: 400, text: 'request missing data payload' });
      expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await send(server.url, '/e/', { method: 'GET' })).status).toBe(400);
      expect(await rejected()).toBe(2);
    });

    it('bad gzip → 400 invalid GZIP data', async () => {
      const rejected = await rejections('decode_failed');
      const bad = Buffer.concat([
        Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
        Buffer.from('definitely not deflate data'),
      ]);
      const reply = await send(server.url, '/e/', { headers: { 'content-type': 'text/plain' }, body: bad });
      expect(reply.status).toBe(400);
      expect(reply.text).toMatch(/^failed to decode request: invalid GZIP data \(.+\)$/);
      // A gzip body cut short is refused the same way (and never partially stored).
      const whole = gzipSync(JSON.stringify(batch(event('truncated-gzip'))));
      const cut = await send(server.url, '/batch/', {
        headers: { 'content-encoding': 'gzip' },
        body: whole.subarray(0, whole.length - 12),
      });
      expect(cut.status).toBe(400);
      expect(cut.text).toMatch(/^failed to decode request: invalid GZIP data/);
      expect(await rejected()).toBe(2);
    });

    it('bad JSON → 400 failed to parse request, with line and column', async () => {
      const rejected = await rejections('parse_failed');
      const reply = await send(server.url, '/batch/', {
        headers: json,
        body: `{"api_key":"${TOKEN}","batch":[{"event":"x","distinct_id":"a",}]}`,
      });
      expect(reply).toMatchObject({
        status: 400,
        text: 'failed to parse request: trailing comma at line 1 column 79',
      });
      const typed = await send(server.url, '/batch/', {
        headers: json,
        body: JSON.stringify(batch(event('ok'), { ...event('bad'), properties: 'not an object' })),
      });
      expect(typed).toMatchObject({
        status: 400,
        text: 'failed to parse request: `properties` must be a map, got a string in `batch` (batch index 1)',
      });
      expect(await rejected()).toBe(2);
    });

    it('no token → 401 event submitted without an api_key', async () => {
      const rejected = await rejections('no_token');
      const reply = await send(server.url, '/i/v0/e/', {
        headers: json,
        body: JSON.stringify(event('no-token')),
      });
      expect(reply).toMatchObject({ status: 401, text: 'event submitted without an api_key' });
      expect(await rejected()).toBe(1);
    });

    it('inconsistent tokens → 401, naming the batch index', async () => {
      const rejected = await rejections('multiple_tokens');
      const reply = await send(server.url, '/e/', {
        headers: json,
        body: JSON.stringify([
          { ...event('t1'), token: TOKEN },
          { ...event('t2'), token: 'phc_some_other_project' },
        ]),
      });
      expect(reply).toMatchObject({
        status: 401,
        text: 'batch submitted with inconsistent api_key values (batch index 1 differs from an earlier event)',
      });
      expect(await rejected()).toBe(1);
    });

    it('a personal API key (phx_) → 401 API key is not valid: personal_api_key', async () => {
      const rejected = await rejections('invalid_token');
      const reply = await send(server.url, '/batch/', {
        headers: json,
        body: JSON.stringify({ ...batch(event('phx')), api_key: 'phx_personal_key_123' }),
      });
      expect(reply).toMatchObject({ status: 401, text: 'API key is not valid: personal_api_key' });
      expect(await rejected()).toBe(1);
    });

    it('a well-formed token that is not PULSE_PROJECT_TOKEN → 401, naming the setting', async () => {
      const rejected = await rejections('unknown_token');
      const sent = event('unknown-token');
      const reply = await send(server.url, '/batch/', {
        headers: json,
        body: JSON.stringify({ ...batch(sent), api_key: 'phc_not_this_pulse' }),
      });
      expect(reply).toMatchObject({
        status: 401,
        text: 'API key is not valid: not a project API key of this Pulse (PULSE_PROJECT_TOKEN)',
      });
      expect((await stored()).has(sent.uuid)).toBe(false);
      expect(await rejected()).toBe(1);
    });

    it('a body over 20 MiB (streamed, chunked) → 413 without reading it all', async () => {
      const rejected = await rejections('too_large');
      const reply = await streamBody(server.url, '/batch/', 21);
      expect(reply.status).toBe(413);
      expect(reply.text).toBe('maximum event size exceeded: request body over 20971520 bytes');
      expect(await rejected()).toBe(1);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });

    it('a gzip bomb (small gzip inflating past 100 MiB) → 413 without inflating it into memory', async () => {
      const rejected = await rejections('payload_too_big');
      const bomb = await gzipBomb(160);
      expect(bomb.length).toBeLessThan(400 * 1024);
      // Sampled every millisecond while the request runs (inflating happens on the threadpool, so the
      // event loop keeps sampling): RSS, and the Buffer memory that inflated output would occupy.
      const before = process.memoryUsage();
      const peak = { rss: before.rss, arrayBuffers: before.arrayBuffers };
      const sample = () => {
        const now = process.memoryUsage();
        peak.rss = Math.max(peak.rss, now.rss);
        peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
      };
      const sampler = setInterval(sample, 1);
      const reply = await send(server.url, '/e/', { headers: { 'content-type': 'text/plain' }, body: bomb });
      clearInterval(sampler);
      sample();
      const MiB = 2 ** 20;
      const rssGrowth = (peak.rss - before.rss) / MiB;
      const bufferGrowth = (peak.arrayBuffers - before.arrayBuffers) / MiB;
      expect(reply).toMatchObject({
        status: 413,
        text: 'maximum event size exceeded: decompressed payload over 100 MiB',
      });
      // Inflating the bomb up to the 100 MiB budget before refusing it would show here as ~80-100 MiB (the
      // 1 ms sampler misses the last chunks); refusing it before inflating it (e.g. from the gzip trailer's
      // ISIZE) keeps both near 0. Half the budget separates the two without flakiness.
      expect(rssGrowth, 'RSS growth (MiB) while refusing a gzip bomb').toBeLessThan(50);
      expect(bufferGrowth, 'Buffer growth (MiB) while refusing a gzip bomb').toBeLessThan(50);
      expect(await rejected()).toBe(1);
    });

    it('one event over 1 MB → 413 naming the event and its size; nothing of that request is stored', async () => {
      const rejected = await rejections('event_too_big');
      const small = event('small-beside-big');
      const big = event('big', { blob: 'x'.repeat(1_100_000) });
      const reply = await send(server.url, '/batch/', {
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
        body: gzipSync(JSON.stringify(batch(small, big))),
      });
      expect(reply.status).toBe(413);
      expect(reply.text).toMatch(
        /^maximum event size exceeded: event 1 is 1,1\d\d,\d{3} bytes, limit 1,000,000$/,
      );
      const byUuid = await stored();
      expect(byUuid.has(big.uuid)).toBe(false);
      expect(byUuid.has(small.uuid)).toBe(false);
      expect(await rejected()).toBe(1);
    });
  });
});

describe('a full ingest queue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_INGEST_QUEUE_MAX: '50' });
  });
  afterAll(async () => server.close());

  it('answers 503 with Retry-After (so SDKs retry) and stores nothing of that request; a batch that fits goes in', async () => {
    const tooMany = Array.from({ length: 100 }, (_, i) => event(`queue-${i}`));
    const reply = await send(server.url, '/batch/', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch(...tooMany)),
    });
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.text).toMatch(
      /^transient error, please retry: ingest queue is full \(0 events waiting\); retry shortly$/,
    );
    expect(await metricValue(server.url, 'pulse_capture_rejected_total{reason="queue_full"}')).toBe(1);
    expect(await readAllEvents(server.url, server.adminKey, { tenant })).toHaveLength(0);

    const fits = tooMany.slice(0, 50);
    const ok = await send(server.url, '/batch/', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch(...fits)),
    });
    expect(ok).toMatchObject({ status: 200, text: '{"status":"Ok"}' });
    expect((await readAllEvents(server.url, server.adminKey, { tenant })).map((e) => e.uuid).sort()).toEqual(
      fits.map((e) => e.uuid).sort(),
    );
  });
});
