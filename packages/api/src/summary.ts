import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AnyKeys,
  alertStates,
  IsoTime,
  List,
  doc,
  errors,
  fromQuery,
  literals,
  Nullable,
  severities,
  tenantQuery,
  toQuery,
} from './common.js';
import { UnknownTenant } from './tenants.js';

/** GET /api/summary and GET /api/series: the executive summary and the dashboard's chart series. */

const Trend = literals(['improving', 'stable', 'declining']);
const Window = Type.Object(
  { from: IsoTime, to: IsoTime },
  { description: 'The half-open window [from, to)' },
);
const TrendComparison = Type.Object({
  current: Nullable(Type.Number()),
  previous: Nullable(Type.Number()),
  change: Nullable(Type.Number()),
  basis: literals(['relative', 'absolute']),
});
const component = <T extends TSchema>(inputs: T) =>
  Type.Object({
    score: Nullable(Type.Number({ description: '0..100; null without data' })),
    weight: Type.Number(),
    effectiveWeight: Type.Number(),
    inputs,
  });

export const Summary = Type.Object({
  window: Window,
  previousWindow: Window,
  tenants: Type.Integer(),
  unknownTenants: List(UnknownTenant, {
    description:
      'Tenants named in the request that have no events at all (a typo, or nothing sent yet); their figures are zeros',
  }),
  generatedAt: IsoTime,
  restatedAt: Nullable(IsoTime),
  overallBusinessHealth: Nullable(Type.Number()),
  healthComponents: Type.Object({
    revenue: component(
      Type.Object({
        positive: Type.Number(),
        negative: Type.Number(),
        businessPerformanceScore: Type.Number(),
        events: Type.Number(),
      }),
    ),
    efficiency: component(
      Type.Object({ operationalEfficiencyScore: Nullable(Type.Number()), metrics: Type.Number() }),
    ),
    deliverability: component(
      Type.Object({ bounceRate: Nullable(Type.Number()), emails: Type.Number(), threshold: Type.Number() }),
    ),
    cost: component(Type.Object({ realized: Type.Number(), projected: Type.Number() })),
    resources: component(Type.Object({ resources: Type.Number(), costEfficient: Type.Number() })),
  }),
  keyMetrics: Type.Object({
    monthlyRevenueProtection: Type.Number(),
    costOptimizationSavings: Type.Number(),
    projectedSavings: Type.Number(),
    operationalEfficiencyScore: Nullable(Type.Number()),
    strategicDecisionsTracked: Type.Number(),
    businessPerformanceScore: Type.Number(),
    negativeRevenueImpact: Type.Number(),
    positiveRevenueImpact: Type.Number(),
  }),
  criticalAlerts: Type.Array(
    Type.Object({
      id: Type.String(),
      rule: Type.String(),
      severity: literals(severities),
      tenantId: Type.String(),
      state: literals(alertStates),
      eventIds: List(Type.String()),
      firstSeen: IsoTime,
      lastSeen: IsoTime,
      count: Type.Number(),
      message: Type.Optional(Type.String()),
    }),
  ),
  recommendedActions: Type.Array(
    Type.Object({
      action: Type.String(),
      atStake: Type.Number(),
      eventType: Type.String(),
      tenantId: Type.String(),
      sourceEventUuid: Type.String(),
    }),
  ),
  trendAnalysis: Type.Object({
    revenueTrend: Trend,
    costTrend: Trend,
    efficiencyTrend: Trend,
    revenue: TrendComparison,
    cost: TrendComparison,
    efficiency: TrendComparison,
  }),
});
export type Summary = Static<typeof Summary>;

const point = <T extends Record<string, TSchema>>(fields: T) =>
  Type.Array(Type.Object({ t: IsoTime, ...fields }));

export const Series = Type.Object({
  window: Window,
  bucketMs: Type.Number(),
  tenants: Type.Array(Type.String()),
  revenue: point({ negative: Type.Number(), positive: Type.Number() }),
  savings: point({ realized: Type.Number(), projected: Type.Number() }),
  efficiency: AnyKeys(point({ score: Type.Number() })),
  deliverability: point({
    bounceRate: Nullable(Type.Number()),
    spamRate: Nullable(Type.Number()),
    emails: Type.Number(),
  }),
  providers: Type.Array(
    Type.Object({
      provider: Type.String({ description: 'sendgrid, mailgun, ses or other' }),
      emails: Type.Number({ description: 'Σ email_count of the window' }),
      bounceRate: Nullable(
        Type.Number({ description: 'email_count-weighted, over reports with a bounce rate' }),
      ),
      spamRate: Nullable(Type.Number({ description: 'email_count-weighted, over reports with a spam rate' })),
      riskLevel: Nullable(Type.String({ description: 'Of the latest report' })),
    }),
    { description: 'Deliverability of the window per email provider' },
  ),
  thresholds: Type.Object({
    bounceRate: Type.Number(),
    spamRate: Type.Number(),
    efficiencyScore: Type.Number({ description: 'Score under which the default efficiency alert fires' }),
  }),
  runRate: point({ cost: Type.Number() }),
  budgetMonthly: Nullable(Type.Number()),
  utilization: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      resourceId: Type.String(),
      resourceType: Type.String(),
      utilization: Nullable(Type.Number()),
      totalCost: Nullable(Type.Number()),
    }),
  ),
});
export type Series = Static<typeof Series>;

const WindowQuery = Type.Object({
  tenant: Type.Optional(tenantQuery),
  from: Type.Optional(fromQuery),
  to: Type.Optional(toQuery),
});
export type WindowQuery = Static<typeof WindowQuery>;

export const summaryRoutes = {
  getSummary: {
    ...doc('Executive summary of a scope and window; default the last 30 days', 'summary:read'),
    querystring: WindowQuery,
    response: { 200: Summary, ...errors },
  },
  getSeries: {
    ...doc(
      "The dashboard's chart series of a scope and window (daily, hourly up to 3 days): revenue impact, savings, efficiency of the 8 metrics with the lowest latest score, deliverability vs thresholds, cost run-rate vs budget, latest resource utilization",
      'summary:read',
    ),
    querystring: WindowQuery,
    response: { 200: Series, ...errors },
  },
} as const;

export const liveRoute = {
  ...doc(
    "WebSocket (Upgrade: websocket; 426 otherwise) pushing JSON messages, each with a per-connection seq from 1: hello {boot, scope, role}; events.delta {at, tenants: {tenant: {event: {count, negativeRevenueImpact?, positiveRevenueImpact?, realizedSavings?, projectedSavings?}}}} batched every 250 ms; alert.transition {kind, at, actor, comment, alert}; alert.updated {alert}. Needs summary:read or alerts:read (every reading role holds both). Filtered by the caller's tenants; a session-cookie upgrade must send an Origin of this host. After a reconnect, refetch GET /api/summary and /api/alerts. The socket closes when its access ends (4401) or changes (4403), with a reason; see docs/live.md.",
    'summary:read',
  ),
  response: { 101: { description: 'Switching Protocols: the live socket', type: 'null' }, ...errors },
} as const;
