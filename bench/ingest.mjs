// npm run bench:ingest — sustained capture throughput, acknowledged = durable, against the JSON.parse-only
// ceiling of the same bodies on one core. Load comes from wrk (loopback only); bounded in time and count.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emptyRuleSet, parseCeiling, posthogNodeBodies } from './lib/ingest-bodies.mjs';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';
import { storeContents } from './lib/store-bytes.mjs';
import { wrkBatches } from './lib/wrk.mjs';

// 30 s by default: long enough to see whether the ingest-log loader keeps up (a growing log is not a pass).
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
// distinct bodies of 100 events each; wrk gives every event it sends a fresh uuid, so they are reused freely
const bodies = Number(process.env.BENCH_BODIES ?? 8000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
// BENCH_ALERT_RULES=none empties the rule set first: what ingest costs without alerting, for comparison.
const withoutRules = process.env.BENCH_ALERT_RULES === 'none';
const port = 18000 + Math.floor(Math.random() * 1000);

const lines = posthogNodeBodies(bodies);
const avgBody = lines.reduce((n, l) => n + l.length, 0) / lines.length;

// Baseline measured in the same run: JSON.parse of the same bodies on one core.
const parseRate = parseCeiling(lines);

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const metric = (text, name) =>
  // names may carry labels: escape the regex specials
  Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} ([\\d.e+]+)$`, 'm'))?.[1] ?? 0);
const server = await startPulse({ port });
if (withoutRules) await emptyRuleSet(server);
const loadavgBefore = loadavg();
let out;
let metrics;
const lag = []; // [seconds, events in the log not yet loaded, rows loaded so far]
let stopSampling = false;
let stopMs;
try {
  const started = performance.now();
  const sampling = (async () => {
    while (!stopSampling) {
      await new Promise((r) => setTimeout(r, 1000));
      const text = await (await fetch(`${server.url}/metrics`)).text();
      lag.push([
        (performance.now() - started) / 1000,
        metric(text, 'pulse_ingest_log_lag_events'),
        metric(text, 'pulse_ingest_loaded_rows_total'),
        metric(text, 'pulse_process_cpu_seconds_total'),
        metric(text, 'pulse_events_accepted_total{kind="business"}') +
          metric(text, 'pulse_events_accepted_total{kind="generic"}'),
      ]);
    }
  })();
  out = await wrkBatches({ url: server.url, bodies: lines, connections, seconds });
  stopSampling = true;
  await sampling;
  metrics = await (await fetch(`${server.url}/metrics`)).text();
} finally {
  stopSampling = true;
  const t = performance.now();
  await server.stop(); // loads the log's tail, checkpoints: the file size below is the settled one
  stopMs = performance.now() - t;
}
const { requests, non2xx: statusErrors, timeouts } = out;
const durationUs = out.seconds * 1e6;
const accepted =
  Number(metrics.match(/pulse_events_accepted_total\{kind="business"\} (\d+)/)?.[1] ?? 0) +
  Number(metrics.match(/pulse_events_accepted_total\{kind="generic"\} (\d+)/)?.[1] ?? 0);
const commits = Number(metrics.match(/pulse_commit_duration_seconds_count (\d+)/)?.[1] ?? 0);
const loads = metric(metrics, 'pulse_ingest_load_duration_seconds_count');
const loadSeconds = metric(metrics, 'pulse_ingest_load_duration_seconds_sum');
const loadedRows = metric(metrics, 'pulse_ingest_loaded_rows_total');
const lagEnd = metric(metrics, 'pulse_ingest_log_lag_events');
const lagMax = Math.max(0, ...lag.map(([, l]) => l));
// Sustained loader rate over the second half of the run (steady state), from the sampled counters.
const half = lag.filter(([t]) => t >= seconds / 2);
// Server CPU (all its threads: event loop, DuckDB, log writer) per acknowledged event, second half.
const cpuPerEvent =
  half.length > 1 ? ((half.at(-1)[3] - half[0][3]) * 1e6) / Math.max(1, half.at(-1)[4] - half[0][4]) : 0;
// Lag growth over the second half (events/s): about zero when the loader keeps up.
// (least squares: single samples swing by one load's worth of rows)
const lagSlope = (() => {
  if (half.length < 3) return 0;
  const mt = half.reduce((n, [t]) => n + t, 0) / half.length;
  const ml = half.reduce((n, [, l]) => n + l, 0) / half.length;
  const num = half.reduce((n, [t, l]) => n + (t - mt) * (l - ml), 0);
  const den = half.reduce((n, [t]) => n + (t - mt) ** 2, 0);
  return den ? num / den : 0;
})();
const loaderRate = half.length > 1 ? (half.at(-1)[2] - half[0][2]) / (half.at(-1)[0] - half[0][0]) : 0;
const rate = ((requests - statusErrors) * 100) / (durationUs / 1e6);
const dbBytes = readdirSync(server.dataDir)
  .filter((f) => f.endsWith('.duckdb') || f.endsWith('.duckdb.wal'))
  .reduce((n, f) => n + statSync(join(server.dataDir, f)).size, 0);
const logDir = join(server.dataDir, 'ingest-log');
const logBytes = readdirSync(logDir).reduce((n, f) => n + statSync(join(logDir, f)).size, 0);
const dbFile = readdirSync(server.dataDir).find((f) => f.endsWith('.duckdb'));
const store = await storeContents(join(server.dataDir, dbFile));
if (process.env.BENCH_KEEP_STORE) console.log(`store kept in ${server.dataDir}`);
else rmSync(server.dataDir, { recursive: true, force: true });
// Every 2xx acknowledged 100 fresh events; wrk stops with up to one request per connection in flight, which
// the server may still have accepted: stored lies in [sent, sent + connections × 100], and no uuid twice.
const sent = (requests - statusErrors) * 100;
const duplicates = metric(metrics, 'pulse_events_duplicate_total');
const storedProblem =
  duplicates > 0 || store.uuids !== store.events
    ? `${fmt(duplicates)} duplicates dropped, ${fmt(store.events - store.uuids)} uuids stored twice`
    : store.events < sent || store.events > sent + connections * 100
      ? `${fmt(store.events)} events stored for ${fmt(sent)} acknowledged`
      : undefined;
const usedBytes = Number(store.size.used_blocks) * Number(store.size.block_size);

report(
  'bench:ingest — POST /batch/ of 100 events (posthog-node envelope, JSON), acknowledged = in the fsynced ingest log',
  [
    [
      'duration',
      `${fmt(durationUs / 1e6, 1)} s, ${connections} connections, wrk 1 thread${withoutRules ? ', NO alert rules' : ''}`,
    ],
    [
      'requests (non-2xx)',
      `${fmt(requests)} (${fmt(statusErrors)} status errors, ${fmt(timeouts)} timeouts)`,
    ],
    ['events acknowledged / s', fmt(rate)],
    [
      'events stored / sent (duplicates)',
      `${fmt(store.events)} / ${fmt(sent)} (${fmt(duplicates)} dropped as duplicates)`,
    ],
    [
      'events acknowledged (log)',
      `${fmt(accepted)} in ${fmt(commits)} group commits (${fmt(accepted / Math.max(1, commits))} per log fsync)`,
    ],
    [
      'loader (ingest log → DuckDB)',
      `${fmt(loadedRows)} rows in ${fmt(loads)} loads (${fmt(loadedRows / Math.max(1, loads))} per load, ` +
        `${fmt(loadedRows / Math.max(loadSeconds, 1e-9))} rows/s while loading); sustained 2nd half ${fmt(loaderRate)} rows/s`,
    ],
    [
      'log lag (events not yet loaded)',
      `max ${fmt(lagMax)}, at end ${fmt(lagEnd)}; per second: ${lag.map(([, l]) => fmt(l / 1000, 0)).join(' ')} K`,
    ],
    [
      'keeps up?',
      lagSlope <= 0.02 * rate
        ? `yes: the lag stays bounded (2nd half: ${fmt(lagSlope)} events/s of growth)`
        : `NO: the unloaded log grows by ${fmt(lagSlope)} events/s (sustainable ≈ the loader's rate)`,
    ],
    ['graceful stop (load tail + checkpoint)', `${fmt(stopMs, 0)} ms; ingest log left: ${fmt(logBytes)} B`],
    [
      'server CPU per event (all threads)',
      `${fmt(cpuPerEvent, 1)} µs (2 cores = ${fmt(2e6 / Math.max(cpuPerEvent, 1e-9))} events/s at most)`,
    ],
    ['loadavg before / after', `${loadavgBefore} / ${loadavg()}`],
    [
      'wrk CPU (posts the load, on the same cores)',
      `${fmt(out.cpuSeconds, 1)} s, ${fmt((out.cpuSeconds * 1e6) / Math.max(1, requests), 0)} µs per request`,
    ],
    ['request latency p50 / p99 / max', `${fmt(out.p50, 1)} / ${fmt(out.p99, 1)} / ${fmt(out.max, 1)} ms`],
    ['baseline: JSON.parse only, 1 core', `${fmt(parseRate)} events/s`],
    ['ratio ingest / JSON.parse ceiling', fmt(rate / parseRate, 2)],
    ['body size', `${fmt(avgBody)} B (${fmt(avgBody / 100)} B/event as JSON)`],
    [
      'bytes on disk per event',
      store.events
        ? `${fmt(dbBytes / store.events, 1)} (DuckDB file + WAL after load and checkpoint); ` +
          `${fmt(usedBytes / store.events, 1)} in used blocks (${fmt(store.size.free_blocks)} blocks free)`
        : 'n/a',
    ],
    ...store.columns
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, Number(process.env.BENCH_COLUMNS ?? 12))
      .map(({ column, bytes, compression }) => [
        `  B/event: ${column}`,
        `${fmt(bytes / Math.max(1, store.events), 2)} (${compression})`,
      ]),
    ['goal', '≥ 100,000 events/s; ≤ 60 B/event'],
  ],
);

if (storedProblem) {
  console.error(`\nFAILED: the store does not hold each acknowledged event once: ${storedProblem}`);
  process.exitCode = 1;
}
