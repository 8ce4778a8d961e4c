import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import { describeTenants, generateEvents, type GenerateOptions } from './index.js';

const end = new Date('2026-01-15T09:30:00Z');
type Props = Record<string, unknown>;
const num = (p: Props, key: string) => p[key] as number;

function byType(options: GenerateOptions): Map<string, Props[]> {
  const groups = new Map<string, Props[]>();
  for (const e of generateEvents(options)) {
    const list = groups.get(e.event) ?? [];
    list.push(e.properties);
    groups.set(e.event, list);
  }
  return groups;
}

/** Highest run-rate / budget seen per tenant: Σ latest total_cost per resource_id. */
function peakBudgetUse(events: Iterable<CapturedEvent>, budgets: Map<string, number>): Map<string, number> {
  const latest = new Map<string, Map<string, number>>();
  const peak = new Map<string, number>();
  for (const e of events) {
    if (e.event !== 'resource_usage_event') continue;
    const tenant = e.properties.tenant_id as string;
    const costs = latest.get(tenant) ?? new Map<string, number>();
    costs.set(e.properties.resource_id as string, num(e.properties, 'total_cost'));
    latest.set(tenant, costs);
    const runRate = [...costs.values()].reduce((a, b) => a + b, 0);
    peak.set(tenant, Math.max(peak.get(tenant) ?? 0, runRate / (budgets.get(tenant) ?? Infinity)));
  }
  return peak;
}

describe('incidents: every alert tier of the default rules has something to fire on', () => {
  it.each([1, 3, 5, 8])('%i tenant(s) × 30 days', (tenants) => {
    const options = { tenants, days: 30, seed: 7, end };
    const g = byType(options);
    const get = (name: string) => g.get(name) ?? [];
    const revenue = get('revenue_impact_event');
    const negative = revenue.filter((p) => p.impact_type === 'negative').map((p) => num(p, 'impact_amount'));
    const budgets = new Map(describeTenants(options).map((t) => [t.id, t.monthlyBudget]));
    const peak = Math.max(...peakBudgetUse(generateEvents(options), budgets).values());

    // critical
    expect(negative.some((a) => a > 10_000)).toBe(true);
    expect(get('email_deliverability_event').some((p) => num(p, 'bounce_rate') > 0.15)).toBe(true);
    expect(revenue.some((p) => num(p, 'bounce_rate') > 0.15)).toBe(true);
    expect(get('security_incident_event').some((p) => p.affects_customer_data === true)).toBe(true);
    expect(peak).toBeGreaterThan(1.2);
    // high
    expect(negative.some((a) => a >= 1000 && a <= 10_000)).toBe(true);
    expect(get('operational_efficiency_event').some((p) => num(p, 'efficiency_score') < 70)).toBe(true);
    expect(get('strategic_decision_event').some((p) => p.status === 'delayed')).toBe(true);
    expect(
      get('cost_optimization_event').some(
        (p) => p.optimization_type === 'identified' && num(p, 'savings_amount') > 5000,
      ),
    ).toBe(true);
    // medium
    expect(negative.some((a) => a >= 100 && a < 1000)).toBe(true);
    expect(get('operational_efficiency_event').some((p) => p.trend_direction === 'declining')).toBe(true);
    expect(
      get('resource_usage_event').some((p) => p.over_utilized === true || p.under_utilized === true),
    ).toBe(true);
    expect(get('strategic_decision_event').some((p) => p.actual_revenue_impact !== undefined)).toBe(true);
  });

  it('keeps routine losses under $10,000 and normal run-rates under 120 % of budget', () => {
    const options = { tenants: 30, days: 30, seed: 11, end };
    const profiles = describeTenants(options);
    const scripted = new Set(
      profiles.filter((t) => t.incidents.some((i) => i.kind === 'revenue_hit')).map((t) => t.id),
    );
    const overrun = new Set(
      profiles.filter((t) => t.incidents.some((i) => i.kind === 'cost_overrun')).map((t) => t.id),
    );
    for (const e of generateEvents(options))
      if (
        e.event === 'revenue_impact_event' &&
        e.properties.impact_type === 'negative' &&
        num(e.properties, 'impact_amount') > 10_000
      )
        expect(scripted).toContain(e.properties.tenant_id);
    const peaks = peakBudgetUse(
      generateEvents(options),
      new Map(profiles.map((t) => [t.id, t.monthlyBudget])),
    );
    for (const [tenant, peak] of peaks) expect(peak > 1.2).toBe(overrun.has(tenant));
  });

  it('describes the incidents with their time inside the window', () => {
    const tenants = describeTenants({ tenants: 5, days: 30, seed: 7, end });
    const kinds = tenants.flatMap((t) => t.incidents.map((i) => i.kind)).sort();
    expect(kinds).toEqual(['bounce_spike', 'cost_overrun', 'data_breach', 'decision_delay', 'revenue_hit']);
    for (const incident of tenants.flatMap((t) => t.incidents)) {
      expect(Date.parse(incident.at)).toBeLessThan(end.getTime());
      expect(Date.parse(incident.at)).toBeGreaterThanOrEqual(end.getTime() - 28 * 86_400_000);
    }
  });
});

describe('stories', () => {
  const options = { tenants: 8, days: 60, seed: 5, end };
  const events = [...generateEvents(options)];
  const half = end.getTime() - 30 * 86_400_000;
  const of = (tenant: string, name: string) =>
    events.filter((e) => e.properties.tenant_id === tenant && e.event === name);

  function performance(tenant: string, later: boolean): number {
    let positive = 0;
    let negative = 0;
    for (const e of of(tenant, 'revenue_impact_event')) {
      if (e.timestamp >= half !== later) continue;
      if (e.properties.impact_type === 'positive') positive += num(e.properties, 'impact_amount');
      else negative += num(e.properties, 'impact_amount');
    }
    return ((positive - negative) / (positive + negative)) * 100;
  }
  function efficiency(tenant: string, later: boolean): number {
    const scores = of(tenant, 'operational_efficiency_event')
      .filter((e) => e.timestamp >= half === later)
      .map((e) => num(e.properties, 'efficiency_score'));
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }

  it('shows the improving tenant improving and the declining one declining', () => {
    // Routine losses stay under the $2,000 alert line, so gains dominate and the swing is a few points.
    expect(performance('acme-corp', true)).toBeGreaterThan(performance('acme-corp', false) + 5);
    expect(efficiency('acme-corp', true)).toBeGreaterThan(efficiency('acme-corp', false) + 5);
    expect(performance('globex', true)).toBeLessThan(performance('globex', false) - 5);
    expect(efficiency('globex', true)).toBeLessThan(efficiency('globex', false) - 5);
    const trend = (tenant: string, direction: string) =>
      of(tenant, 'operational_efficiency_event').filter((e) => e.properties.trend_direction === direction)
        .length;
    expect(trend('acme-corp', 'improving')).toBeGreaterThan(2 * trend('acme-corp', 'declining'));
    expect(trend('globex', 'declining')).toBeGreaterThan(2 * trend('globex', 'improving'));
  });

  it('links the events of a decision by decision_id through legal status changes', () => {
    const next: Record<string, string[]> = {
      proposed: ['proposed', 'approved', 'cancelled'],
      approved: ['approved', 'in_progress', 'delayed'],
      in_progress: ['in_progress', 'delayed', 'completed'],
      delayed: ['delayed', 'in_progress'],
    };
    const history = new Map<string, string[]>();
    for (const e of events.filter((x) => x.event === 'strategic_decision_event')) {
      const id = `${e.properties.tenant_id as string}/${e.properties.decision_id as string}`;
      history.set(id, [...(history.get(id) ?? []), e.properties.status as string]);
    }
    const multi = [...history.values()].filter((s) => new Set(s).size >= 3);
    expect(multi.length).toBeGreaterThanOrEqual(5);
    expect([...history.values()].some((s) => s[0] === 'proposed' && s.at(-1) === 'completed')).toBe(true);
    for (const statuses of history.values())
      for (let i = 1; i < statuses.length; i++) expect(next[statuses[i - 1]!]).toContain(statuses[i]);
  });

  it('settles identified savings later under the same id and category', () => {
    const identified = new Map<string, Props>();
    let settled = 0;
    for (const e of events.filter((x) => x.event === 'cost_optimization_event')) {
      const p = e.properties;
      const id = p.optimization_id as string;
      if (p.optimization_type === 'identified') identified.set(id, p);
      else {
        const first = identified.get(id);
        expect(first?.optimization_category).toBe(p.optimization_category);
        expect(
          Date.parse(p.tracking_date as string) - Date.parse(first?.tracking_date as string),
        ).toBeGreaterThan(0);
        settled++;
      }
      expect(num(p, 'savings_amount')).toBe(num(p, 'baseline_cost') - num(p, 'optimized_cost'));
    }
    expect(settled).toBeGreaterThan(20);
  });

  it('keeps email outcomes, risk and resource flags consistent with their rates', () => {
    for (const { event, properties: p } of events) {
      if (event === 'email_deliverability_event') {
        const bounce = num(p, 'bounce_rate');
        if (bounce >= 0.08) expect(p.delivery_outcome).toBe('bounced');
        if (p.delivery_outcome === 'delivered') expect(bounce).toBeLessThan(0.02);
        expect(p.risk_level === 'critical').toBe(bounce >= 0.15);
        expect(p.requires_immediate_attention).toBe(p.risk_level === 'critical' || p.risk_level === 'high');
      }
      if (event === 'resource_usage_event') {
        const utilization = num(p, 'utilization_percentage');
        expect(p.over_utilized).toBe(utilization >= 85);
        expect(p.cost_efficient).toBe(!p.over_utilized && !p.under_utilized);
        if (p.under_utilized) expect(utilization).toBeLessThan(25);
      }
    }
  });
});
