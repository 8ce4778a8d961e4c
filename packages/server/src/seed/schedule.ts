import { DAY_MS, HOUR_MS } from './format.js';
import type { Random } from './random.js';

/**
 * What one planned slot turns into. Slots are packed with their time and tenant into one float so a
 * day of many tenants sorts as a Float64Array (no objects, no comparator) before events are built.
 */
export const Slot = {
  email: 0,
  resource: 1,
  efficiency: 2,
  revenue: 3,
  cost: 4,
  decision: 5,
  security: 6,
  pageview: 7,
  custom: 8,
  spikeEmail: 9,
  spikeRevenue: 10,
  revenueHit: 11,
  breach: 12,
  decisionDelay: 13,
  overrunResource: 14,
  overrunOpportunity: 15,
} as const;
export type SlotKind = (typeof Slot)[keyof typeof Slot];

const KIND_BITS = 32; // 5 bits
const TENANT_SPACE = 2 ** 20; // tenants per data set; with ms offsets < 2^27 the key stays < 2^52
export const MAX_TENANTS = TENANT_SPACE;

export function packSlot(offsetMs: number, tenant: number, kind: SlotKind): number {
  return (offsetMs * TENANT_SPACE + tenant) * KIND_BITS + kind;
}

export function unpackKind(key: number): SlotKind {
  return (key % KIND_BITS) as SlotKind;
}
export function unpackTenant(key: number): number {
  return Math.floor(key / KIND_BITS) % TENANT_SPACE;
}
export function unpackOffset(key: number): number {
  return Math.floor(key / (KIND_BITS * TENANT_SPACE));
}

/** A routine event kind: its mean per tenant-day (before scaling) and its weekend share. */
interface KindRate {
  kind: SlotKind;
  perDay: number;
  /** Weekend volume relative to the weekly mean; weekdays get (7 − 2·weekend) / 5 so the mean stays. */
  weekend: number;
  /** Weighted to the tenant's business hours (people) or flat through the day (machines). */
  businessHours: boolean;
}

// The mix behind eventsPerTenantPerDay = 40: hourly-ish email aggregates, resource snapshots, a daily
// reading per efficiency metric, a few revenue facts, and rarer cost, decision and security events.
export const businessRates: readonly KindRate[] = [
  { kind: Slot.email, perDay: 16, weekend: 0.6, businessHours: true },
  { kind: Slot.resource, perDay: 10, weekend: 1, businessHours: false },
  { kind: Slot.efficiency, perDay: 5, weekend: 1, businessHours: false },
  { kind: Slot.revenue, perDay: 4.5, weekend: 0.5, businessHours: true },
  { kind: Slot.cost, perDay: 1.5, weekend: 0.3, businessHours: true },
  { kind: Slot.decision, perDay: 0.8, weekend: 0.3, businessHours: true },
  { kind: Slot.security, perDay: 0.03, weekend: 1, businessHours: false },
];
export const genericRates: readonly KindRate[] = [
  { kind: Slot.pageview, perDay: 2.4, weekend: 0.5, businessHours: true },
  { kind: Slot.custom, perDay: 0.8, weekend: 0.5, businessHours: true },
];

export function ratesFor(includeGeneric: boolean): readonly KindRate[] {
  return includeGeneric ? [...businessRates, ...genericRates] : businessRates;
}

export function dayFactor(rate: KindRate, weekend: boolean): number {
  return weekend ? rate.weekend : (7 - 2 * rate.weekend) / 5;
}

/** Whether the tenant's local calendar day at the middle of a 24 h window is Saturday or Sunday. */
export function isWeekend(dayStartMs: number, utcOffsetHours: number): boolean {
  const localDay = Math.floor((dayStartMs + DAY_MS / 2 + utcOffsetHours * HOUR_MS) / DAY_MS);
  const weekday = (((localDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return weekday === 0 || weekday === 6;
}

// Local-hour weights of people's activity: a morning ramp, a lunch dip, a tail into the evening.
const hourWeights = [
  0.2, 0.15, 0.12, 0.12, 0.15, 0.25, 0.45, 0.8, 1.3, 1.7, 1.8, 1.7, 1.4, 1.6, 1.7, 1.6, 1.4, 1.1, 0.8, 0.6,
  0.5, 0.45, 0.35, 0.25,
];
const QUANTILES = 4096;
const hourOfQuantile = (() => {
  const total = hourWeights.reduce((a, b) => a + b, 0);
  const table = new Uint8Array(QUANTILES);
  let hour = 0;
  let cumulative = (hourWeights[0] ?? 0) / total;
  for (let i = 0; i < QUANTILES; i++) {
    while ((i + 0.5) / QUANTILES > cumulative && hour < 23) cumulative += (hourWeights[++hour] ?? 0) / total;
    table[i] = hour;
  }
  return table;
})();

/** Relative activity of a local hour (peak ≈ 1.8): scales email volume. */
export function hourWeight(localHour: number): number {
  return hourWeights[localHour] ?? 1;
}

/**
 * Milliseconds into a 24 h window for a local time of day drawn from business hours. Every 24 h window
 * holds each time of day exactly once, so `shiftMs` (window start and UTC offset) maps it there.
 */
export function businessOffset(rng: Random, shiftMs: number): number {
  const hour = hourOfQuantile[Math.floor(rng.next() * QUANTILES)] ?? 12;
  const local = Math.floor((hour + rng.next()) * HOUR_MS);
  return (local + shiftMs) % DAY_MS;
}

export function flatOffset(rng: Random): number {
  return Math.floor(rng.next() * DAY_MS);
}

/** The shift that `businessOffset` needs: local midnight relative to the window start, in [0, DAY). */
export function windowShift(startMs: number, utcOffsetHours: number): number {
  const startTimeOfDay = ((startMs % DAY_MS) + DAY_MS) % DAY_MS;
  const shift = -utcOffsetHours * HOUR_MS - startTimeOfDay;
  return ((Math.round(shift) % DAY_MS) + DAY_MS) % DAY_MS;
}

/** The local hour (0..23) of an instant for a tenant. */
export function localHour(ms: number, utcOffsetHours: number): number {
  const hours = Math.floor(ms / HOUR_MS + utcOffsetHours);
  return ((hours % 24) + 24) % 24;
}
