import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Small gzip bodies that inflate to ~100 MiB of tiny JSON values, sent without a valid token, while another
// client captures normally. Each must be refused by what it is (too many events, unknown token, too many
// values) as soon as that is certain, and the server must go on serving everyone else meanwhile.

const TOKEN = 'phc_abuse_test_token';
const MiB = 1024 * 1024;

/** gzip of `head` + `unit` repeated to ~`bytes` + `tail`, built in a stream (never 100 MiB in memory). */
async function gzipBomb(head: string, unit: string, bytes: number, tail: string): Promise<Buffer> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  const block = Buffer.from(unit.repeat(Math.ceil(MiB / unit.length)));
  gzip.write(head);
  for (let written = 0; written < bytes; written += block.length) {
    if (!gzip.write(block)) await once(gzip, 'drain');
  }
  gzip.end(tail);
  await ended;
  return Buffer.concat(out);
}

async function post(url: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: new Uint8Array(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('capture amplification: bombs are refused early while others are served', () => {
  let server: TestServer;
  let bombs: { name: string; body: Buffer; path: string; status: number; text: string }[];

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    const event = '{"event":"e","distinct_id":"d","properties":{"x":[' + '{},'.repeat(5_000) + '{}]}},';
    bombs = [
      {
        name: 'an array of `{}` (no token anywhere)',
        body: await gzipBomb('[', '{},', 100 * MiB, '{}]'),
        path: '/e/',
        status: 413,
        text: 'maximum event size exceeded: more than 10,000 events in one request; send them in smaller batches',
      },
      {
        name: 'a batch of `{}` behind an unknown token',
        body: await gzipBomb('{"api_key":"phc_not_this_pulse","batch":[', '{},', 100 * MiB, '{}]}'),
        path: '/batch/',
        status: 401,
        text: 'API key is not valid: not a project API key of this Pulse (PULSE_PROJECT_TOKEN)',
      },
      {
        name: 'valid-looking events each holding thousands of `{}` (no token)',
        body: await gzipBomb('[', event, 100 * MiB, '{}]'),
        path: '/e/',
        status: 413,
        text: 'maximum event size exceeded: more than 1,000,000 JSON values in one request',
      },
    ];
  }, 120_000);
  afterAll(async () => server.close());

  it('answers each bomb with a clear 4xx, stores a concurrent normal capture and stays healthy', async () => {
    for (const bomb of bombs) expect(bomb.body.length, bomb.name).toBeLessThan(200 * 1024);
    const replies = bombs.map((bomb) => post(server.url, bomb.path, bomb.body));

    const tenant = `tenant-abuse-${Date.now()}`;
    const client = new PostHog(TOKEN, { host: server.url, flushAt: 20, flushInterval: 0 });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    for (let i = 0; i < 20; i++)
      client.capture({ distinctId: `user-${i}`, event: 'signup_clicked', properties: { tenant_id: tenant } });
    const [health] = await Promise.all([fetch(`${server.url}/healthz`), client.shutdown()]);

    expect(health.status).toBe(200);
    expect(errors).toEqual([]);
    const settled = await Promise.all(replies);
    bombs.forEach((bomb, i) =>
      expect(settled[i], bomb.name).toEqual({ status: bomb.status, text: bomb.text }),
    );
    const stored = await readAllEvents(server.url, server.adminKey, { tenant });
    expect(stored).toHaveLength(20);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
