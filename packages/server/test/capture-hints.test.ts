import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Every compression hint against every body encoding, through the real server on posthog-js's `/e/`: a hint
// the body contradicts must not lose the events (older SDKs sent `?compression=gzip-js` on base64 forms).
// Pulse decodes by the bytes: gzip by its magic, base64 by its alphabet, a form by its fields; only lz-string
// cannot be recognised by its bytes, so it needs its hint.

const TOKEN = 'phc_hints_test_token';
const tenant = `tenant-hints-${randomUUID().slice(0, 8)}`;

const hints: [string, { query?: string; headers?: Record<string, string> }][] = [
  ['no hint', {}],
  ['?compression=gzip', { query: 'compression=gzip' }],
  ['?compression=gzip-js', { query: 'compression=gzip-js' }],
  ['?compression=lz64', { query: 'compression=lz64' }],
  ['?compression=base64', { query: 'compression=base64' }],
  ['Content-Encoding: gzip', { headers: { 'content-encoding': 'gzip' } }],
];

const FORM = 'application/x-www-form-urlencoded';
const form = (data: string) => `data=${encodeURIComponent(data)}&ver=1.0.0`;
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

/** Each body encoding: its content type and bytes, for a JSON batch text. */
const bodies: [string, (json: string) => { type: string; body: Buffer | string }, { lz?: true }][] = [
  ['plain JSON', (json) => ({ type: 'application/json', body: json }), {}],
  ['gzip', (json) => ({ type: 'text/plain', body: gzipSync(json) }), {}],
  ['base64', (json) => ({ type: 'text/plain', body: b64(json) }), {}],
  ['base64 of gzip', (json) => ({ type: 'text/plain', body: b64(gzipSync(json)) }), {}],
  ['lz64', (json) => ({ type: 'text/plain', body: LZString.compressToBase64(json) }), { lz: true }],
  ['form data=JSON', (json) => ({ type: FORM, body: form(json) }), {}],
  ['form data=base64', (json) => ({ type: FORM, body: form(b64(json)) }), {}],
  ['form data=base64 of gzip', (json) => ({ type: FORM, body: form(b64(gzipSync(json))) }), {}],
  ['form data=lz64', (json) => ({ type: FORM, body: form(LZString.compressToBase64(json)) }), { lz: true }],
  ['form data=base64 sent as text/plain', (json) => ({ type: 'text/plain', body: form(b64(json)) }), {}],
  ['plain JSON sent as a form', (json) => ({ type: FORM, body: json }), {}],
];

const cases = hints.flatMap(([hint, how]) =>
  bodies.map(([name, encode, { lz }]) => {
    const label = `${hint} × ${name}`;
    // lz-string's text is base64's alphabet: without its hint nothing tells it apart.
    const decodable = !lz || hint === '?compression=lz64';
    return { label, how, encode, decodable };
  }),
);

describe('compression hints × body encodings on /e/', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
  });
  afterAll(async () => server.close());

  it.each(cases)('$label', async ({ label, how, encode, decodable }) => {
    const json = JSON.stringify([
      {
        event: 'signup_clicked',
        distinct_id: 'user-hints',
        uuid: randomUUID(),
        properties: { token: TOKEN, tenant_id: tenant, label },
      },
    ]);
    const { type, body } = encode(json);
    const response = await fetch(`${server.url}/e/${how.query ? `?${how.query}` : ''}`, {
      method: 'POST',
      headers: { 'content-type': type, ...how.headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await response.text();
    if (decodable)
      expect({ status: response.status, text }).toEqual({ status: 200, text: '{"status":"Ok"}' });
    else expect(response.status).toBe(400);
  });

  it('stored exactly the events of every decodable combination', async () => {
    const stored = await readAllEvents(server.url, server.adminKey, { tenant });
    expect(stored.map((e) => e.properties.label).sort()).toEqual(
      cases
        .filter((c) => c.decodable)
        .map((c) => c.label)
        .sort(),
    );
  });
});
