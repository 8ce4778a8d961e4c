import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../src/errors.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import type { EventStore } from '../src/storage/event-store.js';
import { GatedLogWriter } from './helpers/gated-log-writer.js';
import { openTestPipeline } from './helpers/test-pipeline.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Random interleavings of requests sharing uuids with ingest-log writes that pass or fail (a full disk),
// through the real pipeline, ingest log and DuckDB store. Every request is sent at a fixed point (before
// any write, or while write k is held at the gate) and every write's outcome is scripted, so a failing
// case replays the same way. Invariants: a request answered OK has every event stored; a failed one
// fails with a retryable 503; no uuid is stored twice; a restart on the data dir sees the same.

const POOL = 4;
const uuidOf = (i: number) => `0193a000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const eventOf = (i: number): CapturedEvent => ({
  uuid: uuidOf(i),
  event: '$pageview',
  distinctId: 'visitor',
  timestamp: Date.UTC(2026, 0, 1),
  properties: { tenant_id: 'tenant-interleave' },
});

const scenario = fc.record({
  /** In the store before the run: their copies are fingerprint hits confirmed against the store. */
  stored: fc.subarray([0, 1, 2, 3]),
  requests: fc.array(
    fc.record({
      /** 0: before any write; k: while write k is held. */
      at: fc.nat({ max: 4 }),
      events: fc.array(fc.nat({ max: POOL - 1 }), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  /** Outcome of write k (false: disk full); later writes pass. */
  writes: fc.array(fc.boolean(), { maxLength: 6 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function expectStored(store: EventStore, expected: ReadonlySet<string>): Promise<void> {
  const present = await store.existingUuids(Array.from({ length: POOL }, (_, i) => uuidOf(i)));
  for (const uuid of expected) expect(present.has(uuid), `${uuid} acknowledged but not stored`).toBe(true);
  expect(await store.countEvents(), 'a uuid stored twice').toBe(present.size);
}

async function run({ stored, requests, writes }: Scenario): Promise<void> {
  const dir = temporaryDirectory('pulse-interleave-');
  try {
    const writer = new GatedLogWriter();
    // No background loads: the store changes only at the barriers below.
    const first = await openTestPipeline(
      dir,
      { PULSE_INGEST_LOAD_INTERVAL_MS: '60000' },
      { logWriter: writer },
    );
    const { pipeline } = first;
    if (stored.length) {
      await pipeline.ingest(stored.map(eventOf));
      await pipeline.barrier();
    }
    const acknowledged = new Set(stored.map(uuidOf));
    const unsent = new Set(requests);
    const answers: Promise<void>[] = [];
    const send = (request: (typeof requests)[number]) => {
      unsent.delete(request);
      answers.push(
        pipeline.ingest(request.events.map(eventOf)).then(
          () => request.events.forEach((i) => acknowledged.add(uuidOf(i))),
          (error: unknown) => expect(error).toBeInstanceOf(UnavailableError),
        ),
      );
    };
    let written = 0;
    writer.onWrite = (write) => {
      written++;
      for (const request of requests) if (request.at === written && unsent.has(request)) send(request);
      if (writes[written - 1] === false) write.failDiskFull();
      else write.pass();
    };
    for (const request of requests) if (request.at === 0) send(request);
    // Requests scheduled past the last write go once everything before them has settled.
    while (answers.length || unsent.size) {
      if (!answers.length) for (const request of [...unsent]) send(request);
      await Promise.all(answers.splice(0));
    }
    await pipeline.barrier();
    await expectStored(first.store, acknowledged);
    await first.close();

    const restarted = await openTestPipeline(dir);
    try {
      await expectStored(restarted.store, acknowledged);
    } finally {
      await restarted.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('copies of in-flight events under random interleavings and write failures', () => {
  it(
    'never acknowledges an event that is not stored, and never stores one twice',
    { timeout: 120_000 },
    async () => {
      await fc.assert(fc.asyncProperty(scenario, run), { numRuns: 25 });
    },
  );
});
