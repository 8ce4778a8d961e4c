import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { criticalIncident } from './helpers/capture-batch.js';
import { connectLive } from './helpers/live-client.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// WebSocket /api/live against a real server and DuckDB: authentication, tenant scope, seq, deltas, audit.

const TOKEN = 'phc_live_test_token';

/** The HTTP status a refused upgrade answers with. */
function refusedWith(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/live`, { headers });
    ws.once('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

async function capture(url: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: TOKEN, batch: events, sent_at: new Date().toISOString() }),
  });
  expect(response.status).toBe(200);
}

const revenue = (tenant: string, amount: number, type: 'negative' | 'positive' = 'positive') => ({
  event: 'revenue_impact_event',
  distinct_id: tenant,
  uuid: randomUUID(),
  timestamp: new Date().toISOString(),
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: type },
});

describe('WebSocket /api/live', () => {
  let server: TestServer;
  let tenantExecKey: string;
  let executiveKey: string;
  let ingestKey: string;
  const A = `tenant-a-${randomUUID().slice(0, 6)}`;
  const B = `tenant-b-${randomUUID().slice(0, 6)}`;

  const key = async (body: Record<string, unknown>) => {
    const reply = await server.api<{ key: string }>('/api/keys', { body });
    expect(reply.status).toBeLessThan(300);
    return reply.body.key;
  };

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    [tenantExecKey, executiveKey, ingestKey] = await Promise.all([
      key({ role: 'tenant_executive', tenants: [A], name: 'live te' }),
      key({ role: 'executive', name: 'live exec' }),
      key({ role: 'ingest', name: 'live ingest' }),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses an upgrade without credentials (401) and a role without summary/alerts read (403)', async () => {
    const anonymous = await refusedWith(server.url, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'unauthorized' } });
    const ingest = await refusedWith(server.url, { authorization: `Bearer ${ingestKey}` });
    expect(ingest.status).toBe(403);
    const plain = await fetch(`${server.url}/api/live`, {
      headers: { authorization: `Bearer ${executiveKey}` },
    });
    expect(plain.status).toBe(426);
  });

  it('pushes a batched delta after a capture, scoped: a tenant_executive never sees another tenant', async () => {
    const te = await connectLive(server.url, { authorization: `Bearer ${tenantExecKey}` });
    const exec = await connectLive(server.url, { authorization: `Bearer ${executiveKey}` });
    try {
      const hello = await te.until((m) => m.type === 'hello');
      expect(hello).toMatchObject({ seq: 1, scope: [A], role: 'tenant_executive' });
      await capture(server.url, [
        revenue(A, 100),
        revenue(A, 40, 'negative'),
        revenue(B, 999),
        criticalIncident(B),
      ]);

      const teDelta = await te.until((m) => m.type === 'events.delta');
      expect(teDelta.tenants).toEqual({
        [A]: { revenue_impact_event: { count: 2, positiveRevenueImpact: 100, negativeRevenueImpact: 40 } },
      });
      // The executive sees both tenants (possibly over two batches) and B's critical alert.
      await exec.until((m) => m.type === 'events.delta' && B in (m.tenants as object));
      const opened = await exec.until(
        (m) => m.type === 'alert.transition' && (m.alert as { tenantId: string }).tenantId === B,
      );
      expect(opened).toMatchObject({ kind: 'opened', alert: { severity: 'critical', state: 'open' } });

      // Then an event of A, so the tenant executive's socket has certainly had time to get B's alert if leaked.
      await capture(server.url, [revenue(A, 1)]);
      await te.until((m) => m.type === 'events.delta' && m.seq > teDelta.seq);
      const leaked = te.messages.filter((m) => JSON.stringify(m).includes(B));
      expect(leaked).toEqual([]);
      expect(te.messages.some((m) => m.type.startsWith('alert.'))).toBe(false);

      for (const socket of [te, exec]) {
        const seqs = socket.messages.map((m) => m.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // strictly increasing by one from 1
      }
    } finally {
      te.ws.close();
      exec.ws.close();
    }
  });

  it('pushes alert transitions made over the API (acknowledge) to sockets in scope', async () => {
    const exec = await connectLive(server.url, { authorization: `Bearer ${executiveKey}` });
    try {
      await exec.until((m) => m.type === 'hello');
      const list = await server.api<{ alerts: { id: string }[] }>(`/api/alerts?tenant=${B}&state=open`);
      const id = list.body.alerts[0]?.id;
      expect(id).toBeTruthy();
      const ack = await server.api(`/api/alerts/${id}/ack`, { body: { comment: 'on it' } });
      expect(ack.status).toBe(200);
      const message = await exec.until(
        (m) =>
          m.type === 'alert.transition' && (m.alert as { id: string }).id === id && m.kind === 'acknowledged',
      );
      expect(message).toMatchObject({ comment: 'on it', alert: { state: 'acknowledged' } });
    } finally {
      exec.ws.close();
    }
  });

  it('accepts a session cookie only from a page of the same host (Origin check)', async () => {
    const created = await server.api('/api/users', {
      body: { email: 'live@pulse.test', password: 'live and kicking on the wall', role: 'executive' },
    });
    expect(created.status).toBe(201);
    const signedIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'live@pulse.test', password: 'live and kicking on the wall' }),
    });
    expect(signedIn.status).toBe(200);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const host = new URL(server.url).host;
    expect((await refusedWith(server.url, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await refusedWith(server.url, { cookie })).status).toBe(403);
    const ok = await connectLive(server.url, { cookie, origin: `http://${host}` });
    expect(await ok.until((m) => m.type === 'hello')).toMatchObject({
      seq: 1,
      scope: 'all',
      role: 'executive',
    });
    ok.ws.close();
  });

  it('audits one live.subscribe record per connection, and the refused ones', async () => {
    const audit = await server.api<{
      records: { action: string; result: string; actor: { role: string } }[];
    }>('/api/audit?action=live.&limit=100');
    expect(audit.status).toBe(200);
    const records = audit.body.records;
    const ok = records.filter((r) => r.action === 'live.subscribe' && r.result === 'ok');
    expect(ok.length).toBe(4);
    expect(records.filter((r) => r.result === 'denied').length).toBeGreaterThanOrEqual(2);
  });
});
