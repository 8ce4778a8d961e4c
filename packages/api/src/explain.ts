import { Type, type Static } from '@sinclair/typebox';
import {
  AnyKeys,
  doc,
  errors,
  fromQuery,
  IsoTime,
  limitQuery,
  literals,
  Nullable,
  tenantQuery,
  text,
  toQuery,
} from './common.js';

/** GET /api/explain and /api/explain/events: how a number of the summary was computed, and from which events. */

const Unit = literals(
  ['usd', 'score', 'count', 'rate'],
  'usd: dollars; score: points; rate: a fraction 0..1',
);
const Combine = literals(
  ['sum', 'count', 'mean'],
  'How the listed events’ amounts make the number named in `yields`: their sum, their count or their mean',
);
const Window = Type.Object(
  { from: IsoTime, to: IsoTime },
  { description: 'The half-open window [from, to)' },
);

export const ExplainInput = Type.Object({
  label: Type.String(),
  value: Nullable(Type.Number({ description: 'null: no data in the window' })),
  unit: Unit,
  metric: Type.Optional(Type.String({ description: 'Set when this input has an explanation of its own' })),
});
export type ExplainInput = Static<typeof ExplainInput>;

export const Explanation = Type.Object({
  metric: Type.String(),
  label: Type.String(),
  unit: Unit,
  value: Nullable(Type.Number({ description: 'The number as GET /api/summary gives it; null: no data' })),
  formula: Type.String({ description: 'How it is computed, in plain words' }),
  window: Window,
  inputs: Type.Array(ExplainInput),
  eventsQuery: Nullable(
    Type.Object(
      {
        href: Type.String({ description: 'GET it for the events behind the number, paged' }),
        combine: Combine,
        yields: Type.String({ description: 'What the listed events combine into, in words' }),
      },
      { description: 'null: the number is made of other numbers only (see inputs)' },
    ),
  ),
});
export type Explanation = Static<typeof Explanation>;

export const ContributingEvent = Type.Object({
  uuid: Type.String(),
  event: Type.String(),
  tenantId: Type.String(),
  timestamp: IsoTime,
  amount: Type.Number({ description: 'What this event adds to the number (1 per event for counts)' }),
  properties: AnyKeys(Type.Unknown(), { description: 'The properties that matter to this number' }),
});
export type ContributingEvent = Static<typeof ContributingEvent>;

export const ExplainEventPage = Type.Object({
  metric: Type.String(),
  window: Window,
  combine: Combine,
  yields: Type.String(),
  events: Type.Array(ContributingEvent),
  nextCursor: Nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last' })),
});
export type ExplainEventPage = Static<typeof ExplainEventPage>;

const metricQuery = text(
  'The number to explain: a key metric (e.g. netRevenueImpact), overallBusinessHealth or a health component (health.revenue …); a 400 lists them all',
);
const windowQuery = {
  metric: Type.Optional(metricQuery),
  tenant: Type.Optional(tenantQuery),
  from: Type.Optional(fromQuery),
  to: Type.Optional(toQuery),
};

export const explainRoutes = {
  getExplanation: {
    ...doc(
      'How one number of the summary (same scope and window; default the last 30 days, at most 400 days) is computed: its formula in words, its inputs and where its events are',
      'summary:read',
    ),
    querystring: Type.Object(windowQuery),
    response: { 200: Explanation, ...errors },
  },
  getEvents: {
    ...doc(
      'The events behind one number of the summary, each with what it adds, newest first, keyset-paged',
      'summary:read',
    ),
    querystring: Type.Object({
      ...windowQuery,
      limit: Type.Optional(limitQuery(500, 100)),
      cursor: Type.Optional(text('nextCursor of the previous page')),
    }),
    response: { 200: ExplainEventPage, ...errors },
  },
} as const;
