import { DAY_MS, isoTimestamp } from './format.js';
import type { Random } from './random.js';
import type { TenantState } from './state.js';

type Status = 'proposed' | 'approved' | 'in_progress' | 'delayed' | 'completed' | 'cancelled';

interface Template {
  type: string;
  title: string;
  maker: string;
  factors: readonly string[];
  alternatives: readonly string[];
  selected: string;
  justification: string;
  /** Expected impacts at size 1, USD; and months until the outcome is judged. */
  revenue: number;
  cost: number;
  months: number;
  kpis: readonly string[];
}

const d = (
  type: string,
  title: string,
  maker: string,
  factors: string[],
  alternatives: string[],
  selected: string,
  justification: string,
  [revenue, cost, months]: [number, number, number],
  kpis: string[],
): Template => ({
  type,
  title,
  maker,
  factors: Object.freeze(factors),
  alternatives: Object.freeze(alternatives),
  selected,
  justification,
  revenue,
  cost,
  months,
  kpis: Object.freeze(kpis),
});

const templates: readonly Template[] = [
  d(
    'budget_allocation',
    'Scale email infrastructure for Q1 growth',
    'CEO',
    ['Growth projections', 'Cost analysis', 'Risk assessment'],
    ['Deferred scaling', 'Gradual rollout'],
    'Immediate full-scale deployment',
    'Projected 25% revenue growth requires infrastructure scaling',
    [150_000, 25_000, 3],
    ['Revenue growth', 'Cost efficiency', 'System performance'],
  ),
  d(
    'vendor_selection',
    'Move transactional email to a second provider',
    'CTO',
    ['Deliverability history', 'Per-email pricing', 'Migration effort'],
    ['Stay single-provider', 'Dedicated IP pool only'],
    'Dual-provider sending with automatic failover',
    'Removes the single point of failure behind last quarter’s bounce incidents',
    [60_000, 12_000, 2],
    ['Bounce rate', 'Inbox placement', 'Cost per 1,000 emails'],
  ),
  d(
    'hiring',
    'Hire two customer success managers for enterprise accounts',
    'VP Customer Success',
    ['Churn in top accounts', 'Expansion pipeline', 'Hiring cost'],
    ['Outsource onboarding', 'Promote from support'],
    'Two senior hires this quarter',
    'Enterprise churn is the largest revenue leak',
    [220_000, 180_000, 6],
    ['Net revenue retention', 'Enterprise churn', 'Time to first value'],
  ),
  d(
    'pricing',
    'Introduce a 15% annual-billing discount',
    'CFO',
    ['Cash flow', 'Churn by billing period', 'Competitor pricing'],
    ['Keep monthly-only pricing', '10% discount'],
    '15% discount on annual prepay',
    'Annual plans churn a third as often as monthly ones',
    [90_000, 30_000, 6],
    ['Share of annual plans', 'Cash collected', 'Logo churn'],
  ),
  d(
    'market_expansion',
    'Launch an EU data-residency region',
    'CEO',
    ['EU pipeline', 'Compliance requirements', 'Infrastructure cost'],
    ['Partner-hosted region', 'Wait one year'],
    'Own EU region in Frankfurt',
    'Six EU enterprise deals are blocked on data residency',
    [400_000, 120_000, 9],
    ['EU bookings', 'Region gross margin', 'Deal cycle length'],
  ),
  d(
    'product_investment',
    'Build a self-serve onboarding flow',
    'CPO',
    ['Trial conversion', 'Support load', 'Engineering capacity'],
    ['Concierge onboarding', 'Third-party onboarding tool'],
    'In-house guided setup',
    'Half of trials stall before sending their first email',
    [130_000, 60_000, 4],
    ['Trial conversion', 'Onboarding completion', 'Setup tickets'],
  ),
  d(
    'cost_reduction',
    'Consolidate monitoring and logging tools',
    'CTO',
    ['Tool overlap', 'Contract renewal dates', 'Migration risk'],
    ['Renegotiate every contract', 'Keep the current stack'],
    'One observability vendor',
    'Three tools overlap; two renew this quarter',
    [0, -45_000, 3],
    ['Tooling spend', 'Mean time to resolve', 'Alert noise'],
  ),
  d(
    'partnership',
    'Reseller partnership with a regional MSP',
    'VP Sales',
    ['Partner reach', 'Margin share', 'Support obligations'],
    ['Direct sales hires', 'Marketplace listing'],
    'Two-year reseller agreement',
    'Reaches mid-market accounts our direct team cannot',
    [180_000, 20_000, 6],
    ['Partner-sourced bookings', 'Partner churn', 'Margin'],
  ),
  d(
    'security_investment',
    'Pursue SOC 2 Type II certification',
    'CISO',
    ['Enterprise deal requirements', 'Audit cost', 'Control gaps'],
    ['Security questionnaire only', 'ISO 27001 first'],
    'SOC 2 Type II within two quarters',
    'Enterprise procurement asks for it in most late-stage deals',
    [250_000, 70_000, 6],
    ['Deals unblocked', 'Audit findings', 'Security review cycle time'],
  ),
  d(
    'retention',
    'Proactive churn-prevention program for at-risk accounts',
    'COO',
    ['Churn signals', 'Success team capacity', 'Discount budget'],
    ['Reactive saves only', 'Blanket discounting'],
    'Health-score driven outreach',
    'Most churned accounts showed usage decline 60 days ahead',
    [160_000, 25_000, 3],
    ['Gross revenue retention', 'Saves per month', 'Health score coverage'],
  ),
];

const reviews = [
  [7, 'Weekly leadership review'],
  [14, 'Bi-weekly executive review'],
  [30, 'Monthly executive review'],
] as const;
const delayReasons = [
  'Vendor contract renegotiation',
  'Key engineer left the project',
  'Budget freeze pending quarterly review',
  'Blocked on the security review',
];

interface Decision {
  id: string;
  template: Template;
  status: Status;
  decisionDate: string;
  startedAt: number;
  nextActionAt: number;
  reviewDays: number;
  reviewSchedule: string;
  expectedRevenue: number;
  expectedCost: number;
  confidence: 'low' | 'medium' | 'high';
  trackingPeriod: string;
  priority: boolean;
  /** Share of the expected impact that materializes; fixed when work starts. */
  realization: number;
  /** Scripted delay: left alone until its review date passes. */
  stalled: boolean;
  delayReason?: string;
}

export interface DecisionBook {
  active: Decision[];
  counter: number;
  used: number;
}

function quarterOf(ms: number): string {
  const date = new Date(ms);
  return `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${date.getUTCFullYear()}`;
}

function create(t: TenantState, decidedAt: number, status: Status): Decision {
  const { rng, profile, decisions } = t;
  // Each tenant works through the list in its own order before repeating a title.
  const template = templates[(profile.index * 3 + decisions.used++) % templates.length] as Template;
  const [reviewDays, reviewSchedule] = rng.pick(reviews);
  const scale = profile.size * rng.range(0.7, 1.3);
  const expectedRevenue = Math.round((template.revenue * scale) / 1000) * 1000;
  return {
    id: `dec-${profile.id}-${String(++decisions.counter).padStart(3, '0')}`,
    template,
    status,
    decisionDate: isoTimestamp(Math.floor(decidedAt)),
    startedAt: decidedAt,
    nextActionAt: decidedAt + rng.range(1, 4) * DAY_MS,
    reviewDays,
    reviewSchedule,
    expectedRevenue,
    expectedCost: Math.round((template.cost * scale) / 1000) * 1000,
    confidence: rng.pick(['low', 'medium', 'medium', 'high', 'high'] as const),
    trackingPeriod: quarterOf(decidedAt + template.months * 30 * DAY_MS),
    priority: expectedRevenue >= 150_000 || template.maker === 'CEO',
    realization: 1,
    stalled: false,
  };
}

export const decisionBook = (): DecisionBook => ({ active: [], counter: 0, used: 0 });

/** Decisions already under way when the window opens, so completions show up early. */
export function openDecisions(t: TenantState, windowStart: number): void {
  const count = t.profile.size > 2 ? 2 : 1 + t.rng.int(2);
  for (let i = 0; i < count; i++) {
    const decided = windowStart - t.rng.range(5, 40) * DAY_MS;
    const decision = create(t, decided, t.rng.chance(0.6) ? 'in_progress' : 'approved');
    decision.startedAt = decided + 3 * DAY_MS;
    decision.realization = startRealization(t.rng, t.profile.healthStart);
    decision.nextActionAt = windowStart + t.rng.range(0, 4) * DAY_MS;
    t.decisions.active.push(decision);
  }
}

function startRealization(rng: Random, health: number): number {
  return rng.range(0.6, 1.2) * (0.5 + 0.7 * health);
}

function advance(t: TenantState, decision: Decision): void {
  const { rng } = t;
  const next = (min: number, max: number) => (decision.nextActionAt = t.ts + rng.range(min, max) * DAY_MS);
  switch (decision.status) {
    case 'proposed':
      decision.status = rng.chance(0.1 + 0.15 * (1 - t.health)) ? 'cancelled' : 'approved';
      next(1, 4);
      return;
    case 'approved':
      decision.status = 'in_progress';
      decision.startedAt = t.ts;
      decision.realization = startRealization(rng, t.health);
      next(3, 8);
      return;
    case 'in_progress': {
      const duration = Math.min(decision.template.months * 30, 21) * DAY_MS;
      if (t.ts - decision.startedAt >= duration) decision.status = 'completed';
      // Struggling tenants let initiatives slip (health 0.3: 1 review in 7); healthy ones (≥ 0.6) keep to
      // plan, so a steady tenant's delays are only the planted incident.
      else if (rng.chance(Math.max(0, 0.6 - t.health) * 0.5)) {
        decision.status = 'delayed';
        decision.delayReason = rng.pick(delayReasons);
      }
      next(3, 8);
      return;
    }
    case 'delayed':
      decision.status = 'in_progress';
      decision.stalled = false;
      next(3, 8);
      return;
    default:
      return;
  }
}

function toProperties(t: TenantState, decision: Decision): Record<string, unknown> {
  const { template } = decision;
  const props: Record<string, unknown> = {
    tenant_id: t.profile.id,
    decision_id: decision.id,
    decision_type: template.type,
    decision_title: template.title,
    status: decision.status,
    decision_maker: template.maker,
    decision_date: decision.decisionDate,
    factors_considered: template.factors,
    alternative_options: template.alternatives,
    selected_option: template.selected,
    business_justification: template.justification,
    expected_revenue_impact: decision.expectedRevenue,
    expected_cost_impact: decision.expectedCost,
    outcome_timeframe: `${template.months} months`,
    outcome_confidence: decision.confidence,
    tracking_kpis: template.kpis,
    tracking_period: decision.trackingPeriod,
    review_schedule: decision.reviewSchedule,
    tracking_date: t.iso,
    priority_decision: decision.priority,
  };
  const working = decision.status === 'in_progress' || decision.status === 'delayed';
  if (working || decision.status === 'completed') {
    const duration = decision.template.months * 30 * DAY_MS;
    const share = decision.status === 'completed' ? 1 : Math.min(0.9, (t.ts - decision.startedAt) / duration);
    props.actual_revenue_impact = Math.round(decision.expectedRevenue * share * decision.realization);
    props.actual_cost_impact = Math.round(decision.expectedCost * share * t.rng.range(0.9, 1.25));
  }
  if (decision.status === 'delayed' && decision.delayReason) props.delay_reason = decision.delayReason;
  // Finished decisions have no next review: the overdue-decision rule flags active ones left past it.
  if (decision.status !== 'completed' && decision.status !== 'cancelled')
    props.next_review_date = isoTimestamp(t.ts + decision.reviewDays * DAY_MS);
  return props;
}

function settle(t: TenantState, decision: Decision): Record<string, unknown> {
  const props = toProperties(t, decision);
  if (decision.status === 'completed' || decision.status === 'cancelled')
    t.decisions.active.splice(t.decisions.active.indexOf(decision), 1);
  return props;
}

/**
 * A strategic_decision_event: advances the decision that is due (proposed → approved → in_progress →
 * completed, sometimes cancelled or delayed), proposes a new one, or reports progress at a review.
 */
export function decisionEvent(t: TenantState): Record<string, unknown> {
  const book = t.decisions;
  let due: Decision | undefined;
  for (const decision of book.active)
    if (decision.nextActionAt <= t.ts && (!due || decision.nextActionAt < due.nextActionAt)) due = decision;
  if (due) {
    advance(t, due);
    return settle(t, due);
  }
  const limit = t.profile.size > 2 ? 3 : 2;
  const reviewable = book.active.filter((decision) => !decision.stalled);
  if (book.active.length < limit || reviewable.length === 0) {
    const decision = create(t, t.ts, 'proposed');
    book.active.push(decision);
    return toProperties(t, decision);
  }
  return toProperties(t, t.rng.pick(reviewable));
}

/** The scripted delay: a priority initiative stalls and is left past its next review. */
export function delayDecision(t: TenantState): Record<string, unknown> {
  const { rng } = t;
  let decision = t.decisions.active.find((x) => x.status === 'in_progress' || x.status === 'approved');
  if (!decision) {
    decision = create(t, t.ts - rng.range(10, 20) * DAY_MS, 'in_progress');
    decision.startedAt = t.ts - 7 * DAY_MS;
    decision.realization = startRealization(rng, t.health);
    t.decisions.active.push(decision);
  }
  decision.status = 'delayed';
  decision.priority = true;
  decision.stalled = true;
  decision.delayReason = rng.pick(delayReasons);
  decision.nextActionAt = t.ts + (decision.reviewDays + rng.range(3, 10)) * DAY_MS;
  return toProperties(t, decision);
}
