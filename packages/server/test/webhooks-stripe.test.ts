import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { fixture, fixtureJson, postWebhook, stripeHeaders, type IntegrationRow } from './helpers/webhooks.js';

type Json = Record<string, any>;
const dotnet = fixtureJson<{ headers: Record<string, string>; secret: string }>(
  'stripe/stripe-dotnet_signed_customer_created.signature.json',
);
const dotnetBody = fixture('stripe/stripe-dotnet_signed_customer_created.json');
const SECRET = 'whsec_test_secret';
const T0 = 1_533_204_620_000; // the stripe-dotnet vector's t=

const sonic = fixtureJson<Json>(
  'stripe/sonicjs_customer_subscription_updated_trialing_to_active_2024-06-20.json',
);
const payCreated = fixtureJson<Json>('stripe/pay_data_subscription_created.json');
const payFailed = fixtureJson<Json>('stripe/pay_data_invoice_payment_failed_basil.json');

/** The pay-rails samples are an event's `data` member: wrapped in the envelope Stripe sends. */
const envelope = (id: string, type: string, created: number, data: Json, apiVersion = '2025-03-31.basil') =>
  Buffer.from(JSON.stringify({ id, object: 'event', api_version: apiVersion, created, type, data }));

/** The sonicjs subscription in the basil shape: periods on the items, none on the subscription. */
function basil(sub: Json, start: number, end: number): Json {
  const { current_period_start: _s, current_period_end: _e, ...rest } = sub;
  return {
    ...rest,
    items: {
      ...sub.items,
      data: sub.items.data.map((i: Json) => ({ ...i, current_period_start: start, current_period_end: end })),
    },
  };
}

describe('POST /webhooks/stripe', () => {
  const clock = manualClock(T0 + 100_000);
  let server: TestServer;
  const post = (body: Buffer) =>
    postWebhook(server.url, 'stripe', body, stripeHeaders(SECRET, body, Math.floor(clock.now() / 1000)));
  const subscriptionOf = async (tenant: string) =>
    (await server.api<{ subscriptions: Json[] }>(`/api/subscriptions?tenant=${tenant}`)).body
      .subscriptions[0];

  beforeAll(async () => {
    server = await startTestServer(
      {
        PULSE_STRIPE_WEBHOOK_SECRET: `${dotnet.secret},${SECRET}`,
        PULSE_WEBHOOK_TENANT_MAP: JSON.stringify({
          stripeCustomers: {
            cus_123: 'dotnet-co',
            cus_Nc4kL4EPtG5SKe: 'sonic',
            cus_00000000000000: 'payco',
            cus_1234: 'payco',
          },
        }),
      },
      undefined,
      { clock },
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it("verifies stripe-dotnet's signed vector byte for byte and attributes it through the customer map", async () => {
    const result = await postWebhook(server.url, 'stripe', dotnetBody, dotnet.headers);
    expect(result).toEqual({
      status: 200,
      body: { status: 'ok', accepted: 1, duplicates: 0, quarantined: 0 },
    });
    const [stored] = await readAllEvents(server.url, server.adminKey, { tenant: 'dotnet-co' });
    expect(stored).toMatchObject({
      event: 'stripe.customer.created',
      properties: { stripe_event_id: 'evt_123' },
    });
    expect((await postWebhook(server.url, 'stripe', dotnetBody, dotnet.headers)).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
  });

  it('refuses an appended byte, a wrong secret, and a timestamp outside the window either way', async () => {
    const appended = await postWebhook(
      server.url,
      'stripe',
      Buffer.concat([dotnetBody, Buffer.from(' ')]),
      dotnet.headers,
    );
    expect(appended).toMatchObject({ status: 400, body: { error: { code: 'webhook_bad_signature' } } });
    const t = Math.floor(clock.now() / 1000);
    expect(
      (await postWebhook(server.url, 'stripe', dotnetBody, stripeHeaders('whsec_other', dotnetBody, t)))
        .status,
    ).toBe(400);
    for (const skew of [-301, 301]) {
      const stale = await postWebhook(
        server.url,
        'stripe',
        dotnetBody,
        stripeHeaders(SECRET, dotnetBody, t + skew),
      );
      expect(stale).toMatchObject({ status: 400, body: { error: { code: 'webhook_stale' } } });
    }
    const row = (
      await server.api<{ integrations: IntegrationRow[] }>('/api/integrations')
    ).body.integrations.find((i) => i.provider === 'stripe');
    expect(row?.refused).toEqual({ bad_signature: 2, stale: 2 });
  });

  it('keeps the subscription row current in both shapes, by event time rather than arrival order', async () => {
    const sub = sonic.data.object as Json;
    expect(
      (await post(fixture('stripe/sonicjs_customer_subscription_updated_trialing_to_active_2024-06-20.json')))
        .status,
    ).toBe(200);
    const expected = {
      tenantId: 'sonic',
      status: 'active',
      planName: 'prod_Nc4kjj2XYpywZV',
      priceMonthly: 42.42,
      currentPeriodStart: new Date(1_680_668_814_000).toISOString(),
      currentPeriodEnd: new Date(1_683_260_814_000).toISOString(),
      updatedAt: new Date(1_680_064_028_000).toISOString(),
      displayName: null,
      suppliedBy: null, // Stripe's, not a synchronised view's
    };
    expect(await subscriptionOf('sonic')).toEqual(expected);
    // The trialing state, created earlier, arrives late: ignored.
    await post(
      envelope(
        'evt_sonic_created',
        'customer.subscription.created',
        1_680_064_014,
        { object: { ...sub, status: 'trialing' } },
        '2024-06-20',
      ),
    );
    expect(await subscriptionOf('sonic')).toEqual(expected);
    // Renewal in the basil shape: the period comes from the items.
    await post(
      envelope('evt_sonic_renewal', 'customer.subscription.updated', 1_683_260_900, {
        object: basil(sub, 1_683_260_814, 1_685_939_214),
      }),
    );
    expect(await subscriptionOf('sonic')).toMatchObject({
      status: 'active',
      currentPeriodStart: new Date(1_683_260_814_000).toISOString(),
      currentPeriodEnd: new Date(1_685_939_214_000).toISOString(),
    });
    // Deleted, then an older update delivered after it: still canceled.
    const canceled = {
      ...basil(sub, 1_683_260_814, 1_685_939_214),
      status: 'canceled',
      ended_at: 1_684_000_000,
    };
    await post(
      envelope('evt_sonic_deleted', 'customer.subscription.deleted', 1_684_000_000, { object: canceled }),
    );
    await post(
      envelope('evt_sonic_late', 'customer.subscription.updated', 1_683_900_000, {
        object: { ...sub, status: 'past_due' },
      }),
    );
    expect(await subscriptionOf('sonic')).toMatchObject({
      status: 'canceled',
      updatedAt: new Date(1_684_000_000_000).toISOString(),
    });
  });

  it('turns a failed invoice into a negative revenue impact that its payment resolves, and the report uses both', async () => {
    await post(
      envelope('evt_pay_created', 'customer.subscription.created', 1_745_433_000, payCreated, '2024-06-20'),
    );
    expect(await subscriptionOf('payco')).toMatchObject({
      status: 'active',
      planName: 'prod_00000000000000',
      priceMonthly: 6,
    });
    const invoice = payFailed.object as Json;
    await post(envelope('evt_pay_failed_1', 'invoice.payment_failed', 1_745_433_972, payFailed));
    expect(await subscriptionOf('payco')).toMatchObject({ status: 'past_due' });
    // A second failed attempt of the same invoice is not a second loss.
    await post(
      envelope('evt_pay_failed_2', 'invoice.payment_failed', 1_745_552_783, {
        object: { ...invoice, attempt_count: 2 },
      }),
    );
    const paid = { ...invoice, status: 'paid', amount_paid: 24900, amount_remaining: 0 };
    await post(envelope('evt_pay_paid', 'invoice.paid', 1_745_600_000, { object: paid }));
    expect(await subscriptionOf('payco')).toMatchObject({ status: 'active' });
    const impacts = await readAllEvents(server.url, server.adminKey, {
      tenant: 'payco',
      event: 'revenue_impact_event',
    });
    expect(
      impacts
        .map((e) => e.properties)
        .sort((a, b) => String(a.impact_type).localeCompare(String(b.impact_type))),
    ).toEqual([
      expect.objectContaining({
        impact_type: 'negative',
        impact_amount: 249,
        event_type: 'payment_failure',
        invoice_id: 'in_1234',
      }),
      expect.objectContaining({
        impact_type: 'positive',
        impact_amount: 249,
        event_type: 'payment_recovered',
        invoice_id: 'in_1234',
      }),
    ]);
    const { body } = await server.api<{ rows: Json[] }>(
      '/api/reports/performance-dashboard?from=2025-04-01T00:00:00Z&to=2025-05-01T00:00:00Z',
    );
    expect(body.rows.find((r) => r.tenant_id === 'payco')).toMatchObject({
      plan_name: 'prod_00000000000000',
      negative_revenue_impact: 249,
      positive_revenue_impact: 249,
    });
  });
});
