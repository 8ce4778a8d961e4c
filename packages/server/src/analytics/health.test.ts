import { describe, expect, it } from 'vitest';
import { keyMetricsOf } from './compose-summary.js';
import { businessHealth, HEALTH_WEIGHTS } from './health.js';
import type { WindowTotals } from './window-totals.js';

const window = { from: 0, to: 30 * 86_400_000 };
const empty: WindowTotals = {
  revenuePositive: 0,
  revenueNegative: 0,
  revenueEvents: 0,
  realized: 0,
  projected: 0,
  emails: 0,
  bouncedEmails: 0,
  efficiencySum: 0,
  efficiencyReadings: 0,
  resources: 0,
  costEfficient: 0,
  decisions: 0,
  lateIngestedAt: 0,
  actions: [],
};
const health = (totals: Partial<WindowTotals>) => {
  const t = { ...empty, ...totals };
  return businessHealth(t, keyMetricsOf(t, window));
};

describe('overallBusinessHealth', () => {
  it('weighs all five components with their nominal weights when all have data', () => {
    const h = health({
      revenuePositive: 300,
      revenueNegative: 100,
      revenueEvents: 2, // R = 50 + 50 / 2 = 75
      efficiencySum: 160,
      efficiencyReadings: 2, // E = 80
      emails: 1000,
      bouncedEmails: 75, // b = 0.075 → D = 50
      realized: 30,
      projected: 10, // C = 75
      resources: 4,
      costEfficient: 1, // U = 25
    });
    expect(h.components.revenue.score).toBe(75);
    expect(h.components.efficiency.score).toBe(80);
    expect(h.components.deliverability.score).toBeCloseTo(50, 12);
    expect(h.components.cost.score).toBe(75);
    expect(h.components.resources.score).toBe(25);
    for (const [name, weight] of Object.entries(HEALTH_WEIGHTS)) {
      const component = h.components[name as keyof typeof HEALTH_WEIGHTS];
      expect(component.weight).toBe(weight);
      expect(component.effectiveWeight).toBeCloseTo(weight, 12);
    }
    expect(h.overall).toBeCloseTo(0.35 * 75 + 0.25 * 80 + 0.2 * 50 + 0.1 * 75 + 0.1 * 25, 10);
  });

  it('renormalises the weights over the components present', () => {
    const h = health({ revenueEvents: 1, revenuePositive: 0, realized: 1, projected: 3 }); // R = 50, C = 25
    expect(h.components.revenue.effectiveWeight).toBeCloseTo(0.35 / 0.45, 12);
    expect(h.components.cost.effectiveWeight).toBeCloseTo(0.1 / 0.45, 12);
    for (const name of ['efficiency', 'deliverability', 'resources'] as const) {
      expect(h.components[name].score).toBeNull();
      expect(h.components[name].effectiveWeight).toBe(0);
      expect(h.components[name].weight).toBe(HEALTH_WEIGHTS[name]);
    }
    expect(h.overall).toBeCloseTo((50 * 0.35 + 25 * 0.1) / 0.45, 10);
  });

  it('is null when no component has data', () => {
    const h = health({ decisions: 3, emails: 0, resources: 0 });
    expect(h.overall).toBeNull();
    expect(Object.values(h.components).map((c) => [c.score, c.effectiveWeight])).toStrictEqual(
      Array.from({ length: 5 }, () => [null, 0]),
    );
  });

  it('treats zero savings and emails without data as missing, a zero revenue as 50', () => {
    expect(health({ realized: 0, projected: 0 }).components.cost.score).toBeNull();
    expect(health({ revenueEvents: 3 }).components.revenue.score).toBe(50);
    expect(health({ emails: 10, bouncedEmails: 5 }).components.deliverability.score).toBe(0); // b = 0.5 ≥ 0.15
    expect(health({ efficiencySum: 0, efficiencyReadings: 1 }).overall).toBe(0);
  });
});

describe('keyMetrics', () => {
  it('scales revenue protection to 30 days and scores performance by the seed formula', () => {
    const m = keyMetricsOf(
      { ...empty, revenuePositive: 700, revenueNegative: 300 },
      { from: 0, to: 7 * 86_400_000 },
    );
    expect(m.monthlyRevenueProtection).toBe(3000);
    expect(m.businessPerformanceScore).toBe(40);
    expect(keyMetricsOf(empty, window).businessPerformanceScore).toBe(0);
    expect(keyMetricsOf(empty, window).operationalEfficiencyScore).toBeNull();
  });
});
