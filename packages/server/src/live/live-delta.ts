import {
  countsToward,
  negativeRevenueImpact,
  positiveRevenueImpact,
  projectedSavings,
  realizedSavings,
  type ConditionalSum,
} from '@pulse/events/measures';
import type { StoredEvent } from '../storage/event-store.js';

/**
 * Per event type within one tenant: how many were committed and the money the summary sums, each sum the
 * measure of its name (@pulse/events/measures).
 */
export interface TypeDelta {
  count: number;
  negativeRevenueImpact?: number;
  positiveRevenueImpact?: number;
  realizedSavings?: number;
  projectedSavings?: number;
}

/** tenant → event type → delta. Events without a tenant feed no business metric and are left out. */
export type DeltaByTenant = Map<string, Map<string, TypeDelta>>;

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

const moneyMeasures: readonly [Exclude<keyof TypeDelta, 'count'>, ConditionalSum][] = [
  ['negativeRevenueImpact', negativeRevenueImpact],
  ['positiveRevenueImpact', positiveRevenueImpact],
  ['realizedSavings', realizedSavings],
  ['projectedSavings', projectedSavings],
];

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
    for (const [key, measure] of moneyMeasures)
      if (e.event === measure.event && countsToward(measure, e.properties))
        add(delta, key, num(e.properties[measure.amount]));
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
