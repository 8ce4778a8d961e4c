import { describe, expect, it } from 'vitest';
import { restartableServers, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const hour = 3_600_000;
/** Whole hours in the recent past, so buckets line up and the events are not in the future. */
const T0 = Math.floor(Date.now() / hour) * hour - 12 * hour;

const { start, stop } = restartableServers();

const revenue = (amount: number, at: number, type = 'negative', tenant = 'acme') => ({
  event: 'revenue_impact_event',
  distinct_id: tenant,
  timestamp: new Date(at).toISOString(),
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: type },
});

async function capture(server: TestServer, batch: object[]): Promise<void> {
  const response = await fetch(`${server.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_x', batch }),
  });
  expect(response.status).toBe(200);
}

interface AlertView {
  ruleId: string;
  tenantId: string;
  title: string;
  summary: string;
  value: number | null;
  lastEventAt: string | null;
}

/** The rule's alerts once `count` are stored (the engine writes them just after the commit). */
async function alertsOf(server: TestServer, rule: string, count: number): Promise<AlertView[]> {
  for (;;) {
    const { body } = await server.api<{ alerts: AlertView[] }>(`/api/alerts?rule=${rule}&state=open`);
    if (body.alerts.length >= count) return body.alerts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const anomalyRule = {
  id: 'revenue-spike',
  name: 'Net revenue impact',
  severity: 'high',
  enabled: true,
  events: ['revenue_impact_event'],
  condition: {
    kind: 'anomaly',
    aggregate: 'sum',
    property: 'impact_amount',
    where: [{ property: 'impact_type', op: '==', value: 'negative' }],
    direction: 'up',
    bucketMinutes: 60,
    baselineBuckets: 6,
    method: 'mad',
    threshold: 3,
    minSample: 4,
  },
  key: [],
  cooldownMinutes: 60,
  resolve: { mode: 'manual', afterMinutes: 0 },
};

const changeRule = {
  ...anomalyRule,
  id: 'revenue-drop',
  condition: {
    kind: 'change_percent',
    aggregate: 'sum',
    property: 'impact_amount',
    where: [{ property: 'impact_type', op: '==', value: 'negative' }],
    direction: 'down',
    minutes: 240,
    percent: 50,
    minSample: 4,
  },
};

describe('trend rules on the live engine', () => {
  it('anomaly: fires on the spike bucket, with the baseline rebuilt after a restart', async () => {
    const dataDir = temporaryDirectory('pulse-trend-');
    let server = await start(dataDir);
    expect(
      (await server.api(`/api/rules/${anomalyRule.id}`, { method: 'PUT', body: anomalyRule })).status,
    ).toBe(200);
    await capture(
      server,
      [100, 110, 90, 105, 95, 100].map((x, h) => revenue(x, T0 + h * hour + 60_000)),
    );
    // The baseline lives in memory: a restart must rebuild it from the stored events.
    await stop(server);
    server = await start(dataDir);
    await capture(server, [revenue(1000, T0 + 6 * hour + 60_000), revenue(5, T0 + 7 * hour, 'positive')]);
    const [alert] = await alertsOf(server, anomalyRule.id, 1);
    expect(alert?.tenantId).toBe('acme');
    expect(alert?.title).toBe('Net revenue impact at acme is unusually high: $1,000 in 1 h, usually $100');
    expect(alert?.summary).toContain(
      '121.4 standard deviations above its 6-hour hourly baseline (median $100 over 6 buckets)',
    );
    expect(alert?.lastEventAt).toBe(new Date(T0 + 7 * hour).toISOString());
  });

  it('change_percent: fires when the window fell by the percent vs the window before', async () => {
    const server = await start();
    expect(
      (await server.api(`/api/rules/${changeRule.id}`, { method: 'PUT', body: changeRule })).status,
    ).toBe(200);
    const period = (start: number, each: number) =>
      [5, 65, 125, 185].map((m) => revenue(each, start + m * 60_000));
    await capture(server, [
      ...period(T0, 3100),
      ...period(T0 + 4 * hour, 1175),
      // Another tenant with a steady stream: no alert.
      ...period(T0, 500).map((e) => ({
        ...e,
        distinct_id: 'globex',
        properties: { ...e.properties, tenant_id: 'globex' },
      })),
      ...period(T0 + 4 * hour, 480).map((e) => ({
        ...e,
        distinct_id: 'globex',
        properties: { ...e.properties, tenant_id: 'globex' },
      })),
      revenue(50, T0 + 8 * hour + 60_000, 'positive'),
      revenue(50, T0 + 8 * hour + 60_000, 'positive', 'globex'),
    ]);
    const alerts = await alertsOf(server, changeRule.id, 1);
    expect(alerts.map((a) => a.tenantId)).toEqual(['acme']);
    expect(alerts[0]?.title).toBe(
      'Net revenue impact at acme fell 62 % in the last 4 h: $4,700, from $12,400 the 4 h before',
    );
    expect(alerts[0]?.value).toBeCloseTo(-62.1, 1);
  });

  it('refuses an invalid trend rule naming the field', async () => {
    const server = await start();
    const bad = { ...anomalyRule, condition: { ...anomalyRule.condition, minSample: 9 } };
    const response = await server.api<{ error: { code: string; message: string } }>(
      `/api/rules/${anomalyRule.id}`,
      { method: 'PUT', body: bad },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('condition.minSample');
    const weighted = { ...changeRule, condition: { ...changeRule.condition, aggregate: 'weighted_mean' } };
    const second = await server.api<{ error: { message: string } }>(`/api/rules/${changeRule.id}`, {
      method: 'PUT',
      body: weighted,
    });
    expect(second.body.error.message).toContain('condition.weight');
  });
});
