import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The group-commit window lets requests share one fsync under load. A request that arrives after a quiet
// spell has nobody to share it with: it is committed at once, not after the window (a critical alert
// raised by it waits on that commit).

describe('the group-commit window', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The longest window there is: a request that waited it would outlive the test's own timeout.
    server = await startTestServer({ PULSE_COMMIT_INTERVAL_MS: '10000' });
  });
  afterAll(async () => server.close());

  const capture = async (tenant: string) =>
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

  it(
    'commits a request after a quiet spell at once, without waiting the window',
    { timeout: 8_000 },
    async () => {
      expect(await capture('quiet-a')).toBe(200);
    },
  );
});
