import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The same business quantity is computed by the summary (rollups), the chart series, the named reports and
// the alert engine. One data set, every view: each figure must come out the same everywhere.
const at = (d: number, h = 12) => new Date(Date.UTC(2026, 2, d, h)).toISOString(); // March 2026
const window = 'from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z';
let n = 0;
const ev = (event: string, tenant: string, timestamp: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: `01950000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const revenue = (tenant: string, d: number, impact_type: string, impact_amount: number) =>
  ev('revenue_impact_event', tenant, at(d), { impact_type, impact_amount });
const saving = (tenant: string, d: number, optimization_type: string, savings_amount: number) =>
  ev('cost_optimization_event', tenant, at(d), { optimization_type, savings_amount });
const email = (d: number, email_count: number, bounce_rate: number) =>
  ev('email_deliverability_event', 'acme', at(d), {
    email_count,
    bounce_rate,
    delivery_outcome: 'delivered',
  });
const resource = (h: number, resource_id: string, total_cost: number) =>
  ev('resource_usage_event', 'acme', at(20, h), {
    resource_id,
    resource_type: 'vps_instance',
    total_cost,
    cost_efficient: true,
    current_usage: 50,
    capacity: 100,
  });
const efficiency = (tenant: string, d: number, efficiency_metric: string, efficiency_score: number) =>
  ev('operational_efficiency_event', tenant, at(d), { efficiency_metric, efficiency_score });

const events = [
  revenue('acme', 3, 'positive', 1200),
  revenue('acme', 4, 'negative', 300),
  revenue('acme', 9, 'positive', 50.5),
  revenue('globex', 5, 'negative', 700),
  revenue('globex', 6, 'positive', 100),
  saving('acme', 3, 'implemented', 900),
  saving('acme', 4, 'identified', 400),
  saving('acme', 5, 'rejected', 10_000),
  saving('globex', 7, 'implemented', 250),
  email(2, 1000, 0.1),
  email(8, 3000, 0.02),
  // Two snapshots of vm-1 on one day: the run-rate counts its latest only.
  resource(8, 'vm-1', 500),
  resource(9, 'vm-1', 650),
  resource(10, 'vm-2', 150),
  // Several metrics read several times: each metric's latest reading counts, once.
  efficiency('acme', 2, 'delivery', 40),
  efficiency('acme', 6, 'delivery', 70),
  efficiency('acme', 12, 'delivery', 90),
  efficiency('acme', 3, 'support', 60),
  efficiency('acme', 10, 'support', 50),
  // Two readings in the same millisecond: the lower one counts.
  efficiency('acme', 11, 'uptime', 80),
  efficiency('acme', 11, 'uptime', 75),
  efficiency('globex', 4, 'onboarding', 30),
  efficiency('globex', 5, 'onboarding', 88),
];

const sum = (rows: Record<string, number>[], key: string) => rows.reduce((s, r) => s + (r[key] ?? 0), 0);

interface Summary {
  keyMetrics: Record<
    | 'positiveRevenueImpact'
    | 'negativeRevenueImpact'
    | 'costOptimizationSavings'
    | 'projectedSavings'
    | 'businessPerformanceScore',
    number
  > & { operationalEfficiencyScore: number | null };
  healthComponents: { deliverability: { inputs: { bounceRate: number | null } } };
}

describe('each business measure means the same in every view', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('/api/budgets/acme', { method: 'PUT', body: { monthlyUsd: 100 } })).status).toBe(
      200,
    );
    const res = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_x', batch: events, historical_migration: true }),
    });
    expect(await res.text()).toBe('{"status":"Ok"}');
    for (const tenant of ['acme', 'globex'])
      expect(
        (
          await server.api(`/api/subscriptions/${tenant}`, {
            method: 'PUT',
            body: { status: 'active', planName: 'Pro', priceMonthly: 100 },
          })
        ).status,
      ).toBe(200);
    await server.alerts.flush();
  });
  afterAll(async () => server.close());

  it('revenue impact, savings and the performance score: summary, series and report agree', async () => {
    const summary = (await server.api<Summary>(`/api/summary?${window}`)).body.keyMetrics;
    const series = (await server.api<Record<string, Record<string, number>[]>>(`/api/series?${window}`)).body;
    const report = (
      await server.api<{ rows: Record<string, number>[] }>(`/api/reports/performance-dashboard?${window}`)
    ).body.rows;

    expect(summary.positiveRevenueImpact).toBe(1350.5);
    expect(summary.negativeRevenueImpact).toBe(1000);
    expect(sum(series.revenue ?? [], 'positive')).toBe(summary.positiveRevenueImpact);
    expect(sum(series.revenue ?? [], 'negative')).toBe(summary.negativeRevenueImpact);
    expect(sum(report, 'positive_revenue_impact')).toBe(summary.positiveRevenueImpact);
    expect(sum(report, 'negative_revenue_impact')).toBe(summary.negativeRevenueImpact);

    expect(summary.costOptimizationSavings).toBe(1150);
    expect(summary.projectedSavings).toBe(400);
    expect(sum(series.savings ?? [], 'realized')).toBe(summary.costOptimizationSavings);
    expect(sum(series.savings ?? [], 'projected')).toBe(summary.projectedSavings);
    expect(sum(report, 'realized_savings')).toBe(summary.costOptimizationSavings);
    expect(sum(report, 'projected_savings')).toBe(summary.projectedSavings);

    for (const row of report) {
      const tenant = (await server.api<Summary>(`/api/summary?${window}&tenant=${row.tenant_id}`)).body;
      expect(row.business_performance_score).toBe(
        Math.round(tenant.keyMetrics.businessPerformanceScore * 100) / 100,
      );
    }
  });

  it("the operational efficiency score: the report's column is the summary's, per tenant and window", async () => {
    const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    // The whole month; then a window ending inside a day, which cuts off acme's later readings.
    const windows = [
      { query: window, expected: { acme: 71.67, globex: 88 } },
      { query: 'from=2026-03-01T00:00:00Z&to=2026-03-10T06:00:00Z', expected: { acme: 65, globex: 88 } },
    ];
    for (const { query, expected } of windows) {
      const report = (
        await server.api<{ rows: Record<string, number | string | null>[] }>(
          `/api/reports/performance-dashboard?${query}`,
        )
      ).body.rows;
      const scores = Object.fromEntries(report.map((r) => [r.tenant_id, r.avg_efficiency_score]));
      expect(scores).toEqual(expected);
      for (const tenant of Object.keys(expected)) {
        const summary = (await server.api<Summary>(`/api/summary?${query}&tenant=${tenant}`)).body;
        expect(scores[tenant]).toBe(round2(summary.keyMetrics.operationalEfficiencyScore));
      }
    }
  });

  it('the email-weighted bounce rate: summary and series agree', async () => {
    const summary = (await server.api<Summary>(`/api/summary?${window}&tenant=acme`)).body;
    const series = (
      await server.api<{ deliverability: { bounceRate: number; emails: number }[] }>(
        `/api/series?${window}&tenant=acme`,
      )
    ).body.deliverability;
    const weighted = series.reduce((s, r) => s + r.bounceRate * r.emails, 0) / sum(series, 'emails');
    expect(summary.healthComponents.deliverability.inputs.bounceRate).toBeCloseTo(0.04, 12);
    expect(weighted).toBeCloseTo(0.04, 12);
  });

  it('the cost run-rate (latest total_cost per resource): series and budget alert agree', async () => {
    const series = (
      await server.api<{ runRate: { t: number; cost: number }[] }>(`/api/series?${window}&tenant=acme`)
    ).body.runRate;
    expect(series.map((r) => r.cost)).toEqual([800]);
    const alerts = (
      await server.api<{ alerts: { rule: string; amount: number }[] }>('/api/alerts?tenant=acme')
    ).body.alerts.filter((a) => a.rule === 'cost-budget-critical');
    // The alert's amount is what the run-rate is over the $100 budget.
    expect(alerts.map((a) => a.amount + 100)).toEqual([800]);
  });
});
