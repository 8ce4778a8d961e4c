// npm run bench:alerts — time from a critical-triggering capture request to the alert webhook received
// (127.0.0.1), unloaded and while wrk saturates capture, and what alerting costs in server CPU per event.
// Processes, one machine: this one (the webhook receiver and the probe sender: one clock for both ends of
// the measurement); Pulse as `pulse serve` composes it (--serve: startServer from the BUILT dist); wrk on
// /batch/ (loopback, bounded in time). Phases:
//   1. unloaded: BENCH_PROBES probes, one every BENCH_PROBE_MS;
//   2. saturated: wrk for BENCH_SECONDS (BENCH_CONNECTIONS connections, posthog-node bodies of 100 events),
//      probes from 2 s in until 1 s before the end;
//   3. the same wrk window against a server without alert rules: the difference in server CPU per event
//      (from /proc, all threads) is what alerting costs (evaluation, alert writes, journal, audit).
// Background events are history (older than the notify horizon): the engine evaluates them all and records
// their alerts, but only the probes are pushed.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyRuleSet, posthogNodeBodies } from './lib/ingest-bodies.mjs';
import { cpuOf } from './lib/proc-cpu.mjs';
import { fmt, report } from './lib/report.mjs';
import { wrkBatches } from './lib/wrk.mjs';

const dist = new URL('../packages/server/dist/', import.meta.url);

// ── Pulse as `pulse serve` composes it (startServer from the BUILT dist): log-first ingest, engine, outbox ──
async function serve(webhookUrl, port) {
  const { pino } = await import('pino');
  const { loadConfig } = await import(new URL('config/index.js', dist));
  const { startServer } = await import(new URL('main.js', dist));
  const dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-alerts-'));
  const config = loadConfig({
    env: {
      PULSE_DATA_DIR: dataDir,
      PULSE_HOST: '127.0.0.1',
      PULSE_PORT: String(port),
      PULSE_ALERT_WEBHOOK_URL: webhookUrl,
      PULSE_ALERT_WEBHOOK_SECRET: 'whsec_YmVuY2gtc2VjcmV0',
      PULSE_OUTBOUND_ALLOW_PRIVATE: 'true',
      PULSE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PULSE_DIGEST_CRON: 'off',
      PULSE_RETENTION_CRON: 'off',
    },
    file: null,
  });
  const server = await startServer(config, pino({ level: 'error' }));
  process.send?.({ ready: true, adminKey: server.adminKey });
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await server.pipeline.drain();
    const stats = {
      alerts: (await server.storage.alerts.listAlerts({ limit: 1_000_000 })).length,
      notifications: (await server.storage.alerts.listDeliveries({ limit: 1_000_000 })).length,
    };
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.send?.({ stats });
    process.exit(0);
  });
}

/** Starts Pulse in a child process; resolves with its url, pid, admin key and a stop() returning its stats. */
async function startPulse(webhookUrl) {
  const port = 18000 + Math.floor(Math.random() * 1000);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', webhookUrl, String(port)], {
    stdio: 'inherit',
    // e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' profiles the server
    execArgv: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
  });
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`pulse exited early (code ${code}, signal ${signal})`);
    process.exit(1);
  });
  const { adminKey } = await new Promise((resolve) => child.once('message', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    adminKey,
    stop: async () => {
      stopping = true;
      child.send('stop');
      return (await new Promise((resolve) => child.on('message', (m) => m.stats && resolve(m)))).stats;
    },
  };
}

/** wrk on /batch/ for `seconds`, with the server's CPU per acknowledged event over the same window. */
async function saturate(server, bodies, seconds, connections) {
  const before = cpuOf(server.pid);
  const wrk = await wrkBatches({ url: server.url, bodies, connections, seconds });
  const after = cpuOf(server.pid);
  const events = (wrk.requests - wrk.non2xx) * 100;
  return { ...wrk, events, cpuUs: ((after.total - before.total) * 1e6) / events };
}

const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};
const spread = (list) =>
  `${[50, 95, 99].map((p) => fmt(percentile(list, p), 1)).join(' / ')} / ${fmt(Math.max(...list), 1)} ms`;

// ── the measurement ──────────────────────────────────────────────────────────────────────────────────
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const idleProbes = Number(process.env.BENCH_PROBES ?? 250);
  const probeEveryMs = Number(process.env.BENCH_PROBE_MS ?? 40);
  const bodies = posthogNodeBodies(Number(process.env.BENCH_BODIES ?? 6000));

  // Receiver: records when each probe's notification arrives.
  const sentAt = new Map();
  const phases = ['unloaded', 'saturated'];
  const total = Object.fromEntries(phases.map((p) => [p, []]));
  const toOpened = Object.fromEntries(phases.map((p) => [p, []]));
  const fromOpened = Object.fromEntries(phases.map((p) => [p, []]));
  let duplicates = 0;
  const seen = new Set();
  let arrived = () => {};
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      res.end('ok');
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const tenant = body.data?.alert?.tenant_id ?? '';
      const probe = sentAt.get(tenant);
      if (!probe || body.type !== 'alert.opened') return;
      if (seen.has(tenant)) return void duplicates++;
      seen.add(tenant);
      total[probe.phase].push(now - probe.at);
      const opened = Date.parse(body.data.alert.first_seen);
      toOpened[probe.phase].push(opened - probe.at);
      fromOpened[probe.phase].push(now - opened);
      arrived();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  const server = await startPulse(webhookUrl);
  // No client-side queue: under saturation each probe waits only for the server.
  const agent = new Agent({ keepAlive: true });
  let probes = 0;
  const probe = (phase) => {
    const tenant = `probe-${phase}-${++probes}`;
    const body = JSON.stringify({
      api_key: 'phc_bench',
      batch: [
        {
          event: 'revenue_impact_event',
          distinct_id: tenant,
          timestamp: new Date().toISOString(),
          properties: {
            tenant_id: tenant,
            impact_amount: 25_000,
            impact_type: 'negative',
            event_type: 'payment_failure',
          },
        },
      ],
    });
    sentAt.set(tenant, { phase, at: performance.timeOrigin + performance.now() });
    const req = request(
      `${server.url}/batch/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => res.resume(),
    );
    req.on('error', (error) => console.error(`probe ${tenant}: ${error.message}`));
    req.end(body);
  };
  const probeFor = async (phase, count) => {
    for (let i = 0; i < count; i++) {
      probe(phase);
      await new Promise((r) => setTimeout(r, probeEveryMs));
    }
  };
  /** Waits until every probe sent so far was received, at most `ms`. */
  const settle = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      arrived = () => seen.size >= sentAt.size && (clearTimeout(timer), resolve());
      arrived();
    });

  await probeFor('unloaded', idleProbes);
  await settle(5_000);

  const saturatedProbes = Math.floor(((seconds - 3) * 1000) / probeEveryMs);
  const loaded = saturate(server, bodies, seconds, connections);
  await new Promise((r) => setTimeout(r, 2_000));
  await probeFor('saturated', saturatedProbes);
  const withRules = await loaded;
  await settle(5_000);
  const stats = await server.stop();
  agent.destroy();

  const bare = await startPulse(webhookUrl);
  await emptyRuleSet(bare);
  const withoutRules = await saturate(bare, bodies, seconds, connections);
  await bare.stop();
  receiver.close();

  const sent = (phase) => [...sentAt.values()].filter((p) => p.phase === phase).length;
  const load = (r) =>
    `${fmt(r.events / r.seconds)} events/s acknowledged, ${r.non2xx} non-2xx, ${r.timeouts} timeouts; ` +
    `wrk p50 / p99 ${fmt(r.p50)} / ${fmt(r.p99)} ms; server CPU ${fmt(r.cpuUs, 1)} µs/event`;
  report('bench:alerts — capture request → critical alert webhook received (127.0.0.1), durable outbox', [
    ...phases.flatMap((phase) => [
      [`${phase}: probes received / sent`, `${total[phase].length} / ${sent(phase)}`],
      [`${phase}: latency p50 / p95 / p99 / max`, spread(total[phase])],
      [`${phase}:   request → alert opened`, spread(toOpened[phase])],
      [`${phase}:   alert opened → received`, spread(fromOpened[phase])],
    ]),
    [`saturated: wrk, ${connections} connections, default rules`, load(withRules)],
    ['saturated: wrk, same load, no alert rules', load(withoutRules)],
    ['alerting costs', `${fmt(withRules.cpuUs - withoutRules.cpuUs, 1)} µs of server CPU per event`],
    ['duplicate notifications', String(duplicates)],
    ['server: alerts / notifications stored', `${fmt(stats.alerts)} / ${fmt(stats.notifications)}`],
    [
      'load average',
      loadavg()
        .map((l) => fmt(l, 1))
        .join(' '),
    ],
    ['goal', 'critical alert p99 < 50 ms unloaded, < 100 ms while capture is saturated'],
  ]);
}

if (process.argv[2] === '--serve') await serve(process.argv[3], Number(process.argv[4]));
else await main();
