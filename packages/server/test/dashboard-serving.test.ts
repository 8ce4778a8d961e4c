import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { apiErrorHandler, notFound, sendError } from '../src/http/errors.js';
import { dashboardRoutes } from '../src/http/routes/dashboard.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// How the server serves the built dashboard: precompressed files, cache headers, the SPA fallback on the
// client routes only, and a clear 503 when the dashboard was never built.

const html =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head></html>';
const js = `console.log(${JSON.stringify('x'.repeat(5000))});`;

function fakeDist(): string {
  const dist = temporaryDirectory('pulse-dist-');
  mkdirSync(join(dist, 'assets'));
  for (const [path, body] of [
    ['index.html', html],
    ['assets/index-abc123.js', js],
  ] as const) {
    writeFileSync(join(dist, path), body);
    writeFileSync(join(dist, `${path}.br`), brotliCompressSync(body));
    writeFileSync(join(dist, `${path}.gz`), gzipSync(body));
  }
  return dist;
}

async function appWith(dist: string) {
  const app = Fastify();
  app.setErrorHandler(apiErrorHandler);
  await app.register(async (scope) => dashboardRoutes(scope, { dist }));
  app.get('/api/summary', async () => ({ ok: true }));
  app.setNotFoundHandler((request, reply) => sendError(reply, request, notFound(request)));
  await app.ready();
  return app;
}

describe('the dashboard at /', () => {
  it('serves index.html (no-cache, brotli when accepted) on every client route', async () => {
    const app = await appWith(fakeDist());
    for (const url of ['/', '/alerts', '/alerts/abc', '/tenants/acme', '/reports', '/sign-in']) {
      const reply = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(reply.statusCode, url).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.headers['content-type']).toContain('text/html');
      expect(reply.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(reply.rawPayload).toString('utf8')).toBe(html);
    }
    const identity = await app.inject({ url: '/' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body).toBe(html);
    await app.close();
  });

  it('serves hashed assets precompressed and immutable for a year', async () => {
    const app = await appWith(fakeDist());
    const br = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(js);
    const gz = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.body).toBe(js);
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    await app.close();
  });

  it('does not swallow other 404s (API, capture, unknown paths)', async () => {
    const app = await appWith(fakeDist());
    for (const url of ['/api/nope', '/nope', '/e/x', '/assets']) {
      const reply = await app.inject({ url });
      expect(reply.statusCode, url).toBe(404);
      expect(reply.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await app.inject({ url: '/api/summary' })).json()).toEqual({ ok: true });
    await app.close();
  });

  it("answers a browser's page request for an unknown path with the app (its not-found page), status 404", async () => {
    const app = await appWith(fakeDist());
    const accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await app.inject({ url: '/no-such-page?x=1', headers: { accept } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toBe(html);
    for (const url of ['/api/nope', '/webhooks/nope', '/assets/missing.js', '/e/x', '/batch/x']) {
      const reply = await app.inject({ url, headers: { accept } });
      expect(reply.statusCode, url).toBe(404);
      expect(reply.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
    await app.close();
  });

  it('answers 503 with a clear message when the dashboard is not built', async () => {
    const app = await appWith(join(tmpdir(), 'pulse-no-such-dist'));
    for (const url of ['/', '/alerts', '/assets/index.js']) {
      const reply = await app.inject({ url });
      expect(reply.statusCode, url).toBe(503);
      expect(reply.json()).toMatchObject({ error: { code: 'dashboard_not_built' } });
      expect(reply.json<{ error: { message: string } }>().error.message).toContain('npm run build');
    }
    await app.close();
  });
});
