import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/alerts/channels/webhook-signature.js';
import { alertSettingsFrom, createAlertSystem, type AlertSettings } from '../src/alerts/index.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { openTestPipeline } from './helpers/test-pipeline.js';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLXB1bHNlLWFsZXJ0cw==';

// ── receivers: an HTTP server (Slack + webhook paths) and a real SMTP server ─────────────────────
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}
const received: Received[] = [];
/** Answers per path; a function of how many requests that path got so far. */
const behaviour = new Map<string, (n: number) => number>();
let http: Server;
let base = '';

interface Mail {
  to: string[];
  raw: string;
}
const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpUrl = '';

beforeAll(async () => {
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = received.filter((r) => r.path === path).length + 1;
      const status = behaviour.get(path)?.(n) ?? 200;
      received.push({ path, headers: req.headers, body, status });
      res.writeHead(status).end(status === 200 ? 'ok' : 'failing');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await new Promise<void>((r) => smtp.close(() => r()));
});

// ── the engine on real parts ──────────────────────────────────────────────────────────────────
async function openPulse(settings: Partial<AlertSettings> = {}) {
  const { storage, stream, pipeline, close: closeStorage } = await openTestPipeline();
  const store = storage.alerts;
  const defaults = alertSettingsFrom({
    slackWebhookUrl: `${base}/slack`,
    smtpUrl,
    alertEmailTo: ['ceo@acme.test', 'cfo@acme.test'],
    alertWebhookUrl: `${base}/webhook`,
    alertWebhookSecret: SECRET,
    publicUrl: 'http://pulse.test',
    outboundAllowPrivate: true,
    alertEmailFrom: 'Pulse <alerts@pulse.test>',
  });
  const system = createAlertSystem({
    store,
    settings: {
      ...defaults,
      digestCron: null,
      delivery: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 100 },
      outbound: { ...defaults.outbound, retries: 2, retryBaseMs: 5, timeoutMs: 2_000 },
      ...settings,
    },
    logger: pino({ level: 'silent' }),
  });
  await system.engine.start(stream);
  return {
    engine: system.engine,
    dashboard: system.dashboard,
    async ingest(...batch: CapturedEvent[]) {
      await pipeline.ingest(batch);
      await new Promise((resolve) => setImmediate(resolve));
      await system.engine.flush();
    },
    async close() {
      await pipeline.drain();
      await system.close();
      await closeStorage();
    },
  };
}

type Pulse = Awaited<ReturnType<typeof openPulse>>;
const opened: Pulse[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
  received.length = 0;
  mails.length = 0;
  behaviour.clear();
});
const start = async (settings: Partial<AlertSettings> = {}) => {
  const pulse = await openPulse(settings);
  opened.push(pulse);
  return pulse;
};

async function until<T>(what: string, probe: () => T | undefined | false, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ev = (event: string, props: Record<string, unknown>, tenant = 'acme'): CapturedEvent => ({
  uuid: randomUUID(),
  event,
  distinctId: tenant,
  timestamp: Date.now(),
  properties: { tenant_id: tenant, ...props },
});
const loss = (amount: number) =>
  ev('revenue_impact_event', {
    impact_amount: amount,
    impact_type: 'negative',
    event_type: 'payment_failure',
  });

// ── reading what arrived ──────────────────────────────────────────────────────────────────────
/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=) → text. */
const decodeWords = (s: string) =>
  s.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQp(text.replace(/_/g, ' ')),
  );
/** Quoted-printable → UTF-8 text. */
function decodeQp(s: string): string {
  const bytes: number[] = [];
  const input = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=' && /^[0-9A-F]{2}$/i.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(input[i] ?? ''));
  }
  return Buffer.from(bytes).toString('utf8');
}
/** The subject and the decoded text and HTML parts of a raw message. */
function readMail(raw: string) {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, headerEnd).replace(/\r\n[ \t]+/g, ' ');
  const subject = decodeWords(/^Subject: (.*)$/im.exec(headers)?.[1] ?? '');
  const parts = raw.split(/\r\n--[^\r\n]+\r\n/).map((part) => {
    const end = part.indexOf('\r\n\r\n');
    const head = part.slice(0, end);
    const body = part.slice(end + 4);
    const decoded = /quoted-printable/i.test(head)
      ? decodeQp(body)
      : /base64/i.test(head)
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
    return { type: /content-type: ([^;\r\n]+)/i.exec(head)?.[1] ?? '', body: decoded };
  });
  return {
    headers,
    subject,
    text: parts.find((p) => p.type === 'text/plain')?.body ?? '',
    html: parts.find((p) => p.type === 'text/html')?.body ?? '',
  };
}

// ── tests ─────────────────────────────────────────────────────────────────────────────────────
describe('alert notifications, durably delivered', () => {
  it('critical: Slack, signed webhook and one email per recipient, at once; each outbox row sent once', async () => {
    const pulse = await start();
    const dashboard: string[] = [];
    pulse.dashboard.subscribe((e) => dashboard.push(e.type));
    await pulse.ingest(loss(12_500));
    await until('slack, webhook and 2 emails', () => received.length >= 2 && mails.length >= 2);
    await pulse.engine.idle();

    const slack = received.filter((r) => r.path === '/slack');
    expect(slack).toHaveLength(1);
    const message = JSON.parse(slack[0]?.body ?? '{}') as { text: string; blocks: unknown[] };
    expect(message.text).toBe(
      '[CRITICAL] Negative revenue impact over $10,000: $12,500 at acme (payment_failure) — $12,500',
    );
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain('*Tenant*\\nacme');
    expect(blocks).toContain('*Amount*\\n$12,500');
    expect(blocks).toMatch(
      /\*Why\*\\nSince \d\d:\d\d UTC, \d+ \w{3}: impact type is negative; impact amount \$12,500 &gt; \$10,000\. Next step: /,
    );
    expect(blocks).toMatch(/"url":"http:\/\/pulse\.test\/alerts\/[0-9a-f-]+"/);

    const webhook = received.filter((r) => r.path === '/webhook');
    expect(webhook).toHaveLength(1);
    const hook = webhook[0] as Received;
    expect(
      verifyWebhook(
        SECRET,
        {
          id: String(hook.headers['webhook-id']),
          timestamp: String(hook.headers['webhook-timestamp']),
          signature: String(hook.headers['webhook-signature']),
        },
        hook.body,
      ),
    ).toBe(true);
    const payload = JSON.parse(hook.body) as {
      type: string;
      idempotency_key: string;
      data: { alert: { tenant_id: string; amount: number; severity: string } };
    };
    expect(payload).toMatchObject({ type: 'alert.opened', idempotency_key: hook.headers['webhook-id'] });
    expect(payload.data.alert).toMatchObject({ tenant_id: 'acme', amount: 12_500, severity: 'critical' });
    expect(Math.abs(Number(hook.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);

    expect(mails.map((m) => m.to).sort()).toEqual([['ceo@acme.test'], ['cfo@acme.test']]);
    const mail = readMail(mails[0]?.raw ?? '');
    expect(mail.subject).toBe(
      '🔴 [CRITICAL] Negative revenue impact over $10,000: $12,500 at acme (payment_failure)',
    );
    expect(mail.headers).toMatch(/^From: Pulse <alerts@pulse\.test>$/m);
    expect(mail.headers).toMatch(/^X-Pulse-Idempotency-Key: [0-9a-f-]+\.email\.(ceo|cfo)@acme\.test$/m);
    expect(mail.text).toContain('Tenant: acme');
    expect(mail.text).toContain('Amount: $12,500');
    expect(mail.text).toMatch(
      /Why: Since \d\d:\d\d UTC, \d+ \w{3}: impact type is negative; impact amount \$12,500 > \$10,000\./,
    );
    // The title and why read as words: no event uuids, field names or ISO times (the link keeps the alert id).
    const words = mail.text.split('\n').filter((line) => !line.startsWith('Link:'));
    expect(words.join('\n')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|impact_amount|\d{4}-\d\d-\d\dT/);
    expect(mail.html).toContain('<th align="left" valign="top">Amount</th><td>$12,500</td>');
    expect(mail.html).toMatch(/<a href="http:\/\/pulse\.test\/alerts\/[0-9a-f-]+">/);

    const rows = await pulse.engine.listDeliveries({ limit: 10 });
    expect(rows.map((r) => [r.channel, r.status, r.attempts]).sort()).toEqual([
      ['email', 'sent', 1],
      ['email', 'sent', 1],
      ['slack', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(dashboard).toContain('alert.transition');
  });

  it('high goes to Slack and the webhook, medium to nobody until the digest; resolve is announced, not mailed', async () => {
    const pulse = await start();
    await pulse.ingest(loss(6_000), loss(2_500));
    await until('high alert on slack and webhook', () => received.length >= 2);
    await pulse.engine.idle();
    expect(received.map((r) => r.path).sort()).toEqual(['/slack', '/webhook']);
    expect(mails).toHaveLength(0);
    const [high] = await pulse.engine.listAlerts({ severities: ['high'], limit: 1 });
    await pulse.engine.acknowledge(high?.id ?? '', 'coo', 'mine');
    await pulse.engine.resolve(high?.id ?? '', 'coo', 'refunded');
    await until('ack (webhook) and resolve (slack + webhook)', () => received.length >= 5);
    await pulse.engine.idle();
    const kinds = received
      .filter((r) => r.path === '/webhook')
      .map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(kinds).toEqual(['alert.opened', 'alert.acknowledged', 'alert.resolved']);
    const resolvedSlack = JSON.parse(received.filter((r) => r.path === '/slack')[1]?.body ?? '{}') as {
      text: string;
    };
    expect(resolvedSlack.text).toMatch(/^Resolved: \[HIGH\]/);
    expect(mails).toHaveLength(0);

    // The weekly digest: one summary per recipient (each address, Slack) with the medium alerts; once.
    const digest = await pulse.engine.runDigest();
    expect(digest.map((d) => `${d.channel}:${d.target}`).sort()).toEqual([
      'email:ceo@acme.test',
      'email:cfo@acme.test',
      'slack:',
    ]);
    await until('digest emails', () => mails.length >= 2);
    await pulse.engine.idle();
    const mail = readMail(mails[0]?.raw ?? '');
    expect(mail.subject).toMatch(/^Pulse weekly digest: 1 medium alert \(/);
    expect(mail.text).toContain(
      'Negative revenue impact of $2,000–$5,000: $2,500 at acme (payment_failure) — 1× — $2,500 — open',
    );
    // its HTML is the scheduled reports' template, with their medium-alerts section
    expect(mail.html).toContain('Scope: All tenants');
    expect(mail.html).toMatch(/<h2 [^>]*>Medium alerts<\/h2>/);
    expect(mail.html).toContain('$2,500');
    expect(await pulse.engine.runDigest()).toEqual([]); // the same run again: nothing new
  });

  it('a receiver that fails 3 times then succeeds gets exactly one delivery (same webhook-id each time)', async () => {
    behaviour.set('/flaky', (n) => (n <= 3 ? 503 : 200));
    const pulse = await start({
      webhook: { url: `${base}/flaky`, secret: SECRET },
      routes: { critical: ['webhook'], high: [], digest: [] },
    });
    await pulse.ingest(loss(50_000));
    await until('a successful delivery', () => received.some((r) => r.path === '/flaky' && r.status === 200));
    await pulse.engine.idle(); // the success ends the row: no retry is left to arrive
    const calls = received.filter((r) => r.path === '/flaky');
    expect(calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    const [row] = await pulse.engine.listDeliveries({ limit: 5 });
    expect(row).toMatchObject({ status: 'sent', attempts: 2, channel: 'webhook' }); // 3 tries in attempt 1, then 1
  });

  it('dead-letters a permanent failure, shows it, and sends it when retried', async () => {
    let fixed = false;
    behaviour.set('/gone', () => (fixed ? 200 : 410));
    const pulse = await start({
      webhook: { url: `${base}/gone`, secret: SECRET },
      routes: { critical: ['webhook'], high: [], digest: [] },
    });
    await pulse.ingest(loss(50_000));
    let deadRows: Awaited<ReturnType<typeof pulse.engine.listDeliveries>> = [];
    for (let i = 0; i < 200 && !deadRows.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
      deadRows = await pulse.engine.listDeliveries({ statuses: ['dead'], limit: 5 });
    }
    const [dead] = deadRows;
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead?.lastError).toMatch(/410/);
    expect(received).toHaveLength(1);
    fixed = true;
    await pulse.engine.retryDelivery(dead?.id ?? '');
    await until('the retried delivery', () => received.some((r) => r.status === 200));
    await pulse.engine.idle();
    expect((await pulse.engine.listDeliveries({ limit: 5 }))[0]).toMatchObject({ status: 'sent' });
  });

  it('does not push backfilled alerts (old events): recorded and shown only', async () => {
    const pulse = await start();
    await pulse.ingest({ ...loss(99_000), timestamp: Date.now() - 3 * 86_400_000 });
    const [alert] = await pulse.engine.listAlerts({ limit: 5 });
    expect(alert).toMatchObject({ severity: 'critical', backfill: true });
    await pulse.engine.flush(); // every notification it would push is handed to the dispatcher…
    await pulse.engine.idle(); // …and sent
    expect(await pulse.engine.listDeliveries({ limit: 5 })).toEqual([]);
    expect(received).toHaveLength(0);
  });
});
