import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const day = (d: number, h = 12) => new Date(Date.UTC(2026, 2, d, h)).toISOString(); // March 2026
let n = 0;
const ev = (event: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});

// A hand-sized data set: the expected report rows below are computed by hand from it.
const events = [
  ev('revenue_impact_event', 'acme', day(10), { impact_amount: 1000, impact_type: 'positive' }),
  ev('revenue_impact_event', 'acme', day(11), { impact_amount: 250, impact_type: 'negative' }),
  ev('revenue_impact_event', 'globex', day(12), { impact_amount: 400, impact_type: 'negative' }),
  ev('revenue_impact_event', 'globex', day(12), { impact_amount: 100, impact_type: 'positive' }),
  ev('revenue_impact_event', 'initech', day(12), { impact_amount: 999, impact_type: 'positive' }), // canceled subscription
  ev('cost_optimization_event', 'acme', day(3), {
    savings_amount: 1200,
    optimization_type: 'implemented',
    optimization_category: 'infrastructure',
    savings_percentage: 24,
    roi: 240,
  }),
  ev('cost_optimization_event', 'acme', day(4), {
    savings_amount: 800,
    optimization_type: 'identified',
    optimization_category: 'infrastructure',
    savings_percentage: 10,
    roi: 100,
  }),
  ev('cost_optimization_event', 'acme', day(5), {
    savings_amount: 300,
    optimization_type: 'implemented',
    optimization_category: 'software',
    roi: 50,
  }),
  ev('cost_optimization_event', 'acme', day(6), {
    savings_amount: 50,
    optimization_type: 'rejected',
    optimization_category: 'software',
  }),
  ev('cost_optimization_event', 'globex', '2026-02-27T12:00:00.000Z', {
    savings_amount: 5000,
    optimization_type: 'implemented',
    optimization_category: 'staffing',
  }), // last month
  ev('operational_efficiency_event', 'acme', day(9), { efficiency_metric: 'delivery', efficiency_score: 80 }),
  ev('operational_efficiency_event', 'acme', day(10), { efficiency_metric: 'support', efficiency_score: 91 }),
  ev('strategic_decision_event', 'acme', day(9), {
    decision_type: 'budget',
    decision_title: 'Scale',
    decision_id: 'd-1',
    status: 'proposed',
  }),
  ev('strategic_decision_event', 'acme', day(10), {
    decision_type: 'budget',
    decision_title: 'Scale',
    decision_id: 'd-1',
    status: 'approved',
  }),
  ev('strategic_decision_event', 'acme', day(11), {
    decision_type: 'hiring',
    decision_title: 'Hire',
    decision_id: 'd-2',
    status: 'proposed',
  }),
];

describe('named reports, subscriptions and ad-hoc queries', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: events,
        sent_at: new Date().toISOString(),
        historical_migration: true,
      }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    const csv =
      'tenant_id,status,plan_name,price_monthly,current_period_start,current_period_end\nacme,active,Pro,500,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z\ninitech,canceled,Starter,50,,\n';
    const imported = await fetch(`${server.url}/api/subscriptions/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(await imported.json()).toEqual({ imported: 2 });
    const set = await server.api('/api/subscriptions/globex', {
      method: 'PUT',
      body: { status: 'active', planName: 'Team', priceMonthly: 0 },
    });
    expect(set.status).toBe(200);
  });
  afterAll(async () => server.close());

  it('performance-dashboard: per active tenant, computed by hand', async () => {
    const { body } = await server.api<{ rows: Record<string, unknown>[] }>(
      '/api/reports/performance-dashboard?from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z',
    );
    expect(body.rows).toEqual([
      {
        tenant_id: 'acme',
        plan_name: 'Pro',
        current_period_start: '2026-03-01T00:00:00.000Z',
        current_period_end: '2026-04-01T00:00:00.000Z',
        negative_revenue_impact: 250,
        positive_revenue_impact: 1000,
        business_performance_score: 60, // (1000-250)/1250*100
        realized_savings: 1500,
        projected_savings: 800,
        optimization_roi_percentage: 300, // 1500/500*100
        avg_efficiency_score: 85.5,
        strategic_decisions_tracked: 2,
      },
      {
        tenant_id: 'globex',
        plan_name: 'Team',
        current_period_start: null,
        current_period_end: null,
        negative_revenue_impact: 400,
        positive_revenue_impact: 100,
        business_performance_score: -60,
        realized_savings: 0,
        projected_savings: 0,
        optimization_roi_percentage: null, // price 0: no ROI
        avg_efficiency_score: null,
        strategic_decisions_tracked: 0,
      },
    ]);
  });

  it('cost-optimization: month to date per tenant × category, by hand, and as CSV', async () => {
    const { body } = await server.api<{ rows: Record<string, unknown>[]; window: { monthStart: string } }>(
      '/api/reports/cost-optimization?to=2026-03-20T00:00:00Z',
    );
    expect(body.window.monthStart).toBe('2026-03-01T00:00:00.000Z');
    expect(body.rows).toEqual([
      {
        tenant_id: 'acme',
        optimization_category: 'infrastructure',
        optimization_count: 2,
        total_savings: 2000,
        avg_savings_percentage: 17,
        avg_roi: 170,
        implemented_count: 1,
        identified_count: 1,
      },
      {
        tenant_id: 'acme',
        optimization_category: 'software',
        optimization_count: 2,
        total_savings: 350,
        avg_savings_percentage: null,
        avg_roi: 50,
        implemented_count: 1,
        identified_count: 0,
      },
    ]);
    const csv = await fetch(
      `${server.url}/api/reports/cost-optimization?to=2026-03-20T00:00:00Z&format=csv`,
      { headers: { authorization: `Bearer ${server.adminKey}` } },
    );
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await csv.text()).split('\r\n').slice(0, 2)).toEqual([
      'tenant_id,optimization_category,optimization_count,total_savings,avg_savings_percentage,avg_roi,implemented_count,identified_count',
      'acme,infrastructure,2,2000,17,170,1,1',
    ]);
  });

  it('rejects an unknown report and a bad window with clear errors', async () => {
    const unknown = await server.api<{ error: { message: string } }>('/api/reports/nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'report "nope" is not a report; available: performance-dashboard, cost-optimization, decisions, deliverability, resource-costs',
    );
    expect((await server.api('/api/reports/cost-optimization?to=yesterday')).status).toBe(400);
  });

  it('refuses a subscriptions CSV with any bad row, importing nothing', async () => {
    const csv = 'tenant_id,status,plan_name,price_monthly\nhooli,active,Pro,10\nsoylent,sleeping,Pro,-3\n';
    const res = await fetch(`${server.url}/api/subscriptions/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('line 3: status must be one of active');
    expect(body.error.message).toContain('price_monthly must be a number ≥ 0');
    const listed = await server.api<{ subscriptions: { tenantId: string }[] }>('/api/subscriptions');
    expect(listed.body.subscriptions.map((s) => s.tenantId)).toEqual(['acme', 'globex', 'initech']);
  });

  it('runs read-only SQL over the documented view, restricted to the scope whatever the SQL says', async () => {
    const all = await server.api<{ dialect: string; columns: { name: string }[]; rows: unknown[][] }>(
      '/api/query',
      { body: { sql: 'SELECT tenant_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1' } },
    );
    // The embedded store speaks DuckDB's SQL, and says so: a ClickHouse store would answer 'clickhouse'.
    expect(all.body.dialect).toBe('duckdb');
    expect(all.body.rows).toEqual([
      ['acme', 11],
      ['globex', 3],
      ['initech', 1],
    ]);
    const scoped = await server.storage.queries.run(
      "SELECT DISTINCT tenant_id FROM events UNION SELECT tenant_id FROM subscriptions WHERE tenant_id <> 'acme'",
      ['acme'],
      { timeoutMs: 5000, maxRows: 100, maxBytes: 1_000_000 },
    );
    expect(scoped.rows).toEqual([['acme']]);
    const none = await server.storage.queries.run('SELECT count(*) FROM events', [], {
      timeoutMs: 5000,
      maxRows: 100,
      maxBytes: 1_000_000,
    });
    expect(none.rows).toEqual([[0]]);
  });

  it.each([
    ['DELETE FROM events', 'must be a single read-only SELECT'],
    [
      'SELECT * FROM main.ev_revenue_impact_event',
      'may read only events and subscriptions; it names main.ev_revenue_impact_event',
    ],
    ['SELECT * FROM ev_generic', 'may read only events and subscriptions; it names ev_generic'],
    ["SELECT * FROM read_csv('/etc/passwd')", 'may not call the table function read_csv()'],
    ['SELECT * FROM duckdb_tables()', 'may not call the table function duckdb_tables()'],
    ["SELECT getenv('PULSE_ADMIN_KEY')", 'may not call getenv()'],
    ['SELECT 1; SELECT 2', 'must be exactly one SELECT statement; got 2'],
    ['SELECT nope FROM events', 'Referenced column "nope" not found'],
  ])('refuses %s', async (sql, message) => {
    const res = await server.api<{ error: { message: string } }>('/api/query', { body: { sql } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('stops a query at the time limit and cuts rows at the row limit', async () => {
    await expect(
      server.storage.queries.run('SELECT count(*) FROM range(100000000000) a, range(10) b', 'all', {
        timeoutMs: 200,
        maxRows: 10,
        maxBytes: 1_000_000,
      }),
    ).rejects.toThrow(/ran longer than 200 ms/);
    const cut = await server.api<{ rows: unknown[][]; truncated: boolean }>('/api/query', {
      body: { sql: 'SELECT * FROM range(100)', max_rows: 7 },
    });
    expect(cut.body.rows).toHaveLength(7);
    expect(cut.body.truncated).toBe(true);
  });
});
