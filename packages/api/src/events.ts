import { valueKinds } from '@pulse/events/format';
import { Type, type Static } from '@sinclair/typebox';
import {
  AnyKeys,
  Body,
  doc,
  errors,
  fromQuery,
  IsoTime,
  limitQuery,
  literals,
  Nullable,
  TenantParams,
  tenantQuery,
  text,
  toQuery,
} from './common.js';

/** Stored events, the quarantine, ad-hoc SQL, the named reports and tenant subscriptions. */

/** Event properties exactly as captured: free-form, catalog names in snake_case. */
const Properties = AnyKeys(Type.Unknown(), {
  description: 'The event’s properties exactly as captured',
});

export const StoredEvent = Type.Object({
  uuid: Type.String(),
  event: Type.String(),
  distinctId: Type.String(),
  tenantId: Nullable(Type.String()),
  timestamp: IsoTime,
  ingestedAt: IsoTime,
  properties: Properties,
});
export type StoredEvent = Static<typeof StoredEvent>;

export const EventPage = Type.Object({
  events: Type.Array(StoredEvent),
  nextCursor: Nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last' })),
});
export type EventPage = Static<typeof EventPage>;

const SchemaIssue = Type.Object({
  event: Type.String(),
  property: Type.String(),
  rule: Type.String(),
  expected: Type.String(),
  value: Type.Optional(Type.Unknown()),
  message: Type.String(),
});

export const Quarantined = Type.Object({
  id: Type.String(),
  receivedAt: IsoTime,
  batchIndex: Type.Integer(),
  event: Type.String(),
  uuid: Type.String(),
  distinctId: Type.String(),
  timestamp: IsoTime,
  properties: Properties,
  issues: Type.Array(SchemaIssue),
});
export type Quarantined = Static<typeof Quarantined>;

export const ReplayResult = Type.Object({
  replayed: Type.Array(Type.String()),
  stillInvalid: Type.Array(Quarantined),
  notFound: Type.Array(Type.String()),
});
export type ReplayResult = Static<typeof ReplayResult>;

export const QueryBody = Body({
  sql: Type.String({ description: 'Read-only SQL over the views events and subscriptions' }),
  max_rows: Type.Optional(Type.Integer({ minimum: 1, description: 'At most this many rows' })),
  maxRows: Type.Optional(Type.Integer({ minimum: 1, description: 'The same as max_rows' })),
});
export type QueryBody = Static<typeof QueryBody>;

/** The SQL dialect `POST /api/query` speaks: the event store's engine's own (docs/query.md). */
export const queryDialects = ['duckdb', 'clickhouse'] as const;
export type QueryDialect = (typeof queryDialects)[number];

export const QueryResult = Type.Object({
  dialect: literals(queryDialects, 'The SQL dialect the query ran in: the event store engine’s own'),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Array(Type.Unknown())),
  rowCount: Type.Integer(),
  truncated: Type.Boolean({ description: 'More rows existed than max_rows' }),
  elapsedMs: Type.Number(),
});
export type QueryResult = Static<typeof QueryResult>;

export const Report = Type.Object({
  name: Type.String(),
  title: Type.String(),
  columns: Type.Array(Type.String()),
  columnDisplay: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String({ description: 'The column heading for people' }),
      kind: literals(valueKinds),
    }),
    { description: 'How each column is shown in a table people read; CSV keeps the raw names and values' },
  ),
  rows: Type.Array(AnyKeys(Type.Unknown()), {
    description: 'One object per row, keyed by the column names',
  }),
  window: Type.Object({
    kind: literals(['range', 'month-to-date']),
    from: IsoTime,
    to: IsoTime,
    monthStart: IsoTime,
    label: Type.String({
      description: 'The period the rows cover, in words: "Month to date: …" for a month-to-date report',
    }),
  }),
});
export type Report = Static<typeof Report>;

export const subscriptionStatuses = [
  'active',
  'trialing',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
] as const;

export const Subscription = Type.Object({
  tenantId: Type.String(),
  status: literals(subscriptionStatuses),
  planName: Type.String(),
  priceMonthly: Type.Number(),
  currentPeriodStart: Nullable(IsoTime),
  currentPeriodEnd: Nullable(IsoTime),
  updatedAt: Nullable(IsoTime),
  displayName: Nullable(
    Type.String({ description: "The tenant's name for people, from a synchronised view" }),
  ),
  suppliedBy: Nullable(
    Type.String({
      description: 'The synchronised view that supplies it; null: the API, a CSV import or Stripe',
    }),
  ),
});
export type Subscription = Static<typeof Subscription>;

export const SubscriptionBody = Body({
  status: Type.Optional(Type.String({ description: subscriptionStatuses.join(' | ') })),
  planName: Type.Optional(Type.String()),
  priceMonthly: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'USD per month' })),
  currentPeriodStart: Type.Optional(Nullable(Type.String({ description: 'ISO 8601' }))),
  currentPeriodEnd: Type.Optional(Nullable(Type.String({ description: 'ISO 8601' }))),
});

export const eventRoutes = {
  getEvents: {
    ...doc('Stored events, newest first, keyset-paged', 'events:read'),
    querystring: Type.Object({
      tenant: Type.Optional(tenantQuery),
      event: Type.Optional(text('Event name')),
      from: Type.Optional(fromQuery),
      to: Type.Optional(toQuery),
      limit: Type.Optional(limitQuery(10_000, 100)),
      cursor: Type.Optional(text('next_cursor of the previous page')),
    }),
    response: { 200: EventPage, ...errors },
  },
  getQuarantine: {
    ...doc('Quarantined business events with their reasons', 'quarantine:read'),
    querystring: Type.Object({
      tenant: Type.Optional(tenantQuery),
      event: Type.Optional(text('Event name')),
      limit: Type.Optional(limitQuery(10_000, 100)),
    }),
    response: { 200: Type.Object({ quarantined: Type.Array(Quarantined) }), ...errors },
  },
  replayQuarantine: {
    ...doc('Re-check quarantined events, optionally with corrected properties', 'quarantine:replay'),
    body: Body({
      ids: Type.Optional(Type.Array(Type.String(), { description: 'Quarantine ids' })),
      all: Type.Optional(Type.Boolean({ description: 'true: every quarantined event' })),
      fixes: Type.Optional(
        AnyKeys(AnyKeys(Type.Unknown()), {
          description: 'Corrected properties per quarantine id',
        }),
      ),
    }),
    response: { 200: ReplayResult, ...errors },
  },
  runQuery: {
    ...doc(
      'Read-only SQL over the views events and subscriptions, restricted to the caller’s tenants',
      'query:run',
    ),
    body: QueryBody,
    response: { 200: QueryResult, ...errors },
  },
  getReport: {
    ...doc(
      'A named report: performance-dashboard | cost-optimization | decisions | deliverability | resource-costs (?format=csv for CSV)',
      'reports:read',
    ),
    params: Type.Object({ name: Type.String({ description: 'Report name' }) }),
    querystring: Type.Object({
      tenant: Type.Optional(tenantQuery),
      from: Type.Optional(fromQuery),
      to: Type.Optional(toQuery),
      format: Type.Optional(text('json (default) or csv')),
    }),
    response: {
      200: {
        description: 'The report as JSON, or as CSV with ?format=csv',
        content: {
          'application/json': { schema: Report },
          'text/csv': { schema: Type.String() },
        },
      },
      ...errors,
    },
  },
  getSubscriptions: {
    ...doc('Tenant subscriptions', 'subscriptions:read'),
    querystring: Type.Object({ tenant: Type.Optional(tenantQuery) }),
    response: { 200: Type.Object({ subscriptions: Type.Array(Subscription) }), ...errors },
  },
  putSubscription: {
    ...doc('Create or replace a subscription', 'subscriptions:write'),
    params: TenantParams,
    body: SubscriptionBody,
    response: { 200: Subscription, ...errors },
  },
  importSubscriptions: {
    ...doc('Import a subscriptions CSV (text/csv body), all rows or none', 'subscriptions:write'),
    consumes: ['text/csv', 'text/plain'],
    body: Type.String({ description: 'CSV with a header row: tenant_id,status,plan_name,price_monthly,…' }),
    response: { 200: Type.Object({ imported: Type.Integer() }), ...errors },
  },
  deleteSubscription: {
    ...doc('Delete a subscription', 'subscriptions:write'),
    params: TenantParams,
    response: { 200: Type.Object({ deleted: Type.String() }), ...errors },
  },
} as const;
