import { offerAction, TOP_ACTIONS, type ActionCandidate, type DayRollup } from './day-rollup.js';
import { ResourceState } from './facts.js';

/** What one window adds up to over a scope: the inputs of every §2 figure. */
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
  /** The window's top actions so far: offerAction over every bucket's top actions is exact (see there). */
  private readonly actions: ActionCandidate[] = [];

  /**
   * Adds one tenant's buckets, which must be disjoint and come NEWEST FIRST: the first value seen for a metric
   * or resource is then its latest in the window.
   */
  addTenant(keys: TenantKeyCounts, buckets: Iterable<DayRollup>): void {
    const t = this.totals;
    const seenMetric = new Uint8Array(keys.metrics.size);
    const seenResource = new Uint8Array(keys.resources.size);
    const seenDecision = new Uint8Array(keys.decisions.size);
    for (const r of buckets) {
      t.revenuePositive += r.revenuePositive;
      t.revenueNegative += r.revenueNegative;
      t.revenueEvents += r.revenueEvents;
      t.realized += r.realized;
      t.projected += r.projected;
      t.emails += r.emails;
      t.bouncedEmails += r.bouncedEmails;
      if (r.lateIngestedAt > t.lateIngestedAt) t.lateIngestedAt = r.lateIngestedAt;
      const eff = r.efficiency;
      for (let i = 0; i < eff.length; i += 3) {
        const key = eff[i] as number;
        if (seenMetric[key]) continue;
        seenMetric[key] = 1;
        t.efficiencySum += eff[i + 2] as number;
        t.efficiencyReadings++;
      }
      const res = r.resources;
      for (let i = 0; i < res.length; i += 3) {
        const key = res[i] as number;
        if (seenResource[key]) continue;
        seenResource[key] = 1;
        const state = res[i + 2] as number;
        if (state === ResourceState.unknown) continue;
        t.resources++;
        if (state === ResourceState.efficient) t.costEfficient++;
      }
      for (const key of r.decisions) {
        if (seenDecision[key]) continue;
        seenDecision[key] = 1;
        t.decisions++;
      }
      const top = this.actions;
      for (const candidate of r.actions) {
        // Bucket lists are ranked: once one cannot enter a full list, the rest cannot either.
        if (top.length >= TOP_ACTIONS && candidate.stake < (top[top.length - 1] as ActionCandidate).stake)
          break;
        offerAction(top, candidate);
      }
    }
  }

  finish(): WindowTotals {
    return { ...this.totals, actions: [...this.actions] };
  }
}
