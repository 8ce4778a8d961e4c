/**
 * DigitalOcean as a VPS provider, against a stand-in on 127.0.0.1 that answers as the API documents:
 * - Droplets: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Droplets/operation/droplets_list
 *   (`droplets[]` with `size.price_monthly`, `vcpus`, `tags`; `links.pages.next` while pages remain)
 * - Monitoring: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Monitoring/operation/monitoring_get_DropletCpuMetrics
 *   and …/monitoring_get_dropletMemoryTotalMetrics, …/monitoring_get_dropletMemoryAvailableMetrics
 *   (`{status, data: {resultType: "matrix", result: [{metric, values: [[unix, "value"]]}]}}`; the CPU
 *   series below are the documented example's)
 * - Rate limits: https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Rate-Limit
 *   (429 `too_many_requests` with `RateLimit-Reset`, the Unix time the oldest request expires)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SourceStatus } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents, type ApiEvent } from './helpers/read-events.js';

const TOKEN = 'dop_v1_stand-in-token-0123456789';

/** The documented example's CPU series (seconds per mode, summed over the Droplet's CPUs): first, last. */
const cpuExample: Record<string, [number, number]> = {
  idle: [122901.18, 123140.8],
  iowait: [14.99, 15.01],
  irq: [0, 0],
  nice: [66.35, 66.35],
  softirq: [2.13, 2.13],
  steal: [7.89, 7.91],
  system: [140.09, 140.23],
  user: [278.57, 278.69],
};
const sum = (at: 0 | 1, only?: string) =>
  Object.entries(cpuExample)
    .filter(([mode]) => !only || mode === only)
    .reduce((total, [, values]) => total + values[at], 0);
const exampleUtilization = (1 - (sum(1, 'idle') - sum(0, 'idle')) / (sum(1) - sum(0))) * 100;

const droplet = (id: number, name: string, vcpus: number, priceMonthly: number, tags: string[]) => ({
  id,
  name,
  memory: 1024 * vcpus,
  vcpus,
  disk: 25,
  locked: false,
  status: 'active',
  created_at: '2020-07-21T18:37:44Z',
  features: ['monitoring'],
  size: {
    slug: `s-${vcpus}vcpu-${vcpus}gb`,
    memory: 1024 * vcpus,
    vcpus,
    disk: 25,
    transfer: 1.0,
    price_monthly: priceMonthly,
    price_hourly: priceMonthly / 672,
    available: true,
    description: 'Basic',
  },
  size_slug: `s-${vcpus}vcpu-${vcpus}gb`,
  region: { name: 'New York 3', slug: 'nyc3' },
  tags,
});

const pages = [
  [
    droplet(3164444, 'example.com', 1, 6, ['web', 'env:prod']),
    droplet(3164459, 'assets.example.com', 2, 18, []),
  ],
  [droplet(3164494, 'batch.example.com', 4, 48, ['team-b'])],
];
const memoryTotal = 2_048_000_000;
const memoryAvailable = 512_000_000;

/** The stand-in DigitalOcean API: what it was asked, and a 429 on the first request for page 2. */
class StandIn {
  readonly requests: { path: string; at: number; authorized: boolean }[] = [];
  rateLimitReset = 0;
  private readonly server: Server = createServer((req, res) => this.answer(req, res));
  url = '';

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close() {
    return new Promise((resolve) => this.server.close(resolve));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'ratelimit-limit': '5000',
      'ratelimit-remaining': status === 429 ? '0' : '4816',
      'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60),
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  private answer(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
    this.requests.push({ path: `${url.pathname}${url.search}`, at: Date.now(), authorized });
    if (!authorized)
      return this.send(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you.' });
    if (url.pathname === '/v2/droplets') {
      const page = Number(url.searchParams.get('page') ?? '1');
      if (page === 2 && !this.rateLimitReset) {
        this.rateLimitReset = Math.ceil(Date.now() / 1000) + 1;
        return this.send(
          res,
          429,
          { id: 'too_many_requests', message: 'API rate limit exceeded.' },
          { 'ratelimit-reset': String(this.rateLimitReset) },
        );
      }
      const links =
        page < pages.length
          ? {
              pages: {
                next: `${this.url}/v2/droplets?page=${page + 1}&per_page=1`,
                last: `${this.url}/v2/droplets?page=${pages.length}&per_page=1`,
              },
            }
          : {
              pages: {
                first: `${this.url}/v2/droplets?page=1&per_page=1`,
                prev: `${this.url}/v2/droplets?page=${page - 1}&per_page=1`,
              },
            };
      return this.send(res, 200, { droplets: pages[page - 1], links, meta: { total: 3 } });
    }
    const metric = /^\/v2\/monitoring\/metrics\/droplet\/(\w+)$/.exec(url.pathname)?.[1];
    const hostId = url.searchParams.get('host_id') ?? '';
    const start = Number(url.searchParams.get('start'));
    const end = Number(url.searchParams.get('end'));
    if (!metric || !hostId || !(start < end))
      return this.send(res, 400, { id: 'bad_request', message: 'bad query' });
    const series = (labels: Record<string, string>, first: number, last: number) => ({
      metric: { host_id: hostId, ...labels },
      values: [
        [start, String(first)],
        [Math.round((start + end) / 2), String((first + last) / 2)],
        [end, String(last)],
      ],
    });
    const result =
      metric === 'cpu'
        ? Object.entries(cpuExample).map(([mode, [first, last]]) => series({ mode }, first, last))
        : metric === 'memory_total'
          ? [series({}, memoryTotal, memoryTotal)]
          : metric === 'memory_available'
            ? [series({}, memoryAvailable, memoryAvailable)]
            : null;
    if (!result) return this.send(res, 404, { id: 'not_found', message: 'no such metric' });
    return this.send(res, 200, { status: 'success', data: { resultType: 'matrix', result } });
  }
}

describe('DigitalOcean Droplets as resource events', () => {
  const standIn = new StandIn();
  let server: TestServer;

  beforeAll(async () => {
    await standIn.start();
    server = await startTestServer({
      PULSE_DIGITALOCEAN_TOKEN: TOKEN,
      PULSE_DIGITALOCEAN_API_URL: standIn.url,
      PULSE_DIGITALOCEAN_TENANT_TAGS: JSON.stringify({ 'env:prod': 'acme', 'team-b': 'beta' }),
      PULSE_DIGITALOCEAN_DEFAULT_TENANT: 'shared',
    });
  });

  afterAll(async () => {
    await server?.close();
    await standIn.close();
  });

  const vpsRow = async () =>
    (await server.api<{ sources: SourceStatus[] }>('/api/integrations')).body.sources.find(
      (s) => s.kind === 'vps',
    );

  /** The provider's row once its first poll succeeded, checked after each commit (its events commit first). */
  const firstPoll = () =>
    new Promise<SourceStatus>((resolve, reject) => {
      const check = () =>
        vpsRow().then((row) => {
          if (row?.state === 'never') return;
          unsubscribe();
          resolve(row!);
        }, reject);
      const unsubscribe = server.stream.subscribe(() => void check());
      void check();
    });

  it('reads every page, waits out the rate limit, and stores each Droplet with its tenant and price', async () => {
    const row = await firstPoll();
    expect(row).toMatchObject({ kind: 'vps', id: `digitalocean ${standIn.url}`, state: 'ok', tenant: null });
    expect(row.detail).toMatchObject({
      droplets: 3,
      unattributed: 0,
      withoutMetrics: 0,
      rateLimited: 1,
      quarantined: 0,
    });

    // Pagination: page 1, then page 2 refused once (429) and asked again once RateLimit-Reset had passed.
    const pageRequests = standIn.requests.filter((r) => r.path.startsWith('/v2/droplets'));
    expect(pageRequests.map((r) => r.path)).toEqual([
      '/v2/droplets?per_page=200',
      '/v2/droplets?page=2&per_page=1',
      '/v2/droplets?page=2&per_page=1',
    ]);
    expect(pageRequests[2]!.at).toBeGreaterThanOrEqual(standIn.rateLimitReset * 1000);
    expect(standIn.requests.every((r) => r.authorized)).toBe(true);

    const byTenant = async (tenant: string) =>
      readAllEvents(server.url, server.adminKey, { tenant, event: 'resource_usage_event' });
    const expectDroplet = (events: ApiEvent[], id: number, vcpus: number, price: number) => {
      const cpu = events.find(
        (e) => e.properties.resource_id === `digitalocean:droplet:${id}:cpu`,
      )?.properties;
      expect(cpu).toMatchObject({
        resource_type: 'vps_instance',
        unit: 'cpus',
        capacity: vcpus,
        total_cost: price,
        cost_per_unit: Math.round((price / vcpus) * 1e4) / 1e4,
        source: 'digitalocean',
        under_utilized: true,
        over_utilized: false,
      });
      expect(cpu!.utilization_percentage).toBeCloseTo(exampleUtilization, 1);
      const memory = events.find(
        (e) => e.properties.resource_id === `digitalocean:droplet:${id}:memory`,
      )?.properties;
      expect(memory).toMatchObject({
        unit: 'bytes',
        capacity: memoryTotal,
        current_usage: memoryTotal - memoryAvailable,
        utilization_percentage: 75,
      });
      expect(memory!.total_cost).toBeUndefined();
    };
    const acme = await byTenant('acme');
    expect(acme).toHaveLength(2);
    expectDroplet(acme, 3164444, 1, 6);
    const shared = await byTenant('shared');
    expect(shared).toHaveLength(2);
    expectDroplet(shared, 3164459, 2, 18);
    const beta = await byTenant('beta');
    expect(beta).toHaveLength(2);
    expectDroplet(beta, 3164494, 4, 48);
  });

  it('never shows or sends the token anywhere but the configured API', async () => {
    const body = JSON.stringify((await server.api('/api/integrations')).body);
    expect(body).not.toContain(TOKEN);
    expect(standIn.requests.every((r) => !r.path.includes(TOKEN))).toBe(true);
  });
});
