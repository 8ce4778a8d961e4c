import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { fixture, fixtureJson, mailgunBody, postWebhook, type IntegrationRow } from './helpers/webhooks.js';

const SYMFONY_KEY = 'key-0p6mqbf74lb20gzq9f4dhpn9rg3zyk26'; // Symfony's MailgunRequestParserTest
const TEST_KEY = 'test-signing-key';
/** Symfony's signed fixtures, in the order of their signature timestamps. */
const signed = [
  ['symfony_permanent_failure', 1_661_590_666],
  ['symfony_unsubscribes', 1_661_621_652],
  ['symfony_accepted', 1_661_621_710],
  ['symfony_clicks', 1_661_621_710],
  ['symfony_delivered_messages', 1_661_621_787],
] as const;
const docs = [
  'docs_eventdata_delivered',
  'docs_eventdata_failed_temporary',
  'docs_eventdata_failed_permanent_suppress_bounce',
  'docs_eventdata_complained',
];

describe('POST /webhooks/mailgun', () => {
  const clock = manualClock(signed[0][1] * 1000);
  let server: TestServer;
  const results: Record<string, { status: number; body: Record<string, unknown> }> = {};

  beforeAll(async () => {
    server = await startTestServer(
      {
        PULSE_MAILGUN_SIGNING_KEY: `${SYMFONY_KEY},${TEST_KEY}`,
        PULSE_WEBHOOK_TENANT_MAP: JSON.stringify({
          domains: {
            'app.symfony.com': 'symfony',
            'mg.herehaveth.is': 'hht',
            'test.com': 'docs',
            'example.org': 'docs',
            'example.com': 'docs',
          },
        }),
      },
      undefined,
      { clock },
    );
    for (const [name, timestamp] of signed) {
      await clock.advance(timestamp * 1000 + 1_000 - clock.now());
      results[name] = await postWebhook(server.url, 'mailgun', fixture(`mailgun/${name}.json`));
    }
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it("verifies Symfony's real signed fixtures byte for byte; a reused token is refused with 406", () => {
    expect(results.symfony_permanent_failure).toEqual({
      status: 200,
      body: { status: 'ok', accepted: 1, duplicates: 0, quarantined: 0 },
    });
    // No sender and no user variables: nothing names a tenant.
    expect(results.symfony_unsubscribes?.body).toMatchObject({ accepted: 1, quarantined: 1 });
    expect(results.symfony_accepted?.body).toMatchObject({ accepted: 1, quarantined: 0 });
    // The clicks fixture carries the accepted fixture's token: a captured signature on another body.
    expect(results.symfony_clicks).toMatchObject({
      status: 406,
      body: { error: { code: 'webhook_token_reused' } },
    });
    expect(results.symfony_delivered_messages?.body).toMatchObject({ accepted: 1, quarantined: 0 });
  });

  it('refuses a grafted body, a changed signature and a stale timestamp with 406', async () => {
    const accepted = fixtureJson('mailgun/symfony_delivered_messages.json');
    const grafted = {
      ...accepted,
      'event-data': { ...(accepted['event-data'] as object), id: 'forged', event: 'complained' },
    };
    const reused = await postWebhook(server.url, 'mailgun', JSON.stringify(grafted));
    expect(reused).toMatchObject({ status: 406, body: { error: { code: 'webhook_token_reused' } } });
    const t = Math.floor(clock.now() / 1000);
    const wrong = mailgunBody(
      'another-key',
      { id: 'x', event: 'delivered', timestamp: t },
      t,
      'a'.repeat(50),
    );
    expect((await postWebhook(server.url, 'mailgun', wrong)).body).toMatchObject({
      error: { code: 'webhook_bad_signature' },
    });
    const stale = mailgunBody(
      TEST_KEY,
      { id: 'y', event: 'delivered', timestamp: t },
      t - 301,
      'b'.repeat(50),
    );
    expect(await postWebhook(server.url, 'mailgun', stale)).toMatchObject({
      status: 406,
      body: { error: { code: 'webhook_stale' } },
    });
    const row = (
      await server.api<{ integrations: IntegrationRow[] }>('/api/integrations')
    ).body.integrations.find((i) => i.provider === 'mailgun');
    expect(row?.refused).toEqual({ token_reused: 2, bad_signature: 1, stale: 1 });
  });

  it('counts the docs events per window: suppressed addresses are not bounces, complaints are not emails', async () => {
    const t = Math.floor(clock.now() / 1000);
    for (const [i, name] of docs.entries()) {
      const body = mailgunBody(
        TEST_KEY,
        fixtureJson(`mailgun/${name}.json`),
        t,
        `token-${i}`.padEnd(50, '0'),
      );
      expect((await postWebhook(server.url, 'mailgun', body)).body, name).toMatchObject({
        accepted: 1,
        quarantined: 0,
      });
    }
    const again = mailgunBody(
      TEST_KEY,
      fixtureJson(`mailgun/${docs[0]}.json`),
      t,
      'token-again'.padEnd(50, '0'),
    );
    expect((await postWebhook(server.url, 'mailgun', again)).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    await clock.advance(15 * 60_000);
    await server.pipeline.drain();
    const reports = await readAllEvents(server.url, server.adminKey, { event: 'email_deliverability_event' });
    const docsReport = reports.filter((r) => r.tenantId === 'docs').map((r) => r.properties);
    // delivered 1 + soft 1 = 2 emails; the suppress-bounce is not counted; 1 complaint.
    expect(docsReport.reduce((n, r) => n + Number(r.email_count), 0)).toBe(2);
    expect(docsReport.reduce((n, r) => n + Number(r.soft_bounces), 0)).toBe(1);
    expect(docsReport.reduce((n, r) => n + Number(r.hard_bounces), 0)).toBe(0);
    expect(docsReport.reduce((n, r) => n + Number(r.complaints), 0)).toBe(1);
    const symfony = reports.filter((r) => r.tenantId === 'symfony').map((r) => r.properties);
    expect(symfony.map((r) => [r.email_count, r.delivery_outcome, r.bounce_rate]).sort()).toEqual([
      [1, 'bounced', 1],
      [1, 'delivered', 0],
    ]);
    const stored = await readAllEvents(server.url, server.adminKey, { tenant: 'docs' });
    expect(
      stored.find((e) => e.event === 'mailgun.failed' && e.properties.severity === 'temporary')?.properties,
    ).toMatchObject({
      email_outcome: 'soft_bounce',
      sending_domain: 'test.com',
    });
  });
});
