import { Type, type Static } from '@sinclair/typebox';
import { AnyKeys, Body, doc, errors, IsoTime, literals, Nullable } from './common.js';

const count = Type.Integer({ minimum: 0 });

export const ProviderStatus = Type.Object({
  provider: literals(['sendgrid', 'mailgun', 'ses', 'stripe', 'posthog']),
  configured: Type.Boolean(),
  endpoint: Type.String({ description: 'Path the provider posts to' }),
  lastAcceptedAt: Nullable(IsoTime),
  accepted: count,
  duplicates: count,
  refused: AnyKeys(count, { description: 'Refused requests by reason' }),
  failed: count,
  lastError: Nullable(Type.Object({ at: IsoTime, message: Type.String() })),
});
export type ProviderStatus = Static<typeof ProviderStatus>;

export const sourceKinds = ['relay', 'scrape', 'vps', 'sync'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export const SourceStatus = Type.Object({
  kind: literals(
    sourceKinds,
    'relay: forwarding to PostHog; scrape: a Prometheus target; vps: a VPS provider; sync: a database view',
  ),
  id: Type.String({ description: 'The source: a URL without credentials, or a configured name' }),
  tenant: Nullable(Type.String({ description: 'The tenant its events belong to, when it has one' })),
  state: literals(['never', 'ok', 'failing'], 'never: not run yet; failing: the last attempt failed'),
  lastSuccessAt: Nullable(IsoTime),
  lastError: Nullable(Type.Object({ at: IsoTime, message: Type.String() })),
  consecutiveFailures: count,
  nextAttemptAt: Nullable(IsoTime),
  detail: AnyKeys(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
    description: 'What the source last did, in its own terms (rows synced, lag, …)',
  }),
});
export type SourceStatus = Static<typeof SourceStatus>;

export const NotAppliedRow = Type.Object({
  row: Type.Integer({ minimum: 1, description: 'Position in the read, from 1' }),
  tenantId: Nullable(Type.String({ description: 'The row key; null when the row has none' })),
  reason: Type.String(),
});
export type NotAppliedRow = Static<typeof NotAppliedRow>;

export const SyncRun = Type.Object({
  at: IsoTime,
  rows: count,
  inserted: count,
  updated: count,
  ended: Type.Integer({ minimum: 0, description: 'Rows this source supplied that its view no longer has' }),
  unchanged: count,
  invalid: count,
  conflicts: Type.Integer({ minimum: 0, description: 'Rows another supplier owns, left as they are' }),
  notApplied: Type.Array(NotAppliedRow, {
    description: 'Invalid and conflicting rows with the reason (the first 100)',
  }),
});
export type SyncRun = Static<typeof SyncRun>;

export const SyncSourceView = Type.Object({
  name: Type.String(),
  target: literals(['subscriptions', 'tenants']),
  url: Type.String({ description: 'Where it reads, without credentials' }),
  read: Type.Union([Type.Object({ query: Type.String() }), Type.Object({ view: Type.String() })]),
  intervalSeconds: count,
  status: SourceStatus,
  lastRun: Nullable(SyncRun),
});
export type SyncSourceView = Static<typeof SyncSourceView>;

const SyncParams = Type.Object({
  name: Type.String({ description: 'The source name (PULSE_SYNC_SOURCES)' }),
});

const tenants = (description: string) => AnyKeys(Type.String({ minLength: 1 }), { description });
export const TenantMapBody = Body({
  domains: tenants('Sending domain → tenant'),
  stripeCustomers: tenants('Stripe customer id → tenant'),
});
export type TenantMapBody = Static<typeof TenantMapBody>;

export const TenantMapView = Type.Object({
  configured: Type.Object({ domains: tenants('From the configuration'), stripeCustomers: tenants('') }),
  stored: Type.Object({ domains: tenants('Set over the API'), stripeCustomers: tenants('') }),
});
export type TenantMapView = Static<typeof TenantMapView>;

export const integrationsRoutes = {
  listIntegrations: {
    ...doc(
      'Each provider webhook (configured or not, last accepted, counts by outcome) and each source Pulse pulls from or pushes to on a schedule',
      'integrations:manage',
    ),
    querystring: Type.Object({}),
    response: {
      200: Type.Object({ integrations: Type.Array(ProviderStatus), sources: Type.Array(SourceStatus) }),
      ...errors,
    },
  },
  getSync: {
    ...doc(
      'A synchronised database view: its status and its last run, with the rows not applied and why',
      'integrations:manage',
    ),
    params: SyncParams,
    response: { 200: SyncSourceView, ...errors },
  },
  runSync: {
    ...doc('Synchronise a database view now (or wait for its run in flight)', 'integrations:manage'),
    params: SyncParams,
    response: { 200: SyncSourceView, ...errors },
  },
  getTenantMap: {
    ...doc('Which tenant a sending domain or Stripe customer belongs to', 'integrations:manage'),
    querystring: Type.Object({}),
    response: { 200: TenantMapView, ...errors },
  },
  putTenantMap: {
    ...doc('Replace the stored tenant map (the configured one stays)', 'integrations:manage'),
    body: TenantMapBody,
    response: { 200: TenantMapView, ...errors },
  },
} as const;
