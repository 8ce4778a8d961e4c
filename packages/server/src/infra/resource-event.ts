import type { CapturedEvent } from '../ingestion/captured-event.js';
import { derivedUuid } from '../webhooks/derived-uuid.js';

/** Utilization above `overAbove` flags over_utilized, below `underBelow` under_utilized (percent). */
export interface Thresholds {
  overAbove: number;
  underBelow: number;
}

export const defaultThresholds: Thresholds = { overAbove: 85, underBelow: 25 };

/** One measured resource of a host: usage and capacity in the same unit. */
export interface Usage {
  resourceId: string;
  resourceType: string;
  metric: 'cpu' | 'memory' | 'filesystem';
  /** cpus: busy CPUs of the CPUs there are; bytes: bytes used of the bytes there are. */
  unit: 'cpus' | 'bytes';
  usage: number;
  capacity: number;
  /** The instance's monthly price, on its CPU reading only (so a budget counts an instance once). */
  totalCost?: number;
  /** totalCost per unit of capacity (USD per CPU per month). */
  costPerUnit?: number;
}

/** Who measured it: the source's kind and id (a scrape URL without credentials, a provider's host id). */
export interface Origin {
  source: 'prometheus' | 'digitalocean';
  id: string;
  tenant: string;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * A resource_usage_event for one reading. Its uuid is derived from (source, resource, time slot), so a
 * poll repeated within the same slot (a retry after a partial failure) is dropped as a duplicate.
 */
export function resourceUsageEvent(
  origin: Origin,
  thresholds: Thresholds,
  reading: Usage,
  slotAt: number,
): CapturedEvent {
  // Capped at capacity (a host busier than its CPU entitlement is saturated, not at 200 %), so utilization
  // stays within 0–100 and equals current_usage / capacity, as the catalog checks.
  const capped = Math.min(reading.capacity, Math.max(0, reading.usage));
  const usage = reading.unit === 'bytes' ? Math.round(capped) : round(capped, 3);
  const utilization = round((usage / reading.capacity) * 100, 2);
  const over = utilization > thresholds.overAbove;
  const under = utilization < thresholds.underBelow;
  return {
    uuid: derivedUuid(`infra:${origin.source}:${origin.id}:${reading.resourceId}:${slotAt}`),
    event: 'resource_usage_event',
    distinctId: origin.tenant,
    timestamp: slotAt,
    properties: {
      tenant_id: origin.tenant,
      tracking_date: new Date(slotAt).toISOString(),
      resource_type: reading.resourceType,
      resource_id: reading.resourceId,
      metric: reading.metric,
      unit: reading.unit,
      current_usage: usage,
      capacity: reading.capacity,
      utilization_percentage: utilization,
      over_utilized: over,
      under_utilized: under,
      ...(reading.totalCost !== undefined ? { total_cost: round(reading.totalCost, 2) } : {}),
      ...(reading.costPerUnit !== undefined ? { cost_per_unit: round(reading.costPerUnit, 4) } : {}),
      source: origin.source,
      source_id: origin.id,
    },
  };
}

/** The time slot a poll belongs to: the start of its interval. */
export const slotOf = (at: number, intervalMs: number) => Math.floor(at / intervalMs) * intervalMs;
