import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { metricValue, readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// kill -9 under load: `pulse serve` (the built CLI, its own process) takes concurrent 100-event batches;
// it is SIGKILLed mid-load, restarted on the same data directory, and every event it had answered 200
// for must be there, exactly once. A 200 means "durable", nothing less.

const LOOPS = 6;
const BATCH = 100;
// The kill comes once this many batches were acknowledged, while every loop still has one in flight.
const KILL_AFTER_BATCHES = 30;
const tenant = `tenant-crash-${randomUUID().slice(0, 8)}`;

interface Batch {
  uuids: string[];
  body: string;
}

function makeBatch(loop: number, n: number): Batch {
  const events = Array.from({ length: BATCH }, (_, i) => ({
    event: 'revenue_impact_event',
    distinct_id: `loop-${loop}`,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: {
      tenant_id: tenant,
      impact_amount: n * BATCH + i,
      impact_type: i % 2 ? 'positive' : 'negative',
      loop,
      n,
      i,
    },
  }));
  return {
    uuids: events.map((e) => e.uuid),
    body: JSON.stringify({ api_key: 'phc_crash_test', sent_at: new Date().toISOString(), batch: events }),
  };
}

const post = (url: string, body: string) =>
  fetch(`${url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('kill -9 under load', () => {
  const dataDir = temporaryDirectory('pulse-crash-');
  const started: PulseProcess[] = [];
  afterAll(async () => {
    for (const p of started) await p.kill();
  });

  it(
    'every acknowledged event survives SIGKILL, once; the restarted server accepts and dedups',
    { timeout: 90_000 },
    async () => {
      const first = await startPulseProcess({ dataDir });
      started.push(first);

      const acknowledged = new Map<string, number>(); // uuid → times acknowledged (must stay 1)
      const ackedBatches: Batch[] = [];
      const sent = new Set<string>();
      const outcomes: Record<string, number> = {};
      let stop = false;
      let loaded = () => undefined as void;
      const underLoad = new Promise<void>((resolve) => (loaded = resolve));
      const loop = async (id: number) => {
        for (let n = 0; !stop; n++) {
          const batch = makeBatch(id, n);
          for (const u of batch.uuids) sent.add(u);
          let outcome: string;
          try {
            const response = await post(first.url, batch.body);
            await response.text();
            outcome = String(response.status);
            if (response.status === 200) {
              ackedBatches.push(batch);
              if (ackedBatches.length === KILL_AFTER_BATCHES) loaded();
              for (const u of batch.uuids) acknowledged.set(u, (acknowledged.get(u) ?? 0) + 1);
            }
          } catch (error) {
            const { cause, message } = error as Error & { cause?: { code?: string; message?: string } };
            outcome = `network: ${cause?.code ?? cause?.message ?? message}`;
            stop = true; // the server is gone
          }
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
      };
      const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));
      await Promise.race([underLoad, first.exited]); // an early exit fails the SIGKILL check below
      const ackedBeforeKill = acknowledged.size;
      await first.kill();
      const exit = await first.exited;
      stop = true;
      await Promise.all(loops);
      expect(exit.signal).toBe('SIGKILL');
      expect(
        ackedBeforeKill,
        `no batch was acknowledged before the kill: ${JSON.stringify(outcomes)}`,
      ).toBeGreaterThan(0);

      // Restart on the same data directory: the store recovers, the dedup index is rebuilt.
      const second = await startPulseProcess({ dataDir });
      started.push(second);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);

      const stored = await readAllEvents(second.url, second.adminKey, { tenant });
      const storedUuids = new Set(stored.map((e) => e.uuid));
      const lost = [...acknowledged.keys()].filter((u) => !storedUuids.has(u));
      const unacknowledgedStored = [...storedUuids].filter((u) => !acknowledged.has(u));
      console.info(
        `kill -9 under load: ${sent.size} events sent in ${LOOPS} loops, ${acknowledged.size} acknowledged (200), ` +
          `${stored.length} stored after restart (${unacknowledgedStored.length} of them in flight at the kill, not acknowledged); ` +
          `lost acknowledged: ${lost.length}; answers: ${JSON.stringify(outcomes)}`,
      );
      expect(lost, 'acknowledged events missing after the restart').toEqual([]);
      expect(stored.length, 'an event stored twice').toBe(storedUuids.size);
      expect([...acknowledged.values()].every((n) => n === 1)).toBe(true);
      expect(unacknowledgedStored.every((u) => sent.has(u))).toBe(true);
      // What is stored is what was sent (a sample is enough to catch torn rows).
      for (const e of stored.filter((_, i) => i % 97 === 0)) {
        expect(e).toMatchObject({
          event: 'revenue_impact_event',
          tenantId: tenant,
          distinctId: `loop-${String(e.properties.loop)}`,
        });
        expect(e.properties.impact_amount).toBe(Number(e.properties.n) * BATCH + Number(e.properties.i));
      }

      // The restarted server accepts new events…
      const fresh = makeBatch(99, 0);
      const freshReply = await post(second.url, fresh.body);
      expect(freshReply.status).toBe(200);
      expect(await freshReply.text()).toBe('{"status":"Ok"}');
      // …and drops a re-sent acknowledged batch as duplicates (the uuids it had before the crash).
      const resent = ackedBatches[0] as Batch;
      const duplicatesBefore = await metricValue(second.url, 'pulse_events_duplicate_total');
      const resentReply = await post(second.url, resent.body);
      expect(resentReply.status).toBe(200);
      expect(await resentReply.text()).toBe('{"status":"Ok"}');
      expect(await metricValue(second.url, 'pulse_events_duplicate_total')).toBe(duplicatesBefore + BATCH);

      const after = await readAllEvents(second.url, second.adminKey, { tenant });
      const afterUuids = new Set(after.map((e) => e.uuid));
      expect(after.length).toBe(afterUuids.size);
      expect(after.length).toBe(stored.length + BATCH);
      expect(fresh.uuids.every((u) => afterUuids.has(u))).toBe(true);

      // A graceful stop after all that exits cleanly.
      await second.stop();
      expect((await second.exited).code).toBe(0);
    },
  );
});
