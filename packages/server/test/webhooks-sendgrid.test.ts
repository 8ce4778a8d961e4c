import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import {
  fixture,
  fixtureJson,
  flipByte,
  postWebhook,
  sendgridHeaders,
  sendgridKeyPair,
  type IntegrationRow,
} from './helpers/webhooks.js';

interface SignedSample {
  headers: Record<string, string>;
  public_key_base64_der_spki: string;
}
const single = fixtureJson<SignedSample>('sendgrid/sendgrid-nodejs_signed_single_dropped.signature.json');
const multi = fixtureJson<SignedSample>(
  'sendgrid/sendgrid-nodejs_signed_multi_processed_blocked.signature.json',
);
const singleBody = fixture('sendgrid/sendgrid-nodejs_signed_single_dropped.json');
const multiBody = fixture('sendgrid/sendgrid-nodejs_signed_multi_processed_blocked.json');
const unsigned = [
  'anymail_click',
  'anymail_delivered',
  'anymail_dropped_unsubscribed',
  'anymail_open',
  'anymail_processed_custom_args',
  'docs_all_event_types',
  'docs_bounce_type_blocked',
  'docs_bounce_type_bounce',
];
const WINDOW_MS = 15 * 60_000;
const T0 = 1_600_112_502_000; // the single sample's signed timestamp

/** SendGrid-shaped events of one tenant, with the tenant and sending domain as custom args. */
function batch(
  tenant: string,
  counts: Record<'delivered' | 'bounce' | 'blocked' | 'deferred' | 'spamreport' | 'processed', number>,
) {
  const events: Record<string, unknown>[] = [];
  for (const [kind, n] of Object.entries(counts))
    for (let i = 0; i < n; i++)
      events.push({
        email: `user${i}@example.org`,
        timestamp: 1_600_112_000 + i,
        event: kind === 'blocked' ? 'bounce' : kind,
        ...(kind === 'bounce' ? { type: 'bounce' } : kind === 'blocked' ? { type: 'blocked' } : {}),
        sg_event_id: `${tenant}-${kind}-${i}`,
        tenant_id: tenant,
        sending_domain: `mail.${tenant}.test`,
      });
  return Buffer.from(JSON.stringify(events) + '\r\n');
}

describe('POST /webhooks/sendgrid', () => {
  const testKey = sendgridKeyPair();
  const clock = manualClock(T0 + 5_000);
  let server: TestServer;
  const env = {
    PULSE_SENDGRID_PUBLIC_KEY: [
      single.public_key_base64_der_spki,
      multi.public_key_base64_der_spki,
      testKey.publicBase64,
    ].join(','),
  };
  const status = async () =>
    (await server.api<{ integrations: IntegrationRow[] }>('/api/integrations')).body.integrations.find(
      (i) => i.provider === 'sendgrid',
    ) as IntegrationRow;
  const signed = (body: Buffer) => sendgridHeaders(testKey.privateKey, body, Math.floor(clock.now() / 1000));

  beforeAll(async () => {
    server = await startTestServer(env, undefined, { clock });
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('verifies a real SendGrid signature over the exact bytes; an event with no tenant is quarantined', async () => {
    const first = await postWebhook(server.url, 'sendgrid', singleBody, single.headers);
    expect(first).toEqual({
      status: 200,
      body: { status: 'ok', accepted: 1, duplicates: 0, quarantined: 1 },
    });
    const again = await postWebhook(server.url, 'sendgrid', singleBody, single.headers);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const held = (
      await server.api<{
        quarantined: { event: string; issues: { property: string }[]; properties: Record<string, unknown> }[];
      }>('/api/quarantine?event=sendgrid.dropped')
    ).body.quarantined;
    expect(held).toHaveLength(1);
    expect(held[0]?.issues[0]?.property).toBe('tenant_id');
    expect(held[0]?.properties.sg_event_id).toBe('ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA');
  });

  it('refuses a changed byte, a moved timestamp, an unknown key and a stale signature, and counts each', async () => {
    const tampered = await postWebhook(server.url, 'sendgrid', flipByte(singleBody, 20), single.headers);
    expect(tampered.status).toBe(403);
    expect(tampered.body).toMatchObject({ error: { code: 'webhook_bad_signature' } });
    const moved = { ...single.headers, 'X-Twilio-Email-Event-Webhook-Timestamp': '1600112503' };
    expect((await postWebhook(server.url, 'sendgrid', singleBody, moved)).status).toBe(403);
    const stranger = sendgridKeyPair();
    const body = batch('nobody', {
      delivered: 1,
      bounce: 0,
      blocked: 0,
      deferred: 0,
      spamreport: 0,
      processed: 0,
    });
    const wrongKey = sendgridHeaders(stranger.privateKey, body, Math.floor(clock.now() / 1000));
    expect((await postWebhook(server.url, 'sendgrid', body, wrongKey)).status).toBe(403);
    // Signed in 2021, seen from 2020: a valid signature out of the freshness window.
    const stale = await postWebhook(server.url, 'sendgrid', multiBody, multi.headers);
    expect(stale.status).toBe(403);
    expect(stale.body).toMatchObject({ error: { code: 'webhook_stale' } });
    expect((await status()).refused).toEqual({ bad_signature: 3, stale: 1 });
  });

  it('replays every unsigned sample byte for byte, signed with a configured key; repeated ids count once', async () => {
    const ids = new Set<string>();
    for (const name of unsigned) {
      const body = fixture(`sendgrid/${name}.json`);
      const events = JSON.parse(body.toString('utf8')) as { sg_event_id: string }[];
      const fresh = new Set(events.map((e) => e.sg_event_id).filter((id) => !ids.has(id)));
      for (const id of fresh) ids.add(id);
      const result = await postWebhook(server.url, 'sendgrid', body, signed(body));
      expect(result, name).toEqual({
        status: 200,
        body: {
          status: 'ok',
          accepted: fresh.size,
          duplicates: events.length - fresh.size,
          quarantined: fresh.size,
        },
      });
    }
    // docs_all_event_types: 11 events that all carry the placeholder id "sg_event_id".
    expect(ids.has('sg_event_id')).toBe(true);
  });

  it('counts a window per tenant and reports it when its slot ends, with rates from the counts', async () => {
    const body = batch('globex', {
      delivered: 20,
      bounce: 1,
      blocked: 1,
      deferred: 3,
      spamreport: 1,
      processed: 4,
    });
    expect((await postWebhook(server.url, 'sendgrid', body, signed(body))).body).toMatchObject({
      accepted: 30,
      quarantined: 0,
    });
    const stored = await readAllEvents(server.url, server.adminKey, { tenant: 'globex' });
    expect(stored.filter((e) => e.event === 'sendgrid.delivered')).toHaveLength(20);
    expect(
      stored.find((e) => e.event === 'sendgrid.bounce' && e.properties.type === 'bounce')?.properties,
    ).toMatchObject({
      provider: 'sendgrid',
      email_outcome: 'hard_bounce',
      sending_domain: 'mail.globex.test',
    });
    // bounce 2 of 22 = 0.0909 (high), but a window closes early only from 20 emails *and* risk ≥ high: it does.
    const reports = await readAllEvents(server.url, server.adminKey, {
      tenant: 'globex',
      event: 'email_deliverability_event',
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.properties).toMatchObject({
      email_count: 22,
      delivery_outcome: 'mixed',
      bounce_rate: 2 / 22,
      spam_rate: 1 / 22,
      provider: 'sendgrid',
      sending_domain: 'mail.globex.test',
      risk_level: 'critical', // spam 1/22 = 4.5 % is far over 0.5 %
      delivered: 20,
      hard_bounces: 1,
      soft_bounces: 1,
      deferred: 3,
      complaints: 1,
      closed_early: true,
    });
  });

  it('reports a quiet window at the end of its slot, and keeps an open one across a restart', async () => {
    const quiet = batch('initech', {
      delivered: 19,
      bounce: 0,
      blocked: 0,
      deferred: 1,
      spamreport: 0,
      processed: 0,
    });
    expect((await postWebhook(server.url, 'sendgrid', quiet, signed(quiet))).status).toBe(200);
    const reportsOf = () =>
      readAllEvents(server.url, server.adminKey, { tenant: 'initech', event: 'email_deliverability_event' });
    expect(await reportsOf()).toHaveLength(0);
    // Restart before the slot ends: the open window is in the store, and ids stay known.
    await server.close();
    const slotEnd = (Math.floor(clock.now() / WINDOW_MS) + 1) * WINDOW_MS;
    server = await startTestServer(env, server.dataDir, { clock });
    expect((await postWebhook(server.url, 'sendgrid', quiet, signed(quiet))).body).toMatchObject({
      accepted: 0,
      duplicates: 20,
    });
    await clock.advance(slotEnd - clock.now());
    await server.pipeline.drain();
    const [report] = await reportsOf();
    expect(report?.properties).toMatchObject({
      email_count: 19,
      delivery_outcome: 'mixed',
      bounce_rate: 0,
      spam_rate: 0,
      risk_level: 'low',
      actions_required: [],
      closed_early: false,
      window_end: new Date(slotEnd).toISOString(),
    });
    expect(report?.timestamp).toBe(new Date(slotEnd).toISOString());
  });

  it('feeds the bounce-rate alert as soon as a window turns critical', async () => {
    const fired = new Promise<string>((resolve) =>
      server.alerts.onTransition((_t, alert) => {
        if (alert.ruleId === 'bounce-rate-critical') resolve(alert.tenantId);
      }),
    );
    const body = batch('acme', {
      delivered: 430,
      bounce: 70,
      blocked: 20,
      deferred: 0,
      spamreport: 0,
      processed: 0,
    });
    expect((await postWebhook(server.url, 'sendgrid', body, signed(body))).body).toMatchObject({
      accepted: 520,
    });
    expect(await fired).toBe('acme');
    const [report] = await readAllEvents(server.url, server.adminKey, {
      tenant: 'acme',
      event: 'email_deliverability_event',
    });
    expect(report?.properties).toMatchObject({
      email_count: 520,
      bounce_rate: 90 / 520,
      risk_level: 'critical',
    });
  });

  it('shows its work in /api/integrations and /metrics', async () => {
    const row = await status();
    expect(row).toMatchObject({ configured: true, failed: 0, lastError: null });
    expect(row.accepted).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/pulse_webhook_events_accepted_total\{provider="sendgrid"\} \d+/);
    expect(metrics).toContain('pulse_webhook_events_duplicate_total{provider="sendgrid"} 20');
  });
});
