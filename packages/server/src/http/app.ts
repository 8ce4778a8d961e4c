import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { Metrics } from '../observability/metrics.js';
import type { Analytics } from '../analytics/analytics.js';
import type { AlertEngine } from '../alerts/index.js';
import { alertRoutes } from './routes/alerts.js';
import { alertInboxRoutes, peopleLookup } from './routes/alert-inbox.js';
import { budgetRoutes } from './routes/budgets.js';
import { ruleRoutes } from './routes/rules.js';
import type { Storage } from '../storage/storage.js';
import { AccessChanges } from '../access/access-changes.js';
import { ApiKeys } from '../access/api-keys.js';
import { createCredentials } from '../access/credentials.js';
import { systemClock, type Clock } from '../clock.js';
import { captureGrants } from '../access/capture-grants.js';
import type { ProjectToken } from '../config/index.js';
import { auditRequests } from '../access/audit-requests.js';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import { Sessions } from '../access/sessions.js';
import { Users } from '../access/users.js';
import { adminKeyResolver, authenticate, checkRole, projectTokenResolver } from './auth.js';
import { apiErrorHandler, notFound, sendError } from './errors.js';
import { openApi } from './openapi.js';
import { strictInput } from './strict-input.js';
import { auditRoutes } from './routes/audit.js';
import { retentionRoutes, type RetentionRouteDeps } from './routes/retention.js';
import { captureRoutes } from './routes/capture.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { posthogConfigRoutes } from './routes/posthog-config.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { queryRoutes, type QuerySettings } from './routes/query.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { summaryRoutes } from './routes/summary.js';
import { tenantRoutes } from './routes/tenants.js';
import { sessionRoutes } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import type { DashboardStream } from '../alerts/channels/dashboard.js';
import type { EventStream } from '../ingestion/event-stream.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { liveRoutes } from './routes/live.js';
import { seriesRoutes } from './routes/series.js';
import { explainRoutes } from './routes/explain.js';
import { insightsForecastRoutes } from './routes/insights-forecast.js';
import { integrationRoutes } from './routes/integrations.js';
import { syncRoutes } from './routes/sync.js';
import type { Sync } from '../sync/index.js';
import { relayHttpRoutes } from './routes/relay.js';
import type { RelayControl } from '../relay/index.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { Webhooks } from '../webhooks/index.js';
import { SourceStatusBoard } from '../integrations/source-status.js';
import { packageVersion } from '../version.js';
import type { CaptureTally } from '../insights/impact-capture-tally.js';
import { insightOutcomeRoutes } from './routes/insights.js';
import type { ReportSchedules } from '../report-schedules/index.js';
import { reportScheduleRoutes } from './routes/report-schedules.js';
import { lazySchemaCompilers } from './lazy-schemas.js';

export interface AppDeps {
  logger: FastifyBaseLogger;
  storage: Storage;
  analytics: Analytics;
  alerts: AlertEngine;
  publicUrl: string | null;
  pipeline: IngestPipeline;
  metrics: Metrics;
  projectTokens: readonly ProjectToken[];
  adminKey: string;
  isReady: () => boolean;
  /** Several processes on one state: shown in /readyz (absent: one process). */
  cluster?: HealthDeps['cluster'];
  /** Retention policies and runs (absent: no /api/retention routes). */
  retention?: RetentionRouteDeps;
  /** PEM certificate and key: serve HTTPS (and WSS) only. */
  tls?: { cert: Buffer; key: Buffer } | null;
  /** Session cookies get `Secure` (always with `tls`). */
  cookieSecure?: boolean;
  sessions: { idleMs: number; maxMs: number };
  /** Committed events and alert transitions for WebSocket /api/live (absent: no live route). */
  live?: { events: EventStream; dashboard: DashboardStream };
  /** Limits of ad-hoc queries (POST /api/query). */
  query: QuerySettings;
  /** Where the built dashboard is (default packages/dashboard/dist). */
  dashboardDist?: string;
  /** When sessions and API keys expire, and webhook freshness (default the system clock). */
  clock?: Clock;
  /** Provider webhooks (absent: no /webhooks or /api/integrations routes). */
  webhooks?: Webhooks;
  /** Scheduled sources shown beside the webhooks in /api/integrations (default none). */
  sources?: SourceStatusBoard;
  /** Counts capture outcomes per day (absent: not counted). */
  captureTally?: CaptureTally;
  /** Synchronised database views (absent: no /api/integrations/sync routes). */
  sync?: Sync;
  /** The relay to PostHog (absent: no /api/relay routes). */
  relay?: RelayControl;
  /** Scheduled reports (absent: no /api/report-schedules routes). */
  reportSchedules?: ReportSchedules;
}

/** The one HTTP server: capture (PostHog's wire protocol), health, and the JSON API. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.tls ? { https: deps.tls } : {}),
    loggerInstance: deps.logger,
    // Capture is a hot path: no per-request log lines; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // The server's own id, unique, in errors, logs and audit records; a caller's X-Request-Id is only kept
    // beside it in the audit record when it is a short, safe token (clientRequestIdOf).
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    ...strictInput,
    schemaController: { compilersFactory: lazySchemaCompilers() },
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Every scope answers errors in the API's shape with registered codes; capture sets its own (PostHog's).
  app.setErrorHandler(apiErrorHandler);
  openApi(app, packageVersion());
  void app.register(cookie);
  const clock = deps.clock ?? systemClock;
  const changes = new AccessChanges((error) =>
    deps.logger.error({ err: error }, 'a listener of access changes failed'),
  );
  // One instance for capture and /api: revoking a key (its cache entry) takes effect on both at once.
  const apiKeys = new ApiKeys(deps.storage.apiKeys, { now: clock.now, changes });
  void app.register(async (capture) =>
    captureRoutes(capture, {
      ...deps,
      grantFor: captureGrants(deps.projectTokens, apiKeys),
      ...(deps.captureTally ? { tally: deps.captureTally } : {}),
    }),
  );
  void app.register(async (scope) => posthogConfigRoutes(scope));
  const webhooks = deps.webhooks;
  if (webhooks)
    void app.register(async (scope) =>
      webhookRoutes(scope, { receive: webhooks.receive, now: (deps.clock ?? systemClock).now }),
    );
  // The API's contract is public; its data is not.
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  void app.register(async (scope) => {
    healthRoutes(scope, {
      registry: deps.metrics.registry,
      isReady: deps.isReady,
      queueDepth: () => deps.pipeline.queueDepth,
      ...(deps.cluster ? { cluster: deps.cluster } : {}),
    });
  });
  const secureCookies = Boolean(deps.tls) || deps.cookieSecure === true;
  const sessions = new Sessions(deps.storage.users, { ...deps.sessions, now: clock.now, changes });
  // Browser-facing scopes get security headers; capture answers exactly as PostHog does, without them.
  const securityHeaders = {
    hsts: deps.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': deps.tls ? [] : null, 'img-src': ["'self'", 'data:'] },
    },
  } as const;
  void app.register(async (api) => {
    await api.register(helmet, securityHeaders);
    authenticate(api, {
      bearer: apiKeys.resolver(
        adminKeyResolver(deps.adminKey),
        projectTokenResolver(deps.projectTokens.map((t) => t.token)),
      ),
      sessions,
    });
    auditRequests(api, deps.storage.audit);
    checkRole(api);
    sessionRoutes(api, { sessions, users: deps.storage.users, secureCookies });
    userRoutes(api, new Users(deps.storage.users, clock.now, changes));
    summaryRoutes(api, deps.analytics, deps.storage.events);
    tenantRoutes(api, deps.storage.events);
    eventRoutes(api, deps.storage.events);
    quarantineRoutes(api, deps.storage.events, deps.pipeline);
    queryRoutes(api, deps.storage, deps.query);
    subscriptionRoutes(api, deps.storage.subscriptions);
    const people = peopleLookup(deps.storage.users);
    alertRoutes(api, { alerts: deps.alerts, publicUrl: deps.publicUrl, people });
    alertInboxRoutes(api, { alerts: deps.alerts, people, clock: clock.now, publicUrl: deps.publicUrl });
    ruleRoutes(api, { rules: deps.alerts });
    budgetRoutes(api, { budgets: deps.alerts });
    keyRoutes(api, apiKeys);
    auditRoutes(api, deps.storage.audit);
    if (deps.retention) retentionRoutes(api, deps.retention);
    seriesRoutes(api, { reads: deps.storage.analyticsReads, budgets: deps.alerts });
    explainRoutes(api, { analytics: deps.analytics, events: deps.storage.events });
    const tally = deps.captureTally;
    insightOutcomeRoutes(api, {
      store: deps.storage.insights,
      captureCounts: deps.storage.captureCounts,
      alerts: deps.storage.alerts,
      rules: deps.alerts,
      clock: clock.now,
      ...(tally ? { flushCaptureCounts: () => tally.flush() } : {}),
    });
    insightsForecastRoutes(api, { store: deps.storage.forecastSeries, now: clock.now });
    if (webhooks) integrationRoutes(api, webhooks, deps.sources ?? new SourceStatusBoard());
    if (deps.sync) syncRoutes(api, deps.sync);
    if (deps.relay) relayHttpRoutes(api, deps.relay);
    if (deps.reportSchedules) reportScheduleRoutes(api, deps.reportSchedules);
    const live = deps.live;
    if (live) {
      const credentials = createCredentials({ apiKeys, sessions });
      void api.register(async (scope) =>
        liveRoutes(scope, { ...live, audit: deps.storage.audit, changes, credentials, clock }),
      );
    }
  });
  void app.register(async (scope) => {
    await scope.register(helmet, securityHeaders);
    await dashboardRoutes(scope, deps.dashboardDist ? { dist: deps.dashboardDist } : {});
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, request, notFound(request)));
  return app;
}
