import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { SafeFetch } from '../net/safe-fetch.js';
import { abortable } from './abortable.js';
import { cpuUtilization, type CpuCounters } from './cpu-rate.js';
import { parseExposition } from './exposition.js';
import { hostUsages } from './host-usage.js';
import { nodeMetricNames, readNode } from './node-exporter.js';
import { resourceUsageEvent, slotOf } from './resource-event.js';
import type { ScrapeTarget } from './targets.js';

/** node_exporter answers in well under a second and with a few hundred KB; anything far beyond is wrong. */
export const SCRAPE_TIMEOUT_MS = 10_000;
export const SCRAPE_MAX_BYTES = 8 * 1024 * 1024;

export interface ScrapeDeps {
  fetch: SafeFetch;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  now: () => number;
}

function basicAuth(raw: string): Record<string, string> {
  const url = new URL(raw);
  if (!url.username && !url.password) return {};
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * One target's scrape, run by its poller: fetch the exposition, read node_exporter's CPU counters, memory
 * and file systems, and store them as resource_usage_event. The CPU rate needs the previous scrape's
 * counters, kept here; a throw is a failed scrape (the poller backs off and shows the error).
 */
export function scrapeTarget(target: ScrapeTarget, deps: ScrapeDeps) {
  let previous: CpuCounters | undefined;
  const origin = { source: 'prometheus' as const, id: target.id, tenant: target.tenant };
  const headers = { accept: 'text/plain; version=0.0.4', ...basicAuth(target.url) };

  return async (signal: AbortSignal) => {
    const at = deps.now();
    const response = await abortable(deps.fetch({ url: target.id, headers }), signal);
    if (response.status !== 200) throw new Error(`${target.id} answered HTTP ${response.status}`);
    if (response.truncated)
      throw new Error(`${target.id} answered more than ${SCRAPE_MAX_BYTES} bytes; is it a node_exporter?`);
    const node = readNode(parseExposition(response.body, nodeMetricNames));
    if (!node.cpu && !node.memory && !node.fileSystems.length)
      throw new Error(
        `${target.id} has no node_exporter metrics (node_cpu_seconds_total, node_memory_*, node_filesystem_*)`,
      );
    const utilization = node.cpu ? cpuUtilization(previous, node.cpu) : null;
    previous = node.cpu ?? undefined;
    const usages = hostUsages({
      resourceId: target.resourceId,
      resourceType: target.resourceType,
      cpuUtilization: utilization,
      cpus: node.cpu?.cpus ?? 0,
      ...(target.capacity !== undefined ? { cpuCapacity: target.capacity } : {}),
      memory: node.memory,
      fileSystems: node.fileSystems,
      ...(target.monthlyCost !== undefined ? { monthlyCost: target.monthlyCost } : {}),
    });
    const slot = slotOf(at, target.intervalSeconds * 1000);
    const events = usages.map((u) => resourceUsageEvent(origin, target.thresholds, u, slot));
    const outcome = await deps.pipeline.ingest(events, at);
    return {
      resources: events.length,
      cpuRate: utilization !== null,
      quarantined: outcome.quarantined.length,
      bytes: Buffer.byteLength(response.body),
    };
  };
}
