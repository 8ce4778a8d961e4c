// npm run bench:ingest-read-wait — how long a read that must see every acknowledged event (the read
// barrier: GET /api/events) waits while capture runs at a steady rate: the loader's batch size and age
// trade its CPU against this wait (ADR 0002). Reports the read's latency while idle (the baseline) and
// under load, p50/p99/max. BENCH_RATE events/s (default 20000), BENCH_SECONDS (default 20); loader
// settings come from the environment (PULSE_INGEST_LOAD_ROWS, PULSE_INGEST_LOAD_INTERVAL_MS). Build first.
import { posthogNodeBodies } from './lib/ingest-bodies.mjs';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const rate = Number(process.env.BENCH_RATE ?? 20_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const bodies = posthogNodeBodies(Math.ceil((rate * seconds) / 100));

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const summary = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) };
};
const show = (s) =>
  `p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms, max ${fmt(s.max, 1)} ms (${s.n} reads)`;

/** The server's read-barrier wait histogram: cumulative counts per bucket bound (s), from /metrics. */
async function barrierBuckets(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const buckets = [];
  for (const m of text.matchAll(/^pulse_read_barrier_wait_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm))
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  return buckets;
}

/** The bucket bound a quantile of the barrier waits between two readings falls under. */
function barrierQuantile(before, after, q) {
  const total = after.at(-1)[1] - before.at(-1)[1];
  const bound = after.find(([, n], i) => n - before[i][1] >= q * total)?.[0];
  return bound === undefined ? 'n/a' : `≤ ${fmt(bound * 1000)} ms`;
}

async function read(server) {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/events?limit=1`, {
    headers: { authorization: `Bearer ${server.adminKey}` },
  });
  await res.text();
  if (!res.ok) throw new Error(`GET /api/events: ${res.status}`);
  return performance.now() - started;
}

/** One read every `everyMs` until `until()` says stop; latencies in ms. */
async function readEvery(server, everyMs, until) {
  const latencies = [];
  while (!until()) {
    latencies.push(await read(server));
    await new Promise((r) => setTimeout(r, everyMs * (0.5 + Math.random())));
  }
  return latencies;
}

/** Posts the bodies at `rate` events/s (a body of 100 every 100/rate s), 8 requests in flight at most. */
async function sendAtRate(url, rate) {
  const started = performance.now();
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < bodies.length) {
        const index = next++;
        const due = started + (index * 100 * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const res = await fetch(`${url}/batch/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodies[index],
        });
        await res.text();
        if (!res.ok) refused++;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, refused };
}

const server = await startPulse({ port: 19000 + Math.floor(Math.random() * 900) });
try {
  await read(server);
  const idle = summary(
    await readEvery(
      server,
      50,
      (
        (end) => () =>
          performance.now() > end
      )(performance.now() + 3000),
    ),
  );
  const bucketsBefore = await barrierBuckets(server);
  let sending = true;
  const sent = sendAtRate(server.url, rate).finally(() => (sending = false));
  const loaded = summary(await readEvery(server, 100, () => !sending));
  const { seconds: took, refused } = await sent;
  const bucketsAfter = await barrierBuckets(server);
  report(`bench:ingest-read-wait — GET /api/events (behind the read barrier) while capture runs`, [
    ['idle', show(idle)],
    [
      `under ${fmt(rate)} events/s offered (${fmt((bodies.length * 100) / took)} achieved, ${refused} refused)`,
      show(loaded),
    ],
    [
      '  of which the barrier wait (server histogram)',
      `p50 ${barrierQuantile(bucketsBefore, bucketsAfter, 0.5)}, p99 ${barrierQuantile(bucketsBefore, bucketsAfter, 0.99)}`,
    ],
    [
      'loader',
      `PULSE_INGEST_LOAD_ROWS=${process.env.PULSE_INGEST_LOAD_ROWS ?? '(default)'}, PULSE_INGEST_LOAD_INTERVAL_MS=${process.env.PULSE_INGEST_LOAD_INTERVAL_MS ?? '(default)'}`,
    ],
  ]);
} finally {
  await server.stop();
}
