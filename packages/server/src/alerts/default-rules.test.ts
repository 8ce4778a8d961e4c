import { randomUUID } from 'node:crypto';
import { checkBusinessEvent, type BusinessEventName } from '@pulse/events';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../storage/event-store.js';
import { defaultRules } from './default-rules.js';
import { createEvaluator, type Evaluator, type Outcome } from './evaluate/index.js';
import { AlertLifecycle } from './lifecycle.js';
import { parseRuleSet } from './rule-validation.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');
const minute = 60_000;

/** A committed event as the stream delivers it: validated, derived fields filled. */
function event(
  name: BusinessEventName,
  props: Record<string, unknown>,
  at = T0,
  tenant = 'acme',
): StoredEvent {
  const uuid = randomUUID();
  const properties = { tenant_id: tenant, ...props };
  const check = checkBusinessEvent(name, properties, { uuid });
  if (!check.ok) throw new Error(`test event is invalid: ${JSON.stringify(check.issues)}`);
  return {
    uuid,
    event: name,
    distinctId: tenant,
    timestamp: at,
    properties,
    tenantId: tenant,
    ingestedAt: at,
  };
}

/** One default rule, evaluated with a real lifecycle (dedup keys, hasActive) and budgets. */
function harness(
  ruleId: string,
  budgets: Record<string, { monthly: number | null; byGroup?: Record<string, number> }> = {},
) {
  const rule = defaultRules.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no default rule ${ruleId}`);
  const lifecycle = new AlertLifecycle({ notifyMaxAgeMs: 365 * 86_400_000 });
  const evaluator: Evaluator = createEvaluator(rule, {
    budgets: {
      of: (t) => {
        const b = budgets[t];
        return b ? { monthly: b.monthly, byGroup: new Map(Object.entries(b.byGroup ?? {})) } : undefined;
      },
    },
    hasActive: (r, t) => lifecycle.hasActive(r, t),
  });
  const run = (outcomes: Outcome[], now: number) =>
    outcomes.flatMap((o) => {
      lifecycle.apply(rule, o, now);
      return o.verdict === 'fire' ? [o] : [];
    });
  return {
    rule,
    lifecycle,
    /** The fire outcomes of one event. */
    send: (e: StoredEvent, now = e.timestamp) => run(evaluator.onEvent(e, now), now),
    tick: (now: number) => run(evaluator.onTick?.(now, lifecycle.activeAlerts(rule.id)) ?? [], now),
  };
}

const revenue = (amount: number, extra: Record<string, unknown> = {}) =>
  event('revenue_impact_event', {
    impact_amount: amount,
    impact_type: 'negative',
    event_type: 'payment_failure',
    ...extra,
  });

describe('the default rule set fires at its thresholds and not just below', () => {
  it('validates against the rule schema and covers the three tiers', () => {
    expect(parseRuleSet(defaultRules.map((r) => structuredClone(r)))).toHaveLength(defaultRules.length);
    expect(new Set(defaultRules.map((r) => r.severity))).toEqual(new Set(['critical', 'high', 'medium']));
  });

  it('critical: negative revenue impact > $10,000 in one event', () => {
    const h = harness('revenue-loss-critical');
    expect(h.send(revenue(10_000))).toHaveLength(0);
    expect(h.send(revenue(10_000.01, { impact_type: 'positive' }))).toHaveLength(0);
    const [fire] = h.send(revenue(10_000.01));
    expect(fire?.text?.(10_000.01).title).toBe(
      'Negative revenue impact over $10,000: $10,000.01 at acme (payment_failure)',
    );
    expect(fire?.text?.(10_000.01).summary).toContain('impact amount $10,000.01 > $10,000');
    expect(fire?.amount).toBe(10_000.01);
  });

  it('high: negative revenue impact $5,000–$10,000; medium: $2,000–$5,000', () => {
    const high = harness('revenue-loss-high');
    expect(high.send(revenue(4_999.99))).toHaveLength(0);
    expect(high.send(revenue(5_000))).toHaveLength(1);
    expect(high.send(revenue(10_000))).toHaveLength(1);
    expect(high.send(revenue(10_000.01))).toHaveLength(0); // critical's
    const medium = harness('revenue-loss-medium');
    expect(medium.send(revenue(1_999.99))).toHaveLength(0);
    expect(medium.send(revenue(2_000))).toHaveLength(1);
    expect(medium.send(revenue(4_999.99))).toHaveLength(1);
    expect(medium.send(revenue(5_000))).toHaveLength(0); // high's
  });

  it('critical: a tenant’s email_count-weighted bounce_rate over the last hour > 0.15 (≥ 500 emails)', () => {
    const email = (count: number, rate: number, at = T0, tenant = 'acme') =>
      event(
        'email_deliverability_event',
        { email_count: count, delivery_outcome: 'mixed', bounce_rate: rate, cost_impact: 40 },
        at,
        tenant,
      );
    const h = harness('bounce-rate-critical');
    expect(h.send(email(500, 0.15))).toHaveLength(0); // at the threshold, not above
    expect(h.send(email(499, 0.5, T0, 'small'))).toHaveLength(0); // above, but under the minimum sample
    const [fire] = h.send(email(1, 0.1501 * 501 - 0.15 * 500 + 0.0001, T0 + minute));
    expect(fire).toBeDefined(); // 501 emails now, weighted mean just above 0.15
    // Weighted, not a plain mean: 400 at 10 % and 600 at 19 % is 15.4 % (the plain mean is 14.5 %).
    const w = harness('bounce-rate-critical');
    expect(w.send(email(400, 0.1, T0, 'beta'))).toHaveLength(0);
    const [weighted] = w.send(email(600, 0.19, T0 + minute, 'beta'));
    expect(weighted?.value).toBeCloseTo(0.154, 6);
    expect(weighted?.text?.(80).title).toBe('Bounce rate 15.4 % at beta over the last 1 h (limit 15 %)');
    expect(weighted?.text?.(80).summary).toContain('1,000 email count in 2 events');
    expect(weighted?.amount).toBe(80);
    // Only the last hour counts: the same 400 @ 10 % plus 600 @ 19 % 61 minutes later does not fire.
    const late = harness('bounce-rate-critical');
    late.send(email(400, 0.1, T0, 'gamma'));
    expect(late.send(email(600, 0.19, T0 + 61 * minute, 'gamma'))).toHaveLength(1); // 600 alone: 19 %
    const gap = harness('bounce-rate-critical');
    gap.send(email(600, 0.19, T0, 'delta'));
    expect(gap.send(email(400, 0.01, T0 + 61 * minute, 'delta'))).toHaveLength(0); // window holds 400 @ 1 %
  });

  it('critical: a revenue event reporting bounce_rate > 0.15', () => {
    const h = harness('bounce-rate-revenue-critical');
    expect(h.send(revenue(50, { bounce_rate: 0.15 }))).toHaveLength(0);
    expect(h.send(revenue(50, { bounce_rate: 0.1501 }))).toHaveLength(1);
  });

  it('critical: month-to-date run-rate (Σ latest total_cost per resource_id) > 120 % of the budget', () => {
    const usage = (id: string, type: string, cost: number, at = T0) =>
      event(
        'resource_usage_event',
        { resource_id: id, resource_type: type, current_usage: 1, capacity: 2, total_cost: cost },
        at,
      );
    const h = harness('cost-budget-critical', { acme: { monthly: 10_000, byGroup: { database: 1_000 } } });
    expect(h.send(usage('vm-1', 'vps_instance', 6_000))).toHaveLength(0);
    expect(h.send(usage('vm-2', 'vps_instance', 6_000))).toHaveLength(0); // 12,000 = 120 %, not above
    expect(h.send(usage('vm-2', 'vps_instance', 5_000, T0 + minute))).toHaveLength(0); // latest per resource: 11,000
    const [fire] = h.send(usage('vm-2', 'vps_instance', 6_000.01, T0 + 2 * minute));
    expect(fire?.keyParts).toEqual({ month: '2026-03' });
    expect(fire?.text?.(2_000.01)).toEqual({
      title: 'Monthly cost run-rate over 120 % of budget at acme: $2,000.01 over the $10,000 budget',
      summary:
        'Since 12:02 UTC, 10 Mar: the monthly cost run-rate for 2026-03 is $12,000.01 across 2 resources, ' +
        '120 % of the $10,000 budget (limit 120 %). Next step: Review the most expensive resources, then ' +
        'scale them down or raise the budget.',
    });
    expect(fire?.amount).toBeCloseTo(2_000.01, 6);
    // Per resource_type budget: database at $1,200.01 is over 120 % of its $1,000 (and the total keeps firing).
    const fires = h.send(usage('db-1', 'database', 1_200.01, T0 + 3 * minute));
    expect(fires.map((f) => f.keyParts)).toEqual([
      { month: '2026-03' },
      { month: '2026-03', resource_type: 'database' },
    ]);
    // No budget, no alert.
    expect(harness('cost-budget-critical').send(usage('vm-9', 'vps_instance', 1e9))).toHaveLength(0);
  });

  it('critical: a security incident affecting customer data', () => {
    const h = harness('security-customer-data-critical');
    const incident = (affects: boolean) =>
      event('security_incident_event', {
        incident_type: 'data_leak',
        severity: 'low',
        affects_customer_data: affects,
      });
    expect(h.send(incident(false))).toHaveLength(0);
    expect(h.send(incident(true))).toHaveLength(1);
  });

  it('high: identified savings > $10,000', () => {
    const h = harness('savings-identified-high');
    const saving = (amount: number, type = 'identified') =>
      event('cost_optimization_event', {
        savings_amount: amount,
        optimization_type: type,
        optimization_category: 'software',
      });
    expect(h.send(saving(10_000))).toHaveLength(0);
    expect(h.send(saving(19_000, 'implemented'))).toHaveLength(0);
    expect(h.send(saving(10_000.01))).toHaveLength(1);
  });

  it('high: efficiency_score < 55; medium: trend declining between 55 and 60', () => {
    const score = (s: number, trend = 'stable') =>
      event('operational_efficiency_event', {
        efficiency_metric: 'delivery',
        efficiency_score: s,
        trend_direction: trend,
      });
    const low = harness('efficiency-low-high');
    expect(low.send(score(55))).toHaveLength(0);
    const [lowFire] = low.send(score(54.99));
    // A score is not money: no dollar sign, even though the rule's amount is a cost.
    expect(lowFire?.text?.(null).title).toBe('Efficiency score below 55 at acme (delivery)');
    expect(lowFire?.text?.(null).summary).toBe(
      'Since 12:00 UTC, 10 Mar: efficiency score 54.99 < 55. Next step: Ask the team owning this process what slowed it down.',
    );
    const declining = harness('efficiency-declining-medium');
    expect(declining.send(score(57, 'stable'))).toHaveLength(0);
    expect(declining.send(score(90, 'declining'))).toHaveLength(0); // a dip from a good level
    expect(declining.send(score(60, 'declining'))).toHaveLength(0);
    expect(declining.send(score(59.99, 'declining'))).toHaveLength(1);
    expect(declining.send(score(54.99, 'declining'))).toHaveLength(0); // the high alert's
    expect(declining.send(score(55, 'declining'))).toHaveLength(1);
  });

  it('high: a decision with status delayed', () => {
    const h = harness('decision-delayed-high');
    const decision = (status: string) =>
      event('strategic_decision_event', {
        decision_type: 'vendor',
        decision_title: 'Move ESP',
        decision_id: 'd-1',
        status,
      });
    expect(h.send(decision('in_progress'))).toHaveLength(0);
    const [fire] = h.send(decision('delayed'));
    expect(fire?.text?.(null).title).toBe('Strategic decision delayed at acme (“Move ESP”)');
    expect(fire?.text?.(null).summary).toContain(': status is delayed. Next step: Review the decision');
  });

  it('high: a decision past its next_review_date with no newer event', () => {
    const h = harness('decision-overdue-high');
    const due = T0 + 60 * minute;
    const decision = (at: number, extra: Record<string, unknown> = {}) =>
      event(
        'strategic_decision_event',
        { decision_type: 'hiring', decision_title: 'Hire SRE', decision_id: 'd-7', ...extra },
        at,
      );
    expect(
      h.send(decision(T0, { status: 'approved', next_review_date: new Date(due).toISOString() }), T0),
    ).toHaveLength(0);
    const grace = 7 * 24 * 60 * minute; // a review a week late, not a few days
    expect(h.tick(due + grace)).toHaveLength(0); // at the end of the grace, not past it
    const [fire] = h.tick(due + grace + 1);
    expect(fire?.keyParts).toEqual({ decision_id: 'd-7' });
    expect(fire?.text?.(null)).toEqual({
      title: 'Strategic decision past its review date at acme (“Hire SRE”)',
      summary:
        'Since 13:00 UTC, 17 Mar: the next review date of decision d-7 was 13:00 UTC, 10 Mar (plus 7 d grace), ' +
        'and nothing has ' +
        'been reported about it since 12:00 UTC, 10 Mar. Next step: Review the decision with its owner and set ' +
        'a new review date or close it.',
    });
    expect(h.tick(due + grace + 2)).toHaveLength(0); // already open: the timer does not count it again
    // A newer event (without a date) ends the absence; the alert clears and resolves (afterMinutes 0).
    h.send(decision(due + grace + 5 * minute, { status: 'in_progress' }), due + grace + 5 * minute);
    expect(h.lifecycle.activeAlerts()).toHaveLength(0);
    // Completed decisions are never overdue.
    const done = harness('decision-overdue-high');
    done.send(decision(T0, { status: 'completed', next_review_date: new Date(due).toISOString() }), T0);
    expect(done.tick(due + grace + 1)).toHaveLength(0);
  });

  it('high: overdue is judged on the tenant’s data clock, so a replayed history raises none mid-replay', () => {
    const h = harness('decision-overdue-high');
    const day = 24 * 60 * minute;
    const past = T0 - 60 * day; // a history replayed within a few wall-clock ms of T0
    const decision = (id: string, at: number, review: number) =>
      event(
        'strategic_decision_event',
        {
          decision_type: 'hiring',
          decision_title: 'Hire SRE',
          decision_id: id,
          status: 'in_progress',
          next_review_date: new Date(review).toISOString(),
        },
        at,
      );
    h.send(decision('d-1', past, past + 5 * day), T0);
    h.send(decision('d-2', past, past + 5 * day), T0);
    // The timer runs while the replay is still at day 1: both reviews are two months past in wall time.
    expect(h.tick(T0 + 1)).toHaveLength(0);
    h.send(decision('d-1', past + 4 * day, past + 30 * day), T0 + 2); // d-1 reported before its review
    h.send(decision('d-1', past + 29 * day, T0 + 30 * day), T0 + 3); // the replay reaches the present
    // d-2 was never reported again: once the data has passed its review date and grace, it is overdue.
    expect(h.tick(T0 + 4).map((o) => o.keyParts)).toEqual([{ decision_id: 'd-2' }]);
  });

  it('medium: resource over- or under-utilized', () => {
    const usage = (flags: Record<string, boolean>) =>
      event('resource_usage_event', {
        resource_id: 'db-1',
        resource_type: 'database',
        current_usage: 5,
        capacity: 10,
        ...flags,
      });
    const over = harness('resource-over-utilized-medium');
    expect(over.send(usage({ over_utilized: false }))).toHaveLength(0);
    expect(over.send(usage({ over_utilized: true }))).toHaveLength(1);
    const under = harness('resource-under-utilized-medium');
    expect(under.send(usage({ under_utilized: false }))).toHaveLength(0);
    expect(under.send(usage({ under_utilized: true }))).toHaveLength(1);
  });

  it('medium: utilization moved more than 30 points for a resource_id', () => {
    const usage = (id: string, used: number, at: number) =>
      event(
        'resource_usage_event',
        { resource_id: id, resource_type: 'vps_instance', current_usage: used, capacity: 100 },
        at,
      );
    const h = harness('utilization-jump-medium');
    expect(h.send(usage('vm-1', 40, T0))).toHaveLength(0);
    expect(h.send(usage('vm-1', 70, T0 + minute))).toHaveLength(0); // +30 points exactly
    expect(h.send(usage('vm-2', 40, T0))).toHaveLength(0);
    const [fire] = h.send(usage('vm-2', 70.01, T0 + minute));
    expect(fire?.keyParts).toEqual({ resource_id: 'vm-2' });
    expect(fire?.text?.(null)).toEqual({
      title: 'Utilization percentage of vm-2 at acme rose from 40 to 70.01',
      summary:
        'Since 12:01 UTC, 10 Mar: utilization percentage of resource vm-2 moved from 40 (12:00 UTC, 10 Mar) ' +
        'to 70.01: +30.01, more than 30 points. Next step: Check what changed on the resource and whether ' +
        'its capacity still fits.',
    });
    // A late reading is compared with its neighbours: 100 between 40 (T0) and 70.01 (T0+1m).
    const [late] = h.send(usage('vm-2', 100, T0 + minute / 2));
    expect(late?.value).toBe(60);
  });

  it('medium: a completed decision whose actual revenue impact is negative', () => {
    const h = harness('decision-outcome-medium');
    const decision = (extra: Record<string, unknown>) =>
      event('strategic_decision_event', {
        decision_type: 'pricing',
        decision_title: 'New tiers',
        decision_id: 'd-2',
        ...extra,
      });
    expect(h.send(decision({ status: 'completed' }))).toHaveLength(0);
    // Running actuals of a working decision are progress, and a gain is no alert.
    expect(h.send(decision({ status: 'in_progress', actual_revenue_impact: -600 }))).toHaveLength(0);
    expect(h.send(decision({ status: 'completed', actual_revenue_impact: 1_200 }))).toHaveLength(0);
    expect(h.send(decision({ status: 'completed', actual_revenue_impact: -1_200 }))).toHaveLength(1);
  });
});
