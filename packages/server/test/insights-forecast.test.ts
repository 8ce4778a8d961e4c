import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Forecasts and capacity plans through the real server: seeded events in a real DuckDB file, read by the
// routes' store methods, scoped by the caller's tenants.
const DAY = 86_400_000;
const TO = '2026-03-01';
const toMs = Date.parse(`${TO}T00:00:00Z`);
/** Noon of the day `offset` days from the as-of day (negative: before it). */
const dayAt = (offset: number, hour = 12) => new Date(toMs + offset * DAY + hour * 3_600_000).toISOString();
const date = (offset: number) => new Date(toMs + offset * DAY).toISOString().slice(0, 10);

let n = 0;
const event = (name: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event: name,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8002-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const impact = (tenant: string, offset: number, type: 'positive' | 'negative', amount: number) =>
  event('revenue_impact_event', tenant, dayAt(offset), { impact_type: type, impact_amount: amount });
const savings = (tenant: string, offset: number, amount: number, type = 'implemented') =>
  event('cost_optimization_event', tenant, dayAt(offset), {
    optimization_type: type,
    savings_amount: amount,
  });
const usage = (tenant: string, offset: number, resource: string, props: Record<string, unknown>) =>
  event('resource_usage_event', tenant, dayAt(offset), {
    resource_type: 'database',
    resource_id: resource,
    capacity: 100,
    current_usage: 10,
    ...props,
  });

const HISTORY = 70; // acme's revenue: days −70 … −1
const weekly = [60, 20, -10, -40, -50, 10, 10];
/** acme's true daily net revenue impact on day `offset` (t = days since the first). */
const acmeNet = (offset: number) => {
  const t = offset + HISTORY;
  return 1000 + 5 * t + (weekly[((t % 7) + 7) % 7] as number);
};

const events = [
  // acme: positive − negative = a trend with a weekly pattern, split over two events a day.
  ...Array.from({ length: HISTORY }, (_, i) => i - HISTORY).flatMap((d) => [
    impact('acme', d, 'positive', acmeNet(d) + 300),
    impact('acme', d, 'negative', 300),
  ]),
  // After the as-of day: never part of its history.
  impact('acme', 0, 'positive', 1_000_000),
  impact('acme', 3, 'negative', 1_000_000),
  // globex: a flat 50 a day over the same days.
  ...Array.from({ length: HISTORY }, (_, i) => impact('globex', i - HISTORY, 'positive', 50)),
  // Savings: globex on 4 days only (short history); identified ones do not count.
  savings('globex', -4, 10),
  savings('globex', -3, 30),
  savings('globex', -1, 20),
  savings('globex', -2, 999, 'identified'),
  // Run-rate: r1 costs 100 from day −30, 150 from day −20; r2 adds 50 from day −25.
  usage('acme', -30, 'r1', { total_cost: 100 }),
  usage('acme', -20, 'r1', { total_cost: 150 }),
  usage('acme', -25, 'r2', { total_cost: 50 }),
  // Capacity: db-1 rises 2 points a day from 50 (days −10 … −1: latest 68, crosses 90 on day +10).
  ...Array.from({ length: 10 }, (_, i) => usage('acme', i - 10, 'db-1', { current_usage: 50 + 2 * i })),
  ...Array.from({ length: 10 }, (_, i) => usage('acme', i - 10, 'disk', { current_usage: 40 })),
  usage('acme', -2, 'cache', { current_usage: 20 }),
  usage('acme', -1, 'cache', { current_usage: 30 }),
  usage('acme', -1, 'cpu', { current_usage: 95 }),
  // Rising 0.05 points a day from 10: 90 % is over four years away.
  ...Array.from({ length: 10 }, (_, i) => usage('acme', i - 10, 'slow', { current_usage: 10 + 0.05 * i })),
  ...Array.from({ length: 10 }, (_, i) => usage('globex', i - 10, 'g-db', { current_usage: 10 + 5 * i })),
];

interface Forecast {
  metric: string;
  tenant: string | null;
  method: string;
  level: number;
  history: { date: string; value: number }[];
  forecast: { date: string; value: number; lower: number; upper: number }[];
  backtest: { windows: number; mape: number | null; coverage: number | null };
  note?: string;
}
interface Capacity {
  threshold: number;
  asOf: string;
  resources: {
    tenantId: string;
    resourceId: string;
    utilization: number;
    trendPerDay: number | null;
    crossesAt: string | null;
    reason: string | null;
  }[];
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

describe('GET /api/insights/forecast and /capacity', () => {
  let server: TestServer;
  let acmeExecutive: Record<string, string>;
  const get = async <T>(path: string, headers?: Record<string, string>) => {
    if (!headers) return server.api<T>(path);
    const response = await fetch(`${server.url}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as T };
  };
  const forecast = async (query: string) => {
    const res = await get<Forecast>(`/api/insights/forecast?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    const key = await server.api<{ key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['acme'] },
    });
    expect(key.status).toBe(201);
    acmeExecutive = { authorization: `Bearer ${key.body.key}` };
  });
  afterAll(async () => server.close());

  it("forecasts a tenant's net revenue impact from the days before the as-of day only", async () => {
    const body = await forecast(`metric=net_revenue_impact&tenant=acme&to=${TO}&horizon=14&level=0.8`);
    expect(body).toMatchObject({ metric: 'net_revenue_impact', tenant: 'acme', level: 0.8 });
    expect(body.history).toHaveLength(HISTORY);
    expect(body.history[0]).toEqual({ date: date(-HISTORY), value: acmeNet(-HISTORY) });
    expect(body.history.at(-1)).toEqual({ date: date(-1), value: acmeNet(-1) });
    expect(body.forecast.map((p) => p.date)).toEqual(Array.from({ length: 14 }, (_, i) => date(i)));
    expect(['holt_winters_additive', 'seasonal_naive']).toContain(body.method);
    expect(body.backtest.windows).toBe(7); // origins a week apart, each after 14 days
    expect(body.backtest.mape).toBeLessThan(5);
    for (const [i, p] of body.forecast.entries()) {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.upper).toBeGreaterThanOrEqual(p.value);
      expect(Math.abs(p.value - acmeNet(i)) / acmeNet(i)).toBeLessThan(0.1);
    }
  });

  it('sums the whole scope when no tenant is named', async () => {
    const all = await forecast(`metric=net_revenue_impact&to=${TO}`);
    expect(all.tenant).toBeNull();
    expect(all.history.at(-1)?.value).toBe(acmeNet(-1) + 50);
    expect(all.forecast).toHaveLength(30);
  });

  it('holds the cost run-rate between reports: Σ of each resource’s latest total_cost', async () => {
    const body = await forecast(`metric=cost_run_rate&tenant=acme&to=${TO}&horizon=7`);
    expect(body.history).toHaveLength(30);
    const at = (offset: number) => body.history.find((h) => h.date === date(offset))?.value;
    expect([at(-30), at(-26), at(-25), at(-21), at(-20), at(-1)]).toEqual([100, 100, 150, 150, 200, 200]);
    expect(body.forecast.every((p) => p.lower >= 0)).toBe(true);
  });

  it('answers a short history with a naive forecast and a note, and no history with an empty answer', async () => {
    const short = await forecast(`metric=realized_savings&tenant=globex&to=${TO}&horizon=5`);
    expect(short.method).toBe('naive');
    expect(short.history.map((h) => h.value)).toEqual([10, 30, 0, 20]);
    expect(short.note).toMatch(/only 4 days of history/);
    expect(short.forecast).toHaveLength(5);
    expect(short.forecast.every((p) => p.value === 20 && p.lower >= 0 && p.upper > 20)).toBe(true);

    const none = await forecast(`metric=realized_savings&tenant=acme&to=${TO}`);
    expect(none).toMatchObject({
      method: 'none',
      history: [],
      forecast: [],
      backtest: { windows: 0, mape: null, coverage: null },
      note: 'no data before the as-of day',
    });
  });

  it("keeps a tenant executive to its own tenants: another tenant's forecast is refused", async () => {
    const refused = await get<ErrorBody>(
      `/api/insights/forecast?metric=net_revenue_impact&tenant=globex&to=${TO}`,
      acmeExecutive,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden' });
    expect(refused.body.error.message).toMatch(/globex/);

    const own = await get<Forecast>(
      `/api/insights/forecast?metric=net_revenue_impact&to=${TO}`,
      acmeExecutive,
    );
    expect(own.status).toBe(200);
    expect(own.body.history.at(-1)?.value).toBe(acmeNet(-1)); // globex's 50 a day is not in it

    const capacity = await get<Capacity>(`/api/insights/capacity?to=${TO}`, acmeExecutive);
    expect(capacity.status).toBe(200);
    expect(new Set(capacity.body.resources.map((r) => r.tenantId))).toEqual(new Set(['acme']));
  });

  it('refuses bad parameters with a clear 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['tenant=acme', /^metric is required: one of net_revenue_impact, realized_savings, cost_run_rate/],
      ['metric=revenue', /^metric must be one of net_revenue_impact, realized_savings, cost_run_rate/],
      ['metric=cost_run_rate&horizon=0', /^horizon must be a whole number of days from 1 to 365/],
      ['metric=cost_run_rate&horizon=366', /^horizon must be/],
      ['metric=cost_run_rate&level=1', /^level must be a probability strictly between 0 and 1/],
      ['metric=cost_run_rate&to=2026-02-30', /^to must be a calendar day YYYY-MM-DD; received "2026-02-30"/],
      ['metric=cost_run_rate&tenant=acme,globex', /^tenant takes one tenant id/],
    ];
    for (const [query, message] of cases) {
      const res = await get<ErrorBody>(`/api/insights/forecast?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('dates each resource’s 90 % crossing from its utilization trend, or says why not', async () => {
    const res = await get<Capacity>(`/api/insights/capacity?tenant=acme&to=${TO}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ threshold: 90, asOf: TO });
    const byId = Object.fromEntries(res.body.resources.map((r) => [r.resourceId, r]));
    expect(Object.keys(byId).sort()).toEqual(['cache', 'cpu', 'db-1', 'disk', 'r1', 'r2', 'slow']);
    expect(byId['db-1']).toMatchObject({ utilization: 68, crossesAt: date(10), reason: null });
    expect(byId['db-1']?.trendPerDay).toBeCloseTo(2, 9);
    expect(byId.disk).toMatchObject({
      utilization: 40,
      trendPerDay: 0,
      crossesAt: null,
      reason: 'flat_or_decreasing',
    });
    expect(byId.cache).toMatchObject({ utilization: 30, trendPerDay: null, reason: 'too_little_data' });
    expect(byId.cpu).toMatchObject({ utilization: 95, crossesAt: null, reason: 'at_or_above' });
    expect(byId.slow).toMatchObject({ crossesAt: null, reason: 'beyond_horizon' });
    expect(byId.slow?.trendPerDay).toBeCloseTo(0.05, 9);
  });

  it("counts today's readings when capacity is asked without an as-of day", async () => {
    const now = new Date().toISOString();
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: [usage('fresh', 0, 'vm-1', { current_usage: 77 })].map((e) => ({ ...e, timestamp: now })),
      }),
    });
    expect(res.status).toBe(200);
    const capacity = await get<Capacity & { resources: { lastSeen: string }[] }>(
      '/api/insights/capacity?tenant=fresh',
    );
    expect(capacity.status).toBe(200);
    expect(capacity.body.resources).toMatchObject([
      { resourceId: 'vm-1', utilization: 77, lastSeen: now.slice(0, 10) },
    ]);
  });

  it('pulse insights forecast and capacity print a table with a sparkline, or the JSON', async () => {
    const cli = (...args: string[]) =>
      runCli(
        { PULSE_DATA_DIR: server.dataDir },
        'insights',
        ...args,
        '--url',
        server.url,
        '--key',
        server.adminKey,
      );
    const table = await cli(
      'forecast',
      '--metric',
      'net_revenue_impact',
      '--tenant',
      'acme',
      '--to',
      TO,
      '--horizon',
      '3',
    );
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Forecast · net_revenue_impact · acme · method \w+ · 80 % interval/);
    expect(table.stdout).toMatch(/Backtest: 8 window\(s\), MAPE \d+\.\d %, coverage \d+ %/);
    expect(table.stdout).toMatch(/^[▁▂▃▄▅▆▇█]{56} │ [▁▂▃▄▅▆▇█]{3}$/m);
    expect(table.stdout).toMatch(new RegExp(`^${date(2)}\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+$`, 'm'));

    const json = await cli('forecast', '--metric', 'cost_run_rate', '--tenant', 'acme', '--to', TO, '--json');
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as Forecast).history.at(-1)).toEqual({ date: date(-1), value: 200 });

    const bad = await cli('forecast', '--metric', 'revenue');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/metric must be one of/);

    const capacity = await cli('capacity', '--tenant', 'acme', '--to', TO);
    expect(capacity.code, capacity.stderr).toBe(0);
    expect(capacity.stdout).toMatch(
      new RegExp(`acme\\s+db-1\\s+database\\s+68\\.0 %\\s+\\+2\\.00\\s+${date(10)}`),
    );
    expect(capacity.stdout).toMatch(/acme\s+disk\s+database\s+40\.0 %\s+\+0\.00\s+— \(not rising\)/);
  });
});
