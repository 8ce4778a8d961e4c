// npm run bench:relay — the relay to PostHog: how fast it forwards a backlog to a local upstream
// (events/s), and what it costs the server in CPU per captured event, relay on against relay off in the
// same run. The upstream is a node http server in this process that gunzips and parses each /batch/ as
// PostHog does; it holds its first request until every event is captured and loaded, so the relay then
// drains a full backlog: its throughput without capture competing for the cores.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { posthogNodeBodies, sendAll } from './lib/ingest-bodies.mjs';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const count = Number(process.env.BENCH_BODIES ?? 400); // 100 events each
const clients = 8;
const bodies = posthogNodeBodies(count);
const events = count * 100;
const TOKEN = 'phc_bench_upstream';

/** CPU seconds of a process, all its threads, from /proc. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} ([\\d.e+]+)$`, 'm'))?.[1] ?? 0);
}

async function until(check) {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

/** A stand-in PostHog: counts distinct uuids; the first request waits for `release()`. */
async function startUpstream() {
  const seen = new Set();
  let release;
  const released = new Promise((resolve) => (release = resolve));
  let requests = 0;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const envelope = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
    if (envelope.api_key !== TOKEN) throw new Error('wrong api_key');
    if (requests++ === 0) await released;
    for (const e of envelope.batch) seen.add(e.uuid);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Ok"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    release: () => release(),
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function measure(relay) {
  const upstream = relay ? await startUpstream() : null;
  const server = await startPulse({
    port: 19000 + Math.floor(Math.random() * 900),
    env: upstream ? { PULSE_POSTHOG_HOST: upstream.url, PULSE_POSTHOG_PROJECT_TOKEN: TOKEN } : {},
  });
  try {
    const pid = server.child.pid;
    const before = cpuOf(pid);
    await sendAll(server.url, bodies, clients);
    await until(async () => (await metric(server, 'pulse_ingest_log_lag_events')) === 0);
    let drainSeconds = null;
    if (upstream) {
      await until(() => upstream.requests() > 0);
      const started = performance.now();
      upstream.release();
      await until(() => upstream.seen.size >= events);
      drainSeconds = (performance.now() - started) / 1000;
    }
    const cpu = cpuOf(pid) - before;
    return { relay, usPerEvent: (cpu * 1e6) / events, drainSeconds, requests: upstream?.requests() ?? 0 };
  } finally {
    await server.stop();
    await upstream?.close();
  }
}

const off = await measure(false);
const on = await measure(true);
report(
  `bench:relay — ${fmt(events)} posthog-node events (/batch/ of 100, ${clients} clients), relay to a local upstream`,
  [
    [
      'relay throughput (backlog drained)',
      `${fmt(events / on.drainSeconds)} events/s (${fmt(on.drainSeconds, 2)} s, ${fmt(on.requests)} requests)`,
    ],
    ['server CPU per event, relay off', `${fmt(off.usPerEvent, 1)} µs (capture → loaded)`],
    ['server CPU per event, relay on', `${fmt(on.usPerEvent, 1)} µs (capture → loaded → relayed)`],
    ['relay costs', `${fmt(on.usPerEvent - off.usPerEvent, 1)} µs per event`],
  ],
);
