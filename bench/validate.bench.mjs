// What catalog validation costs on the capture path, next to the JSON.parse every request pays anyway.
// Run: npx tsc -b packages/events && node bench/validate.bench.mjs   (~5 s on an idle machine)
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { checkBusinessEvent } from '@pulse/events';
import { batchBody } from './lib/posthog-batches.mjs';

const BATCH_SIZE = 100; // events per body, like a posthog-node flush
const BODIES = 20; // distinct bodies per variant: 2,000 events, many shapes
const WARMUP_ROUNDS = 20; // untimed rounds so V8 has optimized every path before we measure
const RUNS = 15; // timed rounds; we report the median
const REPEAT = 5; // passes over the 2,000 events inside one timed round

const valid = Array.from({ length: BODIES }, (_, i) => batchBody({ seed: i + 1, size: BATCH_SIZE }));
const invalid = Array.from({ length: BODIES }, (_, i) =>
  batchBody({ seed: i + 1, size: BATCH_SIZE, invalid: true }),
);
const eventCount = BODIES * BATCH_SIZE;

/** Fresh parse-shaped events: checkBusinessEvent writes derived fields into what it is given. */
function parseAll(bodies) {
  return bodies.flatMap((body) => JSON.parse(body).batch);
}

// Fails loudly if the fixtures drift: a "valid" event that fails (or an invalid one that passes) would
// silently measure the other path.
for (const [bodies, expectOk] of [
  [valid, true],
  [invalid, false],
]) {
  for (const e of parseAll(bodies)) {
    const result = checkBusinessEvent(e.event, e.properties, { uuid: e.uuid });
    if (result.ok !== expectOk)
      throw new Error(`fixture ${e.event} expected ok=${expectOk}: ${JSON.stringify(result.issues ?? e)}`);
  }
}

let sink = 0; // keeps results alive so V8 cannot drop the work

/** µs per event of one timed round. */
function timeParse(bodies) {
  const start = performance.now();
  for (let r = 0; r < REPEAT; r++) for (const body of bodies) sink += JSON.parse(body).batch.length;
  return ((performance.now() - start) * 1000) / (REPEAT * eventCount);
}

// Each body is parsed just before its events are checked, as on the capture path: the events are
// young objects when validation writes derived fields into them. (Pre-parsing a whole round, or forcing
// a GC before timing, measured this path 3-4x slower: likely the events had left the young generation.)
function timeCheck(bodies) {
  let elapsed = 0;
  for (let r = 0; r < REPEAT; r++)
    for (const body of bodies) {
      const events = JSON.parse(body).batch; // untimed
      const start = performance.now();
      for (const e of events) if (checkBusinessEvent(e.event, e.properties, { uuid: e.uuid }).ok) sink++;
      elapsed += performance.now() - start;
    }
  return (elapsed * 1000) / (REPEAT * eventCount);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const cases = [
  ['(a) JSON.parse of the body (baseline)', () => timeParse(valid)],
  ['(b) checkBusinessEvent, valid event', () => timeCheck(valid)],
  ['(c) checkBusinessEvent, invalid event', () => timeCheck(invalid)],
];

const began = performance.now();
for (let w = 0; w < WARMUP_ROUNDS; w++) for (const [, run] of cases) run();
// Interleaved so drift (thermal, GC, neighbours) hits every case alike.
const samples = cases.map(() => []);
for (let r = 0; r < RUNS; r++) cases.forEach(([, run], i) => samples[i].push(run()));

const bodyBytes = valid.reduce((n, b) => n + b.length, 0) / BODIES;
console.log(
  `Pulse catalog validation: ${BODIES} PostHog /batch bodies of ${BATCH_SIZE} mixed business events ` +
    `(~${(bodyBytes / 1024).toFixed(0)} KiB each), Node ${process.version}, median of ${RUNS} runs after ${WARMUP_ROUNDS} warm-up rounds`,
);
const rows = cases.map(([label], i) => {
  const us = median(samples[i]);
  return { label, us, min: Math.min(...samples[i]), max: Math.max(...samples[i]) };
});
console.log(
  `\n${'case'.padEnd(40)}${'µs/event'.padStart(10)}${'min..max'.padStart(16)}${'events/s'.padStart(13)}`,
);
for (const { label, us, min, max } of rows)
  console.log(
    `${label.padEnd(40)}${us.toFixed(3).padStart(10)}${`${min.toFixed(2)}..${max.toFixed(2)}`.padStart(16)}${Math.round(
      1e6 / us,
    )
      .toLocaleString('en-US')
      .padStart(13)}`,
  );
const [parse, checkValid, checkInvalid] = rows.map((r) => r.us);
console.log(
  `\n(b)/(a) = ${(checkValid / parse).toFixed(2)}: validating a valid event costs that many JSON.parses of it`,
);
console.log(
  `(c)/(b) = ${(checkInvalid / checkValid).toFixed(2)}: the error path (building messages) vs the happy path`,
);
if (sink === 0) throw new Error('nothing was measured');
console.log(`total ${((performance.now() - began) / 1000).toFixed(1)} s`);
