import { describe, expect, it } from 'vitest';
import { checkBusinessEvent, type BusinessEventName, type SchemaIssue } from '../src/index.js';
import { example, minimalProperties } from './examples.js';

// The exact words a sender sees for each rule. The generated tables in schema-rules.test.ts cover
// every property; these are the ones a reader should be able to check by eye.

function issuesOf(name: BusinessEventName, properties: unknown): SchemaIssue[] {
  const result = checkBusinessEvent(name, properties);
  if (result.ok) throw new Error(`expected ${name} to fail: ${JSON.stringify(properties)}`);
  return result.issues;
}

function without(name: BusinessEventName, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = minimalProperties[name];
  return rest;
}

interface MessageCase {
  event: BusinessEventName;
  properties: Record<string, unknown>;
  message: string;
}

const cases: MessageCase[] = [
  // required
  {
    event: 'revenue_impact_event',
    properties: without('revenue_impact_event', 'impact_amount'),
    message: 'revenue_impact_event: property "impact_amount" is required (a number ≥ 0) but was missing',
  },
  {
    event: 'revenue_impact_event',
    properties: without('revenue_impact_event', 'impact_type'),
    message:
      'revenue_impact_event: property "impact_type" is required (one of negative | positive) but was missing',
  },
  {
    event: 'cost_optimization_event',
    properties: without('cost_optimization_event', 'tenant_id'),
    message: 'cost_optimization_event: property "tenant_id" is required (a non-empty string) but was missing',
  },
  {
    event: 'strategic_decision_event',
    properties: without('strategic_decision_event', 'decision_title'),
    message:
      'strategic_decision_event: property "decision_title" is required (a non-empty string) but was missing',
  },
  {
    event: 'resource_usage_event',
    properties: without('resource_usage_event', 'capacity'),
    message: 'resource_usage_event: property "capacity" is required (a number > 0) but was missing',
  },
  {
    event: 'email_deliverability_event',
    properties: without('email_deliverability_event', 'email_count'),
    message:
      'email_deliverability_event: property "email_count" is required (a whole number ≥ 0 and ≤ 9007199254740991) but was missing',
  },
  {
    event: 'security_incident_event',
    properties: without('security_incident_event', 'affects_customer_data'),
    message:
      'security_incident_event: property "affects_customer_data" is required (true or false) but was missing',
  },
  // type
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { impact_amount: '2500' }),
    message:
      'revenue_impact_event: property "impact_amount" must be a number ≥ 0 (rule: type); received "2500"',
  },
  {
    event: 'email_deliverability_event',
    properties: example('email_deliverability_event', { email_count: 10.5 }),
    message:
      'email_deliverability_event: property "email_count" must be a whole number ≥ 0 and ≤ 9007199254740991 (rule: type); received 10.5',
  },
  {
    event: 'security_incident_event',
    properties: example('security_incident_event', { affects_customer_data: 'yes' }),
    message:
      'security_incident_event: property "affects_customer_data" must be true or false (rule: type); received "yes"',
  },
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { mitigation_actions: 'pause campaign' }),
    message:
      'revenue_impact_event: property "mitigation_actions" must be a list of strings (rule: type); received "pause campaign"',
  },
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { mitigation_actions: ['a', 3] }),
    message:
      'revenue_impact_event: property "mitigation_actions[1]" must be a string (rule: type); received 3',
  },
  {
    event: 'operational_efficiency_event',
    properties: example('operational_efficiency_event', { recommendations: [{ text: 'retry' }] }),
    message:
      'operational_efficiency_event: property "recommendations[0]" must be a string (rule: type); received {"text":"retry"}',
  },
  {
    event: 'strategic_decision_event',
    properties: example('strategic_decision_event', { expected_revenue_impact: null }),
    message:
      'strategic_decision_event: property "expected_revenue_impact" must be a number (rule: type); received null',
  },
  // minimum, maximum, exclusiveMinimum
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { impact_amount: -1 }),
    message:
      'revenue_impact_event: property "impact_amount" must be a number ≥ 0 (rule: minimum); received -1',
  },
  {
    event: 'security_incident_event',
    properties: example('security_incident_event', { records_affected: -3 }),
    message:
      'security_incident_event: property "records_affected" must be a whole number ≥ 0 and ≤ 9007199254740991 (rule: minimum); received -3',
  },
  {
    event: 'email_deliverability_event',
    properties: example('email_deliverability_event', { bounce_rate: 12 }),
    message:
      'email_deliverability_event: property "bounce_rate" must be a number ≥ 0 and ≤ 1 (rule: maximum); received 12',
  },
  {
    event: 'operational_efficiency_event',
    properties: example('operational_efficiency_event', { efficiency_score: 101 }),
    message:
      'operational_efficiency_event: property "efficiency_score" must be a number ≥ 0 and ≤ 100 (rule: maximum); received 101',
  },
  {
    event: 'cost_optimization_event',
    properties: example('cost_optimization_event', { savings_percentage: 120 }),
    message:
      'cost_optimization_event: property "savings_percentage" must be a number ≥ 0 and ≤ 100 (rule: maximum); received 120',
  },
  {
    event: 'resource_usage_event',
    properties: example('resource_usage_event', { capacity: 0 }),
    message:
      'resource_usage_event: property "capacity" must be a number > 0 (rule: exclusiveMinimum); received 0',
  },
  {
    event: 'resource_usage_event',
    properties: example('resource_usage_event', { capacity: -5 }),
    message:
      'resource_usage_event: property "capacity" must be a number > 0 (rule: exclusiveMinimum); received -5',
  },
  // enum, const
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { impact_type: 'bad' }),
    message:
      'revenue_impact_event: property "impact_type" must be one of negative | positive (rule: enum); received "bad"',
  },
  {
    event: 'cost_optimization_event',
    properties: example('cost_optimization_event', { optimization_type: 'planned' }),
    message:
      'cost_optimization_event: property "optimization_type" must be one of identified | implemented | rejected (rule: enum); received "planned"',
  },
  {
    event: 'strategic_decision_event',
    properties: example('strategic_decision_event', { status: 'paused' }),
    message:
      'strategic_decision_event: property "status" must be one of proposed | approved | in_progress | delayed | completed | cancelled (rule: enum); received "paused"',
  },
  {
    event: 'email_deliverability_event',
    properties: example('email_deliverability_event', { provider: 'postmark' }),
    message:
      'email_deliverability_event: property "provider" must be one of sendgrid | mailgun | ses | other (rule: enum); received "postmark"',
  },
  {
    event: 'security_incident_event',
    properties: example('security_incident_event', { severity: 'HIGH' }),
    message:
      'security_incident_event: property "severity" must be one of low | medium | high | critical (rule: enum); received "HIGH"',
  },
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { event_category: 'revenue' }),
    message:
      'revenue_impact_event: property "event_category" must be exactly "revenue_impact" (rule: const); received "revenue"',
  },
  // minLength
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { tenant_id: '' }),
    message:
      'revenue_impact_event: property "tenant_id" must be a non-empty string (rule: minLength); received ""',
  },
  {
    event: 'resource_usage_event',
    properties: example('resource_usage_event', { resource_type: '' }),
    message:
      'resource_usage_event: property "resource_type" must be a non-empty string (rule: minLength); received ""',
  },
  // format
  {
    event: 'revenue_impact_event',
    properties: example('revenue_impact_event', { tracking_date: '2025-13-45' }),
    message:
      'revenue_impact_event: property "tracking_date" must be an ISO 8601 date-time such as 2025-12-19T10:30:00Z (rule: format); received "2025-13-45"',
  },
  {
    event: 'strategic_decision_event',
    properties: example('strategic_decision_event', { next_review_date: 'next Tuesday' }),
    message:
      'strategic_decision_event: property "next_review_date" must be an ISO 8601 date-time such as 2025-12-19T10:30:00Z (rule: format); received "next Tuesday"',
  },
  // the properties object itself
  {
    event: 'security_incident_event',
    properties: null as unknown as Record<string, unknown>,
    message: 'security_incident_event: property "properties" must be an object (rule: type); received null',
  },
];

describe('schema issue messages', () => {
  it.each(cases)('$message', ({ event, properties, message }) => {
    expect(issuesOf(event, properties).map((i) => i.message)).toEqual([message]);
  });

  it('carries the event, property, rule, expectation and received value beside the message', () => {
    expect(issuesOf('resource_usage_event', example('resource_usage_event', { capacity: 0 }))).toEqual([
      {
        event: 'resource_usage_event',
        property: 'capacity',
        rule: 'exclusiveMinimum',
        expected: 'a number > 0',
        value: 0,
        message:
          'resource_usage_event: property "capacity" must be a number > 0 (rule: exclusiveMinimum); received 0',
      },
    ]);
  });

  it('reports every broken property, each once, by the first rule it breaks', () => {
    const issues = issuesOf('revenue_impact_event', {
      tenant_id: '',
      impact_type: 'bad',
      bounce_rate: -0.5,
      mitigation_actions: [1, 'ok', false],
    });
    expect(issues.map((i) => [i.property, i.rule])).toEqual([
      ['impact_amount', 'required'],
      ['tenant_id', 'minLength'],
      ['impact_type', 'enum'],
      ['bounce_rate', 'minimum'],
      ['mitigation_actions[0]', 'type'],
      ['mitigation_actions[2]', 'type'],
    ]);
  });

  it('rejects a properties value that is not an object', () => {
    for (const value of [undefined, 'tenant-123', 42, ['tenant-123']]) {
      const [issue] = issuesOf('revenue_impact_event', value);
      expect(issue).toMatchObject({ property: 'properties', rule: 'type', expected: 'an object' });
    }
  });

  it('shortens long received values to 80 characters', () => {
    const [issue] = issuesOf(
      'revenue_impact_event',
      example('revenue_impact_event', { impact_type: 'x'.repeat(200) }),
    );
    expect(issue?.message).toBe(
      `revenue_impact_event: property "impact_type" must be one of negative | positive (rule: enum); received "${'x'.repeat(76)}...`,
    );
  });

  // Values a JavaScript caller (the SDK) can pass but JSON cannot carry.
  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [10n, '10n'],
  ])('names a non-JSON number %s as such instead of "null" or crashing', (value, shown) => {
    const [issue] = issuesOf(
      'email_deliverability_event',
      example('email_deliverability_event', { bounce_rate: value }),
    );
    expect(issue?.message).toBe(
      `email_deliverability_event: property "bounce_rate" must be a number ≥ 0 and ≤ 1 (rule: type); received ${shown}`,
    );
  });

  it('reports a circular value instead of throwing', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const [issue] = issuesOf(
      'revenue_impact_event',
      example('revenue_impact_event', { impact_amount: circular }),
    );
    expect(issue?.message).toBe(
      'revenue_impact_event: property "impact_amount" must be a number ≥ 0 (rule: type); received object',
    );
  });
});
