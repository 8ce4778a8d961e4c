import type { StoredEvent } from '../storage/event-store.js';

/** Per event type within one tenant: how many were committed and the money the summary sums. */
export interface TypeDelta {
  count: number;
  /** revenue_impact_event, impact_type = negative. */
  negativeRevenueImpact?: number;
  /** revenue_impact_event, impact_type = positive. */
  positiveRevenueImpact?: number;
  /** cost_optimization_event, optimization_type = implemented. */
  realizedSavings?: number;
  /** cost_optimization_event, optimization_type = identified. */
  projectedSavings?: number;
}

/** tenant → event type → delta. Events without a tenant feed no business metric and are left out. */
export type DeltaByTenant = Map<string, Map<string, TypeDelta>>;

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function add(delta: TypeDelta, key: Exclude<keyof TypeDelta, 'count'>, amount: number): void {
  delta[key] = (delta[key] ?? 0) + amount;
}

/** Folds committed events into `into` (mutated): counts per (tenant, event) and the summary's money sums. */
export function accumulate(into: DeltaByTenant, events: readonly StoredEvent[]): void {
  for (const e of events) {
    if (e.tenantId === null) continue;
    let byType = into.get(e.tenantId);
    if (!byType) into.set(e.tenantId, (byType = new Map<string, TypeDelta>()));
    let delta = byType.get(e.event);
    if (!delta) byType.set(e.event, (delta = { count: 0 }));
    delta.count++;
    const p = e.properties;
    if (e.event === 'revenue_impact_event') {
      if (p.impact_type === 'negative') add(delta, 'negativeRevenueImpact', num(p.impact_amount));
      else if (p.impact_type === 'positive') add(delta, 'positiveRevenueImpact', num(p.impact_amount));
    } else if (e.event === 'cost_optimization_event') {
      if (p.optimization_type === 'implemented') add(delta, 'realizedSavings', num(p.savings_amount));
      else if (p.optimization_type === 'identified') add(delta, 'projectedSavings', num(p.savings_amount));
    }
  }
}

/** The part of a delta a scope may see, as plain JSON (null when nothing of it is visible). */
export function visibleDelta(
  delta: DeltaByTenant,
  canSee: (tenant: string) => boolean,
): Record<string, Record<string, TypeDelta>> | null {
  let out: Record<string, Record<string, TypeDelta>> | null = null;
  for (const [tenant, byType] of delta) {
    if (!canSee(tenant)) continue;
    out ??= {};
    out[tenant] = Object.fromEntries(byType);
  }
  return out;
}
