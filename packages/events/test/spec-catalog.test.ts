import { describe, expect, it } from 'vitest';
import { businessEventNames, eventFields, type BusinessEventName, type FieldKind } from '../src/index.js';
import { propertySchema } from './examples.js';

// The catalog written out by hand: the other tests check the validator against the schemas, this one checks
// the schemas against the product. R = required; closed enums with their values.

const levels4 = ['low', 'medium', 'high', 'critical'];
const levels3 = ['low', 'medium', 'high'];

const spec: Record<
  BusinessEventName,
  { required: string[]; optional: string[]; enums: Record<string, string[]> }
> = {
  revenue_impact_event: {
    required: ['impact_amount', 'impact_type'],
    optional: [
      'event_category',
      'event_type',
      'customer_ltv',
      'urgency_level',
      'action_required',
      'affected_emails',
      'bounce_rate',
      'spam_rate',
      'timeframe',
      'mitigation_actions',
      'estimated_resolution_time',
      'priority_level',
    ],
    enums: { impact_type: ['negative', 'positive'], urgency_level: levels4, priority_level: levels4 },
  },
  cost_optimization_event: {
    required: ['savings_amount', 'optimization_type'],
    optional: [
      'optimization_category',
      'baseline_cost',
      'optimized_cost',
      'savings_percentage',
      'implementation_complexity',
      'timeframe_required',
      'required_actions',
      'resources_needed',
      'roi',
      'payback_period_months',
      'risk_level',
      'tracked_by',
    ],
    enums: {
      optimization_type: ['identified', 'implemented', 'rejected'],
      implementation_complexity: levels3,
      risk_level: levels3,
    },
  },
  operational_efficiency_event: {
    required: ['efficiency_metric', 'efficiency_score'],
    optional: [
      'current_value',
      'baseline_value',
      'target_value',
      'trend_direction',
      'cost_impact',
      'customer_impact',
      'operational_impact',
      'recommendations',
      'requires_executive_attention',
    ],
    enums: { trend_direction: ['improving', 'stable', 'declining'] },
  },
  strategic_decision_event: {
    required: ['decision_type', 'decision_title'],
    optional: [
      'decision_id',
      'status',
      'decision_maker',
      'decision_date',
      'factors_considered',
      'alternative_options',
      'selected_option',
      'business_justification',
      'expected_revenue_impact',
      'expected_cost_impact',
      'actual_revenue_impact',
      'actual_cost_impact',
      'outcome_timeframe',
      'outcome_confidence',
      'tracking_kpis',
      'tracking_period',
      'review_schedule',
      'next_review_date',
      'priority_decision',
    ],
    enums: {
      status: ['proposed', 'approved', 'in_progress', 'delayed', 'completed', 'cancelled'],
      outcome_confidence: levels3,
    },
  },
  email_deliverability_event: {
    required: ['email_count', 'delivery_outcome'],
    optional: [
      'bounce_rate',
      'spam_rate',
      'provider',
      'sending_ip',
      'sending_domain',
      'ip_reputation',
      'domain_reputation',
      'cost_impact',
      'risk_level',
      'actions_required',
      'estimated_resolution_time',
      'requires_immediate_attention',
    ],
    enums: {
      delivery_outcome: ['delivered', 'bounced', 'deferred', 'complained', 'mixed'],
      provider: ['sendgrid', 'mailgun', 'ses', 'other'],
      ip_reputation: ['poor', 'fair', 'good', 'excellent'],
      domain_reputation: ['poor', 'fair', 'good', 'excellent'],
      risk_level: levels4,
    },
  },
  resource_usage_event: {
    required: ['resource_type', 'current_usage', 'capacity'],
    optional: [
      'resource_id',
      'utilization_percentage',
      'usage_trend',
      'cost_per_unit',
      'total_cost',
      'optimization_opportunities',
      'over_utilized',
      'under_utilized',
      'cost_efficient',
    ],
    enums: { usage_trend: ['increasing', 'stable', 'decreasing'] },
  },
  security_incident_event: {
    required: ['incident_type', 'severity', 'affects_customer_data'],
    optional: ['records_affected', 'status', 'description'],
    enums: { severity: levels4, status: ['open', 'contained', 'resolved'] },
  },
};

describe('the catalog matches the product definition written out by hand', () => {
  it('has exactly the seven event types', () => {
    expect([...businessEventNames].sort()).toEqual(Object.keys(spec).sort());
  });

  it.each(businessEventNames)('%s: required and optional properties', (name) => {
    const fields = eventFields(name);
    const required = fields.filter((f) => f.required).map((f) => f.name);
    const optional = fields.filter((f) => !f.required).map((f) => f.name);
    expect(required.sort()).toEqual(['tenant_id', ...spec[name].required].sort());
    expect(optional.sort()).toEqual(['tracking_date', ...spec[name].optional].sort());
  });

  it.each(businessEventNames)('%s: closed enums and their values; every other string is open', (name) => {
    const closed = Object.fromEntries(
      eventFields(name)
        .filter((f) => f.values.length)
        .map((f) => [f.name, f.values]),
    );
    expect(closed).toEqual(spec[name].enums);
  });

  it('event_category is always revenue_impact', () => {
    expect(propertySchema('revenue_impact_event', 'event_category').const).toBe('revenue_impact');
  });

  // "Money is USD in major units… Rates are fractions 0..1; percentages are 0..100."
  it.each([
    ['revenue_impact_event', 'impact_amount', 'number', 0, undefined, undefined],
    ['revenue_impact_event', 'customer_ltv', 'number', 0, undefined, undefined],
    ['revenue_impact_event', 'affected_emails', 'integer', 0, Number.MAX_SAFE_INTEGER, undefined],
    ['revenue_impact_event', 'bounce_rate', 'number', 0, 1, undefined],
    ['revenue_impact_event', 'spam_rate', 'number', 0, 1, undefined],
    ['cost_optimization_event', 'savings_amount', 'number', 0, undefined, undefined],
    ['cost_optimization_event', 'savings_percentage', 'number', 0, 100, undefined],
    ['operational_efficiency_event', 'efficiency_score', 'number', 0, 100, undefined],
    ['email_deliverability_event', 'email_count', 'integer', 0, Number.MAX_SAFE_INTEGER, undefined],
    ['email_deliverability_event', 'bounce_rate', 'number', 0, 1, undefined],
    ['email_deliverability_event', 'spam_rate', 'number', 0, 1, undefined],
    ['resource_usage_event', 'capacity', 'number', undefined, undefined, 0],
    ['security_incident_event', 'records_affected', 'integer', 0, Number.MAX_SAFE_INTEGER, undefined],
  ] as const)(
    '%s %s is %s, minimum %s, maximum %s, exclusiveMinimum %s',
    (name, field, kind, min, max, exclusiveMin) => {
      const schema = propertySchema(name, field);
      expect(eventFields(name).find((f) => f.name === field)?.kind).toBe<FieldKind>(kind);
      expect([schema.minimum, schema.maximum, schema.exclusiveMinimum]).toEqual([min, max, exclusiveMin]);
    },
  );

  it.each([
    ['revenue_impact_event', 'mitigation_actions'],
    ['cost_optimization_event', 'required_actions'],
    ['cost_optimization_event', 'resources_needed'],
    ['operational_efficiency_event', 'recommendations'],
    ['strategic_decision_event', 'factors_considered'],
    ['strategic_decision_event', 'alternative_options'],
    ['strategic_decision_event', 'tracking_kpis'],
    ['email_deliverability_event', 'actions_required'],
    ['resource_usage_event', 'optimization_opportunities'],
  ] as const)('%s %s is a list of strings', (name, field) => {
    expect(eventFields(name).find((f) => f.name === field)?.kind).toBe('string[]');
  });

  it.each([
    ['operational_efficiency_event', 'requires_executive_attention'],
    ['strategic_decision_event', 'priority_decision'],
    ['email_deliverability_event', 'requires_immediate_attention'],
    ['resource_usage_event', 'over_utilized'],
    ['resource_usage_event', 'under_utilized'],
    ['resource_usage_event', 'cost_efficient'],
    ['security_incident_event', 'affects_customer_data'],
  ] as const)('%s %s is true or false', (name, field) => {
    expect(eventFields(name).find((f) => f.name === field)?.kind).toBe('boolean');
  });
});
