import { offerAction, TOP_ACTIONS, type ActionCandidate, type DayRollup } from './day-rollup.js';
import { ResourceState } from './facts.js';

/** What one window adds up to over a scope: the inputs of every summary figure. */
export interface WindowTotals {
  revenuePositive: number;
  revenueNegative: number;
  revenueEvents: number;
  realized: number;
  projected: number;
  emails: number;
  bouncedEmails: number;
  /** Σ and count of the latest efficiency_score per (tenant, metric). */
  efficiencySum: number;
  efficiencyReadings: number;
  /** Latest snapshots per (tenant, resource) that state cost_efficient, and how many say true. */
  resources: number;
  costEfficient: number;
  /** Distinct (tenant, decision_id). */
  decisions: number;
  /** Latest ingestion of a late event, 0 when none. */
  lateIngestedAt: number;
  /** Top actions, ranked (ranksBefore), at most TOP_ACTIONS. */
  actions: ActionCandidate[];
}

/** `array` if it holds `size` entries, else a larger copy. */
function grown(array: Int32Array, size: number): Int32Array {
  if (array.length >= size) return array;
  const bigger = new Int32Array(Math.max(size, array.length * 2));
  bigger.set(array);
  return bigger;
}

interface TenantKeyCounts {
  metrics: { size: number };
  resources: { size: number };
  decisions: { size: number };
}

/** Adds up bucket rollups tenant by tenant (see addTenant) into WindowTotals. */
export class WindowAccumulator {
  private readonly totals: Omit<WindowTotals, 'actions'> = {
    revenuePositive: 0,
    revenueNegative: 0,
    revenueEvents: 0,
    realized: 0,
    projected: 0,
    emails: 0,
    bouncedEmails: 0,
    efficiencySum: 0,
    efficiencyReadings: 0,
    resources: 0,
    costEfficient: 0,
    decisions: 0,
    lateIngestedAt: 0,
  };
  /** Per key, the generation (one per addTenant call) that last counted it: no per-tenant allocation. */
  private readonly seen: Record<'metrics' | 'resources' | 'decisions', Int32Array> = {
    metrics: new Int32Array(64),
    resources: new Int32Array(64),
    decisions: new Int32Array(256),
  };
  private generation = 0;
  /** The window's top actions so far: offerAction over every bucket's top actions is exact (see there). */
  private readonly actions: ActionCandidate[] = [];

  /**
   * Adds one tenant's buckets, which must be disjoint and come NEWEST FIRST: the first value seen for a metric
   * or resource is then its latest in the window.
   */
  addTenant(keys: TenantKeyCounts, buckets: readonly DayRollup[]): void {
    // Locals in the loop, written back once: this runs for ~100k buckets in an all-tenant summary.
    const t = this.totals;
    let { revenuePositive, revenueNegative, revenueEvents, realized, projected, emails, bouncedEmails } = t;
    let { efficiencySum, efficiencyReadings, resources, costEfficient, decisions, lateIngestedAt } = t;
    const generation = ++this.generation;
    const seenMetric = (this.seen.metrics = grown(this.seen.metrics, keys.metrics.size));
    const seenResource = (this.seen.resources = grown(this.seen.resources, keys.resources.size));
    const seenDecision = (this.seen.decisions = grown(this.seen.decisions, keys.decisions.size));
    const top = this.actions;
    for (let b = 0; b < buckets.length; b++) {
      const r = buckets[b] as DayRollup;
      revenuePositive += r.revenuePositive;
      revenueNegative += r.revenueNegative;
      revenueEvents += r.revenueEvents;
      realized += r.realized;
      projected += r.projected;
      emails += r.emails;
      bouncedEmails += r.bouncedEmails;
      if (r.lateIngestedAt > lateIngestedAt) lateIngestedAt = r.lateIngestedAt;
      const eff = r.efficiency;
      for (let i = 0; i < eff.length; i += 3) {
        const key = (eff[i] as number) | 0;
        if (seenMetric[key] === generation) continue;
        seenMetric[key] = generation;
        efficiencySum += eff[i + 2] as number;
        efficiencyReadings++;
      }
      const res = r.resources;
      for (let i = 0; i < res.length; i += 3) {
        const key = (res[i] as number) | 0;
        if (seenResource[key] === generation) continue;
        seenResource[key] = generation;
        const state = res[i + 2] as number;
        if (state === ResourceState.unknown) continue;
        resources++;
        if (state === ResourceState.efficient) costEfficient++;
      }
      const ids = r.decisions;
      for (let i = 0; i < ids.length; i++) {
        const key = ids[i] as number;
        if (seenDecision[key] === generation) continue;
        seenDecision[key] = generation;
        decisions++;
      }
      const candidates = r.actions;
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates[i] as ActionCandidate;
        // Bucket lists are ranked: once one cannot enter a full list, the rest cannot either.
        if (top.length >= TOP_ACTIONS && candidate.stake < (top[top.length - 1] as ActionCandidate).stake)
          break;
        offerAction(top, candidate);
      }
    }
    Object.assign(t, {
      revenuePositive,
      revenueNegative,
      revenueEvents,
      realized,
      projected,
      emails,
      bouncedEmails,
    });
    Object.assign(t, {
      efficiencySum,
      efficiencyReadings,
      resources,
      costEfficient,
      decisions,
      lateIngestedAt,
    });
  }

  finish(): WindowTotals {
    return { ...this.totals, actions: [...this.actions] };
  }
}
