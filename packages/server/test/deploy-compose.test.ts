import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, criticalIncident } from './helpers/capture-batch.js';
import { parse } from 'yaml';
import { configKeys } from '../src/config/index.js';
import { clickhouseUnavailable, createEventDatabase, startClickHouse } from './helpers/clickhouse.js';
import { connectLive } from './helpers/live-client.js';
import { createStateDatabase, postgresUnavailable, startPostgres } from './helpers/postgres.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { temporaryDirectory } from './helpers/temp-dir.js';
import { freePort } from './helpers/free-port.js';

// deploy/compose.yaml's pieces run here as plain processes: the real ClickHouse and PostgreSQL, three
// `pulse serve` replicas with the compose file's environment, and HAProxy with deploy/haproxy.cfg.

const deployDir = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const HAPROXY = '/usr/sbin/haproxy';

interface ComposeService {
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(join(deployDir, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const replicas = Object.keys(compose.services).filter((name) => /^pulse-\d+$/.test(name));

function haproxyUnavailable(): string | null {
  if (existsSync(HAPROXY)) return null;
  // eslint-disable-next-line no-restricted-properties -- CI decides whether a missing HAProxy fails or skips
  if (process.env.CI) throw new Error(`HAProxy is required in CI (${HAPROXY} is missing)`);
  return `HAProxy is not installed (${HAPROXY}); apt-get install haproxy`;
}
const unavailable = haproxyUnavailable() ?? clickhouseUnavailable() ?? postgresUnavailable();

describe('deploy/compose.yaml', () => {
  it('sets only configuration keys Pulse knows, and gives every replica its own data volume', () => {
    const known = new Set(Object.values(configKeys).map((key) => key.env));
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    for (const name of replicas) {
      const env = compose.services[name]?.environment ?? {};
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      expect(env.PULSE_STORE_URL).toMatch(/^clickhouse:\/\//);
      expect(env.PULSE_STATE_URL).toMatch(/^postgres:\/\//);
    }
    const volumes = replicas.map((name) => JSON.stringify(compose.services[name]));
    expect(new Set(volumes).size).toBe(replicas.length);
  });
});

describe.skipIf(unavailable !== null)(`the compose pieces as processes ${unavailable ?? ''}`, () => {
  const token = 'phc_compose_test_token';
  const adminKey = 'pulse_admin_compose-test-key-0123456789';
  const stops: (() => Promise<void>)[] = [];
  const pulses: PulseProcess[] = [];
  const replicaStarts: (() => Promise<PulseProcess>)[] = [];
  let proxyUrl = '';
  /** The bodies the alert webhook received. */
  const notified: string[] = [];

  beforeAll(async () => {
    const [clickhouse, postgres] = await Promise.all([startClickHouse(), startPostgres()]);
    stops.push(clickhouse.stop, postgres.stop);
    const storeUrl = await createEventDatabase(clickhouse);
    const stateUrl = await createStateDatabase(postgres);
    const receiver = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        notified.push(body);
        response.end('ok');
      });
    });
    const receiverPort = await new Promise<number>((resolve) =>
      receiver.listen(0, '127.0.0.1', () => resolve((receiver.address() as { port: number }).port)),
    );
    stops.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    for (const name of replicas) {
      // The compose environment, with the servers' addresses of this machine.
      const env: Record<string, string> = {
        ...compose.services[name]?.environment,
        PULSE_STORE_URL: storeUrl,
        PULSE_STATE_URL: stateUrl,
        PULSE_PROJECT_TOKEN: token,
        PULSE_PUBLIC_URL: 'http://127.0.0.1',
        PULSE_ALERT_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/hook`,
        PULSE_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      };
      delete env.PULSE_ADMIN_KEY;
      const dataDir = temporaryDirectory(`pulse-${name}-`);
      const start = () => startPulseProcess({ dataDir, adminKey, env, timeoutMs: 60_000 });
      replicaStarts.push(start);
      pulses.push(await start());
    }
    const proxyPort = await freePort();
    const addresses = Object.fromEntries(
      pulses.map((pulse, index) => [`PULSE_${index + 1}_ADDR`, new URL(pulse.url).host]),
    );
    const proxy: ChildProcess = spawn(HAPROXY, ['-db', '-f', join(deployDir, 'haproxy.cfg')], {
      env: { PROXY_BIND: `127.0.0.1:${proxyPort}`, ...addresses },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let proxyLog = '';
    proxy.stderr?.on('data', (chunk: Buffer) => (proxyLog += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => proxy.once('exit', () => resolve()));
    stops.push(async () => {
      proxy.kill('SIGTERM');
      await exited;
    });
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    // Ready once the proxy answers through a replica its health check let in.
    for (let attempt = 0; attempt < 300; attempt++) {
      const ready = await fetch(`${proxyUrl}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await delay(100);
    }
    throw new Error(`HAProxy never reached a ready Pulse replica:\n${proxyLog}`);
  }, 240_000);

  afterAll(async () => {
    for (const pulse of pulses) await pulse.stop();
    for (const stop of stops.reverse()) await stop();
  }, 120_000);

  const api = async <T>(base: string, path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status, `${base}${path}`).toBe(200);
    return (await response.json()) as T;
  };

  it('captures through the proxy onto any replica, and every replica reads every event', async () => {
    const tenant = `compose-${randomUUID().slice(0, 8)}`;
    const client = new PostHog(token, { host: proxyUrl, flushAt: 20, flushInterval: 0 });
    for (let i = 0; i < 200; i++)
      client.capture({
        distinctId: tenant,
        event: 'revenue_impact_event',
        uuid: randomUUID(),
        properties: { tenant_id: tenant, impact_amount: 10, impact_type: 'positive' },
      });
    await client.shutdown();
    // Each replica has its own events at once and the others' as soon as the event bus brings them.
    for (const pulse of pulses) {
      let revenue = 0;
      for (let attempt = 0; attempt < 150 && revenue !== 2000; attempt++) {
        if (attempt) await delay(100);
        const summary = await api<{ keyMetrics: { positiveRevenueImpact: number } }>(
          pulse.url,
          `/api/summary?tenant=${tenant}`,
        );
        revenue = summary.keyMetrics.positiveRevenueImpact;
      }
      expect(revenue, pulse.url).toBe(2000);
    }
  });

  it('pushes an event captured on one replica to a dashboard connected through another', async () => {
    const tenant = `compose-live-${randomUUID().slice(0, 8)}`;
    const [first, second] = pulses;
    if (!first || !second) throw new Error('two replicas are needed');
    const live = await connectLive(first.url, { authorization: `Bearer ${adminKey}` });
    try {
      const seen = live.until((message) => JSON.stringify(message).includes(tenant), 10_000);
      await capture(second.url, token, [
        {
          event: 'revenue_impact_event',
          distinct_id: tenant,
          uuid: randomUUID(),
          timestamp: new Date().toISOString(),
          properties: { tenant_id: tenant, impact_amount: 5, impact_type: 'positive' },
        },
      ]);
      await seen;
    } finally {
      live.ws.close();
    }
  });

  it('loses nothing it acknowledged when a replica is killed under load', async () => {
    const tenant = `compose-kill-${randomUUID().slice(0, 8)}`;
    const acknowledged: string[] = [];
    const victim = 2;
    const send = async (batch: number) => {
      const events = Array.from({ length: 50 }, () => ({
        event: 'revenue_impact_event',
        distinct_id: tenant,
        uuid: randomUUID(),
        timestamp: new Date().toISOString(),
        properties: { tenant_id: tenant, impact_amount: 1, impact_type: 'positive' },
      }));
      // Round-robin over the replicas directly, so the one killed surely holds acknowledged events.
      const target = pulses[batch % pulses.length];
      const ok = await fetch(`${target?.url}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: token, batch: events }),
      }).then(
        (response) => response.status === 200,
        () => false, // the killed replica: not acknowledged
      );
      if (ok) acknowledged.push(...events.map((e) => e.uuid));
    };
    let batch = 0;
    const lanes = Array.from({ length: 4 }, async () => {
      while (batch < 60) {
        const mine = batch++;
        if (mine === 20) await pulses[victim]?.kill();
        await send(mine);
      }
    });
    await Promise.all(lanes);
    expect(acknowledged.length).toBeGreaterThan(0);
    // The killed replica's own ingest log is replayed into ClickHouse when it starts again.
    pulses[victim] = await replicaStarts[victim]!();
    const stored = new Set<string>();
    for (let attempt = 0; attempt < 300 && stored.size < acknowledged.length; attempt++) {
      if (attempt) await delay(100);
      const page = await api<{ events: { uuid: string }[] }>(
        pulses[0]!.url,
        `/api/events?tenant=${tenant}&limit=5000`,
      );
      for (const event of page.events) stored.add(event.uuid);
    }
    expect(acknowledged.filter((uuid) => !stored.has(uuid))).toEqual([]);
  }, 180_000);

  it('forgets on every replica the events retention deleted through another', async () => {
    const tenant = `compose-retention-${randomUUID().slice(0, 8)}`;
    const send = async (base: string, path: string, method: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status, `${method} ${path}`).toBe(200);
    };
    await capture(pulses[0]!.url, token, [
      {
        event: 'revenue_impact_event',
        distinct_id: tenant,
        uuid: randomUUID(),
        timestamp: new Date(Date.now() - 10 * 86_400_000).toISOString(),
        properties: { tenant_id: tenant, impact_amount: 100, impact_type: 'positive' },
      },
    ]);
    type Summary = { keyMetrics: { positiveRevenueImpact: number }; unknownTenants: { tenantId: string }[] };
    const until = async (pulse: PulseProcess, done: (summary: Summary) => boolean) => {
      let summary = await api<Summary>(pulse.url, `/api/summary?tenant=${tenant}`);
      for (let attempt = 0; attempt < 150 && !done(summary); attempt++) {
        await delay(100);
        summary = await api<Summary>(pulse.url, `/api/summary?tenant=${tenant}`);
      }
      return summary;
    };
    for (const pulse of pulses)
      expect((await until(pulse, (s) => s.keyMetrics.positiveRevenueImpact === 100)).unknownTenants).toEqual(
        [],
      );

    await send(pulses[1]!.url, '/api/retention', 'PUT', [{ event: 'revenue_impact_event', tenant, days: 1 }]);
    await send(pulses[1]!.url, '/api/retention/apply?dryRun=false', 'POST');
    // The others rebuild what they built from the events (rollups, known tenants) when told of the deletion.
    for (const pulse of [pulses[0]!, pulses[2]!]) {
      const summary = await until(
        pulse,
        (s) => s.unknownTenants.length === 1 && s.keyMetrics.positiveRevenueImpact === 0,
      );
      expect(
        summary.unknownTenants.map((u) => u.tenantId),
        pulse.url,
      ).toEqual([tenant]);
      expect(summary.keyMetrics.positiveRevenueImpact).toBe(0);
    }
    await send(pulses[1]!.url, '/api/retention', 'PUT', []);
  });

  it('notifies a critical alert once, whichever replicas evaluated its event', async () => {
    const tenant = `compose-alert-${randomUUID().slice(0, 8)}`;
    const received = async (pulse: PulseProcess) => {
      const text = await (await fetch(`${pulse.url}/metrics`)).text();
      return Number(/^pulse_cluster_events_received_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const peers = [pulses[0]!, pulses[2]!];
    const before = await Promise.all(peers.map(received));
    await capture(pulses[1]!.url, token, [criticalIncident(tenant)]);
    const mine = () => notified.filter((body) => body.includes(tenant));
    for (let attempt = 0; attempt < 300 && mine().length === 0; attempt++) await delay(100);
    expect(mine().length).toBe(1);
    for (const [index, peer] of peers.entries())
      for (let attempt = 0; attempt < 300 && (await received(peer)) <= before[index]!; attempt++)
        await delay(100);
    // Every replica evaluates the event (the bus brings it to the others); a graceful stop finishes each one's
    // evaluation, writes and sends, so any second notification would have arrived by then.
    for (const pulse of pulses) await pulse.stop();
    expect(mine().length).toBe(1);
  }, 120_000);
});
