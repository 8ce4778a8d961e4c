import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from './helpers/manual-clock.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { fixture, fixtureJson, fixturePath, postWebhook, type IntegrationRow } from './helpers/webhooks.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/** Real AWS-signed messages, by signed Timestamp. */
const signed = [
  'aws-php-sns_2017_notification_with_subject_sigv1',
  'antriver_sns_ses_bounce_notification_sigv1',
  'aws-sdk-ruby_sns_notification_sigv1',
  'aws-php-sns_lambda_shape_subject_null_sigv2',
  'aws-sdk-ruby_sns_notification_sigv2',
  'aws-php-sns_notification_with_subject_sigv1',
  'aws-php-sns_notification_with_subject_sigv2',
]
  .map((name) => ({ name, message: fixtureJson<Record<string, string>>(`ses/${name}.json`) }))
  .sort((a, b) => Date.parse(a.message.Timestamp as string) - Date.parse(b.message.Timestamp as string));
const sesRecords = readdirSync(fixturePath('ses')).filter((f) => /^awsdocs_.*\.json$/.test(f));
const TEST_TOPIC = 'arn:aws:sns:us-east-1:123456789012:pulse-ses-events';
const TEST_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-pulsetest.pem';

/** A test signing certificate, pre-seeded like the real ones. */
function makeTestCert(dir: string): string {
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=sns.amazonaws.com',
      '-keyout',
      key,
      '-out',
      join(dir, 'SimpleNotificationService-pulsetest.pem'),
    ],
    { stdio: 'ignore' },
  );
  const pem = readFileSync(key, 'utf8');
  rmSync(key);
  return pem;
}

/** An SNS message signed (SignatureVersion 2) with the test key, as SNS builds it. */
function snsMessage(privateKey: string, fields: Record<string, string>): Buffer {
  const order =
    fields.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = order
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join('');
  const signature = sign('sha256', Buffer.from(text), privateKey).toString('base64');
  return Buffer.from(
    JSON.stringify({ ...fields, SignatureVersion: '2', Signature: signature, SigningCertURL: TEST_CERT_URL }),
  );
}

describe('POST /webhooks/ses (SNS)', () => {
  const certDir = temporaryDirectory('pulse-sns-certs-');
  const clock = manualClock(Date.parse(signed[0]?.message.Timestamp as string) + 1_000);
  let server: TestServer;
  let testKey: string;
  const results: Record<string, { status: number; body: Record<string, unknown> }> = {};
  const post = (body: Buffer, headers: Record<string, string> = {}) =>
    postWebhook(server.url, 'ses', body, { 'content-type': 'text/plain; charset=UTF-8', ...headers });
  const notification = (message: string) =>
    snsMessage(testKey, {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: TEST_TOPIC,
      Subject: 'Amazon SES Email Event Notification',
      Message: message,
      Timestamp: new Date(clock.now()).toISOString(),
    });

  beforeAll(async () => {
    // The sample certificates under the names SNS serves them by.
    for (const file of readdirSync(fixturePath('ses')).filter((f) => f.endsWith('.pem')))
      copyFileSync(
        fixturePath(`ses/${file}`),
        join(certDir, file.slice(file.indexOf('SimpleNotificationService-'))),
      );
    testKey = makeTestCert(certDir);
    const topics = new Set([...signed.map((s) => s.message.TopicArn as string), TEST_TOPIC]);
    server = await startTestServer(
      {
        PULSE_SNS_CERT_DIR: certDir,
        PULSE_SNS_TOPIC_ARNS: [...topics].join(','),
        PULSE_WEBHOOK_TENANT_MAP: JSON.stringify({
          domains: { 'example.com': 'sesdocs', 'amirite.com': 'amirite' },
        }),
      },
      undefined,
      { clock },
    );
    for (const { name, message } of signed) {
      await clock.advance(Date.parse(message.Timestamp as string) + 1_000 - clock.now());
      results[name] = await post(fixture(`ses/${name}.json`));
    }
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
    rmSync(certDir, { recursive: true, force: true });
  });

  it('verifies real SNS signatures (v1 and v2, Lambda spellings) with pre-seeded certificates', async () => {
    const ids = new Set<string>();
    for (const { name, message } of signed) {
      const fresh = !ids.has(message.MessageId as string);
      ids.add(message.MessageId as string);
      expect(results[name], name).toMatchObject({
        status: 200,
        body: { accepted: fresh ? 1 : 0, duplicates: fresh ? 0 : 1 },
      });
    }
    const [bounce] = await readAllEvents(server.url, server.adminKey, {
      tenant: 'amirite',
      event: 'ses.bounce',
    });
    expect(bounce).toMatchObject({
      event: 'ses.bounce',
      properties: {
        email_outcome: 'hard_bounce',
        sending_domain: 'amirite.com',
        provider_event_id: 'dad68599-6341-5601-8b6f-d30caf93e7f0',
      },
    });
  });

  it('refuses a tampered message, a foreign certificate URL, raw delivery and a stale one', async () => {
    const original = fixtureJson<Record<string, string>>(
      'ses/antriver_sns_ses_bounce_notification_sigv1.json',
    );
    const tampered = await post(Buffer.from(JSON.stringify({ ...original, TopicArn: TEST_TOPIC })));
    expect(tampered).toMatchObject({ status: 403, body: { error: { code: 'webhook_bad_signature' } } });
    const body = fixture('ses/antriver_sns_ses_bounce_notification_sigv1.json');
    const byte = body.indexOf('Permanent');
    const changed = Buffer.from(body);
    changed[byte] = 'p'.charCodeAt(0);
    expect((await post(changed)).body).toMatchObject({ error: { code: 'webhook_bad_signature' } });
    for (const url of [
      'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-a.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a86cb10b4e1f29c941702d737128f7b6.pem',
    ]) {
      const foreign = await post(Buffer.from(JSON.stringify({ ...original, SigningCertURL: url })));
      expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'webhook_bad_cert_url' } } });
    }
    expect((await post(body, { 'x-amz-sns-rawdelivery': 'true' })).body).toMatchObject({
      error: { code: 'webhook_raw_delivery' },
    });
    // Signed in 2020, now 2022: beyond SNS's hour of retries.
    expect((await post(body)).body).toMatchObject({ error: { code: 'webhook_stale' } });
    const row = (
      await server.api<{ integrations: IntegrationRow[] }>('/api/integrations')
    ).body.integrations.find((i) => i.provider === 'ses');
    expect(row?.refused).toEqual({ bad_signature: 2, bad_cert_url: 2, raw_delivery: 1, stale: 1 });
  });

  it('confirms a verified SubscriptionConfirmation by fetching its SubscribeURL through the outbound client', async () => {
    const seen: string[] = [];
    const sns: Server = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.end('<ConfirmSubscriptionResponse/>');
    });
    await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
    const port = (sns.address() as { port: number }).port;
    try {
      const body = snsMessage(testKey, {
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: 'token-1',
        TopicArn: TEST_TOPIC,
        Message: `You have chosen to subscribe to the topic ${TEST_TOPIC}.`,
        SubscribeURL: `http://127.0.0.1:${port}/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC}&Token=token-1`,
        Timestamp: new Date(clock.now()).toISOString(),
      });
      const result = await post(body);
      expect(result).toMatchObject({
        status: 200,
        body: { note: `subscription to ${TEST_TOPIC} confirmed` },
      });
      expect(seen).toEqual([`/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC}&Token=token-1`]);
    } finally {
      await new Promise((resolve) => sns.close(resolve));
    }
  });

  it("counts AWS's documented SES records per recipient: bounces, complaints and deliveries by hand", async () => {
    for (const file of sesRecords) {
      const result = await post(notification(fixture(`ses/${file}`).toString('utf8')));
      expect(result, file).toMatchObject({ status: 200, body: { accepted: 1, quarantined: 0 } });
    }
    await clock.advance(15 * 60_000);
    await server.pipeline.drain();
    const reports = await readAllEvents(server.url, server.adminKey, {
      tenant: 'sesdocs',
      event: 'email_deliverability_event',
    });
    const sum = (field: string) => reports.reduce((n, r) => n + Number(r.properties[field]), 0);
    // delivered 1 + 1, hard bounces 1 + 2 recipients, complaints 1 + 1 + 1.
    expect([sum('delivered'), sum('hard_bounces'), sum('complaints'), sum('email_count')]).toEqual([
      2, 3, 3, 5,
    ]);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.properties).toMatchObject({
      bounce_rate: 3 / 5,
      spam_rate: 3 / 5,
      provider: 'ses',
      sending_domain: 'example.com',
      risk_level: 'critical',
    });
  });
});
