import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startPosthogUpstream, type PosthogUpstream } from './helpers/posthog-upstream.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// An upstream PostHog down while `pulse serve` (the built CLI, its own process) is SIGKILLed and later
// stopped: once the upstream recovers, every event Pulse acknowledged reaches it, in order per distinct_id.

const TOKEN = 'phc_relay_crash';
const tenant = `tenant-relay-crash-${randomUUID().slice(0, 8)}`;

function makeBatch(run: number, n: number) {
  return Array.from({ length: 20 }, (_, i) => ({
    event: i % 4 === 0 ? 'revenue_impact_event' : 'page_viewed',
    distinct_id: `person-${i % 3}`,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    properties:
      i % 4 === 0
        ? { tenant_id: tenant, impact_amount: i, impact_type: 'positive', run, n }
        : { tenant_id: tenant, run, n, i },
  }));
}

describe('relay across kill -9 during an upstream outage', () => {
  const dataDir = temporaryDirectory('pulse-relay-crash-');
  const started: PulseProcess[] = [];
  let upstream: PosthogUpstream | undefined;
  afterAll(async () => {
    for (const p of started) await p.kill();
    await upstream?.close();
  });

  it('delivers every acknowledged event once the upstream is back', { timeout: 120_000 }, async () => {
    upstream = await startPosthogUpstream(TOKEN);
    const up = upstream;
    up.answer = () => ({ status: 503, body: 'transient error, please retry' });
    const env = { PULSE_POSTHOG_HOST: up.url, PULSE_POSTHOG_PROJECT_TOKEN: TOKEN };
    const sent: ReturnType<typeof makeBatch> = [];
    const run = async (n: number, end: (p: PulseProcess) => Promise<void>) => {
      const pulse = await startPulseProcess({ dataDir, env });
      started.push(pulse);
      const attempts = up.requests.length;
      for (let b = 0; b < 5; b++) {
        const batch = makeBatch(n, b);
        const response = await fetch(`${pulse.url}/batch/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ api_key: 'phc_pulse', batch }),
        });
        expect(response.status).toBe(200);
        sent.push(...batch);
      }
      // The store has loaded them (so the loader no longer needs their log) and the relay is being refused.
      expect(await readAllEvents(pulse.url, pulse.adminKey, { tenant })).toHaveLength(sent.length);
      await up.until(() => up.requests.length > attempts);
      await end(pulse);
    };
    await run(1, (p) => p.kill());
    await run(2, (p) => p.stop());

    up.answer = () => undefined;
    const last = await startPulseProcess({ dataDir, env });
    started.push(last);
    await up.untilAccepted(sent.map((e) => e.uuid));

    const received = new Map(up.accepted.map((e) => [e.uuid, e]));
    for (const e of sent)
      expect(received.get(e.uuid)).toMatchObject({ event: e.event, distinct_id: e.distinct_id });
    for (const person of ['person-0', 'person-1', 'person-2']) {
      const firstArrivals: string[] = [];
      for (const e of up.accepted)
        if (e.distinct_id === person && !firstArrivals.includes(e.uuid)) firstArrivals.push(e.uuid);
      expect(firstArrivals).toEqual(sent.filter((e) => e.distinct_id === person).map((e) => e.uuid));
    }
    const status = (await (
      await fetch(`${last.url}/api/relay`, { headers: { authorization: `Bearer ${last.adminKey}` } })
    ).json()) as { deadLetters: unknown[] };
    expect(status.deadLetters).toEqual([]);
  });
});
