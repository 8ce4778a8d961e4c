import { HOUR_MS, round } from './format.js';
import type { Random } from './random.js';
import { hourWeight, localHour } from './schedule.js';
import type { TenantState } from './state.js';
import type { TenantProfile } from './tenants.js';

type Provider = 'sendgrid' | 'mailgun' | 'ses' | 'other';
type Reputation = 'poor' | 'fair' | 'good' | 'excellent';

export interface EmailState {
  providers: readonly Provider[];
  ips: readonly string[];
  /** Per-IP bounce multiplier: one pool is usually a little worse. */
  ipBias: readonly number[];
  domain: string;
  /** Emails per hour at an average hour. */
  hourlyVolume: number;
  /** Revenue at stake per bounced email, USD. */
  valuePerBounce: number;
  /** Smoothed bounce rate of the domain: reputation follows it with a lag. */
  domainBounce: number;
  /** While a bounce spike lasts, every aggregate bounces above 0.15; a day after, still elevated. */
  spikeUntil: number;
}

const providerSets: readonly (readonly Provider[])[] = [
  ['sendgrid'],
  ['ses'],
  ['mailgun'],
  ['sendgrid', 'ses'],
  ['mailgun', 'sendgrid'],
  ['ses', 'other'],
];

export function emailState(profile: TenantProfile, rng: Random): EmailState {
  const ipCount = profile.size > 2 ? 3 : profile.size > 0.8 ? 2 : 1;
  const ips = Array.from({ length: ipCount }, (_, k) => {
    const block = (profile.index * 3 + k) % 508;
    return block < 254 ? `198.51.100.${block + 1}` : `203.0.113.${block - 253}`;
  });
  return {
    providers: rng.pick(providerSets),
    ips,
    ipBias: ips.map((_, k) => (k === ips.length - 1 && k > 0 ? 1.6 : rng.range(0.8, 1.1))),
    domain: `mail.${profile.domain}`,
    hourlyVolume: Math.round(1500 * profile.size ** 0.8 * rng.range(0.8, 1.2)),
    valuePerBounce: 0.9 * profile.size ** 0.3,
    domainBounce: 0.004 + 0.03 * (1 - profile.healthStart) ** 2,
    spikeUntil: -Infinity,
  };
}

const spikeActions = Object.freeze([
  'Pause bulk campaigns',
  'Remove hard-bounced addresses',
  'Rotate to a warmed IP pool',
  'Contact provider postmaster',
]);
const bounceActions = Object.freeze(['IP warmup', 'Content review', 'List hygiene']);
const spamActions = Object.freeze([
  'Review recent campaign content',
  'Honor unsubscribes faster',
  'Tighten opt-in',
]);
const watchActions = Object.freeze(['List hygiene', 'Monitor bounce trend']);
const resolution = { medium: '72 hours', high: '48 hours', critical: '24 hours' } as const;

function reputation(score: number): Reputation {
  return score < 0.012 ? 'excellent' : score < 0.035 ? 'good' : score < 0.09 ? 'fair' : 'poor';
}

/** Starts a bounce spike at the current event; it lasts 6 to 20 hours. */
export function startSpike(t: TenantState): void {
  t.email.spikeUntil = t.ts + t.rng.range(6, 20) * HOUR_MS;
}

/** An hourly-ish email_deliverability_event aggregate: outcome, risk and reputations follow the rates. */
export function emailAggregate(t: TenantState): Record<string, unknown> {
  const { rng, email } = t;
  const stress = (1 - t.health) ** 2;
  const spiking = t.ts < email.spikeUntil;
  const recovering = !spiking && t.ts < email.spikeUntil + 24 * HOUR_MS;
  const ipIndex = spiking ? 0 : rng.int(email.ips.length);
  let bounce: number;
  let spam: number;
  if (spiking) {
    bounce = rng.range(0.16, 0.34);
    spam = rng.range(0.01, 0.045);
  } else {
    bounce =
      (0.004 + 0.03 * stress) * (email.ipBias[ipIndex] ?? 1) * rng.range(0.6, 1.4) * (recovering ? 2.5 : 1);
    spam = (0.0004 + 0.004 * stress) * rng.range(0.5, 1.5);
  }
  bounce = round(Math.min(bounce, 0.6), 4);
  spam = round(spam, 4);
  email.domainBounce = email.domainBounce * 0.9 + bounce * 0.1;

  const hour = localHour(t.ts, t.profile.utcOffsetHours);
  const count = Math.max(
    20,
    Math.round(((email.hourlyVolume * hourWeight(hour)) / 1.1) * rng.range(0.7, 1.3)),
  );
  const outcome =
    bounce >= 0.08
      ? 'bounced'
      : spam >= 0.008
        ? 'complained'
        : rng.chance(0.03)
          ? 'deferred'
          : bounce < 0.02 && spam < 0.002
            ? 'delivered'
            : 'mixed';
  const risk =
    bounce >= 0.15 ? 'critical' : bounce >= 0.05 || spam >= 0.01 ? 'high' : bounce >= 0.02 ? 'medium' : 'low';
  const props: Record<string, unknown> = {
    tenant_id: t.profile.id,
    delivery_outcome: outcome,
    email_count: count,
    bounce_rate: bounce,
    spam_rate: spam,
    provider: spiking ? (email.providers[0] ?? 'other') : rng.pick(email.providers),
    sending_ip: email.ips[ipIndex],
    sending_domain: email.domain,
    ip_reputation: reputation(bounce + 5 * spam),
    domain_reputation: reputation(email.domainBounce),
    cost_impact: round(count * bounce * email.valuePerBounce, 2),
    risk_level: risk,
    requires_immediate_attention: risk === 'critical' || risk === 'high',
    tracking_date: t.iso,
  };
  if (risk !== 'low') {
    props.actions_required =
      risk === 'critical'
        ? spikeActions
        : spam >= 0.01
          ? spamActions
          : risk === 'high'
            ? bounceActions
            : watchActions;
    props.estimated_resolution_time = resolution[risk];
  }
  return props;
}
