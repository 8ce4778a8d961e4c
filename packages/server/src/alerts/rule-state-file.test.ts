import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../storage/event-store.js';
import { defaultRules } from './default-rules.js';
import { createEvaluator, type Evaluator } from './evaluate/index.js';
import { decodeRuleState, encodeRuleState, ruleHash } from './rule-state-file.js';

const context = { budgets: { of: () => undefined }, hasActive: () => false };
const stateful = defaultRules.filter((r) => r.enabled && r.condition.kind !== 'compare');
const fresh = () => stateful.map((rule) => createEvaluator(rule, context));

const T0 = Date.parse('2026-11-02T00:00:00Z');
let n = 0;
const event = (name: string, t: number, properties: Record<string, unknown>): StoredEvent => ({
  uuid: `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`,
  event: name,
  distinctId: 'acme',
  timestamp: t,
  ingestedAt: t,
  tenantId: 'acme',
  properties: { tenant_id: 'acme', ...properties },
});

/** A few events of every stateful default rule's types, each rule's properties set. */
const events = Array.from({ length: 40 }, (_, i) => [
  event('resource_usage_event', T0 + i * 3_600_000, {
    resource_id: `r${i % 3}`,
    resource_type: 'compute',
    utilization_percentage: (i * 37) % 100,
    total_cost: 100 + i,
  }),
  event('email_deliverability_event', T0 + i * 600_000, { bounce_rate: (i % 7) / 20, email_count: 100 + i }),
  event('strategic_decision_event', T0 + i * 3_600_000, {
    decision_id: `d${i % 2}`,
    status: 'approved',
    next_review_date: new Date(T0 + i * 86_400_000).toISOString(),
    decision_title: i % 4 ? undefined : `Decision ${i}`,
  }),
]).flat();

const mark = { appliedAt: T0, appliedUuids: ['00000000-0000-4000-8000-000000000001'], deletions: 2 };

function filled(): Evaluator[] {
  const evaluators = fresh();
  for (const e of events)
    for (const ev of evaluators) if (ev.rule.events.includes(e.event as never)) ev.replay?.(e);
  return evaluators;
}

describe('saved alert rule state', () => {
  it('gives back what every stateful evaluator saved, with its mark', () => {
    const bytes = encodeRuleState(mark, filled());
    const saved = decodeRuleState(bytes);
    expect(saved?.rules.size).toBe(stateful.length);
    // Every rule has state to save: more than a fresh evaluator writes.
    for (const rule of stateful) {
      const one = (list: Evaluator[]) =>
        encodeRuleState(
          mark,
          list.filter((e) => e.rule === rule),
        ).length;
      expect(one(filled())).toBeGreaterThan(one(fresh()) + 40);
    }
    expect(saved).toMatchObject(mark);
    const restored = fresh();
    for (const evaluator of restored) {
      const entry = saved?.rules.get(evaluator.rule.id);
      expect(entry?.hash).toBe(ruleHash(evaluator.rule));
      evaluator.loadState?.(entry!.state);
      expect(entry?.state.done).toBe(true);
    }
    // Saved again, the restored state writes the same bytes.
    expect(encodeRuleState(mark, restored).equals(bytes)).toBe(true);
  });

  it('does not check out with one byte changed anywhere, or cut short', () => {
    const bytes = encodeRuleState(mark, filled());
    for (const at of [2, 40, Math.floor(bytes.length / 2), bytes.length - 3]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] as number) ^ 0x5a;
      expect(decodeRuleState(damaged)).toBeNull();
    }
    expect(decodeRuleState(bytes.subarray(0, bytes.length - 1))).toBeNull();
  });

  it('names a changed rule by another hash', () => {
    const rule = stateful[0]!;
    expect(ruleHash({ ...rule, name: `${rule.name}!` })).not.toBe(ruleHash(rule));
  });
});
