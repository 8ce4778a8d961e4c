import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

import type { StoredEvent as ApiEvent } from '@pulse/api';

describe('unmodified posthog-node delivers to Pulse', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: 'phc_test_token' });
  });
  afterAll(async () => server.close());

  it.each([false, true])(
    'batches (disableCompression=%s) are stored and read back exactly',
    async (disableCompression) => {
      const client = new PostHog('phc_test_token', {
        host: server.url,
        flushAt: 50,
        flushInterval: 0,
        disableCompression,
      });
      const errors: unknown[] = [];
      client.on('error', (e) => errors.push(e));
      const tenant = `tenant-node-${disableCompression}`;
      const sent = Array.from({ length: 120 }, (_, i) => ({
        distinctId: `user-${i}`,
        event: i % 3 ? 'revenue_impact_event' : 'signup_clicked',
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        properties:
          i % 3
            ? {
                tenant_id: tenant,
                impact_amount: i * 10,
                impact_type: i % 2 ? 'positive' : 'negative',
                mitigation_actions: ['a', 'b'],
              }
            : { tenant_id: tenant, plan: 'pro', seats: i },
      }));
      for (const e of sent) client.capture(e);
      await client.shutdown();
      expect(errors).toEqual([]);

      const { status, body } = await server.api<{ events: ApiEvent[] }>(
        `/api/events?tenant=${tenant}&limit=500`,
      );
      expect(status).toBe(200);
      expect(body.events).toHaveLength(120);
      const byDistinct = new Map(body.events.map((e) => [e.distinctId, e]));
      for (const e of sent) {
        const stored = byDistinct.get(e.distinctId);
        expect(stored).toBeDefined();
        expect(stored?.event).toBe(e.event);
        // PostHog's clock-skew correction (now + timestamp − sent_at) moves it by the request's transit time.
        expect(Math.abs(Date.parse(stored?.timestamp ?? '') - e.timestamp.getTime())).toBeLessThan(2000);
        expect(stored?.properties).toMatchObject({
          ...e.properties,
          $lib: 'posthog-node',
          $geoip_disable: true,
        });
        expect(stored?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      }
    },
  );
});
