import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { doc, errors, fromQuery, IsoTime, literals, Nullable, tenantQuery, toQuery } from './common.js';

/** GET /api/insights/decisions, /benchmarks and /impact: what decisions, tenants and Pulse itself achieve. */

const Window = Type.Object(
  { from: IsoTime, to: IsoTime },
  { description: 'The half-open window [from, to)' },
);

/** Median and 90th percentile of a set of durations, in days. */
const Durations = Type.Object({
  count: Type.Integer({ description: 'Durations measured' }),
  medianDays: Nullable(Type.Number()),
  p90Days: Nullable(Type.Number()),
});
export type Durations = Static<typeof Durations>;

const Velocity = {
  proposedToApproved: Durations,
  approvedToCompleted: Durations,
  proposedToCompleted: Durations,
};

const usd = (description: string) => Nullable(Type.Number({ description: `${description}, USD` }));
const ratio = (description: string) => Nullable(Type.Number({ description }));

export const DecisionRow = Type.Object({
  tenantId: Type.String(),
  decisionId: Type.String(),
  decisionType: Nullable(Type.String()),
  title: Nullable(Type.String()),
  status: Nullable(Type.String()),
  decisionMaker: Nullable(Type.String()),
  proposedAt: Nullable(IsoTime),
  approvedAt: Nullable(IsoTime),
  completedAt: Nullable(IsoTime),
  lastEventAt: IsoTime,
  nextReviewAt: Nullable(IsoTime),
  overdue: Type.Boolean({ description: 'Its next review date passed with no newer event' }),
  expectedRevenueImpact: usd('Expected revenue impact'),
  expectedCostImpact: usd('Expected cost'),
  actualRevenueImpact: usd('Actual revenue impact'),
  actualCostImpact: usd('Actual cost'),
  expectedRoi: ratio('(expected revenue − expected cost) / expected cost'),
  realizedRoi: ratio('(actual revenue − actual cost) / actual cost'),
});
export type DecisionRow = Static<typeof DecisionRow>;

export const DecisionInsights = Type.Object({
  window: Window,
  asOf: IsoTime,
  velocity: Type.Object({
    ...Velocity,
    byMonth: Type.Array(Type.Object({ month: Type.String({ description: 'YYYY-MM, UTC' }), ...Velocity })),
    byType: Type.Array(Type.Object({ decisionType: Type.String(), ...Velocity })),
  }),
  totals: Type.Object({
    decisions: Type.Integer(),
    expectedRevenueImpact: Type.Number(),
    expectedCostImpact: Type.Number(),
    actualRevenueImpact: Type.Number(),
    actualCostImpact: Type.Number(),
    realizedRoi: ratio('Over the decisions with actual revenue and cost'),
  }),
  decisions: Type.Array(DecisionRow, { description: 'Decisions with an event in the window, newest first' }),
  overdueReviews: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      decisionId: Type.String(),
      title: Nullable(Type.String()),
      status: Nullable(Type.String()),
      nextReviewAt: IsoTime,
      daysOverdue: Type.Number(),
    }),
  ),
  truncated: Type.Boolean({ description: 'More decisions existed than one answer reads' }),
});
export type DecisionInsights = Static<typeof DecisionInsights>;

export const benchmarkKpis = ['netRevenueImpact', 'realizedSavings', 'deliverability', 'efficiency'] as const;

export const Benchmarks = Type.Object({
  window: Window,
  kpis: Type.Array(
    Type.Object({
      kpi: literals(benchmarkKpis),
      label: Type.String(),
      unit: literals(['usd', 'percent', 'score']),
      compared: Type.Integer({ description: 'Tenants with a value, all of them, whoever asks' }),
      distribution: Nullable(
        Type.Object(
          {
            p10: Type.Number(),
            p25: Type.Number(),
            p50: Type.Number(),
            p75: Type.Number(),
            p90: Type.Number(),
          },
          { description: 'Only for callers who see every tenant' },
        ),
      ),
      tenants: Type.Array(
        Type.Object({
          tenantId: Type.String(),
          value: Nullable(Type.Number()),
          percentile: Nullable(Type.Number({ description: '0..100 among all tenants; higher is better' })),
        }),
        { description: "The caller's tenants only" },
      ),
    }),
  ),
});
export type Benchmarks = Static<typeof Benchmarks>;

const Trend = Nullable(literals(['improving', 'stable', 'declining']));
const compared = <T extends TSchema>(value: T) =>
  Type.Object({
    current: value,
    previous: value,
    change: Nullable(Type.Number({ description: 'Relative change of the headline number' })),
    trend: Trend,
  });

const Capture = Type.Object({
  received: Type.Integer(),
  accepted: Type.Integer(),
  quarantined: Type.Integer(),
  refused: Type.Integer(),
  refusedRequests: Type.Integer({ description: 'Requests refused before their events could be read' }),
  rate: Nullable(Type.Number({ description: 'accepted / received' })),
});

export const BusinessImpact = Type.Object({
  window: Window,
  previousWindow: Window,
  decisionVelocity: compared(Durations),
  identification: Type.Object({
    toAlert: compared(Durations),
    toAcknowledge: compared(Durations),
  }),
  savingsRealization: compared(
    Type.Object({
      realized: Type.Number(),
      identified: Type.Number(),
      share: ratio('realized / identified'),
    }),
  ),
  captureSuccess: Type.Object({ ...compared(Capture).properties, target: Type.Number() }),
});
export type BusinessImpact = Static<typeof BusinessImpact>;

const WindowQuery = Type.Object({
  tenant: Type.Optional(tenantQuery),
  from: Type.Optional(fromQuery),
  to: Type.Optional(toQuery),
});

export const insightOutcomeRoutes = {
  getDecisions: {
    ...doc(
      'Decision velocity (proposed → approved → completed), expected vs actual impact and ROI, overdue reviews; default the last 90 days',
      'summary:read',
    ),
    querystring: WindowQuery,
    response: { 200: DecisionInsights, ...errors },
  },
  getBenchmarks: {
    ...doc(
      "Each tenant's KPIs as percentiles among all tenants; the distribution only for callers who see every tenant; default the last 30 days",
      'summary:read',
    ),
    querystring: WindowQuery,
    response: { 200: Benchmarks, ...errors },
  },
  getImpact: {
    ...doc(
      'Business impact measured by Pulse: decision velocity, issue identification time, realized savings share, capture success rate, each vs the previous period; default the last 30 days',
      'summary:read',
    ),
    querystring: WindowQuery,
    response: { 200: BusinessImpact, ...errors },
  },
} as const;
