import { countsToward, projectedSavings, resourceOf } from '@pulse/events/measures';
import type { StoredEvent } from '../storage/event-store.js';

export const DAY_MS = 86_400_000;

/**
 * A late event is one ingested more than this long after the end of the UTC day of its timestamp: by then
 * that day's figures have been shown as final (a day's last hourly aggregates normally land within minutes
 * of midnight, so an hour of grace keeps on-time traffic from counting as a restatement).
 */
export const LATE_GRACE_MS = 3_600_000;

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

export function isLate(timestamp: number, ingestedAt: number, graceMs = LATE_GRACE_MS): boolean {
  return ingestedAt > (dayOf(timestamp) + 1) * DAY_MS + graceMs;
}

/** Event types that feed the summary: the six with a summary metric (security incidents only feed alerts). */
export const summaryEventTypes = [
  'revenue_impact_event',
  'cost_optimization_event',
  'operational_efficiency_event',
  'strategic_decision_event',
  'email_deliverability_event',
  'resource_usage_event',
] as const;
export type SummaryEventType = (typeof summaryEventTypes)[number];

/** Resource snapshot state, ordered so that on a same-millisecond tie the lowest (least favourable) wins. */
export const ResourceState = { unknown: 0, inefficient: 1, efficient: 2 } as const;
export type ResourceState = (typeof ResourceState)[keyof typeof ResourceState];

/**
 * What one event contributes to the summary: the few properties it reads, already typed. One object shape
 * for every type (summaries scan hundreds of thousands of these; a single hidden class keeps that fast):
 *
 * | type | key | value | rate |
 * |---|---|---|---|
 * | revenue_impact_event | impact_type | impact_amount | |
 * | cost_optimization_event | optimization_type | savings_amount | |
 * | operational_efficiency_event | efficiency_metric | efficiency_score | |
 * | email_deliverability_event | | email_count | bounce_rate (null when absent) |
 * | resource_usage_event | resource_id | ResourceState | |
 * | strategic_decision_event | decision_id (default: the uuid) | | |
 */
export interface Fact {
  type: SummaryEventType;
  tenant: string;
  timestamp: number;
  ingestedAt: number;
  /** Lower-case, as the store returns it. */
  uuid: string;
  /** Distinct non-empty trimmed action strings the event recommends (see actionsOf). */
  actions: readonly string[];
  /** $ at stake of the event (see stakeOf). */
  stake: number;
  key: string;
  value: number;
  rate: number | null;
}

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * "$ at stake" of an event, which ranks the actions it carries: the property below, 0 when absent:
 * - revenue_impact_event: impact_amount (the revenue lost or protected);
 * - cost_optimization_event: savings_amount (the saving the actions realize);
 * - operational_efficiency_event and email_deliverability_event: |cost_impact| (its sign says direction,
 *   the magnitude is what is at stake);
 * - resource_usage_event: total_cost (the monthly run-rate the opportunities act on).
 * strategic_decision_event and security_incident_event carry none of the action properties.
 * stakeOf reads it in JS, storage/duckdb/rollup-sql.ts in SQL.
 */
export const stakeProperties: Record<SummaryEventType, { property: string; magnitude: boolean } | null> = {
  revenue_impact_event: { property: 'impact_amount', magnitude: false },
  cost_optimization_event: { property: 'savings_amount', magnitude: false },
  operational_efficiency_event: { property: 'cost_impact', magnitude: true },
  email_deliverability_event: { property: 'cost_impact', magnitude: true },
  resource_usage_event: { property: 'total_cost', magnitude: false },
  strategic_decision_event: null,
};

export function stakeOf(type: SummaryEventType, p: Record<string, unknown>): number {
  const stake = stakeProperties[type];
  if (!stake) return 0;
  const value = num(p[stake.property]) ?? 0;
  return stake.magnitude ? Math.abs(value) : value;
}

/**
 * Which catalog properties of each type hold actions. Cost optimizations count only while projected
 * (identified): the actions of an implemented one are done and those of a rejected one were declined, so
 * neither is a recommendation any more.
 */
export const actionProperties: Record<SummaryEventType, readonly string[]> = {
  revenue_impact_event: ['action_required', 'mitigation_actions'],
  cost_optimization_event: ['required_actions'],
  operational_efficiency_event: ['recommendations'],
  email_deliverability_event: ['actions_required'],
  resource_usage_event: ['optimization_opportunities'],
  strategic_decision_event: [],
};

const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** Trims ASCII whitespace (space, \t \n \v \f \r) only: storage/duckdb/rollup-sql.ts trims the same set in SQL. */
export function trimAction(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiSpace(s.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function actionsOf(type: SummaryEventType, p: Record<string, unknown>): string[] {
  if (type === projectedSavings.event && !countsToward(projectedSavings, p)) return [];
  const out: string[] = [];
  for (const key of actionProperties[type]) {
    const value = p[key];
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof item !== 'string') continue;
      const action = trimAction(item);
      if (action && !out.includes(action)) out.push(action);
    }
  }
  return out;
}

/** The properties factOf reads, per type (edge-days.ts loads just these from the store). */
export const factProperties: Record<SummaryEventType, readonly string[]> = {
  revenue_impact_event: ['impact_amount', 'impact_type', 'action_required', 'mitigation_actions'],
  cost_optimization_event: ['savings_amount', 'optimization_type', 'required_actions'],
  operational_efficiency_event: ['efficiency_metric', 'efficiency_score', 'cost_impact', 'recommendations'],
  email_deliverability_event: ['email_count', 'bounce_rate', 'cost_impact', 'actions_required'],
  resource_usage_event: [
    'resource_id',
    'resource_type',
    'cost_efficient',
    'total_cost',
    'optimization_opportunities',
  ],
  strategic_decision_event: ['decision_id'],
};

const summaryTypes = new Set<string>(summaryEventTypes);
export const isSummaryEventType = (name: string): name is SummaryEventType => summaryTypes.has(name);

const noActions: readonly string[] = Object.freeze([]);

function keyAndValue(type: SummaryEventType, p: Record<string, unknown>, uuid: string): [string, number] {
  switch (type) {
    case 'revenue_impact_event':
      return [str(p.impact_type) ?? '', num(p.impact_amount) ?? 0];
    case 'cost_optimization_event':
      return [str(p.optimization_type) ?? '', num(p.savings_amount) ?? 0];
    case 'operational_efficiency_event':
      return [str(p.efficiency_metric) ?? '', num(p.efficiency_score) ?? 0];
    case 'email_deliverability_event':
      return ['', num(p.email_count) ?? 0];
    case 'resource_usage_event': {
      const efficient = p.cost_efficient;
      const state =
        efficient === true
          ? ResourceState.efficient
          : efficient === false
            ? ResourceState.inefficient
            : ResourceState.unknown;
      return [resourceOf(p) ?? '', state];
    }
    case 'strategic_decision_event':
      return [str(p.decision_id) ?? uuid, 0];
  }
}

/**
 * The fact of a committed event, or null when it feeds no summary metric (or has no tenant). `intern` may
 * share equal strings between facts (edge-days.ts does, for facts it keeps).
 */
export function factOf(event: StoredEvent, intern: (s: string) => string = (s) => s): Fact | null {
  const type = event.event;
  if (!isSummaryEventType(type) || event.tenantId === null) return null;
  const p = event.properties;
  const uuid = event.uuid.toLowerCase();
  const [key, value] = keyAndValue(type, p, uuid);
  const actions = actionsOf(type, p);
  return {
    type,
    tenant: intern(event.tenantId),
    timestamp: event.timestamp,
    ingestedAt: event.ingestedAt,
    uuid,
    actions: actions.length ? actions.map(intern) : noActions,
    stake: stakeOf(type, p),
    key: intern(key),
    value,
    rate: type === 'email_deliverability_event' ? num(p.bounce_rate) : null,
  };
}
