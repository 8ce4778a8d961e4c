import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AlertView, SourceStatus } from '@pulse/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { loadConfig } from '../src/config/index.js';
import { scrapeTarget } from '../src/infra/scrape.js';
import { createSafeFetch } from '../src/net/safe-fetch.js';
import { readAllEvents, type ApiEvent } from './helpers/read-events.js';
import { runCli } from './helpers/run-cli.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
// In CI the package is installed by .ci/run: a missing binary there is a failure, not a skip.
// eslint-disable-next-line no-restricted-properties -- CI is the runner's marker, not Pulse configuration
const missing = !existsSync(NODE_EXPORTER) && !process.env.CI;
if (missing)
  console.warn(
    `skipping infra-scrape: ${NODE_EXPORTER} is missing (apt-get install prometheus-node-exporter)`,
  );

/** A port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real node_exporter on 127.0.0.1:port, resolved once it logs that it listens. */
async function startNodeExporter(port: number): Promise<ChildProcess> {
  const child = spawn(
    NODE_EXPORTER,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.filesystem',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/Listening on/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`node_exporter exited (${code}):\n${log}`)));
  });
  return child;
}

describe.skipIf(missing)('Prometheus scrape targets (a real node_exporter)', () => {
  let exporter: ChildProcess;
  let server: TestServer;
  let closedPort: number;
  let port: number;
  const exporterUrl = (port: number, credentials = '') => `http://${credentials}127.0.0.1:${port}/metrics`;

  /** Resolves once `check` holds, re-checked after every commit (the good targets commit every second). */
  const until = <T>(check: () => Promise<T | undefined>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let busy = false;
      const attempt = () => {
        if (busy) return;
        busy = true;
        check().then(
          (value) => {
            busy = false;
            if (value === undefined) return;
            unsubscribe();
            resolve(value);
          },
          (error: unknown) => {
            unsubscribe();
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      };
      const unsubscribe = server.stream.subscribe(attempt);
      attempt();
    });

  const usageEvents = (tenant: string) =>
    readAllEvents(server.url, server.adminKey, { tenant, event: 'resource_usage_event' });
  const sources = async () =>
    (await server.api<{ sources: SourceStatus[] }>('/api/integrations')).body.sources;

  beforeAll(async () => {
    port = await freePort();
    closedPort = await freePort();
    exporter = await startNodeExporter(port);
    const target = { resource_type: 'vps_instance', interval_seconds: 1 };
    server = await startTestServer({
      PULSE_SCRAPE_TARGETS: JSON.stringify([
        // Everything is over 0 % and nothing under 0 %: every reading is over-utilized.
        {
          ...target,
          url: exporterUrl(port),
          tenant: 'hot',
          resource_id: 'node-a',
          monthly_cost: 40,
          over_utilized_above: 0,
          under_utilized_below: 0,
        },
        // Nothing is over 100 % and everything below it: every reading is under-utilized.
        {
          ...target,
          url: exporterUrl(port, 'scraper:s3cret@'),
          tenant: 'cold',
          resource_id: 'node-b',
          capacity: 1, // entitled to one CPU of those it sees: its CPU reading is of 1
          over_utilized_above: 100,
          under_utilized_below: 100,
        },
        { ...target, url: exporterUrl(closedPort), tenant: 'gone', resource_id: 'node-c' },
      ]),
    });
  });

  afterAll(async () => {
    await server?.close();
    exporter?.kill();
  });

  /** The tenant's events once its CPU has a rate (the second scrape) and another scrape followed. */
  const withCpu = (tenant: string) =>
    until(async () => {
      const events = await usageEvents(tenant);
      const cpu = events.filter((e) => e.properties.metric === 'cpu');
      return cpu.length >= 2 ? events : undefined;
    });

  const expectSane = (events: ApiEvent[]) => {
    for (const { properties: p } of events) {
      expect(p.utilization_percentage).toBeGreaterThanOrEqual(0);
      expect(p.utilization_percentage).toBeLessThanOrEqual(100);
      expect(p.capacity).toBeGreaterThan(0);
      expect(p.current_usage).toBeLessThanOrEqual(p.capacity as number);
    }
  };

  it('stores CPU, memory and file system readings as resource_usage_event, flagged by the thresholds', async () => {
    const hot = await withCpu('hot');
    const cold = await withCpu('cold');
    expectSane([...hot, ...cold]);

    const metrics = (events: ApiEvent[]) => new Set(events.map((e) => e.properties.metric));
    expect(metrics(hot)).toEqual(new Set(['cpu', 'memory', 'filesystem']));
    for (const e of hot) {
      const p = e.properties;
      expect(p.over_utilized).toBe((p.utilization_percentage as number) > 0);
      expect(p.under_utilized).toBe(false);
    }
    expect(hot.filter((e) => e.properties.metric === 'memory').every((e) => e.properties.over_utilized)).toBe(
      true,
    );
    for (const e of cold) {
      expect(e.properties.over_utilized).toBe(false);
      expect(e.properties.under_utilized).toBe((e.properties.utilization_percentage as number) < 100);
    }
    expect(
      cold.filter((e) => e.properties.metric === 'memory').every((e) => e.properties.under_utilized),
    ).toBe(true);

    // The monthly cost rides on the CPU reading only, split per CPU for cost_per_unit.
    const cpu = hot.find((e) => e.properties.metric === 'cpu')!.properties;
    expect(cpu).toMatchObject({ resource_id: 'node-a:cpu', resource_type: 'vps_instance', unit: 'cpus' });
    expect(cpu.total_cost).toBe(40);
    expect(cpu.cost_per_unit).toBeCloseTo(40 / (cpu.capacity as number), 4);
    expect(
      hot.filter((e) => e.properties.total_cost !== undefined).every((e) => e.properties.metric === 'cpu'),
    ).toBe(true);
    const fs = hot.find((e) => e.properties.metric === 'filesystem')!.properties;
    expect(fs.resource_type).toBe('storage');
    expect(fs.resource_id).toMatch(/^node-a:fs:\//);
    expect(cold.every((e) => e.properties.total_cost === undefined)).toBe(true);
  });

  it('opens the utilization alerts from the scraped readings', async () => {
    const alertOf = (tenant: string, rule: string) =>
      until(async () => {
        const query = new URLSearchParams({ tenant, rule, state: 'open' });
        const { body } = await server.api<{ alerts: AlertView[] }>(`/api/alerts?${query.toString()}`);
        return body.alerts[0];
      });
    const over = await alertOf('hot', 'resource-over-utilized-medium');
    expect(over.key.resource_id).toMatch(/^node-a:/);
    const under = await alertOf('cold', 'resource-under-utilized-medium');
    expect(under.key.resource_id).toMatch(/^node-b:/);
  });

  it('backs off a target that cannot be reached and shows why, while the others go on', async () => {
    const failing = await until(async () => {
      const row = (await sources()).find((s) => s.tenant === 'gone');
      return row && row.consecutiveFailures >= 2 ? row : undefined;
    });
    expect(failing).toMatchObject({ kind: 'scrape', id: exporterUrl(closedPort), state: 'failing' });
    expect(failing.lastError?.message).toMatch(/ECONNREFUSED|refused/);
    expect(failing.nextAttemptAt).not.toBeNull();
    // Backed off: the next attempt is at least one interval after the failure, and it is shown.
    expect(Date.parse(failing.nextAttemptAt!) - Date.parse(failing.lastError!.at)).toBeGreaterThanOrEqual(
      1_000,
    );

    // The good targets keep scraping after that failure.
    const after = Date.parse(failing.lastError!.at);
    const rows = await until(async () => {
      const list = await sources();
      const good = list.filter((s) => s.tenant === 'hot' || s.tenant === 'cold');
      return good.every((s) => s.state === 'ok' && Date.parse(s.lastSuccessAt!) > after) ? good : undefined;
    });
    expect(rows).toHaveLength(2);
    // Every reading passed the catalog: none was quarantined.
    expect(rows.map((s) => s.detail.quarantined)).toEqual([0, 0]);
    // The status never shows a target's credentials.
    expect(rows.map((s) => s.id)).toEqual([
      expect.not.stringContaining('s3cret'),
      expect.not.stringContaining('s3cret'),
    ]);
    expect(JSON.stringify(await sources())).not.toContain('s3cret');

    // pulse integrations shows the same rows.
    const cli = await runCli(
      { PULSE_DATA_DIR: server.dataDir },
      'integrations',
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code).toBe(0);
    const line = cli.stdout.split('\n').find((l) => l.includes(exporterUrl(closedPort)));
    expect(line).toMatch(/scrape\s+\S+\s+gone\s+failing/);
    expect(line).toMatch(/connect ECONNREF/);
    expect(cli.stdout).not.toContain('s3cret');
  });

  it('never counts a scrape repeated within the same interval twice', async () => {
    // The target's own scrape, run twice at one instant (as a retry after a partial failure would be).
    const fetch = createSafeFetch({
      allowPrivateNetworks: true,
      timeoutMs: 10_000,
      retries: 0,
      retryBaseMs: 100,
      retryMaxMs: 100,
      maxRedirects: 0,
      maxResponseBytes: 8 * 1024 * 1024,
    });
    const [target] = loadConfig({
      env: {
        PULSE_SCRAPE_TARGETS: JSON.stringify([
          { url: exporterUrl(port), tenant: 'twice', resource_id: 'node-d', resource_type: 'vps_instance' },
        ]),
      },
      file: null,
    }).scrapeTargets;
    const scrape = scrapeTarget(target!, {
      fetch,
      pipeline: server.pipeline,
      now: () => Date.UTC(2026, 0, 1),
    });
    const signal = new AbortController().signal;
    try {
      await scrape(signal);
      const first = await readAllEvents(server.url, server.adminKey, { tenant: 'twice' });
      expect(first.length).toBeGreaterThanOrEqual(2); // memory and at least one file system
      await scrape(signal);
      const second = await readAllEvents(server.url, server.adminKey, { tenant: 'twice' });
      // Only the CPU reading is new (the first scrape had no rate); nothing else is stored twice.
      expect(second.map((e) => e.properties.resource_id).sort()).toEqual(
        [...first.map((e) => e.properties.resource_id), 'node-d:cpu'].sort(),
      );
    } finally {
      fetch.close();
    }
  });
});
