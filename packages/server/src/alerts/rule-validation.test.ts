import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { defaultRules } from './default-rules.js';
import { parseRule, parseRuleSet } from './rule-validation.js';

const base = () =>
  structuredClone(defaultRules.find((r) => r.id === 'revenue-loss-critical')) as unknown as Record<
    string,
    unknown
  >;

/** The message of the ValidationError `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('rule validation names the field', () => {
  it('accepts the defaults, as a list or as {rules}', () => {
    expect(parseRuleSet({ rules: structuredClone(defaultRules) })).toHaveLength(defaultRules.length);
  });

  it('refuses schema violations', () => {
    expect(refusal(() => parseRuleSet([{ ...base(), severity: 'urgent' }]))).toBe(
      'rules[0].severity must be one of "critical", "high", "medium"; received "urgent"',
    );
    const { name: _name, ...noName } = base();
    expect(refusal(() => parseRule(noName))).toBe('name is required');
    expect(refusal(() => parseRule({ ...base(), colour: 'red' }))).toBe('colour is not a known field');
    expect(refusal(() => parseRule({ ...base(), id: 'Bad Id' }))).toBe(
      'id must match \'^[a-z0-9][a-z0-9_.-]{0,79}$\'; received "Bad Id"',
    );
    expect(refusal(() => parseRule({ ...base(), events: ['page_view'] }))).toMatch(
      /^events\[0\] must be one of "revenue_impact_event"/,
    );
    expect(refusal(() => parseRule({ ...base(), cooldownMinutes: -1 }))).toBe(
      'cooldownMinutes must be greater or equal to 0; received -1',
    );
    expect(refusal(() => parseRule({ ...base(), condition: { kind: 'forecast' } }))).toMatch(
      /^condition\.kind must be one of/,
    );
    expect(
      refusal(() =>
        parseRule({
          ...base(),
          condition: { kind: 'window', aggregate: 'weighted_mean', property: 'bounce_rate' },
        }),
      ),
    ).toBe('condition.minutes is required');
    expect(
      refusal(() =>
        parseRule({
          ...base(),
          condition: { kind: 'compare', all: [{ property: 'impact_amount', op: '~', value: 1 }] },
        }),
      ),
    ).toMatch(
      /^condition\.all\[0\]\.op must be one of ">", ">=", "<", "<=", "==", "!=", "in", "not_in", "exists"/,
    );
  });

  it('refuses what the catalog contradicts', () => {
    const compare = (all: unknown[]) => ({ ...base(), condition: { kind: 'compare', all } });
    expect(refusal(() => parseRule(compare([{ property: 'impact_amont', op: '>', value: 1 }])))).toBe(
      'condition.all[0].property names "impact_amont", which revenue_impact_event does not have',
    );
    expect(refusal(() => parseRule(compare([{ property: 'impact_type', op: '>', value: 1 }])))).toBe(
      'condition.all[0].op > needs a numeric property; impact_type is string',
    );
    expect(refusal(() => parseRule(compare([{ property: 'impact_amount', op: '>', value: '10000' }])))).toBe(
      'condition.all[0].value must be a number for op ">"',
    );
    expect(refusal(() => parseRule(compare([{ property: 'impact_type', op: '==', value: true }])))).toBe(
      'condition.all[0].value must be a string to compare with impact_type (string); received true',
    );
    expect(refusal(() => parseRule(compare([])))).toBe(
      'condition.all must hold at least one predicate (or give "any")',
    );
    expect(refusal(() => parseRule({ ...base(), key: ['resource_id'] }))).toBe(
      'key[0] names "resource_id", which revenue_impact_event does not have',
    );
    expect(refusal(() => parseRule({ ...base(), amount: 'impact_type' }))).toBe(
      'amount must name a numeric property; impact_type is string',
    );
    const window = {
      ...base(),
      events: ['email_deliverability_event'],
      key: [],
      amount: undefined,
      condition: {
        kind: 'window',
        aggregate: 'weighted_mean',
        property: 'bounce_rate',
        minutes: 60,
        minSample: 1,
        op: '>',
        value: 0.1,
      },
    };
    expect(refusal(() => parseRule(window))).toBe(
      'condition.weight is required by aggregate "weighted_mean"',
    );
    const overdue = {
      ...base(),
      events: ['strategic_decision_event'],
      key: [],
      amount: undefined,
      condition: { kind: 'overdue', date: 'decision_title', entity: 'decision_id' },
    };
    expect(refusal(() => parseRule(overdue))).toBe(
      'condition.date must name a date-time property; decision_title is string',
    );
  });

  it('refuses duplicate ids in a set', () => {
    expect(refusal(() => parseRuleSet([base(), base()]))).toBe(
      'rules[1].id repeats "revenue-loss-critical"; rule ids are unique',
    );
    expect(refusal(() => parseRuleSet('nope'))).toBe('rules must be a list of rules (or {"rules": [...]})');
  });
});

describe('trend conditions', () => {
  const trend = (condition: Record<string, unknown>) => ({
    ...base(),
    condition: {
      kind: 'anomaly',
      aggregate: 'sum',
      property: 'impact_amount',
      direction: 'up',
      bucketMinutes: 60,
      baselineBuckets: 24,
      method: 'mad',
      threshold: 4,
      minSample: 12,
      ...condition,
    },
  });

  it('accepts anomaly and change_percent rules', () => {
    expect(parseRule(trend({})).condition.kind).toBe('anomaly');
    const change = trend({ kind: 'change_percent', minutes: 1440, percent: 50, minSample: 5 });
    const { bucketMinutes: _b, baselineBuckets: _n, method: _m, threshold: _t, ...rest } = change.condition;
    expect(parseRule({ ...change, condition: rest }).condition.kind).toBe('change_percent');
  });

  it('refuses what cannot be evaluated, naming the field', () => {
    expect(refusal(() => parseRule(trend({ method: 'iqr' })))).toBe(
      'condition.method must be one of "zscore", "mad"; received "iqr"',
    );
    expect(refusal(() => parseRule(trend({ minSample: 30 })))).toBe(
      'condition.minSample asks for 30 baseline buckets but the baseline has 24',
    );
    expect(refusal(() => parseRule(trend({ aggregate: 'weighted_mean' })))).toBe(
      'condition.weight is required by aggregate "weighted_mean"',
    );
    expect(refusal(() => parseRule(trend({ weight: 'affected_emails' })))).toBe(
      'condition.weight is only used by aggregate "weighted_mean"',
    );
    expect(refusal(() => parseRule(trend({ property: 'impact_type' })))).toBe(
      'condition.property must name a numeric property; impact_type is string',
    );
    expect(parseRule(trend({ aggregate: 'count', property: 'impact_type' })).condition.kind).toBe('anomaly');
  });
});
