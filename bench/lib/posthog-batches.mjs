// Deterministic PostHog-shaped batches of business events for benchmarks: the same seed gives the
// same bytes on every machine, so runs compare.
import { eventFields } from '@pulse/events';

/** mulberry32: a tiny seeded PRNG, good enough to pick values. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const levels4 = ['low', 'medium', 'high', 'critical'];
const levels3 = ['low', 'medium', 'high'];

/** Realistic properties of each business event type, the way a SaaS backend would send them. */
const makers = {
  revenue_impact_event: (r, pick, money) => ({
    impact_amount: money(50_000),
    impact_type: pick(['negative', 'positive']),
    event_category: 'revenue_impact',
    event_type: pick(['deliverability_issue', 'churn_risk', 'payment_failure', 'upsell']),
    customer_ltv: money(200_000),
    urgency_level: pick(levels4),
    affected_emails: Math.floor(r() * 20_000),
    bounce_rate: Math.round(r() * 300) / 1000,
    mitigation_actions: ['Review email list hygiene', 'Warm up the new sending IP'],
    priority_level: pick(levels4),
  }),
  cost_optimization_event: (r, pick, money) => {
    const baseline = money(20_000) + 100;
    const optimized = Math.round(baseline * (0.5 + r() * 0.5) * 100) / 100;
    const sent = r() < 0.5 ? { savings_percentage: Math.round((1 - optimized / baseline) * 1000) / 10 } : {};
    return {
      ...sent,
      savings_amount: Math.round((baseline - optimized) * 100) / 100,
      optimization_type: pick(['identified', 'implemented', 'rejected']),
      optimization_category: pick(['infrastructure', 'email_service', 'software', 'staffing']),
      baseline_cost: baseline,
      optimized_cost: optimized,
      implementation_complexity: pick(levels3),
      required_actions: ['Migrate to reserved instances'],
      risk_level: pick(levels3),
    };
  },
  operational_efficiency_event: (r, pick) => ({
    efficiency_metric: pick(['email_delivery_rate', 'support_response_time']),
    efficiency_score: Math.round(r() * 1000) / 10,
    current_value: Math.round(r() * 1000) / 10,
    target_value: 95,
    trend_direction: pick(['improving', 'stable', 'declining']),
    recommendations: ['Automate tier-1 triage'],
    requires_executive_attention: r() < 0.2,
  }),
  strategic_decision_event: (r, pick, money, i) => ({
    decision_type: pick(['budget_allocation', 'vendor_selection', 'hiring']),
    decision_title: `Decision ${i % 17}`,
    status: pick(['proposed', 'approved', 'in_progress', 'delayed', 'completed', 'cancelled']),
    decision_maker: 'CEO',
    factors_considered: ['cost', 'deliverability', 'support'],
    expected_revenue_impact: money(100_000),
    outcome_confidence: pick(levels3),
    next_review_date: '2026-03-01T09:00:00Z',
  }),
  email_deliverability_event: (r, pick, money) => ({
    email_count: Math.floor(r() * 50_000),
    delivery_outcome: pick(['delivered', 'bounced', 'deferred', 'complained', 'mixed']),
    bounce_rate: Math.round(r() * 250) / 1000,
    spam_rate: Math.round(r() * 20) / 1000,
    provider: pick(['sendgrid', 'mailgun', 'ses', 'other']),
    sending_domain: 'mail.example.com',
    ip_reputation: pick(['poor', 'fair', 'good', 'excellent']),
    cost_impact: money(5_000),
    risk_level: pick(levels4),
  }),
  resource_usage_event: (r, pick, money) => ({
    resource_type: pick(['vps_instance', 'database', 'storage', 'bandwidth', 'email_credits']),
    current_usage: Math.round(r() * 900),
    capacity: 1000,
    usage_trend: pick(['increasing', 'stable', 'decreasing']),
    cost_per_unit: 0.05,
    total_cost: money(3_000),
    cost_efficient: r() < 0.7,
  }),
  security_incident_event: (r, pick) => ({
    incident_type: pick(['unauthorized_access', 'data_leak', 'phishing', 'ddos']),
    severity: pick(levels4),
    affects_customer_data: r() < 0.1,
    records_affected: Math.floor(r() * 1000),
    status: pick(['open', 'contained', 'resolved']),
  }),
};

export const eventNames = Object.keys(makers);

/** One rule broken per event, cycling through the kinds of mistake a sender makes. */
const breakers = [
  (name, p) => delete p[eventFields(name).find((f) => f.required && f.name !== 'tenant_id').name],
  (_name, p) => (p.tenant_id = ''),
  (_name, p) => (p.tracking_date = '2025-13-45'),
  (name, p) =>
    (p[eventFields(name).find((f) => f.required && f.name !== 'tenant_id').name] = { wrong: 'type' }),
  (name, p) => {
    const specific = {
      revenue_impact_event: () => (p.mitigation_actions = ['a', 3]),
      cost_optimization_event: () => (p.savings_percentage = 99),
      operational_efficiency_event: () => (p.efficiency_score = 140),
      strategic_decision_event: () => (p.status = 'paused'),
      email_deliverability_event: () => (p.bounce_rate = 1.5),
      resource_usage_event: () => (p.capacity = 0),
      security_incident_event: () => (p.severity = 'urgent'),
    };
    specific[name]();
  },
];

/**
 * A posthog-node `/batch` body of `size` business events of mixed types, as a JSON string.
 * `invalid` breaks one rule in every event.
 */
export function batchBody({ seed, size = 100, invalid = false }) {
  const r = seededRandom(seed);
  const pick = (values) => values[Math.floor(r() * values.length)];
  const money = (max) => Math.round(r() * max * 100) / 100;
  const batch = [];
  for (let i = 0; i < size; i++) {
    const event = eventNames[Math.floor(r() * eventNames.length)];
    const tenant = `tenant-${Math.floor(r() * 20)}`;
    const timestamp = new Date(Date.UTC(2025, 11, 1) + Math.floor(r() * 30 * 86_400_000)).toISOString();
    const properties = {
      tenant_id: tenant,
      tracking_date: timestamp,
      ...makers[event](r, pick, money, i),
      $lib: 'posthog-node',
      $lib_version: '5.9.0',
      $geoip_disable: true,
    };
    if (invalid) breakers[i % breakers.length](event, properties);
    batch.push({
      event,
      distinct_id: tenant,
      uuid: `0190c6a2-7d2b-7b7e-9f1a-${(seed * 1000 + i).toString(16).padStart(12, '0')}`,
      timestamp,
      type: 'capture',
      library: 'posthog-node',
      library_version: '5.9.0',
      properties,
    });
  }
  return JSON.stringify({ api_key: 'phc_bench', batch, sent_at: '2025-12-31T00:00:00.000Z' });
}
