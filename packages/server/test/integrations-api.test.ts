import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { runCli } from './helpers/run-cli.js';
import {
  fixture,
  fixtureJson,
  postWebhook,
  sendgridHeaders,
  sendgridKeyPair,
  type IntegrationRow,
} from './helpers/webhooks.js';

const key = sendgridKeyPair();
const delivered = (id: string, domain: string) =>
  Buffer.from(
    JSON.stringify([
      {
        email: 'a@example.org',
        timestamp: Math.floor(Date.now() / 1000),
        event: 'delivered',
        sg_event_id: id,
        sending_domain: domain,
      },
    ]) + '\r\n',
  );

describe('/api/integrations and `pulse integrations`', () => {
  let server: TestServer;
  let analyst: string;
  const send = (body: Buffer) =>
    postWebhook(
      server.url,
      'sendgrid',
      body,
      sendgridHeaders(key.privateKey, body, Math.floor(Date.now() / 1000)),
    );
  const as = async (bearer: string, path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = await startTestServer({
      PULSE_SENDGRID_PUBLIC_KEY: key.publicBase64,
      PULSE_WEBHOOK_TENANT_MAP: JSON.stringify({ domains: { 'mail.cfg.test': 'cfg-tenant' } }),
    });
    analyst = (await server.api<{ key: string }>('/api/keys', { body: { role: 'analyst' } })).body.key;
  });
  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('lets only admins read the status or change the tenant map, and audits the change', async () => {
    expect((await as(analyst, '/api/integrations')).status).toBe(403);
    const map = { domains: { 'Mail.Put.Test': 'put-tenant' }, stripeCustomers: { cus_9: 'stripe-tenant' } };
    expect((await as(analyst, '/api/integrations/tenant-map', { method: 'PUT', body: map })).status).toBe(
      403,
    );
    const bad = await as(server.adminKey, '/api/integrations/tenant-map', {
      method: 'PUT',
      body: { domains: { x: '' } },
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    const put = await as(server.adminKey, '/api/integrations/tenant-map', { method: 'PUT', body: map });
    expect(put).toEqual({
      status: 200,
      body: {
        configured: { domains: { 'mail.cfg.test': 'cfg-tenant' }, stripeCustomers: {} },
        stored: { domains: { 'mail.put.test': 'put-tenant' }, stripeCustomers: { cus_9: 'stripe-tenant' } },
      },
    });
    const audit = await server.api<{ records: { action: string; result: string }[] }>(
      '/api/audit?action=integrations.tenant-map.set',
    );
    // A change is recorded as started before it runs, then with its outcome; a body the contract refuses
    // never reaches the change.
    expect(audit.body.records.map((r) => r.result).sort()).toEqual(['denied', 'error', 'ok', 'started']);
  });

  it('attributes by the stored map, then the configured one, else quarantines with the reason, replayable', async () => {
    expect((await send(delivered('e-put', 'mail.put.test'))).body).toMatchObject({
      accepted: 1,
      quarantined: 0,
    });
    expect((await send(delivered('e-cfg', 'mail.cfg.test'))).body).toMatchObject({
      accepted: 1,
      quarantined: 0,
    });
    expect((await send(delivered('e-none', 'mail.unknown.test'))).body).toMatchObject({
      accepted: 1,
      quarantined: 1,
    });
    expect(
      (await readAllEvents(server.url, server.adminKey, { tenant: 'put-tenant' })).map((e) => e.event),
    ).toEqual(['sendgrid.delivered']);
    expect(await readAllEvents(server.url, server.adminKey, { tenant: 'cfg-tenant' })).toHaveLength(1);
    const held = (
      await server.api<{ quarantined: { id: string; issues: { message: string }[] }[] }>(
        '/api/quarantine?event=sendgrid.delivered',
      )
    ).body.quarantined;
    expect(held).toHaveLength(1);
    expect(held[0]?.issues[0]?.message).toContain('tenant_id');
    const id = held[0]?.id as string;
    const replay = await server.api<{ replayed: string[] }>('/api/quarantine/replay', {
      body: { ids: [id], fixes: { [id]: { tenant_id: 'late-tenant' } } },
    });
    expect(replay.body.replayed).toEqual([id]);
    expect(await readAllEvents(server.url, server.adminKey, { tenant: 'late-tenant' })).toHaveLength(1);
  });

  it('reports per provider in the API and the CLI', async () => {
    await send(delivered('e-put', 'mail.put.test'));
    const forged = delivered('e-forged', 'mail.put.test');
    await postWebhook(
      server.url,
      'sendgrid',
      forged,
      sendgridHeaders(sendgridKeyPair().privateKey, forged, Math.floor(Date.now() / 1000)),
    );
    await postWebhook(server.url, 'mailgun', '{}');
    const { body } = await server.api<{ integrations: IntegrationRow[] }>('/api/integrations');
    expect(body.integrations.map((i) => [i.provider, i.configured])).toEqual([
      ['sendgrid', true],
      ['mailgun', false],
      ['ses', false],
      ['stripe', false],
      ['posthog', false],
    ]);
    expect(body.integrations[0]).toMatchObject({
      accepted: 3,
      duplicates: 1,
      refused: { bad_signature: 1 },
      failed: 0,
    });
    expect(body.integrations[1]).toMatchObject({ refused: { not_configured: 1 } });
    const cli = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      'integrations',
      '--json',
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as { integrations: IntegrationRow[] }).integrations[0]).toMatchObject({
      provider: 'sendgrid',
      accepted: 3,
      duplicates: 1,
    });
    // Without --url or --key: the CLI finds the server (on its random port) and the key from the data dir.
    const table = await runCli({ PULSE_DATA_DIR: server.dataDir }, 'integrations');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/sendgrid\s+yes\s+\/webhooks\/sendgrid/);
    expect(table.stdout).toContain(
      'No relay, scrape targets, VPS providers or database views are configured.',
    );
  });
});

describe('PULSE_<PROVIDER>_TOLERANCE_SECONDS=0', () => {
  it("turns the age check off: SendGrid's 2020 signature verifies today", async () => {
    const sample = fixtureJson<{ headers: Record<string, string>; public_key_base64_der_spki: string }>(
      'sendgrid/sendgrid-nodejs_signed_single_dropped.signature.json',
    );
    const body = fixture('sendgrid/sendgrid-nodejs_signed_single_dropped.json');
    const strict = await startTestServer({ PULSE_SENDGRID_PUBLIC_KEY: sample.public_key_base64_der_spki });
    const lax = await startTestServer({
      PULSE_SENDGRID_PUBLIC_KEY: sample.public_key_base64_der_spki,
      PULSE_SENDGRID_TOLERANCE_SECONDS: '0',
    });
    try {
      expect((await postWebhook(strict.url, 'sendgrid', body, sample.headers)).body).toMatchObject({
        error: { code: 'webhook_stale' },
      });
      expect((await postWebhook(lax.url, 'sendgrid', body, sample.headers)).status).toBe(200);
    } finally {
      for (const server of [strict, lax]) {
        await server.close();
        rmSync(server.dataDir, { recursive: true, force: true });
      }
    }
  });
});
