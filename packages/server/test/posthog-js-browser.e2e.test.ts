import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents, type ApiEvent } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Unmodified posthog-js (its browser IIFE bundle from node_modules) in real headless Chromium, on a page
// served from another origin than Pulse, so CORS is exercised exactly as on a customer's site.

const TOKEN = 'phc_browser_test_token';
const posthogBundle = readFileSync(
  createRequire(import.meta.url).resolve('posthog-js/dist/array.full.js'),
  'utf8',
);

const page = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <title>Shop</title>
    <script src="/posthog.js"></script>
  </head>
  <body><h1>Shop</h1></body>
</html>`;

/** The customer's site: a page and the posthog-js bundle, on its own port (another origin than Pulse). */
async function startSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/posthog.js')
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(posthogBundle);
    else if (req.url === '/' || req.url?.startsWith('/?'))
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface SeenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer | null;
}

describe('unmodified posthog-js in headless Chromium delivers to Pulse', () => {
  let pulse: TestServer;
  let site: { url: string; server: Server };
  let browser: Browser;

  beforeAll(async () => {
    // One after the other: when one fails, afterAll still closes those that started.
    pulse = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    site = await startSite();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (site) await new Promise((resolve) => site.server.close(resolve));
    await pulse?.close();
  });

  it.each([
    { name: 'gzip (Pulse advertises supportedCompression), batched', gzip: true, request_batching: true },
    {
      name: 'uncompressed JSON (disable_compression), one request per event',
      gzip: false,
      request_batching: false,
    },
  ])(
    '$name: events are stored and read back exactly, with no browser errors',
    async ({ gzip, request_batching }) => {
      const tenant = `tenant-browser-${gzip ? 'gzip' : 'json'}-${randomUUID().slice(0, 8)}`;
      const distinctId = `browser-user-${randomUUID()}`;
      const context = await browser.newContext();
      const tab = await context.newPage();

      const consoleErrors: string[] = [];
      const failed: string[] = [];
      const statuses: string[] = [];
      const toPulse: SeenRequest[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      tab.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
      tab.on('requestfailed', (request) =>
        failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
      );
      tab.on('request', (request) => {
        if (!request.url().startsWith(pulse.url)) return;
        toPulse.push({
          method: request.method(),
          path: new URL(request.url()).pathname,
          contentType: request.headers()['content-type'],
          body: request.postDataBuffer(),
        });
      });
      tab.on('response', (response) => {
        if (response.url().startsWith(pulse.url))
          statuses.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      });

      await tab.goto(site.url);
      const configRequested = tab.waitForRequest((r) =>
        /\/array\/[^/]+\/config$/.test(new URL(r.url()).pathname),
      );
      await tab.evaluate(
        ({ token, apiHost, distinctId, gzip, request_batching }) => {
          const w = window as unknown as {
            posthog: { init: (token: string, config: Record<string, unknown>) => unknown };
          };
          w.posthog.init(token, {
            api_host: apiHost,
            persistence: 'memory',
            opt_out_useragent_filter: true, // headless Chromium's user agent looks like a bot
            request_batching,
            disable_compression: !gzip,
            bootstrap: { distinctID: distinctId },
            autocapture: false,
            capture_pageview: false,
            capture_pageleave: false,
            disable_session_recording: true,
            disable_surveys: true,
          });
        },
        { token: TOKEN, apiHost: pulse.url, distinctId, gzip, request_batching },
      );
      // Capture once the remote config is answered (or refused): that is what tells posthog-js it may gzip.
      await (await configRequested).response().catch(() => null);

      const sent = [
        { event: '$pageview', properties: { tenant_id: tenant, page: 'home' } },
        {
          event: 'revenue_impact_event',
          properties: { tenant_id: tenant, impact_amount: 1250.75, impact_type: 'negative' },
        },
        {
          event: 'signup_clicked',
          properties: { tenant_id: tenant, plan: 'pro', seats: 12, tags: ['a', 'b'] },
        },
        {
          event: 'revenue_impact_event',
          properties: { tenant_id: tenant, impact_amount: 99, impact_type: 'positive' },
        },
        { event: '$pageview', properties: { tenant_id: tenant, page: 'checkout' } },
      ];
      await tab.evaluate((events) => {
        const w = window as unknown as {
          posthog: { capture: (event: string, properties: Record<string, unknown>) => unknown };
        };
        for (const e of events) w.posthog.capture(e.event, e.properties);
      }, sent);

      // Batched sends flush every 3 s; poll the store (not the browser) until everything arrived.
      const readBack = async (): Promise<ApiEvent[]> =>
        (await readAllEvents(pulse.url, pulse.adminKey)).filter((e) => e.distinctId === distinctId);
      const arrived = async (done: (events: ApiEvent[]) => boolean) => {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && !done(await readBack())) {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      await arrived((events) => events.length >= sent.length);
      // A last event marks the end: anything posthog-js queued before it (an unexpected event of its own)
      // is sent no later than the marker, so once the marker is stored, the store holds all there is.
      await tab.evaluate((tenant) => {
        const w = window as unknown as {
          posthog: { capture: (event: string, properties: Record<string, unknown>) => unknown };
        };
        w.posthog.capture('end_marker', { tenant_id: tenant });
      }, tenant);
      await arrived((events) => events.some((e) => e.event === 'end_marker'));
      const stored = (await readBack()).filter((e) => e.event !== 'end_marker');
      await context.close();

      // Exactly the events sent: names, properties, tenant, the bootstrapped distinct_id, posthog-js uuids.
      const key = (e: { event: string; properties: Record<string, unknown> }) =>
        `${e.event} ${JSON.stringify(e.properties)}`;
      const pick = (e: ApiEvent) => ({
        event: e.event,
        properties: Object.fromEntries(
          Object.keys(sent.find((s) => s.event === e.event)?.properties ?? {}).map((k) => [
            k,
            e.properties[k],
          ]),
        ),
      });
      expect(stored.map(pick).map(key).sort()).toEqual(sent.map(key).sort());
      for (const e of stored) {
        expect(e.tenantId).toBe(tenant);
        expect(e.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(e.properties).toMatchObject({ $lib: 'web', token: TOKEN, $current_url: `${site.url}/` });
        expect(Math.abs(Date.parse(e.timestamp) - Date.now())).toBeLessThan(60_000);
      }

      // Nothing failed in the browser: remote config (a cross-origin script and fetch), capture posts and
      // their CORS preflights all answered with exactly 200 and the CORS headers Chromium requires.
      expect.soft(failed, 'requests to Pulse that failed in Chromium').toEqual([]);
      expect.soft(consoleErrors, 'browser console errors').toEqual([]);
      expect
        .soft(
          statuses.filter((s) => !s.startsWith('200 ')),
          'non-200 answers from Pulse',
        )
        .toEqual([]);
      expect.soft(statuses, 'remote config answered').toContain(`200 GET ${pulse.url}/array/${TOKEN}/config`);

      // The wire: events went to /e/ as gzip (magic bytes 1f 8b, text/plain, no hint) or as plain JSON.
      const captures = toPulse.filter((r) => r.method === 'POST' && r.path === '/e/');
      expect(captures.length).toBeGreaterThan(0);
      if (!request_batching) expect(captures.length).toBe(sent.length + 1); // and the end marker
      for (const r of captures) {
        const body = r.body ?? Buffer.alloc(0);
        expect(r.body, 'request body visible to Playwright').not.toBeNull();
        if (gzip) {
          expect
            .soft([...body.subarray(0, 2)], 'gzip magic bytes at the start of POST /e/')
            .toEqual([0x1f, 0x8b]);
          expect.soft(r.contentType).toBe('text/plain');
        } else {
          expect(JSON.parse(body.toString('utf8'))).toMatchObject({
            api_key: TOKEN,
            batch: expect.any(Array),
          });
          expect(r.contentType).toBe('application/json');
        }
      }
    },
    60_000,
  );
});
