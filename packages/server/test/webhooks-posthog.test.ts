import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { postWebhook } from './helpers/webhooks.js';

const SECRET = 'ph-destination-secret';
/** The HTTP Webhook destination's default body: {"event": "{event}", "person": "{person}"}. */
const delivery = (
  uuid: string,
  event: string,
  properties: Record<string, unknown>,
  person?: Record<string, unknown>,
) =>
  JSON.stringify({
    event: {
      uuid,
      event,
      distinct_id: 'user_8841',
      properties,
      timestamp: '2025-03-04T10:15:29.900Z',
      elements_chain: '',
      url: `https://us.posthog.com/project/12345/events/${uuid}`,
    },
    ...(person ? { person } : {}),
  });

describe('POST /webhooks/posthog', () => {
  let server: TestServer;
  const post = (body: string, secret = SECRET) =>
    postWebhook(server.url, 'posthog', body, { 'x-pulse-webhook-secret': secret });

  beforeAll(async () => {
    server = await startTestServer({ PULSE_POSTHOG_WEBHOOK_SECRET: `old-secret,${SECRET}` });
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('stores the event as itself, with the person, deduplicated by event.uuid', async () => {
    const uuid = '01955c3a-7e11-7c2e-9a4b-3f0d8a1b2c3d';
    const person = {
      id: '0194f0aa-1111-7222-8333-444455556666',
      name: 'a@example.com',
      properties: { email: 'a@example.com', plan: 'pro', tenant_id: 'ph-tenant' },
    };
    const body = delivery(uuid, 'order_completed', { amount: 129.5, $lib: 'posthog-node' }, person);
    expect((await post(body)).body).toEqual({ status: 'ok', accepted: 1, duplicates: 0, quarantined: 0 });
    expect((await post(body)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const [stored] = await readAllEvents(server.url, server.adminKey, { tenant: 'ph-tenant' });
    expect(stored).toMatchObject({
      uuid,
      event: 'order_completed',
      distinctId: 'user_8841',
      timestamp: '2025-03-04T10:15:29.900Z',
      properties: {
        amount: 129.5,
        tenant_id: 'ph-tenant',
        $person_id: person.id,
        $person_properties: person.properties,
      },
    });
  });

  it('checks business events against the catalog: an invalid one is quarantined, not lost', async () => {
    const good = delivery('01955c3a-7e11-7c2e-9a4b-000000000001', 'revenue_impact_event', {
      tenant_id: 'ph-tenant',
      impact_amount: 1200,
      impact_type: 'negative',
    });
    const bad = delivery('01955c3a-7e11-7c2e-9a4b-000000000002', 'revenue_impact_event', {
      tenant_id: 'ph-tenant',
      impact_amount: -1,
      impact_type: 'negative',
    });
    expect((await post(good)).body).toMatchObject({ accepted: 1, quarantined: 0 });
    expect((await post(bad)).body).toMatchObject({ accepted: 1, quarantined: 1 });
    const stored = await readAllEvents(server.url, server.adminKey, {
      tenant: 'ph-tenant',
      event: 'revenue_impact_event',
    });
    expect(stored.map((e) => e.properties.impact_amount)).toEqual([1200]);
  });

  it('refuses a missing or wrong secret with 401 and a body that is not a destination payload with 400', async () => {
    const body = delivery('01955c3a-7e11-7c2e-9a4b-000000000003', 'x', {});
    expect(await post(body, 'wrong')).toMatchObject({
      status: 401,
      body: { error: { code: 'webhook_bad_signature' } },
    });
    const missing = await postWebhook(server.url, 'posthog', body);
    expect(missing.status).toBe(401);
    expect(await post(JSON.stringify({ event: { event: 'no uuid' } }))).toMatchObject({
      status: 400,
      body: { error: { code: 'webhook_malformed' } },
    });
  });
});
