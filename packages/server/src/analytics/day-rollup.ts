import {
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
} from '@pulse/events/measures';
import { isLate, LATE_GRACE_MS, type Fact, type SummaryEventType } from './facts.js';

/** The best event carrying one action: the ranking and the provenance shown with it. */
export interface ActionCandidate {
  action: string;
  stake: number;
  timestamp: number;
  uuid: string;
  eventType: SummaryEventType;
  tenant: string;
}

/** Ranking of actions: $ at stake descending, then text (UTF-16 order) ascending. */
export function ranksBefore(a: ActionCandidate, b: ActionCandidate): boolean {
  return a.stake > b.stake || (a.stake === b.stake && a.action < b.action);
}

/** Which of two events carrying the same action is its source: higher stake, then newer, then higher uuid. */
export function isBetterSource(a: ActionCandidate, b: ActionCandidate): boolean {
  if (a.stake !== b.stake) return a.stake > b.stake;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.uuid > b.uuid;
}

export const TOP_ACTIONS = 5;

/**
 * Keeps the TOP_ACTIONS distinct actions by ranksBefore, each with its best source. Keeping only the top 5
 * per bucket is exact for any union of buckets: an action in the union's top 5 has, in the bucket where its
 * best stake occurs, at most 4 actions ranked before it (any such action would rank before it in the union).
 */
export function offerAction(list: ActionCandidate[], candidate: ActionCandidate): void {
  const at = list.findIndex((c) => c.action === candidate.action);
  if (at >= 0) {
    if (!isBetterSource(candidate, list[at] as ActionCandidate)) return;
    list.splice(at, 1);
  } else if (
    list.length >= TOP_ACTIONS &&
    !ranksBefore(candidate, list[list.length - 1] as ActionCandidate)
  ) {
    return;
  }
  let i = list.length;
  while (i > 0 && ranksBefore(candidate, list[i - 1] as ActionCandidate)) i--;
  list.splice(i, 0, candidate);
  if (list.length > TOP_ACTIONS) list.length = TOP_ACTIONS;
}

/** Interns the strings of one namespace (metrics, resources, decisions) of one tenant as small integers. */
export class KeyTable {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  get size(): number {
    return this.names.length;
  }
}

/**
 * Everything the summary needs from one tenant's events in one bucket (a UTC day, or a partial-day segment).
 * Latest-per-key values are flat [keyId, timestamp, value] triples: a tenant has a handful of metrics and
 * resources, and flat number arrays cost a tenth of Maps over 90k tenant-days.
 */
export class DayRollup {
  revenuePositive = 0;
  revenueNegative = 0;
  revenueEvents = 0;
  realized = 0;
  projected = 0;
  /** Σ email_count and Σ bounce_rate × email_count over email events that carry a bounce_rate. */
  emails = 0;
  bouncedEmails = 0;
  /** [metricId, timestamp, efficiency_score] of the latest reading per metric. */
  readonly efficiency: number[] = [];
  /** [resourceId, timestamp, ResourceState] of the latest snapshot per resource. */
  readonly resources: number[] = [];
  /** Distinct decision ids. */
  readonly decisions: number[] = [];
  /** Top actions (see offerAction). */
  readonly actions: ActionCandidate[] = [];
  /** Latest ingestion time of a late event, 0 when none. */
  lateIngestedAt = 0;

  /** Applies one fact of `tenant` (whose key tables and interned strings it uses). */
  add(fact: Fact, tenant: TenantRollups, lateGraceMs = LATE_GRACE_MS): void {
    switch (fact.type) {
      case 'revenue_impact_event':
        if (fact.key === positiveRevenueImpact.value) this.revenuePositive += fact.value;
        else if (fact.key === negativeRevenueImpact.value) this.revenueNegative += fact.value;
        this.revenueEvents++;
        break;
      case 'cost_optimization_event':
        if (fact.key === realizedSavings.value) this.realized += fact.value;
        else if (fact.key === projectedSavings.value) this.projected += fact.value;
        break;
      case 'email_deliverability_event':
        if (fact.rate !== null) {
          this.emails += fact.value;
          this.bouncedEmails += fact.rate * fact.value;
        }
        break;
      case 'operational_efficiency_event':
        keepLatest(this.efficiency, tenant.metrics.idOf(fact.key), fact.timestamp, fact.value);
        break;
      case 'resource_usage_event':
        keepLatest(this.resources, tenant.resources.idOf(fact.key), fact.timestamp, fact.value);
        break;
      case 'strategic_decision_event':
        this.addDecision(tenant.decisions.idOf(fact.key));
        break;
    }
    const actions = this.actions;
    for (const action of fact.actions) {
      // Most candidates cannot enter a full list: skip them before allocating.
      if (
        actions.length >= TOP_ACTIONS &&
        fact.stake < (actions[actions.length - 1] as ActionCandidate).stake
      )
        break;
      offerAction(actions, {
        action: tenant.intern(action),
        stake: fact.stake,
        timestamp: fact.timestamp,
        uuid: fact.uuid,
        eventType: fact.type,
        tenant: tenant.id,
      });
    }
    if (isLate(fact.timestamp, fact.ingestedAt, lateGraceMs))
      this.lateIngestedAt = Math.max(this.lateIngestedAt, fact.ingestedAt);
  }

  addDecision(id: number): void {
    if (!this.decisions.includes(id)) this.decisions.push(id);
  }

  /** Adds another bucket of the same tenant (same key tables) into this one. */
  merge(other: DayRollup): void {
    this.revenuePositive += other.revenuePositive;
    this.revenueNegative += other.revenueNegative;
    this.revenueEvents += other.revenueEvents;
    this.realized += other.realized;
    this.projected += other.projected;
    this.emails += other.emails;
    this.bouncedEmails += other.bouncedEmails;
    const { efficiency, resources } = other;
    for (let i = 0; i < efficiency.length; i += 3)
      keepLatest(
        this.efficiency,
        efficiency[i] as number,
        efficiency[i + 1] as number,
        efficiency[i + 2] as number,
      );
    for (let i = 0; i < resources.length; i += 3)
      keepLatest(
        this.resources,
        resources[i] as number,
        resources[i + 1] as number,
        resources[i + 2] as number,
      );
    for (const id of other.decisions) this.addDecision(id);
    for (const candidate of other.actions) offerAction(this.actions, candidate);
    this.lateIngestedAt = Math.max(this.lateIngestedAt, other.lateIngestedAt);
  }
}

/**
 * Keeps, per key, the value with the newest timestamp; on a same-millisecond tie the lowest value wins
 * (the less favourable reading: the order does not depend on arrival, so stream and rebuild agree).
 */
export function keepLatest(triples: number[], key: number, timestamp: number, value: number): void {
  for (let i = 0; i < triples.length; i += 3) {
    if (triples[i] !== key) continue;
    const ts = triples[i + 1] as number;
    if (timestamp > ts || (timestamp === ts && value < (triples[i + 2] as number))) {
      triples[i + 1] = timestamp;
      triples[i + 2] = value;
    }
    return;
  }
  triples.push(key, timestamp, value);
}

/** One tenant's rollups: a DayRollup per UTC day that has events, and the tenant's key tables. */
export class TenantRollups {
  readonly days = new Map<number, DayRollup>();
  readonly metrics = new KeyTable();
  readonly resources = new KeyTable();
  readonly decisions = new KeyTable();
  /** Scratch generation stamps per key, for de-duplicating keys across days in one pass (window.ts). */
  readonly stamps = { metrics: [] as number[], resources: [] as number[], decisions: [] as number[] };

  /**
   * @param intern shares equal strings (action texts) across tenants and days: rebuilt rows would otherwise
   * hold one copy per row.
   */
  constructor(
    readonly id: string,
    readonly intern: (s: string) => string = (s) => s,
  ) {}

  day(day: number): DayRollup {
    let rollup = this.days.get(day);
    if (!rollup) {
      rollup = new DayRollup();
      this.days.set(day, rollup);
    }
    return rollup;
  }
}
