import type { Logger } from 'pino';
import type { FullConfig } from '../../config/index.js';
import type { IngestPipeline } from '../../ingestion/pipeline.js';
import { startPoller } from '../../integrations/poller.js';
import type { SourceStatusBoard } from '../../integrations/source-status.js';
import { createSafeFetch } from '../../net/safe-fetch.js';
import { hostUsages } from '../host-usage.js';
import { defaultThresholds, resourceUsageEvent, slotOf } from '../resource-event.js';
import { digitalOceanApi } from './digitalocean-api.js';
import { digitalOceanProvider } from './digitalocean.js';

/** Monitoring samples are a minute or more apart: a shorter window could hold one sample, so no rate. */
const MIN_WINDOW_MS = 10 * 60_000;

export interface VpsDeps {
  config: FullConfig;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  sources: SourceStatusBoard;
  logger: Logger;
  now: () => number;
  runsHere?: () => boolean;
}

/** Polls the VPS provider (DigitalOcean, when its token is set) into resource_usage_event; null otherwise. */
export function startVps(deps: VpsDeps) {
  const { config, now } = deps;
  if (!config.digitaloceanToken) return null;
  const fetch = createSafeFetch({
    allowPrivateNetworks: config.outboundAllowPrivate,
    allowHosts: config.outboundAllowHosts,
    timeoutMs: 30_000,
    retries: 0, // rate limits are waited out by the API client; other failures back the poller off
    retryBaseMs: 1_000,
    retryMaxMs: 1_000,
    maxRedirects: 0,
    maxResponseBytes: 16 * 1024 * 1024,
  });
  const api = digitalOceanApi({
    baseUrl: config.digitaloceanApiUrl,
    token: config.digitaloceanToken,
    fetch,
    now,
  });
  const provider = digitalOceanProvider({
    api,
    baseUrl: config.digitaloceanApiUrl,
    tenantTags: config.digitaloceanTenantTags,
    ...(config.digitaloceanDefaultTenant ? { defaultTenant: config.digitaloceanDefaultTenant } : {}),
  });
  const intervalMs = config.digitaloceanIntervalSeconds * 1000;
  const poller = startPoller({
    intervalMs,
    status: deps.sources.register('vps', `${provider.source} ${provider.id}`),
    logger: deps.logger,
    now,
    ...(deps.runsHere ? { runsHere: deps.runsHere } : {}),
    run: async (signal) => {
      const at = now();
      const { hosts, detail } = await provider.poll(at, Math.max(intervalMs, MIN_WINDOW_MS), signal);
      const slot = slotOf(at, intervalMs);
      const events = hosts.flatMap(({ tenant, reading }) =>
        hostUsages(reading).map((usage) =>
          resourceUsageEvent(
            { source: provider.source, id: provider.id, tenant },
            defaultThresholds,
            usage,
            slot,
          ),
        ),
      );
      const outcome = await deps.pipeline.ingest(events, at);
      return { ...detail, resources: events.length, quarantined: outcome.quarantined.length };
    },
  });
  return {
    stop: async () => {
      await poller.stop();
      fetch.close();
    },
  };
}
