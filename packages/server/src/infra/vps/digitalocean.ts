import { cpuUtilization, type CpuCounters } from '../cpu-rate.js';
import type { HostReading } from '../host-usage.js';
import { withoutCredentials } from '../targets.js';
import type { DigitalOceanApi } from './digitalocean-api.js';
import type { VpsHost, VpsProvider } from './provider.js';

export interface DigitalOceanOptions {
  api: DigitalOceanApi;
  baseUrl: string;
  /** Droplet tag → tenant; the first of a Droplet's tags found here wins. */
  tenantTags: Readonly<Record<string, string>>;
  defaultTenant?: string;
}

interface Droplet {
  id: number;
  name: string;
  vcpus: number;
  tags: string[];
  priceMonthly: number;
}

/** The fields Pulse uses from one Droplet of GET /v2/droplets; a malformed one is named. */
function dropletOf(raw: unknown, index: number): Droplet {
  const d = raw as Record<string, unknown> | null;
  const size = d?.size as Record<string, unknown> | undefined;
  const problem = (what: string) =>
    new Error(`DigitalOcean droplet ${index + 1} (${String(d?.id)}): ${what}`);
  if (typeof d?.id !== 'number') throw problem('has no numeric id');
  if (typeof d.vcpus !== 'number' || d.vcpus <= 0) throw problem('has no vcpus');
  if (typeof size?.price_monthly !== 'number') throw problem('has no size.price_monthly');
  return {
    id: d.id,
    name: typeof d.name === 'string' ? d.name : String(d.id),
    vcpus: d.vcpus,
    tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : [],
    priceMonthly: size.price_monthly,
  };
}

type Series = { metric: Record<string, string>; values: [number, string][] };

/** The series of a Monitoring answer ({status, data: {resultType: "matrix", result: […]}}). */
function matrix(body: unknown, what: string): Series[] {
  const data = (body as { data?: { result?: unknown } } | null)?.data;
  if (!Array.isArray(data?.result)) throw new Error(`DigitalOcean ${what}: the answer has no data.result`);
  return (data.result as Series[]).filter((s) => Array.isArray(s?.values) && s.values.length > 0);
}

const valueAt = (series: Series, index: number) => Number(series.values.at(index)?.[1]);

/**
 * Idle and total CPU seconds at the window's first and last samples (the series are per mode, summed
 * over the Droplet's CPUs), so the busy share comes from the same rate math as a scrape.
 */
function cpuOverWindow(series: Series[]): number | null {
  const counters = (index: number): CpuCounters => {
    let idle = 0;
    let total = 0;
    for (const s of series) {
      const v = valueAt(s, index);
      if (!Number.isFinite(v)) continue;
      total += v;
      if (s.metric.mode === 'idle') idle += v;
    }
    return { idle, total, cpus: series.length };
  };
  return series.length ? cpuUtilization(counters(0), counters(-1)) : null;
}

const lastValue = (series: Series[]) => {
  const v = series.length ? valueAt(series[0] as Series, -1) : NaN;
  return Number.isFinite(v) ? v : undefined;
};

/**
 * DigitalOcean: Droplets (GET /v2/droplets, every page) with their size's monthly price, and the
 * Monitoring API's CPU and memory series of each (the metrics agent must run on the Droplet).
 */
export function digitalOceanProvider(options: DigitalOceanOptions): VpsProvider {
  const { api } = options;
  const tenantOf = (d: Droplet) =>
    d.tags.map((t) => options.tenantTags[t]).find((t) => t !== undefined) ?? options.defaultTenant;

  async function readDroplet(d: Droplet, window: string, signal: AbortSignal): Promise<HostReading> {
    const metric = async (name: string) =>
      matrix(await api.get(`/v2/monitoring/metrics/droplet/${name}?host_id=${d.id}&${window}`, signal), name);
    const cpu = cpuOverWindow(await metric('cpu'));
    const total = lastValue(await metric('memory_total'));
    const available = lastValue(await metric('memory_available'));
    return {
      resourceId: `digitalocean:droplet:${d.id}`,
      resourceType: 'vps_instance',
      cpuUtilization: cpu,
      cpus: d.vcpus,
      memory:
        total !== undefined && available !== undefined && total > 0
          ? { totalBytes: total, usedBytes: Math.max(0, total - available) }
          : null,
      fileSystems: [],
      monthlyCost: d.priceMonthly,
    };
  }

  return {
    source: 'digitalocean',
    id: withoutCredentials(options.baseUrl).replace(/\/$/, ''),
    async poll(at, windowMs, signal) {
      const droplets = (await api.list('/v2/droplets', 'droplets', signal)).map(dropletOf);
      const window = `start=${Math.floor((at - windowMs) / 1000)}&end=${Math.floor(at / 1000)}`;
      const hosts: VpsHost[] = [];
      let unattributed = 0;
      let withoutMetrics = 0;
      for (const d of droplets) {
        const tenant = tenantOf(d);
        if (!tenant) {
          unattributed++;
          continue;
        }
        const reading = await readDroplet(d, window, signal);
        if (reading.cpuUtilization === null && !reading.memory) withoutMetrics++;
        hosts.push({ tenant, reading });
      }
      return {
        hosts,
        detail: {
          droplets: droplets.length,
          unattributed,
          withoutMetrics,
          requests: api.counts.requests,
          rateLimited: api.counts.rateLimited,
        },
      };
    },
  };
}
