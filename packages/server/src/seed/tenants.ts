import { DAY_MS, HOUR_MS, round } from './format.js';
import { Random, hashString } from './random.js';
import { monthlyBudget, planResources, type ResourceSpec } from './resources.js';
import { Slot, businessOffset, windowShift, type SlotKind } from './schedule.js';

/** The story a tenant tells over the window. */
export type Personality =
  | 'improving'
  | 'declining'
  | 'deliverability_incident'
  | 'churn_shock'
  | 'security_breach'
  | 'stalled_initiative'
  | 'cost_overrun'
  | 'steady';

/** Scripted incidents: each makes one critical or high default rule fire. */
export type IncidentKind = 'bounce_spike' | 'revenue_hit' | 'data_breach' | 'decision_delay' | 'cost_overrun';

export type Plan = 'starter' | 'growth' | 'business' | 'enterprise';

export interface ScheduledSlot {
  /** Day index in the window (0 = oldest). */
  day: number;
  offsetMs: number;
  kind: SlotKind;
}

export interface TenantProfile {
  index: number;
  id: string;
  /** distinct_id of the tenant's backend events (`acme_corp` for `acme-corp`: backend ids in snake_case). */
  distinctId: string;
  domain: string;
  /** Revenue scale: 1 ≈ a mid-market SaaS customer; money, volumes and capacities scale with it. */
  size: number;
  plan: Plan;
  priceMonthly: number;
  personality: Personality;
  utcOffsetHours: number;
  /** Relative event volume (mean 1). */
  activity: number;
  /** Latent business health 0..1 at the start of the window, and its change by the end. */
  healthStart: number;
  healthSlope: number;
  /** Change of resource utilization across the window (growth fills capacity). */
  usageSlope: number;
  resources: ResourceSpec[];
  /** Suggested monthly infrastructure budget, USD: normal run-rate stays under it (+5 %), an overrun does not. */
  monthlyBudget: number;
  /** Scripted incidents, with their first event's time from the window start. */
  incidents: { kind: IncidentKind; atMs: number }[];
  /** Incident slots, sorted by day. */
  scheduled: ScheduledSlot[];
}

// The first eight cover every personality, so a 5-tenant demo already tells most stories.
const named: readonly (readonly [string, number])[] = [
  ['acme-corp', 2.8],
  ['globex', 1.6],
  ['initech', 0.9],
  ['umbrella', 3.5],
  ['hooli', 1.2],
  ['stark-industries', 4],
  ['wayne-enterprises', 2.2],
  ['soylent', 0.6],
  ['cyberdyne', 1.1],
  ['wonka-industries', 0.5],
  ['tyrell-corp', 1.8],
  ['massive-dynamic', 2.4],
  ['aperture-science', 0.8],
  ['vandelay-industries', 0.35],
  ['pied-piper', 0.45],
  ['dunder-mifflin', 0.7],
  ['oscorp', 1.4],
  ['nakatomi-trading', 1],
  ['sirius-cybernetics', 0.9],
  ['prestige-worldwide', 0.3],
];

const personalityOrder: readonly Personality[] = [
  'improving',
  'declining',
  'deliverability_incident',
  'churn_shock',
  'security_breach',
  'stalled_initiative',
  'cost_overrun',
  'steady',
];
// Past the scripted eight: mostly steady companies, some movers, a few with incidents.
const personalityMix: readonly Personality[] = [
  ...Array<Personality>(8).fill('steady'),
  'improving',
  'improving',
  'improving',
  'declining',
  'declining',
  'declining',
  'deliverability_incident',
  'deliverability_incident',
  'churn_shock',
  'churn_shock',
  'security_breach',
  'stalled_initiative',
  'cost_overrun',
];

const incidentOf: Partial<Record<Personality, IncidentKind>> = {
  deliverability_incident: 'bounce_spike',
  churn_shock: 'revenue_hit',
  security_breach: 'data_breach',
  stalled_initiative: 'decision_delay',
  cost_overrun: 'cost_overrun',
};
const allIncidents: readonly IncidentKind[] = [
  'bounce_spike',
  'revenue_hit',
  'data_breach',
  'decision_delay',
  'cost_overrun',
];

const plans: readonly (readonly [Plan, number, number])[] = [
  ['starter', 0.5, 99],
  ['growth', 1.2, 499],
  ['business', 2.5, 1499],
  ['enterprise', Infinity, 4999],
];
const utcOffsets = [-8, -7, -5, -5, -5, 0, 0, 1, 1, 2, 5.5, 9, 10];

/** Tenant ids for a count: the named list first, then `tenant-0042` style. */
export function tenantIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => named[i]?.[0] ?? `tenant-${String(i + 1).padStart(4, '0')}`);
}

/** The profile rng of a tenant: its own stream, so a tenant looks the same whatever else is generated. */
export function tenantStream(seed: number, id: string, purpose: number): Random {
  return new Random(seed, (hashString(id) + Math.imul(purpose, 0x9e3779b1)) | 0);
}

function healthCurve(personality: Personality, rng: Random): [start: number, slope: number, usage: number] {
  switch (personality) {
    case 'improving':
      return [rng.range(0.4, 0.5), rng.range(0.35, 0.45), rng.range(0.1, 0.18)];
    case 'declining':
      return [rng.range(0.74, 0.8), -rng.range(0.45, 0.55), -rng.range(0.04, 0.1)];
    case 'steady':
      return [rng.range(0.7, 0.85), rng.range(-0.04, 0.04), rng.range(-0.03, 0.05)];
    default:
      return [rng.range(0.6, 0.75), rng.range(-0.08, 0.12), rng.range(-0.04, 0.08)];
  }
}

export function buildProfiles(
  ids: readonly string[],
  days: number,
  seed: number,
  startMs: number,
): TenantProfile[] {
  const profiles = ids.map((id, index): TenantProfile => {
    const rng = tenantStream(seed, id, 0);
    const baseSize = named[index]?.[1] ?? Math.exp(rng.bell() * 0.7);
    const size = round(baseSize * rng.range(0.85, 1.15), 3);
    const personality = personalityOrder[index] ?? rng.pick(personalityMix);
    const [plan, , priceMonthly] = plans.find(([, below]) => size < below) ?? ['enterprise', 0, 4999];
    const [healthStart, healthSlope, usageSlope] = healthCurve(personality, rng);
    const resources = planResources(size, rng);
    return {
      index,
      id,
      distinctId: id.replace(/-/g, '_'),
      domain: `${id}.example.com`,
      size,
      plan,
      priceMonthly,
      personality,
      utcOffsetHours: rng.pick(utcOffsets),
      activity: rng.range(0.75, 1.25),
      healthStart,
      healthSlope,
      usageSlope,
      resources,
      monthlyBudget: monthlyBudget(resources),
      incidents: [],
      scheduled: [],
    };
  });
  if (days < 1 || profiles.length === 0) return profiles;

  const planned = profiles.map((p) => {
    const kind = incidentOf[p.personality];
    // A longer window also shows an earlier episode of the deliverability tenant's trouble.
    const twice = kind === 'bounce_spike' && days >= 45;
    return kind ? [{ kind, earlier: false }, ...(twice ? [{ kind, earlier: true }] : [])] : [];
  });
  // Small sets still get every incident kind: the uncovered ones go round-robin to the first tenants.
  const covered = new Set(planned.flatMap((list) => list.map((i) => i.kind)));
  allIncidents
    .filter((kind) => !covered.has(kind))
    .forEach((kind, k) => planned[k % planned.length]?.push({ kind, earlier: false }));

  // Incidents land in the last four weeks (the summary's default 30-day window), earlier episodes before.
  const recent = Math.min(days, 28);
  profiles.forEach((profile, i) => {
    const rng = tenantStream(seed, profile.id, 1);
    const shift = windowShift(startMs, profile.utcOffsetHours);
    for (const { kind, earlier } of planned[i] ?? []) {
      const day = earlier ? days - recent - 1 - rng.int(days - recent) : days - 1 - rng.int(recent);
      const offset = businessOffset(rng, shift);
      profile.incidents.push({ kind, atMs: day * DAY_MS + offset });
      scheduleIncident(profile, kind, day, offset, rng, days);
    }
    profile.scheduled.sort((a, b) => a.day - b.day || a.offsetMs - b.offsetMs);
  });
  return profiles;
}

/** The slots one incident needs; follow-ups are kept inside the window. */
function scheduleIncident(
  profile: TenantProfile,
  kind: IncidentKind,
  day: number,
  offsetMs: number,
  rng: Random,
  days: number,
): void {
  const first = day * DAY_MS + offsetMs;
  const last = days * DAY_MS - 1;
  const at = (relMs: number, slot: SlotKind) => {
    const rel = Math.min(Math.floor(relMs), last);
    profile.scheduled.push({ day: Math.floor(rel / DAY_MS), offsetMs: rel % DAY_MS, kind: slot });
  };
  switch (kind) {
    case 'bounce_spike':
      at(first, Slot.spikeEmail);
      at(first + rng.range(0.3, 1.5) * HOUR_MS, Slot.spikeRevenue);
      return;
    case 'revenue_hit':
      at(first, Slot.revenueHit);
      return;
    case 'data_breach': {
      // open → contained within hours to a day → resolved a few days later
      const contained = first + rng.range(3, 26) * HOUR_MS;
      at(first, Slot.breach);
      at(contained, Slot.breach);
      at(contained + rng.range(30, 80) * HOUR_MS, Slot.breach);
      return;
    }
    case 'decision_delay':
      at(first, Slot.decisionDelay);
      return;
    case 'cost_overrun':
      at(first, Slot.overrunResource);
      at(first + rng.range(20, 44) * HOUR_MS, Slot.overrunOpportunity);
      return;
  }
}
