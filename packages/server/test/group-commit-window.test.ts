import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatedLogWriter } from './helpers/gated-log-writer.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The group-commit window lets requests share one fsync under load. A request that arrives after a quiet
// spell has nobody to share it with, and requests that queued behind a running commit gathered their
// company while it ran: both are committed at once, not after the window (a critical alert raised by them
// waits on that commit). Each case has its own server: the first request of each must find a quiet spell.

const capture = async (server: TestServer, tenant: string) =>
  (
    await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_window',
        batch: [{ event: '$pageview', distinct_id: 'visitor', properties: { tenant_id: tenant } }],
      }),
    })
  ).status;

describe('the group-commit window', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The longest window there is: a request that waited it would outlive the test's own timeout.
    server = await startTestServer({ PULSE_COMMIT_INTERVAL_MS: '10000' });
  });
  afterAll(async () => server.close());

  it(
    'commits a request after a quiet spell at once, without waiting the window',
    { timeout: 8_000 },
    async () => {
      expect(await capture(server, 'quiet-a')).toBe(200);
    },
  );
});

describe('requests queued behind a running commit', () => {
  const writer = new GatedLogWriter();
  let server: TestServer;
  beforeAll(async () => {
    // No background loads: the queue depth moves only with the requests of the test.
    server = await startTestServer(
      { PULSE_COMMIT_INTERVAL_MS: '10000', PULSE_INGEST_LOAD_INTERVAL_MS: '60000' },
      undefined,
      { logWriter: writer },
    );
  });
  afterAll(async () => server.close());

  it('are committed as soon as it ends, without waiting the window again', { timeout: 8_000 }, async () => {
    const held = writer.nextWrite();
    const first = capture(server, 'behind-a');
    const write = await held;
    const depth = server.pipeline.queueDepth;
    const behind = [capture(server, 'behind-b'), capture(server, 'behind-c')];
    while (server.pipeline.queueDepth < depth + behind.length)
      await new Promise((resolve) => setImmediate(resolve));
    write.pass();
    expect(await first).toBe(200);
    expect(await Promise.all(behind)).toEqual([200, 200]);
  });
});
