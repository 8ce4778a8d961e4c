import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeFetch } from '../../net/safe-fetch.js';
import { MAX_PAGES, digitalOceanApi, rateLimitWaitMs } from './digitalocean-api.js';

/** A stand-in API whose answers each test sets; it records who asked with which headers. */
let answer: (path: string) => { status: number; body: unknown; headers?: Record<string, string> };
const seen: { host: string; path: string; headers: IncomingHttpHeaders }[] = [];
const servers: Server[] = [];
const urls: string[] = [];

async function listen(): Promise<string> {
  const server = createServer((req, res) => {
    seen.push({ host: req.headers.host ?? '', path: req.url ?? '', headers: req.headers });
    const { status, body, headers } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const fetch = createSafeFetch({
  allowPrivateNetworks: true,
  timeoutMs: 5_000,
  retries: 0,
  retryBaseMs: 100,
  retryMaxMs: 100,
  maxRedirects: 0,
});
const api = (baseUrl: string) => digitalOceanApi({ baseUrl, token: 'secret-token', fetch, now: Date.now });
const signal = new AbortController().signal;

beforeAll(async () => {
  urls.push(await listen(), await listen());
});
afterAll(async () => {
  fetch.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('the DigitalOcean API client', () => {
  it('never follows a page link to another origin with the token', async () => {
    const [home, elsewhere] = urls as [string, string];
    seen.length = 0;
    answer = () => ({
      status: 200,
      body: { droplets: [], links: { pages: { next: `${elsewhere}/v2/droplets?page=2` } } },
    });
    await expect(api(home).list('/v2/droplets', 'droplets', signal)).rejects.toThrow(
      `refusing to send the token to ${elsewhere}`,
    );
    expect(seen.map((s) => s.host)).toEqual([new URL(home).host]);
  });

  it('fails a poll whose rate limit resets more than a minute away, saying when', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3600;
    answer = () => ({
      status: 429,
      body: { id: 'too_many_requests', message: 'API rate limit exceeded.' },
      headers: { 'ratelimit-reset': String(reset) },
    });
    await expect(api(urls[0]!).get('/v2/droplets', signal)).rejects.toThrow(
      `DigitalOcean rate limit on GET /v2/droplets: resets at ${new Date(reset * 1000).toISOString()}`,
    );
  });

  it('stops after the page bound and names errors with the API message, never the token', async () => {
    answer = (path) => ({
      status: 200,
      body: {
        droplets: [],
        links: {
          pages: { next: `${urls[0]!}/v2/droplets?page=${Number(/page=(\d+)/.exec(path)?.[1] ?? 1) + 1}` },
        },
      },
    });
    await expect(api(urls[0]!).list('/v2/droplets', 'droplets', signal)).rejects.toThrow(
      `more than ${MAX_PAGES} pages`,
    );
    answer = () => ({ status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you.' } });
    const failure = api(urls[0]!).get('/v2/droplets', signal);
    await expect(failure).rejects.toThrow('answered HTTP 401: Unable to authenticate you.');
    await expect(failure).rejects.not.toThrow('secret-token');
  });

  it('reads Retry-After before RateLimit-Reset, and waits at least a second', () => {
    const now = 1_700_000_000_000;
    expect(rateLimitWaitMs({ 'retry-after': '7', 'ratelimit-reset': '1700000100' }, now)).toBe(7_000);
    expect(rateLimitWaitMs({ 'ratelimit-reset': '1700000030' }, now)).toBe(30_000);
    expect(rateLimitWaitMs({ 'ratelimit-reset': '1600000000' }, now)).toBe(1_000);
    expect(rateLimitWaitMs({}, now)).toBeUndefined();
  });
});
