// npm run bench:ingest — sustained capture throughput, acknowledged = durable, against the JSON.parse-only
// ceiling of the same bodies on one core. Load comes from wrk (loopback only); bounded in time and count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '../packages/server/dist/seed/index.js';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const bodies = Number(process.env.BENCH_BODIES ?? 8000); // distinct bodies: 100 events each, unique uuids
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const port = 18000 + Math.floor(Math.random() * 1000);

// posthog-node's batch envelope, uncompressed (disableCompression), with its $lib properties.
const work = mkdtempSync(join(tmpdir(), 'pulse-bench-ingest-'));
const lines = [];
const sample = generateEvents({
  tenants: Math.ceil(bodies / 10), // ~1,200 events per tenant over 30 days
  days: 30,
  seed: 7,
  end: new Date('2026-11-01T00:00:00Z'),
});
for (let b = 0; b < bodies; b++) {
  const batch = [];
  for (let i = 0; i < 100; i++) {
    const next = sample.next();
    if (next.done) throw new Error('generator ran out; lower BENCH_BODIES');
    const e = next.value;
    batch.push({
      event: e.event,
      distinct_id: e.distinctId,
      uuid: e.uuid,
      timestamp: new Date(e.timestamp).toISOString(),
      properties: {
        ...e.properties,
        $lib: 'posthog-node',
        $lib_version: '5.70.0',
        $is_server: true,
        $geoip_disable: true,
      },
    });
  }
  lines.push(JSON.stringify({ api_key: 'phc_bench', batch, sent_at: new Date().toISOString() }));
}
const bodyFile = join(work, 'bodies.ndjson');
writeFileSync(bodyFile, `${lines.join('\n')}\n`);
const avgBody = lines.reduce((n, l) => n + l.length, 0) / lines.length;

// Baseline measured in the same run: JSON.parse of the same bodies on one core.
let parsed = 0;
const t0 = performance.now();
while (performance.now() - t0 < 2000)
  for (const l of lines.slice(0, 500)) {
    JSON.parse(l);
    parsed += 100;
  }
const parseRate = parsed / ((performance.now() - t0) / 1000);

const lua = join(work, 'post.lua');
writeFileSync(
  lua,
  `
local bodies = {}
for line in io.lines("${bodyFile}") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/batch/", nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, summary.errors.status, summary.errors.timeout))
end
`,
);

const server = await startPulse({ port });
let out;
let metrics;
try {
  out = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua, `${server.url}`],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  metrics = await (await fetch(`${server.url}/metrics`)).text();
} finally {
  await server.stop(); // drains the queue and checkpoints, so the file size below is the settled one
}
const [, requests, durationUs, p50, p99, max, statusErrors, timeouts] = out
  .match(/JSON (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/)
  .map(Number);
const accepted =
  Number(metrics.match(/pulse_events_accepted_total\{kind="business"\} (\d+)/)?.[1] ?? 0) +
  Number(metrics.match(/pulse_events_accepted_total\{kind="generic"\} (\d+)/)?.[1] ?? 0);
const commits = Number(metrics.match(/pulse_commit_duration_seconds_count (\d+)/)?.[1] ?? 0);
const rate = ((requests - statusErrors) * 100) / (durationUs / 1e6);
const dbBytes = readdirSync(server.dataDir)
  .filter((f) => f.endsWith('.duckdb'))
  .reduce((n, f) => n + statSync(join(server.dataDir, f)).size, 0);

report('bench:ingest — POST /batch/ of 100 events (posthog-node envelope, JSON), acknowledged = committed', [
  ['duration', `${fmt(durationUs / 1e6, 1)} s, ${connections} connections, wrk 1 thread`],
  ['requests (non-2xx)', `${fmt(requests)} (${fmt(statusErrors)} status errors, ${fmt(timeouts)} timeouts)`],
  ['events acknowledged / s', fmt(rate)],
  [
    'events committed (store)',
    `${fmt(accepted)} in ${fmt(commits)} group commits (${fmt(accepted / Math.max(1, commits))} per commit)`,
  ],
  [
    'request latency p50 / p99 / max',
    `${fmt(p50 / 1000, 1)} / ${fmt(p99 / 1000, 1)} / ${fmt(max / 1000, 1)} ms`,
  ],
  ['baseline: JSON.parse only, 1 core', `${fmt(parseRate)} events/s`],
  ['ratio ingest / JSON.parse ceiling', fmt(rate / parseRate, 2)],
  ['body size', `${fmt(avgBody)} B (${fmt(avgBody / 100)} B/event as JSON)`],
  [
    'bytes on disk per event',
    accepted ? `${fmt(dbBytes / accepted, 1)} (DuckDB file after checkpoint)` : 'n/a',
  ],
  ['goal', '≥ 100,000 events/s; ≤ 60 B/event'],
]);
