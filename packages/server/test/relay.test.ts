import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { startPosthogUpstream, type PosthogUpstream } from './helpers/posthog-upstream.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { metricValue } from './helpers/read-events.js';
import { runCli } from './helpers/run-cli.js';

const TOKEN = 'phc_upstream_project';
const tenant = 'tenant-relay';

const business = (distinctId: string, amount: number) => ({
  event: 'revenue_impact_event',
  distinct_id: distinctId,
  uuid: randomUUID(),
  timestamp: new Date(Date.UTC(2026, 0, 5, 10, 0, amount % 60)).toISOString(),
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: 'positive' },
});
const generic = (distinctId: string, n: number) => ({
  event: 'page_viewed',
  distinct_id: distinctId,
  uuid: randomUUID(),
  timestamp: new Date(Date.UTC(2026, 0, 5, 10, 1, n % 60)).toISOString(),
  properties: { tenant_id: tenant, n, nested: { path: `/p/${n}`, tags: ['a', 'b'] } },
});
interface Sent {
  event: string;
  distinct_id: string;
  uuid: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

async function capture(url: string, batch: readonly Sent[]): Promise<void> {
  const response = await fetch(`${url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_pulse', batch }),
  });
  expect(response.status).toBe(200);
}

const relayEnv = (upstream: PosthogUpstream, extra: Record<string, string> = {}) => ({
  PULSE_POSTHOG_HOST: upstream.url,
  PULSE_POSTHOG_PROJECT_TOKEN: TOKEN,
  ...extra,
});

describe('relay configuration', () => {
  it('refuses a host without a token (and the reverse), naming both keys', () => {
    for (const env of [
      { PULSE_POSTHOG_HOST: 'https://us.i.posthog.com' },
      { PULSE_POSTHOG_PROJECT_TOKEN: 'phc_x' },
    ]) {
      const load = () => loadConfig({ env: { PULSE_DATA_DIR: '/nonexistent', ...env }, file: null });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN go together/);
    }
  });
});

describe('relay to PostHog (all events)', () => {
  let upstream: PosthogUpstream;
  let server: TestServer;
  beforeAll(async () => {
    upstream = await startPosthogUpstream(TOKEN);
    server = await startTestServer(relayEnv(upstream));
  });
  afterEach(() => {
    upstream.answer = () => undefined;
  });
  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  it('forwards every event intact, in the order accepted per distinct_id, across tables', async () => {
    // One request interleaving business and generic events of the same people.
    const batch: Sent[] = [];
    for (let i = 0; i < 30; i++) batch.push(i % 3 === 0 ? business(`d${i % 4}`, i) : generic(`d${i % 4}`, i));
    await capture(server.url, batch);
    await upstream.untilAccepted(batch.map((e) => e.uuid));
    const byUuid = new Map(upstream.accepted.map((e) => [e.uuid, e]));
    for (const sent of batch) {
      const got = byUuid.get(sent.uuid);
      expect(got).toMatchObject({
        event: sent.event,
        distinct_id: sent.distinct_id,
        timestamp: sent.timestamp,
      });
      expect(got?.properties).toMatchObject(sent.properties);
    }
    for (const person of ['d0', 'd1', 'd2', 'd3']) {
      const order = (events: readonly { uuid: string; distinct_id: string }[]) =>
        events.filter((e) => e.distinct_id === person).map((e) => e.uuid);
      expect(order(upstream.accepted.filter((e) => byUuid.has(e.uuid)))).toEqual(order(batch));
    }
    const sources = await server.api<{ sources: { kind: string; id: string }[] }>('/api/integrations');
    expect(sources.body.sources).toContainEqual(expect.objectContaining({ kind: 'relay', id: upstream.url }));
    expect(await metricValue(server.url, 'pulse_relay_sent_events_total')).toBeGreaterThanOrEqual(30);
  });

  it('waits out 503s (honouring Retry-After) and loses nothing', async () => {
    let refusals = 0;
    upstream.answer = () => (refusals++ < 3 ? { status: 503, headers: { 'retry-after': '0' } } : undefined);
    const batch = [generic('outage', 1), business('outage', 2), generic('outage', 3)];
    await capture(server.url, batch);
    await upstream.untilAccepted(batch.map((e) => e.uuid));
    expect(refusals).toBeGreaterThan(3);
    const status = await server.api<{ failedAttempts: number; lag: { events: number } }>('/api/relay');
    expect(status.body.failedAttempts).toBeGreaterThanOrEqual(3);
  });

  it('halves a batch on 413 down to one event; one event still too large becomes a dead letter', async () => {
    const batch = Array.from({ length: 10 }, (_, i) => generic('big', i));
    const tooLarge = batch[6]?.uuid;
    upstream.answer = (events) =>
      events.length > 3 || events.some((e) => e.uuid === tooLarge)
        ? { status: 413, body: 'maximum event size exceeded' }
        : undefined;
    await capture(server.url, batch);
    const delivered = batch.filter((e) => e.uuid !== tooLarge).map((e) => e.uuid);
    await upstream.untilAccepted(delivered);
    // The next event arrives only once the refused one is kept: one batch in flight, in order.
    const after = generic('big', 99);
    upstream.answer = () => undefined;
    await capture(server.url, [after]);
    await upstream.untilAccepted([after.uuid]);
    expect(upstream.requests.some((r) => r.status === 413 && r.events.length === 10)).toBe(true);
    expect(upstream.accepted.some((e) => e.uuid === tooLarge)).toBe(false);
    const status = await server.api<{
      deadLetters: { id: string; status: number; count: number; reason: string }[];
    }>('/api/relay');
    expect(status.body.deadLetters).toContainEqual(
      expect.objectContaining({ status: 413, count: 1, reason: 'maximum event size exceeded' }),
    );
  });

  it('dead-letters a batch refused with 400, durably; pulse relay retry delivers it', async () => {
    const refused = business('refused', 7);
    let refusing = true;
    upstream.answer = (events) =>
      refusing && events.some((e) => e.uuid === refused.uuid)
        ? { status: 400, body: 'failed to parse request: bad event' }
        : undefined;
    await capture(server.url, [refused]);
    const after = generic('refused', 8);
    await capture(server.url, [after]);
    await upstream.untilAccepted([after.uuid]);
    expect(upstream.accepted.some((e) => e.uuid === refused.uuid)).toBe(false);

    const cli = { PULSE_DATA_DIR: server.dataDir, PULSE_ADMIN_KEY: server.adminKey };
    const shown = await runCli(cli, 'relay', 'status', '--json', '--url', server.url);
    expect(shown.code).toBe(0);
    const status = JSON.parse(shown.stdout) as {
      enabled: boolean;
      deadLetters: { id: string; status: number; count: number; reason: string; firstAt: string }[];
    };
    expect(status.enabled).toBe(true);
    const letter = status.deadLetters.find((l) => l.status === 400);
    expect(letter).toMatchObject({ count: 1, reason: 'failed to parse request: bad event' });
    expect(await metricValue(server.url, 'pulse_relay_dead_lettered_events_total')).toBeGreaterThanOrEqual(1);

    // Still refused: it stays, with the attempt counted, and the CLI says so.
    const again = await runCli(cli, 'relay', 'retry', letter?.id ?? '', '--url', server.url);
    expect(again.code).toBe(1);
    refusing = false;
    const retried = await runCli(cli, 'relay', 'retry', letter?.id ?? '', '--url', server.url);
    expect(retried.code).toBe(0);
    expect(upstream.accepted.filter((e) => e.uuid === refused.uuid)).toHaveLength(1);
    const after2 = await server.api<{ deadLetters: { id: string }[] }>('/api/relay');
    expect(after2.body.deadLetters.map((l) => l.id)).not.toContain(letter?.id);
    const missing = await server.api<{ error: { code: string } }>('/api/relay/dead-letters/nope/retry', {
      method: 'POST',
    });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('relays a quarantined event only once it is replayed', async () => {
    const bad = {
      ...business('quarantine', 3),
      properties: { tenant_id: tenant, impact_amount: -1, impact_type: 'positive' },
    };
    const marker = generic('quarantine', 4);
    await capture(server.url, [bad, marker]);
    await upstream.untilAccepted([marker.uuid]);
    expect(upstream.accepted.some((e) => e.uuid === bad.uuid)).toBe(false);
    const replay = await server.api<{ replayed: string[] }>('/api/quarantine/replay', {
      body: { ids: [bad.uuid], fixes: { [bad.uuid]: { impact_amount: 1 } } },
    });
    expect(replay.body.replayed).toEqual([bad.uuid]);
    await upstream.untilAccepted([bad.uuid]);
    expect(upstream.accepted.find((e) => e.uuid === bad.uuid)?.properties).toMatchObject({
      impact_amount: 1,
    });
  });
});

describe('relay to PostHog (business events only)', () => {
  let upstream: PosthogUpstream;
  let server: TestServer;
  beforeAll(async () => {
    upstream = await startPosthogUpstream(TOKEN);
    server = await startTestServer(relayEnv(upstream, { PULSE_POSTHOG_RELAY_EVENTS: 'business' }));
  });
  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  it('forwards catalog business events and passes over the rest', async () => {
    const skipped = [generic('b', 1), generic('b', 2)];
    const relayed = [business('b', 3), business('b', 4)];
    await capture(server.url, [skipped[0], relayed[0], skipped[1]] as Sent[]);
    await capture(server.url, [relayed[1]] as Sent[]);
    await upstream.untilAccepted(relayed.map((e) => e.uuid));
    expect(upstream.accepted.map((e) => e.uuid)).toEqual(relayed.map((e) => e.uuid));
    const status = await server.api<{ events: string; lag: { events: number } }>('/api/relay');
    expect(status.body).toMatchObject({ events: 'business' });
  });
});

describe('relay backlog bound', () => {
  let upstream: PosthogUpstream;
  let server: TestServer;
  beforeAll(async () => {
    upstream = await startPosthogUpstream(TOKEN);
    server = await startTestServer(relayEnv(upstream, { PULSE_POSTHOG_RELAY_MAX_BACKLOG_MB: '1' }));
  });
  afterAll(async () => {
    await server.close();
    await upstream.close();
  });

  it('drops the oldest events from the relay, counted, once its backlog passes the bound', async () => {
    upstream.answer = () => ({ status: 503, headers: { 'retry-after': '0' } });
    const padding = 'x'.repeat(2_000);
    const sent: Sent[] = [];
    for (let b = 0; b < 15; b++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({
        ...generic('bound', b * 100 + i),
        properties: { tenant_id: tenant, padding },
      }));
      await capture(server.url, batch);
      sent.push(...batch);
    }
    await upstream.until(() => upstream.requests.length > 0);
    // Nothing delivered yet: every accepted event is in the lag, or dropped already.
    const waiting = await server.api<{ dropped: number; lag: { events: number } }>('/api/relay');
    expect(waiting.body.lag.events + waiting.body.dropped).toBe(sent.length);
    expect(await metricValue(server.url, 'pulse_relay_lag_events')).toBeGreaterThan(0);
    upstream.answer = () => undefined;
    const newest = sent.at(-1)?.uuid ?? '';
    await upstream.untilAccepted([newest]);
    const dropped = await metricValue(server.url, 'pulse_relay_dropped_events_total');
    expect(dropped).toBeGreaterThan(0);
    const accepted = new Set(upstream.accepted.map((e) => e.uuid));
    // The oldest went, the newest arrived, and every event is one or the other.
    expect(accepted.has(sent[0]?.uuid ?? '')).toBe(false);
    expect(sent.slice(dropped).every((e) => accepted.has(e.uuid))).toBe(true);
    expect(accepted.size).toBe(sent.length - dropped);
    const status = await server.api<{ dropped: number }>('/api/relay');
    expect(status.body.dropped).toBe(dropped);
  });
});
