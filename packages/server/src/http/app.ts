import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { Metrics } from '../observability/metrics.js';
import type { Analytics } from '../analytics/analytics.js';
import type { AlertEngine } from '../alerts/index.js';
import { alertRoutes } from './routes/alerts.js';
import { budgetRoutes } from './routes/budgets.js';
import { ruleRoutes } from './routes/rules.js';
import type { Storage } from '../storage/storage.js';
import { ApiKeys } from '../access/api-keys.js';
import { auditRequests } from '../access/audit-requests.js';
import { adminKeyResolver, authenticate } from './auth.js';
import { apiErrorHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import { auditRoutes } from './routes/audit.js';
import { captureRoutes } from './routes/capture.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { posthogConfigRoutes } from './routes/posthog-config.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { queryRoutes } from './routes/query.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { summaryRoutes } from './routes/summary.js';

export interface AppDeps {
  logger: FastifyBaseLogger;
  storage: Storage;
  analytics: Analytics;
  alerts: AlertEngine;
  publicUrl: string | null;
  pipeline: IngestPipeline;
  metrics: Metrics;
  projectTokens: readonly string[];
  adminKey: string;
  isReady: () => boolean;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The one HTTP server: capture (PostHog's wire protocol), health, and the JSON API. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Capture is a hot path: no per-request log lines; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    bodyLimit: 1024 * 1024,
  });
  void app.register(async (capture) => captureRoutes(capture, deps));
  void app.register(async (scope) => posthogConfigRoutes(scope));
  // The API's contract is public; its data is not.
  app.get('/api/openapi.json', async () => openApiDocument(packageVersion()));
  void app.register(async (scope) => {
    healthRoutes(scope, {
      registry: deps.metrics.registry,
      isReady: deps.isReady,
      queueDepth: () => deps.pipeline.queueDepth,
    });
  });
  void app.register(async (api) => {
    api.setErrorHandler(apiErrorHandler);
    const apiKeys = new ApiKeys(deps.storage.apiKeys);
    authenticate(api, apiKeys.resolver(adminKeyResolver(deps.adminKey)));
    auditRequests(api, deps.storage.audit);
    summaryRoutes(api, deps.analytics);
    eventRoutes(api, deps.storage.events);
    quarantineRoutes(api, deps.storage.events, deps.pipeline);
    queryRoutes(api, deps.storage.queries);
    subscriptionRoutes(api, deps.storage.subscriptions);
    alertRoutes(api, { alerts: deps.alerts, publicUrl: deps.publicUrl });
    ruleRoutes(api, { rules: deps.alerts });
    budgetRoutes(api, { budgets: deps.alerts });
    keyRoutes(api, apiKeys);
    auditRoutes(api, deps.storage.audit);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        requestId: request.id,
      },
    }),
  );
  return app;
}
