import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

describe('alert transitions in the audit trail', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('records an alert opening and an acknowledgement, and the chain still verifies', async () => {
    const event = {
      event: 'revenue_impact_event',
      distinct_id: 'tenant-audited',
      properties: { tenant_id: 'tenant-audited', impact_amount: 25_000, impact_type: 'negative' },
    };
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: [event] }),
    });
    expect(res.status).toBe(200);

    let alerts: { id: string; severity: string }[] = [];
    for (let i = 0; i < 50 && !alerts.length; i++) {
      alerts = (
        await server.api<{ alerts: { id: string; severity: string }[] }>('/api/alerts?tenant=tenant-audited')
      ).body.alerts;
      if (!alerts.length) await new Promise((r) => setTimeout(r, 100));
    }
    const critical = alerts.find((a) => a.severity === 'critical');
    expect(critical).toBeDefined();
    const ack = await server.api(`/api/alerts/${critical?.id}/ack`, { body: { comment: 'on it' } });
    expect(ack.status).toBe(200);

    let actions: string[] = [];
    for (let i = 0; i < 50; i++) {
      const trail = await server.api<{ records: { action: string; detail: { alert?: string } }[] }>(
        '/api/audit?action=alert.&limit=100',
      );
      actions = trail.body.records.filter((r) => r.detail.alert === critical?.id).map((r) => r.action);
      if (actions.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(actions.sort()).toEqual(['alert.acknowledged', 'alert.opened']);
    const verified = await server.api<{ ok: boolean }>('/api/audit/verify');
    expect(verified.body.ok).toBe(true);
  });
});
