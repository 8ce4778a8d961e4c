import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent as ApiEvent } from '@pulse/api';
import { ROLLUP_SNAPSHOT_FILE } from '../src/analytics/rollup-snapshot.js';
import { describeWithClickHouse } from './helpers/clickhouse.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { metricValue, readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// PULSE_STORE_URL=clickhouse://…: a real Pulse server on a real ClickHouse, compared with the same events on
// the embedded DuckDB store.

const TOKEN = 'phc_clickhouse_test';
const DAY = 86_400_000;

/** A week of business events for two tenants, ending now, and one critical security incident. */
function week(tenants: readonly string[]) {
  const now = Date.now();
  const events: {
    distinctId: string;
    event: string;
    timestamp: Date;
    properties: Record<string, unknown>;
  }[] = [];
  tenants.forEach((tenant, t) => {
    for (let i = 0; i < 40; i++) {
      const timestamp = new Date(now - (i % 7) * DAY - i * 60_000 - t * 1000);
      events.push({
        distinctId: `ops-${tenant}`,
        event: 'revenue_impact_event',
        timestamp,
        properties: {
          tenant_id: tenant,
          impact_amount: 100 + i * 25,
          impact_type: i % 3 ? 'negative' : 'positive',
        },
      });
      events.push({
        distinctId: `ops-${tenant}`,
        event: 'cost_optimization_event',
        timestamp,
        properties: {
          tenant_id: tenant,
          optimization_type: 'implemented',
          savings_amount: 10 * i,
          savings_status: i % 2 ? 'realized' : 'projected',
        },
      });
    }
  });
  events.push({
    distinctId: 'security',
    event: 'security_incident_event',
    timestamp: new Date(now - 60_000),
    properties: {
      tenant_id: tenants[0],
      incident_type: 'data_leak',
      severity: 'high',
      affects_customer_data: true,
      records_affected: 1200,
    },
  });
  return events;
}

async function capture(url: string, events: ReturnType<typeof week>): Promise<void> {
  const client = new PostHog(TOKEN, { host: url, flushAt: 50, flushInterval: 0 });
  const errors: unknown[] = [];
  client.on('error', (e) => errors.push(e));
  for (const e of events) client.capture({ ...e, uuid: randomUUID() });
  await client.shutdown();
  expect(errors).toEqual([]);
}

/**
 * The events a server stored, sent as they are to another (no sent_at, so no clock-skew correction): both
 * stores then hold the same events, uuids and times included.
 */
async function copyEvents(from: TestServer, to: TestServer): Promise<number> {
  const events = await readAllEvents(from.url, from.adminKey);
  const batch = events.map((e) => ({
    event: e.event,
    uuid: e.uuid,
    distinct_id: e.distinctId,
    timestamp: e.timestamp,
    properties: e.properties,
  }));
  const response = await fetch(`${to.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: TOKEN, batch }),
  });
  expect(response.status).toBe(200);
  return events.length;
}

/**
 * An answer without what differs between two servers by construction: ids they drew, when they loaded,
 * computed or opened an alert, and the summary's window (it ends when the request arrives).
 */
const drawn = new Set([
  'id',
  'generatedAt',
  'asOf',
  'restatedAt',
  'ingestedAt',
  'firstSeen',
  'lastSeen',
  'from',
  'to',
]);
const comparable = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !drawn.has(key))
      .map(([key, v]) => [key, comparable(v)]),
  );
};

describeWithClickHouse('Pulse on ClickHouse', (clickhouse) => {
  describe('one server on each store, the same events', () => {
    const tenants = ['acme', 'globex'];
    let onClickHouse: TestServer;
    let onDuckDb: TestServer;
    beforeAll(async () => {
      const env = { PULSE_PROJECT_TOKEN: TOKEN };
      onClickHouse = await startTestServer({
        ...env,
        PULSE_STORE_URL: await clickhouse.freshDatabase(),
      });
      onDuckDb = await startTestServer(env);
      await capture(onClickHouse.url, week(tenants));
      expect(await copyEvents(onClickHouse, onDuckDb)).toBeGreaterThan(100);
    }, 120_000);
    afterAll(async () => {
      await onClickHouse?.close();
      await onDuckDb?.close();
    });

    it('stores what posthog-node sent and reads it back', async () => {
      const path = '/api/events?tenant=globex&limit=500';
      const { body } = await onClickHouse.api<{ events: ApiEvent[] }>(path);
      expect(body.events.length).toBeGreaterThanOrEqual(40);
      expect(body.events[0]?.properties).toMatchObject({ $lib: 'posthog-node', tenant_id: 'globex' });
      expect(comparable(body)).toEqual(comparable((await onDuckDb.api(path)).body));
    });

    it('answers the summary and the chart series as the embedded store does', async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      for (const query of ['', '&tenant=acme'])
        for (const route of ['/api/summary', '/api/series']) {
          const path = `${route}?to=${to}${query}`;
          const [ch, duck] = await Promise.all([onClickHouse.api(path), onDuckDb.api(path)]);
          expect(ch.status, path).toBe(200);
          expect(comparable(ch.body), path).toEqual(comparable(duck.body));
        }
    });

    it('raises the alert the embedded store raises', async () => {
      const alerts = async (server: TestServer) =>
        (await server.api<{ alerts: { ruleId: string; tenantId: string }[] }>('/api/alerts')).body.alerts.map(
          (a) => `${a.tenantId} ${a.ruleId}`,
        );
      const raised = await alerts(onClickHouse);
      expect(raised.length).toBeGreaterThan(0);
      expect(raised.sort()).toEqual((await alerts(onDuckDb)).sort());
    });

    it('answers decisions, benchmarks, forecasts and the impact report as the embedded store does', async () => {
      for (const path of [
        '/api/insights/decisions',
        '/api/insights/benchmarks',
        '/api/insights/forecast?metric=net_revenue_impact',
      ]) {
        const [ch, duck] = await Promise.all([onClickHouse.api(path), onDuckDb.api(path)]);
        expect(ch.status, path).toBe(200);
        expect(comparable(ch.body), path).toEqual(comparable(duck.body));
      }
      // Alerts are opened by each server's own clock: the same alerts are timed, not to the same durations.
      type Impact = { identification: { toAlert: { current: { count: number } } } };
      const [ch, duck] = await Promise.all([
        onClickHouse.api<Impact>('/api/insights/impact'),
        onDuckDb.api<Impact>('/api/insights/impact'),
      ]);
      expect(ch.status).toBe(200);
      expect(ch.body.identification.toAlert.current.count).toBeGreaterThan(0);
      expect(ch.body.identification.toAlert.current.count).toBe(
        duck.body.identification.toAlert.current.count,
      );
    });

    it('runs ad-hoc ClickHouse SQL for an all-tenant caller', async () => {
      const { status, body } = await onClickHouse.api<{ dialect: string; rows: unknown[][] }>('/api/query', {
        body: {
          sql: "SELECT tenant_id, count() FROM events FINAL WHERE event = 'revenue_impact_event' GROUP BY tenant_id ORDER BY tenant_id",
        },
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        dialect: 'clickhouse',
        rows: [
          ['acme', 40],
          ['globex', 40],
        ],
      });
    });
  });

  it('remembers the tenants it has seen with events until retention deletes them', async () => {
    const server = await startTestServer({
      PULSE_PROJECT_TOKEN: TOKEN,
      PULSE_STORE_URL: await clickhouse.freshDatabase(),
    });
    try {
      await capture(server.url, [
        {
          distinctId: 'ops',
          event: 'revenue_impact_event',
          timestamp: new Date(Date.now() - 10 * DAY),
          properties: { tenant_id: 'short-lived', impact_amount: 100, impact_type: 'positive' },
        },
      ]);
      await server.pipeline.barrier();
      type Named = { unknownTenants: { tenantId: string }[] };
      const summary = () => server.api<Named>('/api/summary?tenant=short-lived');
      expect((await summary()).body.unknownTenants).toEqual([]);
      expect((await summary()).body.unknownTenants).toEqual([]);
      const policy = await server.api('/api/retention', {
        method: 'PUT',
        body: [{ event: 'revenue_impact_event', tenant: 'short-lived', days: 1 }],
      });
      expect(policy.status).toBe(200);
      const applied = await server.api('/api/retention/apply?dryRun=false', { method: 'POST' });
      expect(applied.status).toBe(200);
      expect((await summary()).body.unknownTenants).toEqual([{ tenantId: 'short-lived', suggestions: [] }]);
    } finally {
      await server.close();
    }
  }, 120_000);

  describe('restarts', () => {
    const started: PulseProcess[] = [];
    afterAll(async () => {
      for (const p of started) await p.kill();
    });

    it(
      'a restart adds the events stored since its saved rollups, each once, to the same summaries',
      { timeout: 120_000 },
      async () => {
        const url = await clickhouse.freshDatabase();
        const database = new URL(url).pathname.slice(1);
        const env = { PULSE_STORE_URL: url, PULSE_PROJECT_TOKEN: TOKEN };
        const summaryOf = async (p: PulseProcess, tenant: string) => {
          const response = await fetch(`${p.url}/api/summary?tenant=${tenant}`, {
            headers: { authorization: `Bearer ${p.adminKey}` },
          });
          expect(response.status).toBe(200);
          return comparable(await response.json());
        };
        // Business events only: an alert raised by another process is not in this one's state.
        const weekOf = (tenant: string) =>
          week([tenant]).filter((e) => e.event !== 'security_incident_event');
        const [early, late] = ['early', 'late'].map((t) => `${t}-${randomUUID().slice(0, 8)}`) as [
          string,
          string,
        ];
        const dataDir = temporaryDirectory('pulse-ch-rollups-');
        const first = await startPulseProcess({ dataDir, env });
        started.push(first);
        await capture(first.url, weekOf(early));
        const before = await summaryOf(first, early);
        await first.stop();
        expect(existsSync(join(dataDir, ROLLUP_SNAPSHOT_FILE))).toBe(true);

        // Meanwhile another process stores events, and a replayed load writes them a second time.
        const other = await startPulseProcess({ dataDir: temporaryDirectory('pulse-ch-other-'), env });
        started.push(other);
        await capture(other.url, weekOf(late));
        const expected = await summaryOf(other, late);
        await other.stop();
        await clickhouse.server.admin(`SYSTEM STOP MERGES ${database}.events`);
        await clickhouse.server.admin(
          `INSERT INTO ${database}.events SELECT * FROM ${database}.events WHERE tenant_id = '${late}'`,
        );

        const second = await startPulseProcess({ dataDir, env });
        started.push(second);
        expect(await summaryOf(second, early)).toEqual(before);
        expect(await summaryOf(second, late)).toEqual(expected);
      },
    );

    it(
      'kill -9 with acknowledged events not yet loaded into ClickHouse loses none; the state survives',
      { timeout: 120_000 },
      async () => {
        const dataDir = temporaryDirectory('pulse-ch-restart-');
        const url = await clickhouse.freshDatabase();
        const database = new URL(url).pathname.slice(1);
        const env = { PULSE_STORE_URL: url, PULSE_PROJECT_TOKEN: TOKEN };
        const tenant = `tenant-${randomUUID().slice(0, 8)}`;
        // The loader waits a minute (the longest allowed): what is acknowledged stays in the ingest log until the kill.
        const first = await startPulseProcess({
          dataDir,
          env: { ...env, PULSE_INGEST_LOAD_INTERVAL_MS: '60000' },
        });
        started.push(first);
        const events = week([tenant]);
        await capture(first.url, events);
        const inClickHouse = async () =>
          Number(
            await clickhouse.server.admin(
              `SELECT count() FROM ${database}.events FINAL WHERE tenant_id = '${tenant}'`,
            ),
          );
        expect(await inClickHouse()).toBe(0);
        await first.kill();
        expect((await first.exited).signal).toBe('SIGKILL');

        const second = await startPulseProcess({ dataDir, env });
        started.push(second);
        expect(await inClickHouse()).toBe(events.length);
        const stored = await readAllEvents(second.url, second.adminKey, { tenant });
        expect(stored).toHaveLength(events.length);
        expect(new Set(stored.map((e) => e.uuid)).size).toBe(events.length);

        // The alert raised on the replayed events is kept in the state file across a graceful restart.
        const alerts = async (p: PulseProcess) => {
          const response = await fetch(`${p.url}/api/alerts?tenant=${tenant}`, {
            headers: { authorization: `Bearer ${p.adminKey}` },
          });
          return ((await response.json()) as { alerts: { id: string }[] }).alerts.map((a) => a.id);
        };
        const raised = await alerts(second);
        expect(raised.length).toBeGreaterThan(0);
        await second.stop();
        const third = await startPulseProcess({ dataDir, env });
        started.push(third);
        expect(await alerts(third)).toEqual(raised);
        const kept = await readAllEvents(third.url, third.adminKey, { tenant });
        expect(kept).toHaveLength(events.length);

        // The dedup index warmed up from ClickHouse: an event sent again is dropped as a duplicate.
        const again = kept[0] as ApiEvent;
        const duplicates = await metricValue(third.url, 'pulse_events_duplicate_total');
        const resent = await fetch(`${third.url}/batch/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            api_key: TOKEN,
            batch: [
              {
                event: again.event,
                uuid: again.uuid,
                distinct_id: again.distinctId,
                timestamp: again.timestamp,
                properties: again.properties,
              },
            ],
          }),
        });
        expect(resent.status).toBe(200);
        expect(await metricValue(third.url, 'pulse_events_duplicate_total')).toBe(duplicates + 1);
        expect(await readAllEvents(third.url, third.adminKey, { tenant })).toHaveLength(events.length);
      },
    );
  });
});
