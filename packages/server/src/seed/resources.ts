import { clamp, round } from './format.js';
import type { Random } from './random.js';
import { localHour } from './schedule.js';
import type { TenantState } from './state.js';

/** Provisioned resources cost their capacity; metered ones cost what they use. */
type Billing = 'capacity' | 'usage';

export interface ResourceSpec {
  id: string;
  type: string;
  unit: string;
  capacity: number;
  costPerUnit: number;
  billing: Billing;
  /** Mean utilization 0..1 at the start of the window, and its swing over the local day. */
  utilization: number;
  dailySwing: number;
}

interface Template {
  id: string;
  type: string;
  unit: string;
  capacity: (size: number) => number;
  costPerUnit: number;
  billing: Billing;
  utilization: readonly [number, number];
  dailySwing: number;
  /** Only tenants at least this large run it. */
  minSize: number;
}

const step = (value: number, unit: number, min = unit) => Math.max(min, Math.round(value / unit) * unit);
const vcpus = (size: number) => step(16 * size ** 0.8, 2);

const templates: readonly Template[] = [
  {
    id: 'vps-web-01',
    type: 'vps_instance',
    unit: 'vCPU',
    capacity: vcpus,
    costPerUnit: 42,
    billing: 'capacity',
    utilization: [0.45, 0.75],
    dailySwing: 0.1,
    minSize: 0,
  },
  {
    id: 'db-primary',
    type: 'database',
    unit: 'GB',
    capacity: (s) => step(250 * s ** 0.8, 10),
    costPerUnit: 4.5,
    billing: 'capacity',
    utilization: [0.4, 0.72],
    dailySwing: 0.03,
    minSize: 0,
  },
  {
    id: 'storage-assets',
    type: 'storage',
    unit: 'GB',
    capacity: (s) => step(2000 * s, 100),
    costPerUnit: 0.023,
    billing: 'usage',
    utilization: [0.3, 0.7],
    dailySwing: 0,
    minSize: 0,
  },
  {
    id: 'cdn-bandwidth',
    type: 'bandwidth',
    unit: 'GB',
    capacity: (s) => step(10000 * s, 100),
    costPerUnit: 0.08,
    billing: 'usage',
    utilization: [0.35, 0.7],
    dailySwing: 0.06,
    minSize: 0,
  },
  {
    id: 'email-credits',
    type: 'email_credits',
    unit: 'emails',
    capacity: (s) => step(1_500_000 * s, 10_000),
    costPerUnit: 0.0006,
    billing: 'capacity',
    utilization: [0.4, 0.75],
    dailySwing: 0,
    minSize: 0,
  },
  {
    id: 'vps-worker-01',
    type: 'vps_instance',
    unit: 'vCPU',
    capacity: vcpus,
    costPerUnit: 42,
    billing: 'capacity',
    utilization: [0.15, 0.85],
    dailySwing: 0.05,
    minSize: 1,
  },
  {
    id: 'cache-redis-01',
    type: 'cache',
    unit: 'GB',
    capacity: (s) => step(16 * s ** 0.8, 2),
    costPerUnit: 18,
    billing: 'capacity',
    utilization: [0.3, 0.8],
    dailySwing: 0.04,
    minSize: 1,
  },
  {
    id: 'vps-web-02',
    type: 'vps_instance',
    unit: 'vCPU',
    capacity: vcpus,
    costPerUnit: 42,
    billing: 'capacity',
    utilization: [0.45, 0.75],
    dailySwing: 0.1,
    minSize: 2.5,
  },
  {
    id: 'db-replica-01',
    type: 'database',
    unit: 'GB',
    capacity: (s) => step(250 * s ** 0.8, 10),
    costPerUnit: 4.5,
    billing: 'capacity',
    utilization: [0.1, 0.45],
    dailySwing: 0.03,
    minSize: 2.5,
  },
];

/**
 * Highest planned utilization before the daily swing: the peak (level + swing + ~3 σ of the random walk,
 * 0.08, + a steady tenant's drift, up to 0.05) stays under the 85 % over-utilized line. Resources are sized
 * for their peak; what fills them is growth (an improving tenant's usage), not the plan.
 */
const PLANNED_PEAK_LEVEL = 0.72;
/**
 * Lowest planned utilization above the daily swing: the trough (level − swing − ~3 σ of the walk, 0.08, − a
 * steady tenant's drift, up to 0.05) stays over the 25 % under-utilized line. An idle resource is the
 * cost-overrun story's (its cluster is planned far lower) or a declining tenant's shrinking usage.
 */
const PLANNED_TROUGH_LEVEL = 0.38;

export function planResources(size: number, rng: Random): ResourceSpec[] {
  return templates
    .filter((t) => size >= t.minSize)
    .map((t) => ({
      id: t.id,
      type: t.type,
      unit: t.unit,
      capacity: t.capacity(size),
      costPerUnit: t.costPerUnit,
      billing: t.billing,
      utilization: clamp(
        rng.range(t.utilization[0], t.utilization[1]),
        PLANNED_TROUGH_LEVEL + t.dailySwing,
        PLANNED_PEAK_LEVEL - t.dailySwing,
      ),
      dailySwing: t.dailySwing,
    }));
}

const MAX_UTILIZATION = 0.985;
const fixedCost = (specs: readonly ResourceSpec[]) =>
  specs.reduce((sum, r) => sum + (r.billing === 'capacity' ? r.capacity * r.costPerUnit : 0), 0);

/** Budget the tenant stays within in normal operation: run-rate at full metered use is budget + 5 %. */
export function monthlyBudget(specs: readonly ResourceSpec[]): number {
  const metered = specs.reduce(
    (sum, r) => sum + (r.billing === 'usage' ? r.capacity * r.costPerUnit * MAX_UTILIZATION : 0),
    0,
  );
  return Math.ceil((fixedCost(specs) + metered) / 1.05 / 100) * 100;
}

/**
 * The cost-overrun incident: an analytics cluster left running, sized so the provisioned run-rate alone
 * exceeds 130 % of budget whatever the metered resources do (the default budget rule fires at 120 %).
 */
export function overrunResource(specs: readonly ResourceSpec[], budget: number, rng: Random): ResourceSpec {
  const extra = Math.max(0.5 * budget, 1.3 * budget - fixedCost(specs));
  return {
    id: 'vps-analytics-01',
    type: 'vps_instance',
    unit: 'vCPU',
    capacity: Math.ceil(extra / 42 / 2) * 2,
    costPerUnit: 42,
    billing: 'capacity',
    utilization: rng.range(0.06, 0.16),
    dailySwing: 0.02,
  };
}

/** Runtime state of one resource: a smoothed level for usage_trend and a slow random walk. */
export interface ResourceState {
  spec: ResourceSpec;
  smoothed: number;
  walk: number;
  overActions: readonly string[];
  underActions: readonly string[];
}

export function resourceState(spec: ResourceSpec): ResourceState {
  return {
    spec,
    smoothed: Number.NaN,
    walk: 0,
    overActions: Object.freeze([`Scale up ${spec.id} before it saturates`, 'Enable auto-scaling']),
    underActions: Object.freeze([
      spec.type === 'vps_instance' ? `Right-size ${spec.id}` : `Downgrade ${spec.id} to a smaller tier`,
      'Consolidate workloads onto fewer instances',
    ]),
  };
}

/** A resource_usage_event: utilization = usage / capacity, flags and total_cost consistent with it. */
export function resourceSnapshot(t: TenantState, r: ResourceState): Record<string, unknown> {
  const { spec } = r;
  const rng = t.rng;
  const hour = localHour(t.ts, t.profile.utcOffsetHours);
  const diurnal = Math.cos(((hour - 14) / 24) * 2 * Math.PI);
  r.walk = r.walk * 0.85 + rng.bell() * 0.012;
  const u = clamp(
    spec.utilization +
      t.profile.usageSlope * t.progress +
      spec.dailySwing * diurnal +
      r.walk +
      rng.bell() * 0.01,
    0.02,
    MAX_UTILIZATION,
  );
  const previous = r.smoothed;
  r.smoothed = Number.isNaN(previous) ? u : previous * 0.5 + u * 0.5;
  const delta = Number.isNaN(previous) ? t.profile.usageSlope / 10 : r.smoothed - previous;
  const currentUsage = spec.unit === 'emails' ? Math.round(spec.capacity * u) : round(spec.capacity * u, 2);
  const utilization = round((currentUsage / spec.capacity) * 100, 2);
  const over = utilization >= 85;
  const under = spec.billing === 'capacity' && utilization < 25;
  const totalCost = round((spec.billing === 'capacity' ? spec.capacity : currentUsage) * spec.costPerUnit, 2);
  const props: Record<string, unknown> = {
    tenant_id: t.profile.id,
    resource_type: spec.type,
    resource_id: spec.id,
    current_usage: currentUsage,
    capacity: spec.capacity,
    utilization_percentage: utilization,
    usage_trend: delta > 0.01 ? 'increasing' : delta < -0.01 ? 'decreasing' : 'stable',
    cost_per_unit: spec.costPerUnit,
    total_cost: totalCost,
    unit: spec.unit,
    over_utilized: over,
    under_utilized: under,
    cost_efficient: !over && !under,
    tracking_date: t.iso,
  };
  if (over) props.optimization_opportunities = r.overActions;
  else if (under) props.optimization_opportunities = r.underActions;
  return props;
}
