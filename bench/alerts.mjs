// npm run bench:alerts — time from a critical-triggering capture request to the alert webhook receiver
// (127.0.0.1), idle and with background ingest at ≥ 50,000 events/s. Three processes, one machine:
//   this one:  the webhook receiver and the probe sender (one clock for both ends of the measurement);
//   --serve:   Pulse as `pulse serve` runs it (startServer from the BUILT dist);
//   --load:    the background load generator (posthog-node /batch bodies of 100 events, at a fixed rate).
// Background events are business events of Dec 2025 (older than the notify horizon): the engine evaluates
// them all and records their alerts, but only the probes are pushed.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './lib/report.mjs';

const dist = new URL('../packages/server/dist/', import.meta.url);
const mode = process.argv[2];

if (mode === '--serve') await serve(process.argv[3], Number(process.argv[4]));
else if (mode === '--load') await load(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else await main();

// ── Pulse as `pulse serve` composes it (startServer from the BUILT dist): log-first ingest, engine, outbox ──
async function serve(webhookUrl, port) {
  const { pino } = await import('pino');
  const { loadConfig } = await import(new URL('config/index.js', dist));
  const { startServer } = await import(new URL('main.js', dist));
  const config = loadConfig({
    env: {
      PULSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pulse-bench-alerts-')),
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
  process.send?.({ ready: true });
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await server.pipeline.drain();
    const stats = {
      accepted: await server.store.countEvents(),
      alerts: (await server.storage.alerts.listAlerts({ limit: 100_000 })).length,
      notifications: (await server.storage.alerts.listDeliveries({ limit: 100_000 })).length,
    };
    await server.close();
    process.send?.({ stats });
    process.exit(0);
  });
}

// ── background load: `rate` events/s as /batch/ requests of 100 events, for `seconds` ──────────────
async function load(url, rate, seconds) {
  const { batchBody } = await import('./lib/posthog-batches.mjs');
  const perTick = rate / 100 / 100; // requests every 10 ms
  const bodies = [];
  for (let i = 0; i < Math.ceil((rate / 100) * (seconds + 1)); i++)
    bodies.push(batchBody({ seed: 10_000 + i, size: 100 }));
  process.send?.({ generated: bodies.length });
  await new Promise((resolve) => process.once('message', resolve)); // "go"
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  let skipped = 0;
  let due = 0;
  const started = performance.now();
  const send = (body) => {
    inFlight++;
    const req = request(
      `${url}/batch/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          if (res.statusCode === 200) ok++;
          else failed++;
        });
      },
    );
    req.on('error', () => {
      inFlight--;
      failed++;
    });
    req.end(body);
  };
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= seconds) {
        clearInterval(timer);
        resolve();
        return;
      }
      due += perTick;
      while (due >= 1) {
        due--;
        if (inFlight > 512 || next >= bodies.length) skipped++;
        else send(bodies[next++]);
      }
    }, 10);
  });
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  const duration = (performance.now() - started) / 1000;
  process.send?.({ events: ok * 100, failed, skipped, duration });
  process.exit(0);
}

// ── the measurement ──────────────────────────────────────────────────────────────────────────────────
async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const rate = Number(process.env.BENCH_RATE ?? 60_000);
  const probeEveryMs = Number(process.env.BENCH_PROBE_MS ?? 40);
  const port = 18000 + Math.floor(Math.random() * 1000);
  const url = `http://127.0.0.1:${port}`;

  // Receiver: records when each probe's notification arrives.
  const sentAt = new Map();
  const latencies = { idle: [], load: [] };
  const split = { idle: [], load: [] };
  const engine = { idle: [], load: [] };
  let duplicates = 0;
  const seen = new Set();
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
      latencies[probe.phase].push(now - probe.at);
      const opened = Date.parse(body.data.alert.first_seen);
      split[probe.phase].push(opened - probe.at);
      engine[probe.phase].push(now - opened);
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  const server = fork(new URL(import.meta.url).pathname, ['--serve', webhookUrl, String(port)], {
    stdio: 'inherit',
    // e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' profiles the server
    execArgv: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
  });
  let stopping = false;
  server.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`pulse exited early (code ${code}, signal ${signal})`);
      process.exit(1);
    }
  });
  await new Promise((resolve) => server.once('message', resolve));

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
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
      `${url}/batch/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => res.resume(),
    );
    req.on('error', (error) => console.error(`probe ${tenant}: ${error.message}`));
    req.end(body);
  };
  const probeFor = async (phase, ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      probe(phase);
      await new Promise((r) => setTimeout(r, probeEveryMs));
    }
  };

  // Idle: the path alone.
  await probeFor('idle', 3_000);
  await new Promise((r) => setTimeout(r, 500));

  // Under load: background ingest at `rate`, probes from 2 s in until 1 s before the end.
  const loader = fork(new URL(import.meta.url).pathname, ['--load', url, String(rate), String(seconds)], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => loader.once('message', resolve));
  const loadDone = new Promise((resolve) =>
    loader.on('message', (m) => m.events !== undefined && resolve(m)),
  );
  loader.send('go');
  await new Promise((r) => setTimeout(r, 2_000));
  await probeFor('load', (seconds - 3) * 1000);
  const background = await loadDone;
  await new Promise((r) => setTimeout(r, 1_000));

  stopping = true;
  server.send('stop');
  const { stats } = await new Promise((resolve) => server.on('message', (m) => m.stats && resolve(m)));
  receiver.close();
  agent.destroy();

  const pct = (list, p) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
      : NaN;
  };
  const line = (list) =>
    `${fmt(pct(list, 50), 1)} / ${fmt(pct(list, 99), 1)} / ${fmt(Math.max(...list), 1)} ms`;
  const sentPhase = (phase) => [...sentAt.values()].filter((p) => p.phase === phase).length;
  report(
    'bench:alerts — capture request → alert webhook received (127.0.0.1), critical rule, durable outbox',
    [
      ['idle: probes received / sent', `${latencies.idle.length} / ${sentPhase('idle')}`],
      ['idle: latency p50 / p99 / max', line(latencies.idle)],
      [
        'load: background ingest',
        `${fmt(background.events / background.duration)} events/s acknowledged (${fmt(background.events)} in ${fmt(background.duration, 1)} s; ${background.failed} failed, ${background.skipped} skipped)`,
      ],
      ['load: probes received / sent', `${latencies.load.length} / ${sentPhase('load')}`],
      ['load: latency p50 / p99 / max', line(latencies.load)],
      ['idle: request → alert opened (ingest log fsync)', line(split.idle)],
      ['idle: alert opened → received (outbox + send)', line(engine.idle)],
      ['load: request → alert opened (ingest log fsync)', line(split.load)],
      ['load: alert opened → received (outbox + send)', line(engine.load)],
      ['duplicate notifications', String(duplicates)],
      [
        'server: events stored / alerts / notifications',
        `${fmt(stats.accepted)} / ${fmt(stats.alerts)} / ${fmt(stats.notifications)}`,
      ],
      ['goal', 'p99 < 50 ms with ≥ 50,000 events/s of background ingest (seed: < 1 s)'],
      ...(background.events / background.duration < 50_000
        ? [
            [
              'note',
              'background ingest below 50,000 events/s: this machine is ingest-bound at that rate, so "under load" ' +
                'latency is mostly the capture queue (request → alert opened); BENCH_RATE=<sustainable rate> ' +
                'measures the alert path under a load the machine keeps up with',
            ],
          ]
        : []),
    ],
  );
}
