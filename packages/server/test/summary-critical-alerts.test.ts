import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The summary lists the open critical alerts of its scope, newest first, read from the alert engine's
// memory: an alert opened a moment ago is there, another tenant's is not, an acknowledged one is gone.

const at = (h: number) => new Date(Date.UTC(2026, 2, 20, h)).toISOString();
let n = 0;
const resource = (tenant: string, h: number, resource_id: string, total_cost: number) => ({
  event: 'resource_usage_event',
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp: at(h),
  properties: {
    tenant_id: tenant,
    resource_id,
    resource_type: 'vps_instance',
    total_cost,
    cost_efficient: true,
    current_usage: 50,
    capacity: 100,
  },
});

interface SummaryAlerts {
  criticalAlerts: { id: string; rule: string; tenantId: string; state: string }[];
}

describe('the summary’s critical alerts', () => {
  let server: TestServer;
  const window = 'from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z';
  const summaryAlerts = async (tenant: string) =>
    (await server.api<SummaryAlerts>(`/api/summary?${window}&tenant=${tenant}`)).body.criticalAlerts;

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('/api/budgets/acme', { method: 'PUT', body: { monthlyUsd: 100 } })).status).toBe(
      200,
    );
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: [resource('acme', 8, 'vm-1', 650), resource('globex', 9, 'vm-9', 50)],
        historical_migration: true,
      }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    await server.alerts.flush();
  });
  afterAll(async () => server.close());

  it('lists the open critical alerts of its scope and drops one once acknowledged', async () => {
    const open = (
      await server.api<{ alerts: { id: string; rule: string; severity: string; state: string }[] }>(
        '/api/alerts?tenant=acme&state=open',
      )
    ).body.alerts.filter((a) => a.severity === 'critical');
    expect(open.map((a) => a.rule)).toContain('cost-budget-critical');

    const listed = await summaryAlerts('acme');
    expect(listed.map((a) => a.id).sort()).toEqual(open.map((a) => a.id).sort());
    expect(listed.every((a) => a.tenantId === 'acme' && a.state === 'open')).toBe(true);
    expect(await summaryAlerts('globex')).toEqual([]);

    const [first] = listed;
    if (!first) throw new Error('no critical alert listed');
    const ack = await server.api(`/api/alerts/${first.id}/ack`, { method: 'POST', body: {} });
    expect(ack.status).toBe(200);
    expect((await summaryAlerts('acme')).map((a) => a.id)).not.toContain(first.id);
  });
});
