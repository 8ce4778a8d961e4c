import { DAY_MS, round } from './format.js';
import type { Random } from './random.js';
import type { TenantState } from './state.js';

type Level = 'low' | 'medium' | 'high';

interface Template {
  category: string;
  actions: readonly string[];
  resources: readonly string[];
  /** Monthly baseline cost range at size 1, USD, and the share a fix saves. */
  baseline: readonly [number, number];
  saving: readonly [number, number];
  complexity: Level;
  timeframe: string;
  risk: Level;
}

const t = (
  category: string,
  actions: string[],
  resources: string[],
  baseline: [number, number],
  saving: [number, number],
  complexity: Level,
  timeframe: string,
  risk: Level,
): Template => ({
  category,
  actions: Object.freeze(actions),
  resources: Object.freeze(resources),
  baseline,
  saving,
  complexity,
  timeframe,
  risk,
});

const templates: readonly Template[] = [
  t(
    'infrastructure',
    ['Right-size VPS instances'],
    ['DevOps engineer'],
    [3000, 8000],
    [0.15, 0.35],
    'low',
    '1 week',
    'low',
  ),
  t(
    'infrastructure',
    ['Purchase reserved instances for steady workloads'],
    ['DevOps engineer', 'Finance approval'],
    [4000, 12000],
    [0.2, 0.4],
    'low',
    '2 weeks',
    'low',
  ),
  t(
    'infrastructure',
    ['Move cold logs to object storage', 'Shorten log retention to 30 days'],
    ['Platform engineer'],
    [800, 3000],
    [0.3, 0.6],
    'medium',
    '3 weeks',
    'low',
  ),
  t(
    'database',
    ['Add a read replica and downsize the primary'],
    ['Database administrator'],
    [2000, 6000],
    [0.1, 0.25],
    'high',
    '1 month',
    'medium',
  ),
  t(
    'email_service',
    ['Consolidate sending on one ESP plan', 'Renegotiate the volume tier'],
    ['Email operations lead'],
    [1500, 5000],
    [0.1, 0.3],
    'medium',
    '1 month',
    'low',
  ),
  t(
    'email_service',
    ['Suppress inactive contacts from campaigns'],
    ['Lifecycle marketer'],
    [500, 2000],
    [0.08, 0.2],
    'low',
    '1 week',
    'low',
  ),
  t(
    'software',
    ['Remove unused SaaS seats'],
    ['IT administrator'],
    [600, 3000],
    [0.15, 0.4],
    'low',
    '2 weeks',
    'low',
  ),
  t(
    'software',
    ['Consolidate monitoring tools'],
    ['SRE lead', 'Procurement'],
    [1000, 4000],
    [0.2, 0.45],
    'medium',
    '6 weeks',
    'medium',
  ),
  t(
    'staffing',
    ['Automate tier-1 support triage'],
    ['Support operations', 'ML engineer'],
    [4000, 15000],
    [0.1, 0.25],
    'high',
    '3 months',
    'medium',
  ),
  t(
    'bandwidth',
    ['Enable CDN caching for static assets'],
    ['Frontend engineer'],
    [500, 2500],
    [0.25, 0.5],
    'low',
    '1 week',
    'low',
  ),
];

const overrunTemplate = t(
  'infrastructure',
  ['Shut down the idle analytics cluster', 'Move batch analytics to spot instances'],
  ['DevOps engineer', 'Data engineering lead'],
  [0, 0],
  [0.7, 0.85],
  'low',
  '1 week',
  'low',
);

const paybackMonths: Record<Level, readonly [number, number]> = {
  low: [0.5, 2],
  medium: [2, 5],
  high: [4, 9],
};

export interface Opportunity {
  id: string;
  template: Template;
  baseline: number;
  optimized: number;
  payback: number;
  identifiedAt: number;
}

export interface CostBook {
  pending: Opportunity[];
  counter: number;
}

export const costBook = (): CostBook => ({ pending: [], counter: 0 });

/** A cost_optimization_event; savings, percentage, ROI and payback all derive from the two costs. */
function costEvent(
  state: TenantState,
  o: Opportunity,
  type: 'identified' | 'implemented' | 'rejected',
  optimized: number,
): Record<string, unknown> {
  const savings = o.baseline - optimized;
  const investment = savings * o.payback; // what the change costs once
  return {
    tenant_id: state.profile.id,
    optimization_id: o.id,
    optimization_category: o.template.category,
    optimization_type: type,
    savings_amount: savings,
    baseline_cost: o.baseline,
    optimized_cost: optimized,
    savings_percentage: round((savings / o.baseline) * 100, 1),
    implementation_complexity: o.template.complexity,
    timeframe_required: o.template.timeframe,
    required_actions: o.template.actions,
    resources_needed: o.template.resources,
    roi: Math.round(((savings * 12 - investment) / investment) * 100),
    payback_period_months: round(o.payback, 1),
    risk_level: o.template.risk,
    tracking_date: state.iso,
    tracked_by: type === 'identified' ? 'cost_optimization_engine' : 'finance_team',
  };
}

function identify(
  state: TenantState,
  template: Template,
  baseline: number,
  rng: Random,
): Record<string, unknown> {
  const book = state.costs;
  const saving = rng.range(template.saving[0], template.saving[1]);
  const [low, high] = paybackMonths[template.complexity];
  const o: Opportunity = {
    id: `opt-${state.profile.id}-${String(++book.counter).padStart(3, '0')}`,
    template,
    baseline,
    optimized: Math.round(baseline * (1 - saving)),
    payback: rng.range(low, high),
    identifiedAt: state.ts,
  };
  book.pending.push(o);
  return costEvent(state, o, 'identified', o.optimized);
}

/**
 * Identifies a new saving or settles one identified at least two days ago: healthier tenants implement
 * more of what they find. Implemented savings keep the category and land within a few % of the estimate.
 */
export function costOptimization(state: TenantState): Record<string, unknown> {
  const { rng, costs } = state;
  const ready = costs.pending[0];
  const settle =
    ready !== undefined &&
    state.ts - ready.identifiedAt >= 2 * DAY_MS &&
    (costs.pending.length >= 6 || rng.chance(0.3 + 0.4 * state.health));
  if (!settle) {
    const template = rng.pick(templates);
    const baseline = Math.round(rng.range(template.baseline[0], template.baseline[1]) * state.profile.size);
    return identify(state, template, baseline, rng);
  }
  costs.pending.shift();
  if (rng.chance(0.12)) return costEvent(state, ready, 'rejected', ready.optimized);
  const realized = Math.min(ready.baseline - 1, Math.round(ready.optimized * rng.range(0.97, 1.05)));
  // Shutting the idle cluster down shows in its next resource snapshots.
  if (ready.template === overrunTemplate && state.overrun) {
    state.overrun.spec.capacity = 2;
    state.overrun.spec.utilization = 0.55;
  }
  return costEvent(state, ready, 'implemented', realized);
}

/** After a cost overrun: the saving that would undo it (the overrun's alert is the budget's, not this). */
export function overrunOpportunity(state: TenantState, clusterMonthlyCost: number): Record<string, unknown> {
  return identify(state, overrunTemplate, Math.round(clusterMonthlyCost), state.rng);
}
