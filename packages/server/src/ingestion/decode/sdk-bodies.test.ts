import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { decodeCaptureRequest } from './index.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('posthog-node 5.x body, as it sends it', () => {
  // Exactly what posthog-node sends for three captures: POST /batch/, application/json, gzip.
  const sentAt = '2026-11-25T19:56:32.335Z';
  const body = JSON.stringify({
    api_key: 'phc_test_key',
    batch: [0, 1, 2].map((i) => ({
      event: 'revenue_impact_event',
      properties: {
        tenant_id: `tenant_000${i + 1}`,
        impact_amount: 100 * (i + 1),
        impact_type: 'negative',
        $lib: 'posthog-node',
        $lib_version: '5.70.0',
        $is_server: true,
        $geoip_disable: true,
      },
      timestamp: `2026-11-25T19:56:32.33${i + 2}Z`,
      uuid: `01a21447-fece-716d-b51a-651324ee197${i}`,
      distinct_id: `user_${i}`,
    })),
    sent_at: sentAt,
  });

  const request = (json: string) => ({
    method: 'POST' as const,
    path: '/batch/',
    query: new URLSearchParams(),
    contentType: 'application/json',
    contentEncoding: 'gzip',
    body: gzipSync(json),
    receivedAt: Date.parse(sentAt) + 40, // the request took 40 ms to arrive
  });

  it('decodes to the three events, skew-corrected against sent_at', async () => {
    const decoded = await decodeCaptureRequest(request(body));
    expect(decoded.token).toBe('phc_test_key');
    expect(decoded.historicalMigration).toBe(false);
    expect(
      decoded.events.map((e) => [e.event, e.distinctId, e.uuid, new Date(e.timestamp).toISOString()]),
    ).toEqual([
      ['revenue_impact_event', 'user_0', '01a21447-fece-716d-b51a-651324ee1970', '2026-11-25T19:56:32.372Z'],
      ['revenue_impact_event', 'user_1', '01a21447-fece-716d-b51a-651324ee1971', '2026-11-25T19:56:32.373Z'],
      ['revenue_impact_event', 'user_2', '01a21447-fece-716d-b51a-651324ee1972', '2026-11-25T19:56:32.374Z'],
    ]);
    expect(decoded.events[0]?.properties).toEqual({
      tenant_id: 'tenant_0001',
      impact_amount: 100,
      impact_type: 'negative',
      $lib: 'posthog-node',
      $lib_version: '5.70.0',
      $is_server: true,
      $geoip_disable: true,
    });
  });

  it('carries historical_migration through', async () => {
    const migrated = body.replace('"sent_at"', '"historical_migration":true,"sent_at"');
    expect((await decodeCaptureRequest(request(migrated))).historicalMigration).toBe(true);
  });
});

describe('posthog-js 1.449 driven in Node (a real browser-SDK wire body)', () => {
  const realFetch = globalThis.fetch;
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('decodes the gzip text/plain /e/ request posthog-js sends', async () => {
    const sent: { url: URL; contentType: string | null; body: Buffer }[] = [];
    globalThis.fetch = (async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const headers = new Headers(init?.headers);
      const raw = init?.body;
      const body =
        raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)
          ? Buffer.from(raw as ArrayBuffer)
          : raw instanceof Blob
            ? Buffer.from(await raw.arrayBuffer())
            : Buffer.from(typeof raw === 'string' ? raw : '');
      sent.push({ url, contentType: headers.get('content-type'), body });
      return new Response('{"status":"Ok"}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;

    const { posthog } = await import('posthog-js');
    posthog.init('phc_js_token', {
      api_host: 'http://127.0.0.1:9',
      persistence: 'memory',
      request_batching: false,
      opt_out_useragent_filter: true,
    });
    posthog.capture('revenue_impact_event', { tenant_id: 'tenant_0042', impact_amount: 10 });

    await vi.waitFor(() => expect(sent.some((r) => r.url.pathname === '/e/')).toBe(true), {
      timeout: 10_000,
    });
    const wire = sent.find((r) => r.url.pathname === '/e/');
    if (wire === undefined) throw new Error('posthog-js sent nothing to /e/');
    expect(wire.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip, announced nowhere

    const decoded = await decodeCaptureRequest({
      method: 'POST',
      path: wire.url.pathname,
      query: wire.url.searchParams,
      contentType: wire.contentType ?? undefined,
      contentEncoding: undefined,
      body: wire.body,
      receivedAt: Date.now(),
    });
    expect(decoded.token).toBe('phc_js_token');
    const event = decoded.events.find((e) => e.event === 'revenue_impact_event');
    expect(event?.uuid).toMatch(UUID_V7);
    expect(event?.distinctId).toBe(posthog.get_distinct_id()); // posthog-js puts it in properties
    expect(event?.properties).toMatchObject({
      tenant_id: 'tenant_0042',
      impact_amount: 10,
      token: 'phc_js_token',
    });
    expect(Math.abs((event?.timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
  });
});
