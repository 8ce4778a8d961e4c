import type { ChartSeriesRows } from './analytics-reads.js';

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Each chart series' rows as an engine returns them: its columns in order (see the engines' series SQL). */
export type ChartSeriesResult = Record<keyof ChartSeriesRows, readonly (readonly unknown[])[]>;

/** Chart series from their rows: sums over no rows are 0, rates over none null. */
export function toChartSeries(rows: ChartSeriesResult): ChartSeriesRows {
  return {
    tenants: rows.tenants.map(([t]) => String(t)),
    revenue: rows.revenue.map(([t, negative, positive]) => ({
      t: n(t),
      negative: n(negative),
      positive: n(positive),
    })),
    savings: rows.savings.map(([t, realized, projected]) => ({
      t: n(t),
      realized: n(realized),
      projected: n(projected),
    })),
    efficiency: rows.efficiency.map(([t, metric, score]) => ({
      t: n(t),
      metric: String(metric),
      score: n(score),
    })),
    deliverability: rows.deliverability.map(([t, bounce, spam, emails]) => ({
      t: n(t),
      bounceRate: nOrNull(bounce),
      spamRate: nOrNull(spam),
      emails: n(emails),
    })),
    providers: rows.providers.map(([provider, emails, bounce, spam, risk]) => ({
      provider: String(provider),
      emails: n(emails),
      bounceRate: nOrNull(bounce),
      spamRate: nOrNull(spam),
      riskLevel: typeof risk === 'string' ? risk : null,
    })),
    runRate: rows.runRate.map(([t, cost]) => ({ t: n(t), cost: n(cost) })),
    utilization: rows.utilization.map(([tenant, resource, type, util, cost]) => ({
      tenantId: String(tenant),
      resourceId: String(resource),
      resourceType: String(type),
      utilization: nOrNull(util),
      totalCost: nOrNull(cost),
    })),
  };
}
