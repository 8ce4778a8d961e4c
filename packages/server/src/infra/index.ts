import type { Logger } from 'pino';
import type { FullConfig } from '../config/index.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import { startPoller, type Poller } from '../integrations/poller.js';
import type { SourceStatusBoard } from '../integrations/source-status.js';
import { createSafeFetch } from '../net/safe-fetch.js';
import { SCRAPE_MAX_BYTES, SCRAPE_TIMEOUT_MS, scrapeTarget } from './scrape.js';
import { startVps } from './vps/index.js';

export interface InfraDeps {
  config: FullConfig;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  sources: SourceStatusBoard;
  logger: Logger;
  now?: () => number;
  /** False while another process polls the targets and providers (cluster/leader.ts). */
  runsHere?: () => boolean;
}

/**
 * Infrastructure metrics: one poller per scrape target (each on its own schedule, so a failing target is
 * backed off alone), and the VPS provider when its token is set. All report on the sources board.
 */
export function startInfra(deps: InfraDeps): { stop: () => Promise<void> } {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  // Configured targets are trusted by their operator: their hosts may be private (node_exporter usually is).
  const scrapeFetch = createSafeFetch({
    allowPrivateNetworks: config.outboundAllowPrivate,
    allowHosts: [...config.outboundAllowHosts, ...config.scrapeTargets.map((t) => new URL(t.id).host)],
    timeoutMs: SCRAPE_TIMEOUT_MS,
    retries: 0, // the poller backs off a failing target
    retryBaseMs: 1_000,
    retryMaxMs: 1_000,
    maxRedirects: 0,
    maxResponseBytes: SCRAPE_MAX_BYTES,
  });
  const pollers: Poller[] = config.scrapeTargets.map((target) =>
    startPoller({
      intervalMs: target.intervalSeconds * 1000,
      status: deps.sources.register('scrape', target.id, target.tenant),
      logger: deps.logger,
      now,
      ...(deps.runsHere ? { runsHere: deps.runsHere } : {}),
      run: scrapeTarget(target, { fetch: scrapeFetch, pipeline: deps.pipeline, now }),
    }),
  );
  const vps = startVps({ ...deps, now });
  return {
    stop: async () => {
      await Promise.all([...pollers.map((p) => p.stop()), vps?.stop()]);
      scrapeFetch.close();
    },
  };
}
