/**
 * The reference implementation of the summary that analytics is tested against: plain TypeScript over the raw
 * events, written from the spec (and the choices documented in summary-types.ts), sharing no code with the
 * rollups. Slow by design; any other summary engine (a ClickHouse one, say) can be checked against it too.
 */
import type { AlertItem, ExecutiveSummary, SummaryScope, TimeWindow, Trend } from './summary-types.js';

export interface OracleEvent {
  uuid: string;
  event: string;
  timestamp: number;
  ingestedAt: number;
  properties: Record<string, unknown>;
}

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const feeding = [
  'revenue_impact_event',
  'cost_optimization_event',
  'operational_efficiency_event',
  'strategic_decision_event',
  'email_deliverability_event',
  'resource_usage_event',
];
const business = [...feeding, 'security_incident_event'];

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const tenantOf = (e: OracleEvent): string | undefined =>
  typeof e.properties.tenant_id === 'string' ? e.properties.tenant_id : undefined;
const trim = (s: string) => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

function actionsOf(e: OracleEvent): { actions: string[]; stake: number } {
  const p = e.properties;
  const strings = (...values: unknown[]) =>
    values
      .flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]))
      .filter((v): v is string => typeof v === 'string');
  switch (e.event) {
    case 'revenue_impact_event':
      return { actions: strings(p.action_required, p.mitigation_actions), stake: n(p.impact_amount) };
    case 'cost_optimization_event':
      return {
        actions: p.optimization_type === 'identified' ? strings(p.required_actions) : [],
        stake: n(p.savings_amount),
      };
    case 'operational_efficiency_event':
      return { actions: strings(p.recommendations), stake: Math.abs(n(p.cost_impact)) };
    case 'email_deliverability_event':
      return { actions: strings(p.actions_required), stake: Math.abs(n(p.cost_impact)) };
    case 'resource_usage_event':
      return { actions: strings(p.optimization_opportunities), stake: n(p.total_cost) };
    default:
      return { actions: [], stake: 0 };
  }
}

interface Figures {
  positive: number;
  negative: number;
  revenueEvents: number;
  realized: number;
  projected: number;
  efficiency: number | null;
  metrics: number;
  emails: number;
  bounceRate: number | null;
  resources: number;
  efficient: number;
  decisions: number;
  late: number;
  actions: { action: string; stake: number; ts: number; uuid: string; type: string; tenant: string }[];
}

function figures(events: readonly OracleEvent[], graceMs: number): Figures {
  const f: Figures = {
    positive: 0,
    negative: 0,
    revenueEvents: 0,
    realized: 0,
    projected: 0,
    efficiency: null,
    metrics: 0,
    emails: 0,
    bounceRate: null,
    resources: 0,
    efficient: 0,
    decisions: 0,
    late: 0,
    actions: [],
  };
  let bounced = 0;
  const latestScore = new Map<string, { ts: number; score: number }>();
  const latestResource = new Map<string, { ts: number; state: number }>();
  const decisions = new Set<string>();
  const best = new Map<string, Figures['actions'][number]>();
  for (const e of events) {
    const p = e.properties;
    const tenant = tenantOf(e) as string;
    if (e.ingestedAt > Math.floor(e.timestamp / DAY) * DAY + DAY + graceMs)
      f.late = Math.max(f.late, e.ingestedAt);
    if (e.event === 'revenue_impact_event') {
      f.revenueEvents++;
      if (p.impact_type === 'positive') f.positive += n(p.impact_amount);
      else f.negative += n(p.impact_amount);
    } else if (e.event === 'cost_optimization_event') {
      if (p.optimization_type === 'implemented') f.realized += n(p.savings_amount);
      if (p.optimization_type === 'identified') f.projected += n(p.savings_amount);
    } else if (e.event === 'email_deliverability_event' && typeof p.bounce_rate === 'number') {
      f.emails += n(p.email_count);
      bounced += p.bounce_rate * n(p.email_count);
    } else if (e.event === 'operational_efficiency_event') {
      const key = `${tenant}\u0000${String(p.efficiency_metric)}`;
      const old = latestScore.get(key);
      const score = n(p.efficiency_score);
      if (!old || e.timestamp > old.ts || (e.timestamp === old.ts && score < old.score))
        latestScore.set(key, { ts: e.timestamp, score });
    } else if (e.event === 'resource_usage_event') {
      const key = `${tenant}\u0000${String(p.resource_id ?? p.resource_type)}`;
      const state = p.cost_efficient === true ? 2 : p.cost_efficient === false ? 1 : 0;
      const old = latestResource.get(key);
      if (!old || e.timestamp > old.ts || (e.timestamp === old.ts && state < old.state))
        latestResource.set(key, { ts: e.timestamp, state });
    } else if (e.event === 'strategic_decision_event') {
      const id = typeof p.decision_id === 'string' ? p.decision_id : e.uuid.toLowerCase();
      decisions.add(`${tenant}\u0000${id}`);
    }
    const { actions, stake } = actionsOf(e);
    for (const raw of actions) {
      const action = trim(raw);
      if (!action) continue;
      const candidate = { action, stake, ts: e.timestamp, uuid: e.uuid.toLowerCase(), type: e.event, tenant };
      const old = best.get(action);
      const better =
        !old ||
        stake > old.stake ||
        (stake === old.stake &&
          (e.timestamp > old.ts || (e.timestamp === old.ts && candidate.uuid > old.uuid)));
      if (better) best.set(action, candidate);
    }
  }
  if (latestScore.size) {
    f.metrics = latestScore.size;
    f.efficiency = [...latestScore.values()].reduce((s, v) => s + v.score, 0) / latestScore.size;
  }
  if (f.emails > 0) f.bounceRate = bounced / f.emails;
  for (const { state } of latestResource.values()) {
    if (state === 0) continue;
    f.resources++;
    if (state === 2) f.efficient++;
  }
  f.decisions = decisions.size;
  f.actions = [...best.values()]
    .sort((a, b) => b.stake - a.stake || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0))
    .slice(0, 5);
  return f;
}

function relative(cur: number, prev: number): Trend {
  const c = Math.round(cur * 100);
  const p = Math.round(prev * 100);
  if (p === 0) return c > 0 ? 'improving' : c < 0 ? 'declining' : 'stable';
  // Whole cents, integers: the exact ±5 % boundary compares as 1/20.
  return (c - p) * 20 > Math.abs(p) ? 'improving' : (c - p) * 20 < -Math.abs(p) ? 'declining' : 'stable';
}

function absolute(cur: number | null, prev: number | null): Trend {
  if (cur === null || prev === null) return 'stable';
  const d = Math.round(cur * 1e6) - Math.round(prev * 1e6);
  return d > 2e6 ? 'improving' : d < -2e6 ? 'declining' : 'stable';
}

export interface OracleOptions {
  generatedAt: number;
  alerts?: readonly AlertItem[];
  graceMs?: number;
}

/** The executive summary, computed the slow and obvious way. */
export function naiveSummary(
  all: readonly OracleEvent[],
  scope: SummaryScope,
  window: TimeWindow,
  options: OracleOptions,
): ExecutiveSummary {
  const grace = options.graceMs ?? HOUR;
  const inScope = (e: OracleEvent) => {
    const t = tenantOf(e);
    return t !== undefined && (scope.tenants === 'all' || scope.tenants.includes(t));
  };
  const previousWindow = { from: window.from - (window.to - window.from), to: window.from };
  const within = (w: TimeWindow) =>
    all.filter((e) => feeding.includes(e.event) && inScope(e) && e.timestamp >= w.from && e.timestamp < w.to);
  const cur = figures(within(window), grace);
  const prev = figures(within(previousWindow), grace);

  const bps =
    cur.positive + cur.negative === 0
      ? 0
      : ((cur.positive - cur.negative) / (cur.positive + cur.negative)) * 100;
  const components = {
    revenue: { w: 0.35, score: cur.revenueEvents ? 50 + bps / 2 : null },
    efficiency: { w: 0.25, score: cur.efficiency },
    deliverability: {
      w: 0.2,
      score: cur.bounceRate === null ? null : 100 * (1 - Math.min(1, cur.bounceRate / 0.15)),
    },
    cost: {
      w: 0.1,
      score: cur.realized + cur.projected > 0 ? (100 * cur.realized) / (cur.realized + cur.projected) : null,
    },
    resources: { w: 0.1, score: cur.resources ? (100 * cur.efficient) / cur.resources : null },
  };
  const present = Object.values(components).reduce((s, c) => s + (c.score === null ? 0 : c.w), 0);
  const overall = present
    ? Object.values(components).reduce((s, c) => s + (c.score === null ? 0 : (c.score * c.w) / present), 0)
    : null;
  const eff = (c: { w: number; score: number | null }) => (c.score === null ? 0 : c.w / present);
  const tenants =
    scope.tenants === 'all'
      ? new Set(
          all
            .filter((e) => business.includes(e.event))
            .map(tenantOf)
            .filter((t) => t !== undefined),
        ).size
      : new Set(scope.tenants).size;
  const late = Math.max(cur.late, prev.late);
  const netCur = cur.positive - cur.negative;
  const netPrev = prev.positive - prev.negative;
  return {
    window,
    previousWindow,
    tenants,
    generatedAt: options.generatedAt,
    restatedAt: late > 0 ? late : null,
    overallBusinessHealth: overall,
    healthComponents: {
      revenue: {
        score: components.revenue.score,
        weight: 0.35,
        effectiveWeight: eff(components.revenue),
        inputs: {
          positive: cur.positive,
          negative: cur.negative,
          businessPerformanceScore: bps,
          events: cur.revenueEvents,
        },
      },
      efficiency: {
        score: components.efficiency.score,
        weight: 0.25,
        effectiveWeight: eff(components.efficiency),
        inputs: { operationalEfficiencyScore: cur.efficiency, metrics: cur.metrics },
      },
      deliverability: {
        score: components.deliverability.score,
        weight: 0.2,
        effectiveWeight: eff(components.deliverability),
        inputs: { bounceRate: cur.bounceRate, emails: cur.emails, threshold: 0.15 },
      },
      cost: {
        score: components.cost.score,
        weight: 0.1,
        effectiveWeight: eff(components.cost),
        inputs: { realized: cur.realized, projected: cur.projected },
      },
      resources: {
        score: components.resources.score,
        weight: 0.1,
        effectiveWeight: eff(components.resources),
        inputs: { resources: cur.resources, costEfficient: cur.efficient },
      },
    },
    keyMetrics: {
      monthlyRevenueProtection: (cur.positive * 30) / ((window.to - window.from) / DAY),
      costOptimizationSavings: cur.realized,
      projectedSavings: cur.projected,
      operationalEfficiencyScore: cur.efficiency,
      strategicDecisionsTracked: cur.decisions,
      businessPerformanceScore: bps,
      negativeRevenueImpact: cur.negative,
      positiveRevenueImpact: cur.positive,
    },
    criticalAlerts: (options.alerts ?? [])
      .filter((a) => a.severity === 'critical' && a.state === 'open')
      .filter((a) => scope.tenants === 'all' || scope.tenants.includes(a.tenantId))
      .sort(
        (a, b) =>
          b.lastSeen - a.lastSeen || b.firstSeen - a.firstSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      ),
    recommendedActions: cur.actions.map((a) => ({
      action: a.action,
      atStake: a.stake,
      eventType: a.type,
      tenantId: a.tenant,
      sourceEventUuid: a.uuid,
    })),
    trendAnalysis: {
      revenueTrend: relative(netCur, netPrev),
      costTrend: relative(cur.realized, prev.realized),
      efficiencyTrend: absolute(cur.efficiency, prev.efficiency),
      revenue: {
        current: netCur,
        previous: netPrev,
        change: Math.round(netPrev * 100) === 0 ? null : (netCur - netPrev) / Math.abs(netPrev),
        basis: 'relative',
      },
      cost: {
        current: cur.realized,
        previous: prev.realized,
        change:
          Math.round(prev.realized * 100) === 0
            ? null
            : (cur.realized - prev.realized) / Math.abs(prev.realized),
        basis: 'relative',
      },
      efficiency: {
        current: cur.efficiency,
        previous: prev.efficiency,
        change: cur.efficiency === null || prev.efficiency === null ? null : cur.efficiency - prev.efficiency,
        basis: 'absolute',
      },
    },
  };
}
