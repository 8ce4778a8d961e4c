import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { arbitraryBusinessEvent } from '@pulse/events/arbitraries';
import fc from 'fast-check';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents, type ApiEvent } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// 1,000 arbitrary capture requests against the real server. Invariants: the server never crashes or
// answers anything but 200/204/400/401/413 (errors with a non-empty plain-text reason), and every event of a
// body that is valid by construction and was answered 200/204 is readable afterwards (or, for a business
// event built to break its schema, listed in the quarantine).

const TOKEN = 'phc_fuzz_token';
const tenant = `tenant-fuzz-${randomUUID().slice(0, 8)}`;
/** Mutated bodies write to their own tenant: whatever they store cannot hide the valid events' readback. */
const mutatedTenant = `${tenant}-mutated`;
const RUNS = 1_000;
/** Bodies sent at once: group commit then shares commits between them, as under real load. */
const CONCURRENCY = 10;
const ALLOWED = new Set([200, 204, 400, 401, 413]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Event = {
  event: string;
  distinct_id: string;
  uuid: string;
  timestamp?: string;
  properties: Record<string, unknown>;
};

/** Plain strings as the SDKs send them: any Unicode scalar value (NUL included), never a lone surrogate. */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

/** One valid event, uuid filled in at send time. Generic ones carry arbitrary JSON properties. */
const validEvent: fc.Arbitrary<{ event: Omit<Event, 'uuid'>; quarantine: boolean }> = fc.oneof(
  fc
    .record({
      name: fc.oneof(
        fc.constantFrom('$pageview', 'signup_clicked', '$identify', 'checkout_started'),
        text(40).map((s) => `fz_${s}`),
      ),
      distinct: fc.oneof(
        fc.uuid(),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `d_${s}`),
      ),
      timestamp: fc.option(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        { nil: undefined },
      ),
      properties: fc.dictionary(
        text(20).map((k) => `p_${k}`),
        fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
        { maxKeys: 6 },
      ),
    })
    .map(({ name, distinct, timestamp, properties }) => ({
      event: {
        event: name,
        distinct_id: distinct,
        ...(timestamp ? { timestamp: timestamp.toISOString() } : {}),
        properties: { ...properties, tenant_id: tenant },
      },
      quarantine: false,
    })),
  arbitraryBusinessEvent.map(({ event, properties }) => ({
    event: { event, distinct_id: 'biz-user', properties: { ...properties, tenant_id: tenant } },
    quarantine: false,
  })),
  // A business event built to break its schema: accepted with 200, kept in the quarantine.
  fc.double({ min: -1e9, max: -0.01, noNaN: true }).map((amount) => ({
    event: {
      event: 'revenue_impact_event',
      distinct_id: 'biz-user',
      properties: { tenant_id: tenant, impact_amount: amount, impact_type: 'sideways' },
    },
    quarantine: true,
  })),
);

type Shape = 'batch' | 'array' | 'single';
type Encoding =
  | 'json'
  | 'gzip-header'
  | 'gzip-sniffed'
  | 'gzip-hint'
  | 'base64-raw'
  | 'base64-form'
  | 'lz64-form'
  | 'get-data';

const capturePaths = ['/e/', '/e', '/batch/', '/batch', '/i/v0/e/', '/capture/', '/track', '/engage/'];
/** Paths where capture base64-decodes a payload that is still base64 after decompression (its legacy special case). */
const legacyPaths = ['/e/', '/e', '/capture/', '/track', '/engage/'];

interface Wire {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** Puts a JSON text on the wire in one of the encodings the SDKs use. */
function encode(json: string, encoding: Encoding, path: string, beacon: boolean): Wire {
  const query = (q: string) => (beacon ? (q ? `${q}&beacon=1` : '?beacon=1') : q);
  switch (encoding) {
    case 'json':
      return {
        method: 'POST',
        path: path + query(''),
        headers: { 'content-type': 'application/json' },
        body: json,
      };
    case 'gzip-header':
      return {
        method: 'POST',
        path: path + query(''),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(json),
      };
    case 'gzip-sniffed':
      return {
        method: 'POST',
        path: path + query(''),
        headers: { 'content-type': 'text/plain' },
        body: gzipSync(json),
      };
    case 'gzip-hint':
      return {
        method: 'POST',
        path: path + query('?compression=gzip-js&ver=1.0.0'),
        headers: { 'content-type': 'text/plain' },
        body: gzipSync(json),
      };
    case 'base64-raw':
      return {
        method: 'POST',
        path: path + query(''),
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(json).toString('base64'),
      };
    case 'base64-form':
      return {
        method: 'POST',
        path: path + query('?compression=base64'),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `data=${encodeURIComponent(Buffer.from(json).toString('base64'))}`,
      };
    case 'lz64-form':
      return {
        method: 'POST',
        path: path + query(''),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `data=${encodeURIComponent(LZString.compressToBase64(json))}&compression=lz64`,
      };
    case 'get-data': {
      const data = encodeURIComponent(Buffer.from(json).toString('base64'));
      // A URL past Node's 16 KiB header limit is refused by the HTTP parser (431) before Pulse sees it.
      if (data.length > 8_000) return encode(json, 'json', path, beacon);
      return { method: 'GET', path: `${path}?data=${data}${beacon ? '&beacon=1' : ''}`, headers: {} };
    }
  }
}

function shapeBody(events: Event[], shape: Shape): Json {
  if (shape === 'single' && events.length === 1)
    return { ...(events[0] as unknown as { [key: string]: Json }), api_key: TOKEN };
  if (shape === 'array')
    return events.map((e) => ({ ...(e as unknown as { [key: string]: Json }), token: TOKEN }));
  return { api_key: TOKEN, sent_at: new Date().toISOString(), batch: events as unknown as Json[] };
}

/** A body valid by construction: its events are all expected back. */
const validRequest = fc
  .record({
    events: fc.array(validEvent, { minLength: 1, maxLength: 8 }),
    shape: fc.constantFrom<Shape>('batch', 'array', 'single'),
    encoding: fc.constantFrom<Encoding>(
      'json',
      'gzip-header',
      'gzip-sniffed',
      'gzip-hint',
      'base64-raw',
      'base64-form',
      'lz64-form',
      'get-data',
    ),
    path: fc.constantFrom(...capturePaths),
    legacyPath: fc.constantFrom(...legacyPaths),
    beacon: fc.boolean(),
  })
  // A base64 form (`data=<base64>`) is only decoded on the legacy paths, in PostHog's capture as in Pulse.
  .map(({ legacyPath, ...r }) => ({ ...r, path: r.encoding === 'base64-form' ? legacyPath : r.path }));

/** JSON text nested `depth` levels deep, built as text (JSON.stringify itself overflows the stack on it). */
const nest = (depth: number, leaf: string, kind: 'array' | 'object'): string =>
  kind === 'array'
    ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`
    : `${'{"d":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

/** Damage done to a valid body's parsed JSON: wrong types, odd values, lone surrogates, NULs, deep nesting. */
const objectMutation = fc.oneof(
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom(
      'event',
      'distinct_id',
      'uuid',
      'properties',
      'timestamp',
      'offset',
      'token',
      '$set',
      '$cookieless_mode',
      'api_key',
    ),
    value: fc.oneof(
      fc.constantFrom<Json>(
        null,
        '',
        '   ',
        0,
        -1,
        1.5,
        true,
        [],
        {},
        'not-a-uuid',
        'phx_personal',
        'x'.repeat(65),
        'tökén',
        'a\u0000b',
        '\ud800',
        '\udfff',
        1e308,
        -1e308,
        2 ** 63,
        Number.MAX_SAFE_INTEGER + 2,
      ),
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      text(30),
    ),
  }),
  fc.record({
    kind: fc.constant('lone-surrogate' as const),
    where: fc.constantFrom('event', 'distinct_id', 'property-value', 'property-key', 'tenant_id'),
    code: fc.integer({ min: 0xd800, max: 0xdfff }),
  }),
  fc.record({
    kind: fc.constant('nul' as const),
    where: fc.constantFrom('event', 'distinct_id', 'property-value', 'property-key', 'tenant_id'),
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    where: fc.constantFrom('property-value', 'distinct_id'),
    depth: fc.integer({ min: 10, max: 20_000 }),
    container: fc.constantFrom<'array' | 'object'>('array', 'object'),
  }),
  fc.record({
    kind: fc.constant('huge-number' as const),
    literal: fc.constantFrom(
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '0.' + '1'.repeat(400),
      '1e-400',
      '-0',
    ),
  }),
);

/** Damage done to the JSON text or the bytes on the wire. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('bitflip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bit: fc.integer({ min: 0, max: 7 }),
    afterEncoding: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    what: fc.constantFrom(
      ',',
      '"',
      '}',
      ']',
      '\\',
      '\u0000',
      '\\u',
      'null',
      '\ud800',
      '\\ud800',
      '\\udc00\\ud800',
    ),
  }),
  fc.record({
    kind: fc.constant('headers' as const),
    headers: fc.record(
      {
        'content-type': fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded; charset=UTF-8',
        ),
        'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'GZIP', 'x-unknown'),
      },
      { requiredKeys: [] },
    ),
    query: fc.constantFrom(
      '',
      '?compression=gzip-js',
      '?compression=lz64',
      '?compression=base64',
      '?compression=nope',
      '?data=',
      '?data=%%%',
      '?_=1&sent_at=notanumber',
      '?beacon=2',
    ),
  }),
);

/** Random junk bodies with random (but well-formed) headers. */
const junk = fc.record({
  body: fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: 'binary', maxLength: 500 }),
    fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 200,
    }),
    fc.json({ maxDepth: 4 }),
    fc
      .uint8Array({ maxLength: 512 })
      .map((bytes) => Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from(bytes)])),
    fc.base64String({ maxLength: 400 }),
    fc.string({ maxLength: 200 }).map((s) => `data=${s}&compression=lz64`),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
  ),
  encoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate'), { nil: undefined }),
  path: fc.constantFrom(...capturePaths),
  method: fc.constantFrom<'GET' | 'POST'>('POST', 'POST', 'POST', 'GET'),
});

const fuzzCase = fc.oneof(
  { weight: 3, arbitrary: validRequest.map((request) => ({ kind: 'valid' as const, request })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('object-mutation' as const),
      request: validRequest,
      mutation: objectMutation,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('text-mutation' as const),
      request: validRequest,
      mutation: textMutation,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('junk' as const), junk }) },
);
type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;
type ValidRequest = Infer<typeof validRequest>;
type FuzzCase = Infer<typeof fuzzCase>;
type ObjectMutation = Infer<typeof objectMutation>;
type TextMutation = Infer<typeof textMutation>;

function withUuids(request: ValidRequest, tenantId: string): { events: Event[]; quarantine: boolean[] } {
  return {
    events: request.events.map((e) => ({
      ...e.event,
      uuid: randomUUID(),
      properties: { ...e.event.properties, tenant_id: tenantId },
    })),
    quarantine: request.events.map((e) => e.quarantine),
  };
}

function mutateObject(body: Json, m: ObjectMutation): string {
  const events: { [key: string]: Json }[] = Array.isArray(body)
    ? (body as { [key: string]: Json }[])
    : body !== null && typeof body === 'object' && Array.isArray((body as { batch?: Json }).batch)
      ? ((body as { batch: Json[] }).batch as { [key: string]: Json }[])
      : [body as { [key: string]: Json }];
  const target = events[0] as { [key: string]: Json } & { properties: { [key: string]: Json } };
  const inject = (where: string, piece: string) => {
    if (where === 'event') target.event = `ev${piece}`;
    else if (where === 'distinct_id') target.distinct_id = `id${piece}`;
    else if (where === 'property-value') target.properties.p_injected = `v${piece}v`;
    else if (where === 'property-key') target.properties[`k${piece}`] = 1;
    else target.properties.tenant_id = `${mutatedTenant}${piece}`;
  };
  switch (m.kind) {
    case 'field':
      if (m.field === 'api_key' && !Array.isArray(body) && typeof body === 'object' && body !== null)
        body.api_key = m.value;
      else (target as { [key: string]: Json })[m.field] = m.value;
      return JSON.stringify(body);
    case 'lone-surrogate':
      inject(m.where, String.fromCharCode(m.code));
      return JSON.stringify(body); // JSON.stringify writes it as a \udXXX escape
    case 'nul':
      inject(m.where, '\u0000');
      return JSON.stringify(body);
    case 'deep':
      if (m.where === 'distinct_id') target.distinct_id = '__deep__';
      else target.properties.p_deep = '__deep__';
      return JSON.stringify(body).replace('"__deep__"', nest(m.depth, '"leaf"', m.container));
    case 'huge-number':
      target.properties.p_huge = 0;
      return JSON.stringify(body).replace('"p_huge":0', `"p_huge":${m.literal}`);
  }
}

function applyText(json: string, m: TextMutation, request: ValidRequest): Wire {
  const pos = (at: number, length: number) => Math.min(length - 1, Math.floor(at * length));
  switch (m.kind) {
    case 'truncate':
      return encode(json.slice(0, pos(m.at, json.length)), request.encoding, request.path, request.beacon);
    case 'insert': {
      const i = pos(m.at, json.length);
      return encode(
        json.slice(0, i) + m.what + json.slice(i),
        request.encoding,
        request.path,
        request.beacon,
      );
    }
    case 'bitflip': {
      if (!m.afterEncoding) {
        const bytes = Buffer.from(json, 'utf8');
        const i = pos(m.at, bytes.length);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
        // Sent as raw bytes (may be invalid UTF-8 now).
        return {
          method: 'POST',
          path: request.path,
          headers: { 'content-type': 'application/json' },
          body: bytes,
        };
      }
      const wire = encode(json, request.encoding, request.path, request.beacon);
      if (wire.body === undefined) return wire;
      const bytes = Buffer.from(wire.body);
      const i = pos(m.at, bytes.length);
      bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
      return { ...wire, body: bytes };
    }
    case 'headers': {
      const wire = encode(
        json,
        request.encoding === 'get-data' ? 'json' : request.encoding,
        request.path,
        false,
      );
      return { ...wire, path: request.path + m.query, headers: { ...wire.headers, ...m.headers } };
    }
  }
}

interface Outcome {
  status: number;
  text: string;
}

async function post(url: string, wire: Wire): Promise<Outcome> {
  const response = await fetch(`${url}${wire.path}`, {
    method: wire.method,
    headers: wire.headers,
    ...(wire.method === 'POST' && wire.body !== undefined
      ? { body: typeof wire.body === 'string' ? wire.body : new Uint8Array(wire.body) }
      : {}),
  });
  return { status: response.status, text: await response.text() };
}

describe('capture fuzzing against the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it(
    `survives ${RUNS} arbitrary bodies and stores every valid event it acknowledged`,
    { timeout: 120_000 },
    async () => {
      const expectedStored = new Map<string, Event>();
      const expectedQuarantined = new Set<string>();
      const anomalies: { kind: string; detail: string; status: number; text: string; excerpt: string }[] = [];
      const counts: Record<string, Record<number, number>> = {};
      const seed = Date.now() ^ (Math.random() * 2 ** 31);
      const started = performance.now();

      const one = async (c: FuzzCase) => {
        let wire: Wire;
        let valid: { events: Event[]; quarantine: boolean[]; beacon: boolean } | undefined;
        let detail: string;
        let source: string | undefined; // the JSON text before encoding, for the anomaly report
        if (c.kind === 'junk') {
          const j = c.junk;
          const headers: Record<string, string> = {
            'content-type': j.contentType,
            ...(j.encoding ? { 'content-encoding': j.encoding } : {}),
          };
          wire =
            j.method === 'GET'
              ? {
                  method: 'GET',
                  path: `${j.path}?data=${encodeURIComponent(Buffer.from(j.body).toString('latin1'))}`,
                  headers: {},
                }
              : { method: 'POST', path: j.path, headers, body: j.body };
          detail = `${j.method} ${j.path} ${j.contentType} ${j.encoding ?? ''}`;
        } else {
          const { events, quarantine } = withUuids(c.request, c.kind === 'valid' ? tenant : mutatedTenant);
          const body = shapeBody(events, c.request.shape);
          detail = `${c.request.shape}/${c.request.encoding} ${c.request.path}`;
          if (c.kind === 'valid') {
            source = JSON.stringify(body);
            wire = encode(source, c.request.encoding, c.request.path, c.request.beacon);
            valid = { events, quarantine, beacon: c.request.beacon };
          } else if (c.kind === 'object-mutation') {
            source = mutateObject(body, c.mutation);
            wire = encode(source, c.request.encoding, c.request.path, c.request.beacon);
            detail += ` ${JSON.stringify(c.mutation).slice(0, 120)}`;
          } else {
            source = JSON.stringify(body);
            wire = applyText(source, c.mutation, c.request);
            detail += ` ${JSON.stringify(c.mutation).slice(0, 120)}`;
          }
        }

        let outcome: Outcome;
        try {
          outcome = await post(server.url, wire);
        } catch (error) {
          outcome = {
            status: -1,
            text: `request failed: ${(error as Error).message} (${String((error as Error).cause)})`,
          };
        }
        const label =
          c.kind === 'object-mutation' || c.kind === 'text-mutation'
            ? `${c.kind}:${c.mutation.kind}`
            : c.kind;
        const perKind = (counts[label] ??= {});
        perKind[outcome.status] = (perKind[outcome.status] ?? 0) + 1;
        const excerpt = (
          source ?? (Buffer.isBuffer(wire.body) ? wire.body.toString('latin1') : (wire.body ?? wire.path))
        ).slice(0, 160);
        const note = (why: string) =>
          anomalies.push({
            kind: label,
            detail: `${why}; ${detail}`,
            status: outcome.status,
            text: outcome.text.slice(0, 200),
            excerpt,
          });

        if (!ALLOWED.has(outcome.status)) note('status outside 200/204/400/401/413');
        else if (outcome.status >= 400 && outcome.text.trim() === '') note('error without a reason');
        if (valid) {
          const want = valid.beacon ? 204 : 200;
          if (outcome.status !== want) note(`valid body not answered ${want}`);
          else
            valid.events.forEach((e, i) => {
              if (valid?.quarantine[i]) expectedQuarantined.add(e.uuid);
              else expectedStored.set(e.uuid, e);
            });
        }
      };
      await fc.assert(
        fc.asyncProperty(
          fc.array(fuzzCase, { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
          async (cases) => {
            await Promise.all(cases.map(one));
            return true;
          },
        ),
        { numRuns: RUNS / CONCURRENCY, seed, endOnFailure: true },
      );
      const fuzzSeconds = (performance.now() - started) / 1000;

      // Server-side failures, grouped by case and answer, with one example each (reproduce with `seed`).
      const grouped = new Map<string, (typeof anomalies)[number] & { count: number }>();
      for (const a of anomalies) {
        const key = `${a.kind} → ${a.status} ${a.text.slice(0, 60)}`;
        const seen = grouped.get(key);
        if (seen) seen.count++;
        else grouped.set(key, { ...a, count: 1 });
      }
      console.info(
        `capture fuzz (seed ${seed}): ${RUNS} requests in ${fuzzSeconds.toFixed(1)} s; ${expectedStored.size} valid events acknowledged, ` +
          `${expectedQuarantined.size} quarantined; statuses by case: ${JSON.stringify(counts)}`,
      );
      expect.soft([...grouped.values()], `anomalies (seed ${seed})`).toEqual([]);

      // Still alive and serving.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      // Every acknowledged valid event is stored, once, as sent; every built-to-fail one is quarantined.
      const stored = await readAllEvents(server.url, server.adminKey, { tenant });
      const byUuid = new Map<string, ApiEvent>();
      const duplicates = stored.filter((e) => byUuid.has(e.uuid) || !byUuid.set(e.uuid, e));
      expect(duplicates, 'uuids stored twice').toEqual([]);
      const missing = [...expectedStored.keys()].filter((uuid) => !byUuid.has(uuid));
      expect(missing, 'acknowledged valid events that are not readable').toEqual([]);
      expect(stored.length).toBe(expectedStored.size);
      for (const [uuid, sent] of expectedStored) {
        const got = byUuid.get(uuid);
        const roundTripped = JSON.parse(JSON.stringify(sent)) as Event;
        expect({ event: got?.event, distinct_id: got?.distinctId, tenant_id: got?.tenantId }).toEqual({
          event: roundTripped.event,
          distinct_id: roundTripped.distinct_id,
          tenant_id: tenant,
        });
        expect(got?.properties).toMatchObject(roundTripped.properties);
      }
      const quarantine = await server.api<{ quarantined: { id: string }[] }>(
        `/api/quarantine?tenant=${tenant}&limit=10000`,
      );
      const quarantinedIds = new Set(quarantine.body.quarantined.map((q) => q.id));
      expect(
        [...expectedQuarantined].filter((id) => !quarantinedIds.has(id)),
        'quarantined events not listed',
      ).toEqual([]);

      // Whatever the mutated bodies got stored must not break reading it back.
      const mutatedRead = await fetch(
        `${server.url}/api/events?tenant=${encodeURIComponent(mutatedTenant)}&limit=10000`,
        {
          headers: { authorization: `Bearer ${server.adminKey}` },
        },
      );
      expect(
        mutatedRead.status,
        `GET /api/events for what mutated bodies stored: ${await mutatedRead.text()}`,
      ).toBe(200);
      const allRead = await fetch(`${server.url}/api/events?limit=10000`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      });
      expect(allRead.status, 'GET /api/events (all tenants) after fuzzing').toBe(200);
    },
  );

  // Fixed examples of what the fuzzer finds; each says what the server must do instead.
  /** A one-event batch for tenant `t`; `"__raw__"` in it is replaced by raw JSON text. */
  const body = (
    t: string,
    event: Record<string, unknown>,
    properties: Record<string, unknown> = {},
    raw = '',
  ) =>
    JSON.stringify({
      api_key: TOKEN,
      batch: [
        {
          event: 'fz_pinned',
          distinct_id: 'pinned',
          uuid: randomUUID(),
          ...event,
          properties: { tenant_id: t, ...properties },
        },
      ],
    }).replace('"__raw__"', raw);

  it.each<[string, (t: string) => string]>([
    ['a lone surrogate in a property value', (t) => body(t, {}, { p: '\ud800' })],
    ['a lone surrogate in a property key', (t) => body(t, {}, { ['\udc00']: 1 })],
    ['a lone surrogate in the event name', (t) => body(t, { event: 'x\ud800' })],
    ['a lone surrogate in distinct_id', (t) => body(t, { distinct_id: 'a\udfff' })],
    ['properties nested 5,000 deep', (t) => body(t, {}, { p: '__raw__' }, nest(5_000, '1', 'array'))],
    [
      'a distinct_id object nested 5,000 deep',
      (t) => body(t, { distinct_id: '__raw__' }, {}, nest(5_000, '"x"', 'object')),
    ],
    ['a number beyond double range (1e400) as a property', (t) => body(t, {}, { p: '__raw__' }, '1e400')],
    ['a number beyond double range (-1e400) as a property', (t) => body(t, {}, { p: '__raw__' }, '-1e400')],
  ])(
    '%s: a permanent 400, or 200 and readable; never a retryable 503 or a poisoned read',
    async (_name, build) => {
      const pinnedTenant = `${tenant}-pinned-${randomUUID().slice(0, 8)}`;
      const payload = build(pinnedTenant);
      const uuid = /"uuid":"([^"]+)"/.exec(payload)?.[1] ?? '';
      const response = await fetch(`${server.url}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      const reply = { status: response.status, text: await response.text() };
      expect([200, 400], `answered ${reply.status} ${reply.text}`).toContain(reply.status);
      if (reply.status === 400) expect(reply.text).toMatch(/^failed to (parse|decode) request: .+/);
      else
        expect(
          (await readAllEvents(server.url, server.adminKey, { tenant: pinnedTenant })).map((e) => e.uuid),
        ).toEqual([uuid]);
    },
  );
});
