import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { metricValue, readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Log-first ingest (ADR 0002): a 200 means "in the fsynced ingest log"; the loader moves events into DuckDB
// later. These pin what that must not change: read-your-writes, a bounded backlog, exactly-once restarts.

const batchOf = (tenant: string, n: number) => {
  const events = Array.from({ length: n }, (_, i) => ({
    event: 'revenue_impact_event',
    distinct_id: `d${i}`,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: { tenant_id: tenant, impact_amount: i, impact_type: 'positive' },
  }));
  return {
    uuids: events.map((e) => e.uuid),
    body: JSON.stringify({ api_key: 'phc_log_test', batch: events }),
  };
};

const post = (url: string, body: string) =>
  fetch(`${url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('ingest log: read barrier and backpressure', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('an acknowledged event is readable at once through /api/events and /api/query', async () => {
    // The loader would wait a minute on its own: only the read barrier can make the read see the events.
    const server = await startTestServer({ PULSE_INGEST_LOAD_INTERVAL_MS: '60000' });
    servers.push(server);
    const tenant = `tenant-rbw-${randomUUID().slice(0, 8)}`;
    const batch = batchOf(tenant, 50);
    const reply = await post(server.url, batch.body);
    expect(reply.status).toBe(200);
    expect(await metricValue(server.url, 'pulse_ingest_log_lag_events')).toBe(50);
    const waits = await metricValue(server.url, 'pulse_read_barrier_wait_seconds_count');
    const events = await readAllEvents(server.url, server.adminKey, { tenant });
    expect(new Set(events.map((e) => e.uuid))).toEqual(new Set(batch.uuids));
    // The read's wait for the loader is measured (what large loads must not grow).
    expect(await metricValue(server.url, 'pulse_read_barrier_wait_seconds_count')).toBeGreaterThan(waits);

    await post(server.url, batchOf(tenant, 10).body);
    const query = await server.api<{ rows: unknown[][] }>('/api/query', {
      body: { sql: `SELECT count(*) AS n FROM events WHERE tenant_id = '${tenant}'` },
    });
    expect(query.status).toBe(200);
    expect(Number(query.body.rows[0]?.[0])).toBe(60);
  });

  it('an acknowledged event is in the chart series and the named reports at once', async () => {
    // Both read the store through its analytics reads, which wait for the loader like /api/query.
    const server = await startTestServer({ PULSE_INGEST_LOAD_INTERVAL_MS: '60000' });
    servers.push(server);
    const tenant = `tenant-rbs-${randomUUID().slice(0, 8)}`;
    const email = {
      event: 'email_deliverability_event',
      distinct_id: 'mailer',
      uuid: randomUUID(),
      timestamp: new Date().toISOString(),
      properties: {
        tenant_id: tenant,
        email_count: 700,
        delivery_outcome: 'mixed',
        bounce_rate: 0.01,
        provider: 'sendgrid',
      },
    };
    expect((await post(server.url, batchOf(tenant, 20).body)).status).toBe(200);
    const single = JSON.stringify({ api_key: 'phc_log_test', batch: [email] });
    expect((await post(server.url, single)).status).toBe(200);
    expect(await metricValue(server.url, 'pulse_ingest_log_lag_events')).toBe(21);

    const series = await server.api<{ tenants: string[]; revenue: { positive: number }[] }>(
      `/api/series?tenant=${tenant}`,
    );
    expect(series.status).toBe(200);
    expect(series.body.tenants).toEqual([tenant]);
    expect(series.body.revenue.reduce((sum, point) => sum + point.positive, 0)).toBe(190);
    const report = await server.api<{ rows: { tenant_id: string; emails: number }[] }>(
      `/api/reports/deliverability?tenant=${tenant}`,
    );
    expect(report.status).toBe(200);
    expect(report.body.rows).toMatchObject([{ tenant_id: tenant, emails: 700 }]);
  });

  it('a load starts once PULSE_INGEST_LOAD_ROWS events wait, long before the load interval', async () => {
    const server = await startTestServer({
      PULSE_INGEST_LOAD_INTERVAL_MS: '60000',
      PULSE_INGEST_LOAD_ROWS: '100',
    });
    servers.push(server);
    const tenant = `tenant-rows-${randomUUID().slice(0, 8)}`;
    expect((await post(server.url, batchOf(tenant, 60).body)).status).toBe(200);
    expect(await metricValue(server.url, 'pulse_ingest_log_lag_events')).toBe(60);
    // 120 waiting passes the row threshold: the loader starts on its own, with no reader asking.
    expect((await post(server.url, batchOf(tenant, 60).body)).status).toBe(200);
    await vi.waitFor(
      async () => expect(await metricValue(server.url, 'pulse_ingest_loaded_rows_total')).toBe(120),
      { timeout: 20_000, interval: 50 },
    );
    expect(await metricValue(server.url, 'pulse_ingest_log_lag_events')).toBe(0);
  });

  it('past the backlog bound capture answers 503 with Retry-After, and recovers once loaded', async () => {
    const server = await startTestServer({
      PULSE_INGEST_LOAD_INTERVAL_MS: '60000',
      PULSE_INGEST_BACKLOG_MAX: '150',
    });
    servers.push(server);
    const tenant = `tenant-bp-${randomUUID().slice(0, 8)}`;
    expect((await post(server.url, batchOf(tenant, 100).body)).status).toBe(200);
    const refused = await post(server.url, batchOf(tenant, 100).body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toMatch(/100 events .* behind/);
    // A read waits for the loader, which empties the backlog: capture accepts again.
    expect(await readAllEvents(server.url, server.adminKey, { tenant })).toHaveLength(100);
    expect((await post(server.url, batchOf(tenant, 100).body)).status).toBe(200);
  });
});

describe('ingest log: kill -9 between the log fsync and the DuckDB load', () => {
  const dataDir = temporaryDirectory('pulse-log-crash-');
  const started: PulseProcess[] = [];
  afterAll(async () => {
    for (const p of started) await p.kill();
  });

  it(
    'the restart loads the acknowledged tail exactly once and still dedups it',
    { timeout: 60_000 },
    async () => {
      // A loader that waits a minute before loading on its own: everything acknowledged is only in the log.
      const first = await startPulseProcess({ dataDir, env: { PULSE_INGEST_LOAD_INTERVAL_MS: '60000' } });
      started.push(first);
      const tenant = `tenant-logcrash-${randomUUID().slice(0, 8)}`;
      const batches = [batchOf(tenant, 100), batchOf(tenant, 100), batchOf(tenant, 100)];
      for (const b of batches) expect((await post(first.url, b.body)).status).toBe(200);
      expect(await metricValue(first.url, 'pulse_ingest_log_lag_events')).toBe(300);
      await first.kill();
      const logDir = join(dataDir, 'ingest-log');
      const logBytes = readdirSync(logDir).reduce((n, f) => n + statSync(join(logDir, f)).size, 0);
      expect(logBytes).toBeGreaterThan(300 * 100);

      const second = await startPulseProcess({ dataDir });
      started.push(second);
      expect(second.output()).toMatch(/"events":300[^\n]*"msg":"ingest log replayed"/);
      const stored = await readAllEvents(second.url, second.adminKey, { tenant });
      expect(stored).toHaveLength(300);
      expect(new Set(stored.map((e) => e.uuid))).toEqual(new Set(batches.flatMap((b) => b.uuids)));

      // A client retry of an acknowledged batch is a duplicate, not a second copy.
      const before = await metricValue(second.url, 'pulse_events_duplicate_total');
      expect((await post(second.url, batches[0]?.body ?? '')).status).toBe(200);
      expect(await metricValue(second.url, 'pulse_events_duplicate_total')).toBe(before + 100);
      await second.stop();
      expect((await second.exited).code).toBe(0);

      // A third start has nothing left to replay: the loaded position was committed with the rows.
      const third = await startPulseProcess({ dataDir });
      started.push(third);
      expect(third.output()).toMatch(/"events":0[^\n]*"msg":"ingest log replayed"/);
      expect(await readAllEvents(third.url, third.adminKey, { tenant })).toHaveLength(300);
      await third.stop();
    },
  );
});
