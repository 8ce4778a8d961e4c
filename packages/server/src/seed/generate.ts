import type { CapturedEvent } from '../ingestion/captured-event.js';
import { overrunOpportunity, costOptimization } from './costs.js';
import { decisionEvent, delayDecision } from './decisions.js';
import { efficiencyReading } from './efficiency.js';
import { emailAggregate, startSpike } from './email.js';
import { DAY_MS, isoTimestamp, uuidV7 } from './format.js';
import { customEvent, pageview, userDistinctId } from './generic.js';
import { overrunResource, resourceSnapshot, resourceState, type ResourceState } from './resources.js';
import { revenueEvent, revenueHit, spikeLoss } from './revenue.js';
import {
  MAX_TENANTS,
  Slot,
  businessOffset,
  dayFactor,
  flatOffset,
  isWeekend,
  packSlot,
  ratesFor,
  unpackKind,
  unpackOffset,
  unpackTenant,
  type SlotKind,
} from './schedule.js';
import { breachEvent, routineIncident } from './security.js';
import { createTenantState, setMoment, type TenantState } from './state.js';
import { buildProfiles, tenantIds, type IncidentKind, type Personality, type Plan } from './tenants.js';

export interface GenerateOptions {
  /** How many tenants (named acme-corp, globex, … then tenant-0021), or their ids. */
  tenants: number | readonly string[];
  /** Length of the window in days; events fall in [end − days, end). */
  days: number;
  /** End of the window; default now. Pass it for reproducible output. */
  end?: Date;
  seed: number;
  /** Mean events per tenant per day across the week (default 40; each tenant varies ±25 %). */
  eventsPerTenantPerDay?: number;
  /** Mix in `$pageview` and custom product events (about 8 % of the volume). */
  includeGeneric?: boolean;
}

export const DEFAULT_EVENTS_PER_TENANT_PER_DAY = 40;

/** The data set of `pulse serve --demo` (`npm start`): five tenants, each with its story, over 90 days. */
export const DEMO_DATA_SET = { tenants: 5, days: 90, seed: 42, includeGeneric: true } as const;

interface Resolved {
  ids: string[];
  days: number;
  startMs: number;
  seed: number;
  rates: ReturnType<typeof ratesFor>;
  /** Multiplier from the mix's natural total to eventsPerTenantPerDay. */
  scale: number;
}

function resolve(options: GenerateOptions): Resolved {
  const { tenants, days, seed } = options;
  const ids = typeof tenants === 'number' ? tenantIds(checkCount('tenants', tenants)) : [...tenants];
  if (ids.length > MAX_TENANTS) throw new RangeError(`tenants: at most ${MAX_TENANTS}, got ${ids.length}`);
  if (new Set(ids).size !== ids.length || ids.some((id) => typeof id !== 'string' || id === ''))
    throw new RangeError('tenants: ids must be distinct non-empty strings');
  checkCount('days', days);
  if (!Number.isFinite(seed)) throw new RangeError(`seed: a finite number is required, got ${seed}`);
  const end = options.end ?? new Date();
  const endMs = Math.floor(end.getTime());
  if (!Number.isFinite(endMs)) throw new RangeError('end: invalid date');
  const perDay = options.eventsPerTenantPerDay ?? DEFAULT_EVENTS_PER_TENANT_PER_DAY;
  if (!(perDay >= 0) || !Number.isFinite(perDay))
    throw new RangeError(`eventsPerTenantPerDay: a number ≥ 0 is required, got ${perDay}`);
  const includeGeneric = options.includeGeneric ?? false;
  const rates = ratesFor(includeGeneric);
  const natural = rates.reduce((sum, r) => sum + r.perDay, 0);
  return { ids, days, startMs: endMs - days * DAY_MS, seed, rates, scale: perDay / natural };
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name}: an integer ≥ 0 is required, got ${value}`);
  return value;
}

/** A growable Float64Array of packed slot keys, reused day after day. */
class SlotBuffer {
  keys = new Float64Array(4096);
  length = 0;
  push(key: number): void {
    if (this.length === this.keys.length) {
      const bigger = new Float64Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
    }
    this.keys[this.length++] = key;
  }
}

function planDay(t: TenantState, day: number, dayStart: number, plan: Resolved, slots: SlotBuffer): void {
  const { rng, profile } = t;
  const weekend = isWeekend(dayStart, profile.utcOffsetHours);
  const base = plan.scale * profile.activity * rng.range(0.85, 1.15); // a busier or quieter day
  for (const rate of plan.rates) {
    const n = rng.roundRandom(rate.perDay * base * dayFactor(rate, weekend));
    for (let i = 0; i < n; i++) {
      const offset = rate.businessHours ? businessOffset(rng, t.shift) : flatOffset(rng);
      slots.push(packSlot(offset, profile.index, rate.kind));
    }
  }
  const { scheduled } = profile;
  for (let s = scheduled[t.nextScheduled]; s !== undefined && s.day === day; s = scheduled[++t.nextScheduled])
    slots.push(packSlot(s.offsetMs, profile.index, s.kind));
}

function event(
  t: TenantState,
  name: string,
  properties: Record<string, unknown>,
  distinctId = t.profile.distinctId,
): CapturedEvent {
  return { uuid: uuidV7(t.ts, t.rng), event: name, distinctId, timestamp: t.ts, properties };
}

function nextResource(t: TenantState): ResourceState {
  return t.resources[t.resourceCursor++ % t.resources.length] as ResourceState;
}

function materialize(t: TenantState, kind: SlotKind): CapturedEvent {
  switch (kind) {
    case Slot.email:
      return event(t, 'email_deliverability_event', emailAggregate(t));
    case Slot.resource:
      return event(t, 'resource_usage_event', resourceSnapshot(t, nextResource(t)));
    case Slot.efficiency: {
      const metric = t.metrics[t.metricCursor++ % t.metrics.length];
      if (!metric) throw new Error('tenant without efficiency metrics');
      return event(t, 'operational_efficiency_event', efficiencyReading(t, metric));
    }
    case Slot.revenue:
      return event(t, 'revenue_impact_event', revenueEvent(t));
    case Slot.cost:
      return event(t, 'cost_optimization_event', costOptimization(t));
    case Slot.decision:
      return event(t, 'strategic_decision_event', decisionEvent(t));
    case Slot.security:
      return event(t, 'security_incident_event', routineIncident(t));
    case Slot.pageview:
      return event(t, '$pageview', pageview(t), userDistinctId(t));
    case Slot.custom: {
      const [name, properties] = customEvent(t);
      return event(t, name, properties, userDistinctId(t));
    }
    case Slot.spikeEmail:
      startSpike(t);
      return event(t, 'email_deliverability_event', emailAggregate(t));
    case Slot.spikeRevenue:
      return event(t, 'revenue_impact_event', spikeLoss(t));
    case Slot.revenueHit:
      return event(t, 'revenue_impact_event', revenueHit(t));
    case Slot.breach:
      return event(t, 'security_incident_event', breachEvent(t));
    case Slot.decisionDelay:
      return event(t, 'strategic_decision_event', delayDecision(t));
    case Slot.overrunResource: {
      const cluster = resourceState(overrunResource(t.profile.resources, t.profile.monthlyBudget, t.rng));
      t.resources.push(cluster);
      t.overrun = cluster;
      return event(t, 'resource_usage_event', resourceSnapshot(t, cluster));
    }
    case Slot.overrunOpportunity: {
      const spec = t.overrun?.spec;
      const monthly = spec ? spec.capacity * spec.costPerUnit : t.profile.monthlyBudget / 2;
      return event(t, 'cost_optimization_event', overrunOpportunity(t, monthly));
    }
  }
}

/**
 * A deterministic, realistic stream of business events: the same options give the same events.
 * Events come day by day in timestamp order, so a consumer can stream millions of them.
 * Property arrays (mitigation_actions, recommendations, …) are frozen and shared between events.
 */
export function* generateEvents(options: GenerateOptions): Generator<CapturedEvent, void, undefined> {
  const plan = resolve(options);
  const profiles = buildProfiles(plan.ids, plan.days, plan.seed, plan.startMs);
  const tenants = profiles.map((p) => createTenantState(p, plan.seed, plan.startMs));
  const span = plan.days * DAY_MS;
  const slots = new SlotBuffer();
  for (let day = 0; day < plan.days; day++) {
    const dayStart = plan.startMs + day * DAY_MS;
    slots.length = 0;
    for (const t of tenants) planDay(t, day, dayStart, plan, slots);
    const keys = slots.keys.subarray(0, slots.length).sort();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      const t = tenants[unpackTenant(key)] as TenantState;
      const ts = dayStart + unpackOffset(key);
      setMoment(t, ts, isoTimestamp(ts), (ts - plan.startMs) / span);
      yield materialize(t, unpackKind(key));
    }
  }
}

/**
 * The expected number of events for these options, for progress bars: the exact expectation of the
 * generator's random counts (a 5-tenant month lands within ~2 %, a million events within ~0.1 %).
 */
export function estimateCount(options: GenerateOptions): number {
  const plan = resolve(options);
  const profiles = buildProfiles(plan.ids, plan.days, plan.seed, plan.startMs);
  let total = 0;
  for (const profile of profiles) {
    for (let day = 0; day < plan.days; day++) {
      const weekend = isWeekend(plan.startMs + day * DAY_MS, profile.utcOffsetHours);
      for (const rate of plan.rates)
        total += rate.perDay * dayFactor(rate, weekend) * plan.scale * profile.activity;
    }
    total += profile.scheduled.length;
  }
  return Math.round(total);
}

/** What a demo loader needs besides the events: plans for `subscriptions`, budgets for the cost alert. */
export interface SeedTenant {
  id: string;
  distinctId: string;
  plan: Plan;
  priceMonthly: number;
  size: number;
  personality: Personality;
  utcOffsetHours: number;
  /** Monthly infrastructure budget, USD: the cost-overrun incident exceeds it by more than 20 %. */
  monthlyBudget: number;
  /** Scripted incidents and when their first event happens (ISO). */
  incidents: { kind: IncidentKind; at: string }[];
}

export function describeTenants(options: GenerateOptions): SeedTenant[] {
  const plan = resolve(options);
  return buildProfiles(plan.ids, plan.days, plan.seed, plan.startMs).map((p) => ({
    id: p.id,
    distinctId: p.distinctId,
    plan: p.plan,
    priceMonthly: p.priceMonthly,
    size: p.size,
    personality: p.personality,
    utcOffsetHours: p.utcOffsetHours,
    monthlyBudget: p.monthlyBudget,
    incidents: p.incidents.map((i) => ({ kind: i.kind, at: isoTimestamp(plan.startMs + i.atMs) })),
  }));
}
