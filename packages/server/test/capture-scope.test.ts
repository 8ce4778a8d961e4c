import { randomUUID } from 'node:crypto';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents } from './helpers/read-events.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Capture tokens carry a tenant scope: a project token listed as `token=tenant-a|tenant-b`, or an ingest API
// key created for some tenants. posthog-node sends with each as its project token; events of other tenants are
// kept in quarantine (replayable), never stored as if the token could write them.

const run = randomUUID().slice(0, 8);
const [tenantA, tenantB, tenantC] = ['a', 'b', 'c'].map((t) => `tenant-${t}-${run}`) as [
  string,
  string,
  string,
];
const OPEN = 'phc_scope_open';
const SCOPED = 'phc_scope_ab';

interface Quarantined {
  id: string;
  event: string;
  uuid: string;
  properties: Record<string, unknown>;
  issues: { rule: string; property: string; message: string }[];
}

async function sendWith(url: string, token: string, events: { tenant: string; label: string }[]) {
  const client = new PostHog(token, { host: url, flushAt: 50, flushInterval: 0 });
  const errors: unknown[] = [];
  client.on('error', (error) => errors.push(error));
  for (const { tenant, label } of events)
    client.capture({
      distinctId: `user-${label}`,
      event: 'signup_clicked',
      properties: { tenant_id: tenant, label },
    });
  await client.shutdown();
  return errors;
}

async function captureStatus(url: string, token: string, tenant: string) {
  const response = await fetch(`${url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      api_key: token,
      batch: [{ event: 'signup_clicked', distinct_id: 'u', properties: { tenant_id: tenant } }],
    }),
  });
  return { status: response.status, text: await response.text() };
}

describe('capture tokens scoped to tenants', () => {
  let server: TestServer;
  const labels = async (tenant: string) =>
    (await readAllEvents(server.url, server.adminKey, { tenant })).map((e) => e.properties.label).sort();
  const quarantined = async (label: string) => {
    const { body } = await server.api<{ quarantined: Quarantined[] }>('/api/quarantine?limit=1000');
    return body.quarantined.filter((q) => q.properties.label === label);
  };

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: `${OPEN}, ${SCOPED}=${tenantA}|${tenantB}` });
  });
  afterAll(async () => server.close());

  it('a scoped project token stores its tenants and quarantines the others, naming the scope', async () => {
    const errors = await sendWith(server.url, SCOPED, [
      { tenant: tenantA, label: 'pt-a' },
      { tenant: tenantB, label: 'pt-b' },
      { tenant: tenantC, label: 'pt-c' },
    ]);
    expect(errors).toEqual([]);
    expect(await labels(tenantA)).toEqual(['pt-a']);
    expect(await labels(tenantB)).toEqual(['pt-b']);
    expect(await labels(tenantC)).toEqual([]);
    const [kept] = await quarantined('pt-c');
    expect(kept?.issues).toEqual([
      expect.objectContaining({
        rule: 'scope',
        property: 'tenant_id',
        message: `signup_clicked: property "tenant_id" must be a tenant this capture token may write (${tenantA} | ${tenantB}) (rule: scope); received "${tenantC}"`,
      }),
    ]);

    // Kept, not lost: an admin may replay it into the store.
    const replay = await server.api<{ replayed: string[] }>('/api/quarantine/replay', {
      body: { ids: [kept?.id] },
    });
    expect(replay.body.replayed).toEqual([kept?.id]);
    expect(await labels(tenantC)).toEqual(['pt-c']);
  });

  it('an unscoped project token still writes any tenant', async () => {
    expect(await sendWith(server.url, OPEN, [{ tenant: tenantC, label: 'open-c' }])).toEqual([]);
    expect(await labels(tenantC)).toContain('open-c');
  });

  it('an ingest API key captures within its tenants, and stops once revoked', async () => {
    const created = await server.api<{ id: string; key: string }>('/api/keys', {
      body: { role: 'ingest', tenants: [tenantB], name: 'scoped ingest' },
    });
    expect(created.status).toBe(201);
    const { id, key } = created.body;
    expect(key.length).toBeGreaterThan(64); // longer than PostHog's token rule allows project tokens

    const errors = await sendWith(server.url, key, [
      { tenant: tenantB, label: 'key-b' },
      { tenant: tenantA, label: 'key-a' },
    ]);
    expect(errors).toEqual([]);
    expect(await labels(tenantB)).toContain('key-b');
    expect(await labels(tenantA)).not.toContain('key-a');
    expect((await quarantined('key-a'))[0]?.issues[0]?.message).toContain(
      `must be a tenant this capture token may write (${tenantB})`,
    );

    expect((await server.api(`/api/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await captureStatus(server.url, key, tenantB)).toEqual({
      status: 401,
      text: 'API key is not valid: not an active Pulse API key (unknown, revoked or expired)',
    });
  });

  it('refuses a key whose role may not capture, and an unknown token', async () => {
    const analyst = await server.api<{ key: string }>('/api/keys', { body: { role: 'analyst' } });
    expect(await captureStatus(server.url, analyst.body.key, tenantA)).toEqual({
      status: 401,
      text: 'API key is not valid: a Pulse API key with role analyst may not capture (use role ingest)',
    });
    expect(await captureStatus(server.url, 'phc_not_listed', tenantA)).toEqual({
      status: 401,
      text: 'API key is not valid: not a project API key of this Pulse (PULSE_PROJECT_TOKEN)',
    });
    expect((await captureStatus(server.url, `phc_${'x'.repeat(70)}`, tenantA)).text).toBe(
      'API key is not valid: too_long',
    );
  });
});
