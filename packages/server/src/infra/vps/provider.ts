import type { HostReading } from '../host-usage.js';
import type { Origin } from '../resource-event.js';

/** One instance a provider runs, with the tenant it belongs to. */
export interface VpsHost {
  tenant: string;
  reading: HostReading;
}

export interface VpsPoll {
  hosts: VpsHost[];
  /** What the poll saw, for the status board (instances listed, skipped, requests rate-limited…). */
  detail: Record<string, string | number | boolean | null>;
}

/**
 * A VPS provider's API: its instances, each with its price and its utilization over a recent window.
 * Pulse turns them into resource_usage_event; a provider only knows its own API.
 */
export interface VpsProvider {
  readonly source: Origin['source'];
  /** Where it reads from (its API base URL, never a credential): the source's id on the board. */
  readonly id: string;
  poll(at: number, windowMs: number, signal: AbortSignal): Promise<VpsPoll>;
}
