import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPrivateAddress } from './private-address.js';
import type { OutboundError, RetryNotice } from './safe-fetch.js';
import { backoffDelay, createSafeFetch, type SafeFetch, type SafeFetchOptions } from './safe-fetch.js';

const servers: Server[] = [];
const clients: SafeFetch[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(options: Partial<SafeFetchOptions> = {}): SafeFetch {
  const c = createSafeFetch({
    allowPrivateNetworks: true,
    timeoutMs: 1_000,
    retries: 0,
    retryBaseMs: 5,
    retryMaxMs: 50,
    maxRedirects: 3,
    ...options,
  });
  clients.push(c);
  return c;
}

const reason = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as OutboundError;
  }
  throw new Error('expected a rejection');
};

describe('isPrivateAddress', () => {
  it('classifies loopback, private, link-local, mapped and reserved ranges', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      'localhost',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('safe outbound client', () => {
  it('reads at most maxResponseBytes and says when it cut the answer short', async () => {
    const url = await serve((req, res) => res.end('x'.repeat(req.url === '/long' ? 2_000 : 1_000)));
    const fetch = client({ maxResponseBytes: 1_000 });
    const long = await fetch({ url: `${url}/long` });
    expect({ length: long.body.length, truncated: long.truncated }).toEqual({
      length: 1_000,
      truncated: true,
    });
    const exact = await fetch({ url: `${url}/exact` });
    expect({ length: exact.body.length, truncated: exact.truncated }).toEqual({
      length: 1_000,
      truncated: false,
    });
  });

  it('posts and reads the answer', async () => {
    const url = await serve((req, res, body) =>
      res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] })),
    );
    const response = await client()({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json' });
  });

  it('refuses private networks unless allowed: literals, names that resolve there, and redirects there', async () => {
    const url = await serve((_req, res) => res.end('ok'));
    const strict = client({ allowPrivateNetworks: false });
    expect((await reason(strict({ url }))).kind).toBe('blocked');
    const port = new URL(url).port;
    expect((await reason(strict({ url: `http://localhost:${port}/` }))).message).toMatch(
      /resolves to .*private network/,
    );
    // Names are checked at connect time, with the resolver's every address.
    const rebinding = client({
      allowPrivateNetworks: false,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect((await reason(rebinding({ url: `http://public.example:${port}/` }))).kind).toBe('blocked');
    // One allowed host does not open the others: a redirect from it to another private host is refused.
    const target = await serve((_req, res) => res.end('internal'));
    const redirector = await serve((_req, res) => res.writeHead(307, { location: `${target}/secret` }).end());
    const allowOne = client({ allowPrivateNetworks: false, allowHosts: [new URL(redirector).host] });
    expect((await reason(allowOne({ url: redirector, method: 'POST', body: 'x' }))).kind).toBe('blocked');
    // Allowed: the redirect is followed, method and body kept on 307.
    const echo = await serve((req, res, body) => res.end(`${req.method} ${req.url} ${body}`));
    const hop = await serve((_req, res) => res.writeHead(307, { location: `${echo}/next` }).end());
    const followed = await client()({ url: hop, method: 'POST', body: 'payload' });
    expect(followed.body).toBe('POST /next payload');
    expect(followed.url).toBe(`${echo}/next`);
    // Without redirects allowed, a 3xx is an error, not a silent follow.
    expect((await reason(client({ maxRedirects: 0 })({ url: hop, method: 'POST', body: 'x' }))).kind).toBe(
      'redirect',
    );
    expect((await reason(client()({ url: 'file:///etc/passwd' }))).kind).toBe('invalid_url');
  });

  it('retries 5xx, 429 and network errors with back-off, and gives up after `retries`', async () => {
    let calls = 0;
    const flaky = await serve((_req, res) => {
      calls++;
      if (calls <= 2) res.writeHead(503).end('busy');
      else res.end('ok');
    });
    const response = await client({ retries: 3 })({ url: flaky });
    expect(response).toMatchObject({ status: 200, attempts: 3 });
    let limited = 0;
    const rateLimited = await serve((_req, res) => {
      limited++;
      res.writeHead(429, { 'retry-after': '0' }).end();
    });
    const last = await client({ retries: 2 })({ url: rateLimited });
    expect(last).toMatchObject({ status: 429, attempts: 3 });
    expect(limited).toBe(3);
    // A 400 is not retried.
    let bad = 0;
    const refusing = await serve((_req, res) => {
      bad++;
      res.writeHead(400).end('no');
    });
    expect((await client({ retries: 3 })({ url: refusing })).status).toBe(400);
    expect(bad).toBe(1);
    // Nobody listening: network errors, retried, then an error with the attempt count.
    const closed = await serve(() => undefined);
    await new Promise((r) => servers.pop()?.close(r));
    const error = await reason(client({ retries: 1 })({ url: closed }));
    expect(error).toMatchObject({ kind: 'network', attempts: 2 });
  });

  it('tells onRetry why and how long it waits before each further attempt', async () => {
    let calls = 0;
    const limited = await serve((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '0' }).end();
      else if (calls === 2) res.writeHead(502).end();
      else res.end('ok');
    });
    const notices: RetryNotice[] = [];
    const response = await client({ retries: 2, random: () => 1, onRetry: (n) => notices.push(n) })({
      url: limited,
    });
    expect(response.status).toBe(200);
    expect(notices).toEqual([
      { attempt: 1, status: 429, retryAfter: true, delayMs: 0 },
      { attempt: 2, status: 502, retryAfter: false, delayMs: 10 },
    ]);
  });

  it('times out a silent server', async () => {
    const silent = await serve(() => undefined);
    const error = await reason(client({ timeoutMs: 100 })({ url: silent }));
    expect(error.kind).toBe('timeout');
  });

  it('backs off exponentially with jitter in [d/2, d], capped', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });
});
