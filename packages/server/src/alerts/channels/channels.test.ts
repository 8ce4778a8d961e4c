import { describe, expect, it } from 'vitest';
import type { OutboundRequest, SafeFetch } from '../../net/safe-fetch.js';
import { alertSettingsFrom } from '../settings.js';
import type { AlertView, Notification } from '../types.js';
import { DeliveryError } from './channel.js';
import { emailContent } from './email.js';
import { createChannels, DashboardStream, type DashboardEvent } from './index.js';
import type { slackMessage } from './slack.js';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const alert: AlertView = {
  id: 'a-1',
  rule: 'revenue-loss-critical',
  rule_name: 'Negative revenue impact over $10,000',
  severity: 'critical',
  outlook: 'risk',
  tenant_id: 'acme',
  key: { event_type: 'payment_failure' },
  state: 'open',
  title: 'Negative revenue impact over $10,000: $12,500 at acme (payment_failure)',
  summary:
    'Since 12:00 UTC, 10 Mar: impact type is negative; impact amount $12,500 > $10,000. Next step: Contact the affected customers.',
  amount: 12_500,
  value: 12_500,
  count: 1,
  event_uuids: ['e-1'],
  first_seen: '2026-03-10T12:00:00.000Z',
  last_seen: '2026-03-10T12:00:00.000Z',
  last_event_at: '2026-03-10T12:00:00.000Z',
  acknowledged_by: null,
  acknowledged_at: null,
  ack_comment: null,
  resolved_by: null,
  resolved_at: null,
  resolve_comment: null,
  resolution: null,
  link: 'https://pulse.example/alerts/a-1',
};
const opened: Notification = {
  type: 'alert',
  idempotency_key: 't-1.webhook',
  transition: { id: 't-1', kind: 'opened', at: '2026-03-10T12:00:00.000Z', actor: 'pulse', comment: null },
  alert,
};

function stubFetch(status = 200): SafeFetch & { requests: OutboundRequest[] } {
  const requests: OutboundRequest[] = [];
  const fetch = (async (request: OutboundRequest) => {
    requests.push(request);
    return { status, headers: {}, body: status === 200 ? 'ok' : 'nope', attempts: 1, url: request.url };
  }) as SafeFetch & { requests: OutboundRequest[] };
  fetch.close = () => undefined;
  fetch.requests = requests;
  return fetch;
}

const settings = alertSettingsFrom({
  slackWebhookUrl: 'https://hooks.slack.example/T/B/X',
  smtpUrl: undefined,
  alertEmailTo: [],
  alertWebhookUrl: 'https://receiver.example/pulse',
  alertWebhookSecret: 'whsec_c2VjcmV0LWtleS1ieXRlcw==',
});

describe('channels', () => {
  it('slack: Block Kit with what, tenant, amount, why and a link', async () => {
    const fetch = stubFetch();
    await createChannels({ settings, fetch, dashboard: new DashboardStream() }).slack.send({
      id: 't-1.slack',
      target: '',
      payload: opened,
    });
    const body = JSON.parse(fetch.requests[0]?.body ?? '{}') as ReturnType<typeof slackMessage>;
    expect(fetch.requests[0]?.url).toBe('https://hooks.slack.example/T/B/X');
    expect(body.text).toContain('[CRITICAL] Negative revenue impact over $10,000');
    const text = JSON.stringify(body.blocks);
    expect(text).toContain('*Tenant*\\nacme');
    expect(text).toContain('*Amount*\\n$12,500');
    expect(text).toContain('impact amount $12,500 &gt; $10,000'); // escaped mrkdwn
    expect(text).toContain('1× since 12:00 UTC, 10 Mar');
    expect(text).toContain('"url":"https://pulse.example/alerts/a-1"');
    expect(body.blocks[0]).toMatchObject({ type: 'header' });
  });

  it('webhook: Standard Webhooks headers, HMAC over id.timestamp.body, the idempotency key in the body', async () => {
    const fetch = stubFetch();
    await createChannels({ settings, fetch, dashboard: new DashboardStream() }).webhook.send({
      id: 't-1.webhook',
      target: '',
      payload: opened,
    });
    const request = fetch.requests[0];
    const headers = request?.headers ?? {};
    const body = request?.body ?? '';
    expect(headers['webhook-id']).toBe('t-1.webhook');
    expect(headers['webhook-signature']).toBe(
      signWebhook(settings.webhook.secret ?? '', 't-1.webhook', Number(headers['webhook-timestamp']), body),
    );
    expect(
      verifyWebhook(
        'whsec_c2VjcmV0LWtleS1ieXRlcw==',
        {
          id: headers['webhook-id'] ?? '',
          timestamp: headers['webhook-timestamp'] ?? '',
          signature: headers['webhook-signature'] ?? '',
        },
        body,
      ),
    ).toBe(true);
    expect(
      verifyWebhook(
        'whsec_b3RoZXI=',
        {
          id: 't-1.webhook',
          timestamp: headers['webhook-timestamp'] ?? '',
          signature: headers['webhook-signature'] ?? '',
        },
        body,
      ),
    ).toBe(false);
    expect(JSON.parse(body)).toMatchObject({
      type: 'alert.opened',
      idempotency_key: 't-1.webhook',
      data: { alert: { id: 'a-1', tenant_id: 'acme', amount: 12_500 } },
    });
  });

  it('classifies HTTP failures: 4xx permanent, 5xx and 429 transient', async () => {
    for (const [status, permanent] of [
      [400, true],
      [404, true],
      [429, false],
      [500, false],
    ] as const) {
      const channels = createChannels({
        settings,
        fetch: stubFetch(status),
        dashboard: new DashboardStream(),
      });
      const error = await channels.webhook
        .send({ id: 'x', target: '', payload: opened })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).permanent, String(status)).toBe(permanent);
    }
  });

  it('email: subject, text and HTML carry the same facts, escaped', () => {
    const title = 'Negative revenue impact over $10,000: $12,500 at <acme & co> (payment_failure)';
    const content = emailContent({ ...opened, alert: { ...alert, tenant_id: '<acme & co>', title } });
    expect(content.subject).toBe(`🔴 [CRITICAL] ${title}`);
    expect(content.text).toContain('Tenant: <acme & co>');
    expect(content.text).toContain('Amount: $12,500');
    expect(content.text).toContain('Why: Since 12:00 UTC, 10 Mar: impact type is negative');
    expect(content.text).toContain('Occurrences: 1 (first 12:00 UTC, 10 Mar, last 12:00 UTC, 10 Mar)');
    expect(content.html).toContain('&lt;acme &amp; co&gt;');
    expect(content.html).toContain('<a href="https://pulse.example/alerts/a-1">');
  });

  it('dashboard: publishes transitions on the in-process stream; only configured channels have targets', async () => {
    const dashboard = new DashboardStream();
    const seen: DashboardEvent[] = [];
    dashboard.subscribe((e) => seen.push(e));
    const channels = createChannels({ settings, fetch: stubFetch(), dashboard });
    await channels.dashboard.send({ id: 't-1.dashboard', target: '', payload: opened });
    expect(seen).toEqual([{ type: 'alert.transition', notification: opened }]);
    expect(channels.email.targets()).toEqual([]);
    expect(channels.slack.targets()).toEqual(['']);
  });
});

describe('weekly digest schedule', () => {
  it('refuses a bad PULSE_DIGEST_CRON with a message naming it', async () => {
    const { WeeklyDigest } = await import('../digest.js');
    const digest = new WeeklyDigest({
      store: {} as never,
      channels: createChannels({ settings, fetch: stubFetch(), dashboard: new DashboardStream() }),
      settings: { ...settings, digestCron: 'every monday' },
      clock: Date.now,
      dispatch: () => undefined,
      onError: () => undefined,
    });
    expect(() => digest.start()).toThrow(/^PULSE_DIGEST_CRON "every monday" \(timezone UTC\): /);
  });
});
