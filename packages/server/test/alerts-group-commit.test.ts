import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogReader } from '../src/ingestion/log-reader.js';
import type { AlertWrite } from '../src/storage/alert-store.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

interface AlertJson {
  id: string;
  rule: string;
  title: string;
  amount: number | null;
  count: number;
}

describe('alert evaluation per group commit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const loss = (amount: number, tenant = 'tenant-grouped') => ({
    event: 'revenue_impact_event',
    distinct_id: tenant,
    timestamp: new Date().toISOString(),
    properties: {
      tenant_id: tenant,
      impact_amount: amount,
      impact_type: 'negative',
      event_type: 'payment_failure',
    },
  });
  const capture = async (...batch: ReturnType<typeof loss>[]) => {
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch }),
    });
    expect(res.status).toBe(200);
    // Acknowledged means evaluated: flush writes what the evaluation queued.
    await server.alerts.flush();
  };
  const critical = async () => {
    const { body } = await server.api<{ alerts: AlertJson[] }>('/api/alerts?tenant=tenant-grouped');
    return body.alerts.filter((a) => a.rule === 'revenue-loss-critical');
  };

  it('stores the title of an alert repeated within one commit with the amount of all its repeats', async () => {
    // One request, one group commit: an opening and two repeats of the same alert.
    await capture(loss(12_500), loss(20_000), loss(11_000));
    const [alert, ...others] = await critical();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ count: 3, amount: 43_500 });
    expect(alert?.title).toContain('$43,500');
    // What the store holds (what a restart shows) too, not only the live alert.
    const stored = await server.storage.alerts.getAlert(alert?.id ?? '');
    expect(stored).toMatchObject({ count: 3, amount: 43_500 });
    expect(stored?.title).toContain('$43,500');

    // A later commit renders it again.
    await capture(loss(15_000));
    expect((await critical())[0]).toMatchObject({ count: 4, amount: 58_500 });
    expect((await critical())[0]?.title).toContain('$58,500');
  });

  it('journals the first notified alert of a commit before the rest of the commit is evaluated', async () => {
    // One group commit opening three critical alerts: the first one's fsync does not wait for the others.
    const tenants = ['journal-first-a', 'journal-first-b', 'journal-first-c'];
    await capture(...tenants.map((tenant) => loss(30_000, tenant)));
    const records = new LogReader(join(server.dataDir, 'alert-journal'), null).read(0, Infinity, 1 << 24);
    const journaled = records.entries
      .map((entry) =>
        (JSON.parse(entry.payload.toString('utf8')) as AlertWrite).alerts.map((a) => a.tenantId),
      )
      .filter((batch) => batch.some((tenant) => tenants.includes(tenant)));
    expect(journaled).toEqual([[tenants[0]], tenants.slice(1)]);
  });
});
