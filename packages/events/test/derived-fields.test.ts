import { describe, expect, it } from 'vitest';
import { checkBusinessEvent, PERCENT_TOLERANCE } from '../src/index.js';
import { example } from './examples.js';

const savingsFormula = '(baseline_cost − optimized_cost) / baseline_cost × 100';

describe('savings_percentage (cost_optimization_event)', () => {
  const costs = { baseline_cost: 1000, optimized_cost: 760 }; // 24 % saved

  it('is computed from the two costs when absent', () => {
    const result = checkBusinessEvent('cost_optimization_event', example('cost_optimization_event', costs));
    expect(result).toEqual({ ok: true, properties: expect.objectContaining({ savings_percentage: 24 }) });
  });

  it.each([24, 24 + PERCENT_TOLERANCE, 24 - PERCENT_TOLERANCE, 24.25])(
    'accepts %s (within 0.5 of 24) as sent',
    (sent) => {
      const result = checkBusinessEvent(
        'cost_optimization_event',
        example('cost_optimization_event', { ...costs, savings_percentage: sent }),
      );
      expect(result.ok && result.properties.savings_percentage).toBe(sent);
    },
  );

  it.each([24.51, 23.49, 0, 100])('rejects %s (off by more than 0.5 from 24)', (sent) => {
    const result = checkBusinessEvent(
      'cost_optimization_event',
      example('cost_optimization_event', { ...costs, savings_percentage: sent }),
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          event: 'cost_optimization_event',
          property: 'savings_percentage',
          rule: 'consistency',
          expected: `${savingsFormula} = 24 (±0.5)`,
          value: sent,
          message: `cost_optimization_event: property "savings_percentage" must be ${savingsFormula} = 24 (±0.5) (rule: consistency); received ${sent}`,
        },
      ],
    });
  });

  it('rounds the computed value in the message to 4 decimals', () => {
    const result = checkBusinessEvent(
      'cost_optimization_event',
      example('cost_optimization_event', { baseline_cost: 3, optimized_cost: 2, savings_percentage: 50 }),
    );
    expect(!result.ok && result.issues[0]?.expected).toBe(`${savingsFormula} = 33.3333 (±0.5)`);
  });

  it.each([
    ['only the baseline', { baseline_cost: 1000 }],
    ['only the optimized cost', { optimized_cost: 760 }],
    ['a zero baseline', { baseline_cost: 0, optimized_cost: 0 }],
  ])('is neither computed nor checked with %s', (_case, extra) => {
    const absent = checkBusinessEvent('cost_optimization_event', example('cost_optimization_event', extra));
    expect(absent.ok && 'savings_percentage' in absent.properties).toBe(false);
    const sent = checkBusinessEvent(
      'cost_optimization_event',
      example('cost_optimization_event', { ...extra, savings_percentage: 37 }),
    );
    expect(sent.ok && sent.properties.savings_percentage).toBe(37);
  });

  // A cost increase computes below the 0..100 range the schema allows: storing it would hand
  // downstream readers (and a second check) a value the catalog itself rejects.
  it('is left absent when the costs went up, and the event still checks again', () => {
    const properties = example('cost_optimization_event', {
      optimization_type: 'rejected',
      savings_amount: 0,
      baseline_cost: 100,
      optimized_cost: 200,
    });
    const first = checkBusinessEvent('cost_optimization_event', properties);
    expect(first.ok && 'savings_percentage' in first.properties).toBe(false);
    expect(checkBusinessEvent('cost_optimization_event', { ...properties }).ok).toBe(true);
  });
});

describe('utilization_percentage (resource_usage_event)', () => {
  const usage = { current_usage: 30, capacity: 120 }; // 25 %

  it('is computed from current_usage / capacity when absent', () => {
    const result = checkBusinessEvent('resource_usage_event', example('resource_usage_event', usage));
    expect(result.ok && result.properties.utilization_percentage).toBe(25);
  });

  it('may exceed 100 when usage is over capacity', () => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { current_usage: 150, capacity: 100 }),
    );
    expect(result.ok && result.properties.utilization_percentage).toBe(150);
  });

  it.each([25, 25.5, 24.5])('accepts %s (within 0.5 of 25) as sent', (sent) => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { ...usage, utilization_percentage: sent }),
    );
    expect(result.ok && result.properties.utilization_percentage).toBe(sent);
  });

  it('rejects a value off by more than 0.5', () => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { ...usage, utilization_percentage: 26 }),
    );
    expect(!result.ok && result.issues.map((i) => i.message)).toEqual([
      'resource_usage_event: property "utilization_percentage" must be current_usage / capacity × 100 = 25 (±0.5) (rule: consistency); received 26',
    ]);
  });

  it('is left absent when the ratio overflows to Infinity', () => {
    const properties = example('resource_usage_event', { current_usage: 1, capacity: 1e-320 });
    const result = checkBusinessEvent('resource_usage_event', properties);
    expect(result.ok && 'utilization_percentage' in result.properties).toBe(false);
  });

  it('runs after the schema check: a broken capacity is a schema issue, not a division', () => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { capacity: 0, utilization_percentage: 50 }),
    );
    expect(!result.ok && result.issues.map((i) => [i.property, i.rule])).toEqual([
      ['capacity', 'exclusiveMinimum'],
    ]);
  });
});

describe('derived defaults', () => {
  it('strategic_decision_event: decision_id defaults to the uuid passed in the context', () => {
    const result = checkBusinessEvent('strategic_decision_event', example('strategic_decision_event'), {
      uuid: '0190c6a2-7d2b-7b7e-9f1a-3c4d5e6f7a8b',
    });
    expect(result.ok && result.properties.decision_id).toBe('0190c6a2-7d2b-7b7e-9f1a-3c4d5e6f7a8b');
  });

  it('strategic_decision_event: a sent decision_id wins over the uuid', () => {
    const result = checkBusinessEvent(
      'strategic_decision_event',
      example('strategic_decision_event', { decision_id: 'dec-42' }),
      { uuid: '0190c6a2-7d2b-7b7e-9f1a-3c4d5e6f7a8b' },
    );
    expect(result.ok && result.properties.decision_id).toBe('dec-42');
  });

  it('strategic_decision_event: no uuid, no decision_id', () => {
    const result = checkBusinessEvent('strategic_decision_event', example('strategic_decision_event'));
    expect(result.ok && 'decision_id' in result.properties).toBe(false);
  });

  it('resource_usage_event: resource_id defaults to resource_type', () => {
    const result = checkBusinessEvent('resource_usage_event', example('resource_usage_event'));
    expect(result.ok && result.properties.resource_id).toBe('database');
  });

  it('resource_usage_event: a sent resource_id is kept', () => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { resource_id: 'db-eu-1' }),
    );
    expect(result.ok && result.properties.resource_id).toBe('db-eu-1');
  });
});

describe('unknown extra properties', () => {
  it('are kept untouched, with the same values and nested objects', () => {
    const nested = { plan: 'pro', seats: [1, 2, 3] };
    const properties = example('revenue_impact_event', {
      $lib: 'posthog-node',
      campaign_id: 'cmp_9',
      nested,
      nothing: null,
      flag: false,
    });
    const result = checkBusinessEvent('revenue_impact_event', properties);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.properties).toEqual(properties);
    expect(result.properties.nested).toBe(nested);
    expect(nested).toEqual({ plan: 'pro', seats: [1, 2, 3] });
    expect(Object.keys(result.properties)).toEqual(Object.keys(properties));
  });

  it('are kept beside derived fields', () => {
    const result = checkBusinessEvent(
      'resource_usage_event',
      example('resource_usage_event', { region: 'eu-west-1' }),
    );
    expect(result.ok && result.properties).toEqual({
      tenant_id: 'tenant-123',
      resource_type: 'database',
      current_usage: 30,
      capacity: 120,
      region: 'eu-west-1',
      resource_id: 'database',
      utilization_percentage: 25,
    });
  });
});
