import { round } from './format.js';
import type { Random } from './random.js';
import type { TenantState } from './state.js';

type Level = 'low' | 'medium' | 'high' | 'critical';

interface Kind {
  type: string;
  weight: number;
  /** Amount range at size 1, USD. */
  min: number;
  max: number;
  timeframe: string;
  action?: string;
  /** Alternative mitigation plans (frozen: shared by every event that uses them). */
  plans?: readonly (readonly string[])[];
  resolution?: string;
}

const frozen = (lists: string[][]) => Object.freeze(lists.map((l) => Object.freeze(l)));

const positive: readonly Kind[] = [
  { type: 'upsell', weight: 0.38, min: 300, max: 4000, timeframe: 'monthly' },
  { type: 'renewal', weight: 0.22, min: 2000, max: 9000, timeframe: 'annual' },
  { type: 'seat_expansion', weight: 0.18, min: 150, max: 2200, timeframe: 'monthly' },
  { type: 'payment_recovered', weight: 0.12, min: 100, max: 1500, timeframe: 'one_time' },
  { type: 'new_business', weight: 0.1, min: 1000, max: 8000, timeframe: 'annual' },
];
const negative: readonly Kind[] = [
  {
    type: 'churn_risk',
    weight: 0.35,
    min: 500,
    max: 7000,
    timeframe: 'annual',
    action: 'Executive outreach to the account',
    plans: frozen([
      ['Schedule executive business review', 'Escalate open support tickets'],
      ['Offer migration assistance', 'Propose annual-plan discount'],
      ['Schedule executive business review', 'Propose annual-plan discount'],
    ]),
    resolution: '5 days',
  },
  {
    type: 'payment_failure',
    weight: 0.3,
    min: 100,
    max: 2500,
    timeframe: 'monthly',
    action: 'Retry the card and contact the billing owner',
    plans: frozen([
      ['Smart payment retries', 'Dunning email sequence'],
      ['Dunning email sequence', 'Update card on file via customer portal'],
    ]),
    resolution: '3 days',
  },
  {
    type: 'deliverability_issue',
    weight: 0.2,
    min: 150,
    max: 3000,
    timeframe: 'monthly',
    action: 'IP warmup and content review',
    plans: frozen([
      ['IP rotation', 'content review'],
      ['List hygiene', 'Authenticate sending domain with DMARC'],
    ]),
    resolution: '24 hours',
  },
  {
    type: 'downgrade',
    weight: 0.15,
    min: 200,
    max: 2000,
    timeframe: 'monthly',
    action: 'Review feature usage with the customer',
    plans: frozen([
      ['Offer feature training', 'Highlight unused premium features'],
      ['Offer feature training', 'Assign a customer success manager'],
    ]),
    resolution: '1 week',
  },
];

const spikePlan = Object.freeze(['IP rotation', 'content review', 'Pause bulk campaigns']);
const hitPlan = Object.freeze([
  'Executive sponsor call',
  'Retention offer with multi-year discount',
  'Dedicated success manager',
]);

function pickWeighted(kinds: readonly Kind[], rng: Random): Kind {
  let u = rng.next();
  for (const kind of kinds) if ((u -= kind.weight) < 0) return kind;
  return kinds[kinds.length - 1] as Kind;
}

function level(amount: number): Level {
  return amount < 500 ? 'low' : amount < 2000 ? 'medium' : amount < 6000 ? 'high' : 'critical';
}
const raise: Record<Level, Level> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

// Losses that are not a planted revenue hit stay under $2,000, where the default loss alerts start: a steady
// tenant's everyday churn raises none and the incidents stand out.
const LOSS_CEILING = 1600;
/**
 * A loss approaching LOSS_CEILING × stress smoothly (no pile-up at a cap); stress is at most 1.2
 * (1.25 − health, health ≥ 0.05), so the loss stays under $2,000 and struggling tenants still lose more.
 */
const belowAlertLine = (raw: number, stress: number) =>
  LOSS_CEILING * (1 - Math.exp(-raw / LOSS_CEILING)) * Math.min(1.2, stress);

/** A routine revenue_impact_event: healthier tenants see more upsells, struggling ones more losses. */
export function revenueEvent(t: TenantState): Record<string, unknown> {
  const { rng, profile } = t;
  const gain = rng.chance(0.35 + 0.5 * t.health);
  const kind = pickWeighted(gain ? positive : negative, rng);
  const skew = rng.next() ** 1.6; // many small amounts, few large
  let amount = (kind.min + (kind.max - kind.min) * skew) * profile.size;
  if (!gain) amount = belowAlertLine(amount, 1.25 - t.health);
  amount = Math.round(amount);
  const annual = kind.timeframe === 'annual';
  const props: Record<string, unknown> = {
    tenant_id: profile.id,
    event_category: 'revenue_impact',
    event_type: kind.type,
    impact_amount: amount,
    impact_type: gain ? 'positive' : 'negative',
    customer_ltv: Math.round((amount * (annual ? rng.range(2, 5) : rng.range(12, 36))) / 100) * 100,
    urgency_level: gain ? 'low' : level(amount),
    priority_level: gain
      ? amount > 3000
        ? 'medium'
        : 'low'
      : kind.type === 'churn_risk'
        ? raise[level(amount)]
        : level(amount),
    timeframe: kind.timeframe,
    tracking_date: t.iso,
  };
  if (!gain) {
    props.action_required = kind.action;
    props.mitigation_actions = kind.plans ? rng.pick(kind.plans) : [];
    props.estimated_resolution_time = kind.resolution;
    if (kind.type === 'deliverability_issue') {
      const stress = (1 - t.health) ** 2;
      props.affected_emails = Math.round(profile.size * rng.range(2000, 20000));
      props.bounce_rate = round(Math.min(0.14, (0.004 + 0.03 * stress) * rng.range(2, 4)), 4);
      props.spam_rate = round((0.0004 + 0.004 * stress) * rng.range(1, 3), 4);
    }
  }
  return props;
}

/** The revenue side of a bounce spike: a deliverability loss whose bounce rate is above 0.15. */
export function spikeLoss(t: TenantState): Record<string, unknown> {
  const { rng, profile } = t;
  const affected = Math.round(t.email.hourlyVolume * rng.range(6, 14));
  const bounce = round(rng.range(0.16, 0.3), 4);
  return {
    tenant_id: profile.id,
    event_category: 'revenue_impact',
    event_type: 'deliverability_issue',
    // Its alert is its bounce rate's: under the loss alerts' line, not a second alert for one incident.
    impact_amount: Math.round(belowAlertLine(affected * bounce * rng.range(1, 2) * profile.size ** 0.3, 1.2)),
    impact_type: 'negative',
    customer_ltv: Math.round((profile.size * rng.range(30_000, 80_000)) / 100) * 100,
    urgency_level: 'critical',
    priority_level: 'critical',
    timeframe: 'monthly',
    tracking_date: t.iso,
    action_required: 'IP warmup and content review',
    mitigation_actions: spikePlan,
    estimated_resolution_time: '24 hours',
    affected_emails: affected,
    bounce_rate: bounce,
    spam_rate: round(rng.range(0.01, 0.04), 4),
  };
}

/** The scripted revenue hit: a key account about to churn or an annual invoice failing, over $10,000. */
export function revenueHit(t: TenantState): Record<string, unknown> {
  const { rng, profile } = t;
  const churn = rng.chance(0.7);
  const amount = Math.max(10_500, Math.round(profile.size * rng.range(12_000, 30_000)));
  return {
    tenant_id: profile.id,
    event_category: 'revenue_impact',
    event_type: churn ? 'churn_risk' : 'payment_failure',
    impact_amount: amount,
    impact_type: 'negative',
    customer_ltv: Math.round((amount * rng.range(3, 6)) / 100) * 100,
    urgency_level: 'critical',
    priority_level: 'critical',
    timeframe: 'annual',
    tracking_date: t.iso,
    action_required: churn
      ? "CEO call with the account's executive sponsor"
      : 'Escalate the failed annual invoice to the account owner',
    mitigation_actions: hitPlan,
    estimated_resolution_time: '2 weeks',
  };
}
