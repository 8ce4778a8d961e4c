import type { FastifyInstance } from 'fastify';
import { cors } from './capture.js';

/**
 * posthog-js calls these on init (remote config, feature flags). Answering them lets it run without errors
 * and tells it it may gzip; Pulse evaluates no feature flags, so the flag set is empty.
 */
export function posthogConfigRoutes(app: FastifyInstance): void {
  // Called cross-origin from the customer's pages, like capture: same permissive CORS and preflights.
  app.addHook('onRequest', async (request, reply) => cors(request, reply));
  for (const url of [
    '/flags',
    '/flags/',
    '/decide',
    '/decide/',
    '/array/:token/config',
    '/array/:token/config.js',
  ])
    app.options(url, async (_request, reply) => reply.status(200).send({ status: 'Ok' }));
  const remoteConfig = (token: string) => ({
    token,
    supportedCompression: ['gzip', 'gzip-js'],
    hasFeatureFlags: false,
    captureDeadClicks: false,
    capturePerformance: false,
    autocapture_opt_out: false,
    autocaptureExceptions: false,
    analytics: { endpoint: '/e/' },
    elementsChainAsString: true,
    sessionRecording: false,
    heatmaps: false,
    surveys: false,
    defaultIdentifiedOnly: true,
    siteApps: [],
  });
  app.get<{ Params: { token: string } }>('/array/:token/config', async (request) =>
    remoteConfig(request.params.token),
  );
  // The script variant defines no config, so posthog-js falls back to the JSON above.
  app.get('/array/:token/config.js', async (_request, reply) =>
    reply.type('application/javascript').send('/* Pulse: remote config is served as JSON */'),
  );
  const flags = async () => ({
    flags: {},
    featureFlags: {},
    featureFlagPayloads: {},
    errorsWhileComputingFlags: false,
    quotaLimited: [],
    requestId: null,
    supportedCompression: ['gzip', 'gzip-js'],
  });
  for (const url of ['/flags', '/flags/', '/decide', '/decide/']) app.post(url, flags);
}
