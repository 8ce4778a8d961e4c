// npm run bench:scale-out — one machine vs scaled out, in one run, three arms on the same data:
//   duckdb          one `pulse serve` on the embedded store
//   clickhouse ×1   one `pulse serve` on ClickHouse (events) + PostgreSQL (state)
//   clickhouse ×2   two of them behind HAProxy (deploy/haproxy.cfg), sharing both servers
// Per arm: a store preloaded with BENCH_PRELOAD seeded events (`pulse seed --direct`), the time from spawn to
// /readyz on it, the summary of one tenant over HTTP (p50 / p99 of BENCH_SUMMARY_RUNS), then capture with wrk
// (100-event posthog-node bodies, BENCH_SECONDS, BENCH_CONNECTIONS) with the CPU per event of every Pulse
// process and of the database servers, whether the loaders kept up, and the RSS of each Pulse process before
// and after capture. The two stores (DuckDB; ClickHouse + PostgreSQL) are seeded once, in parallel, and each arm
// runs on a fresh copy of them (lib/kept-stores.mjs): the arms start from the same data. BENCH_STORE_DIR keeps
// the built stores across runs (reused when the event count and seed match); without it they live in a temp dir.
// BENCH_ARMS picks arms (duckdb,clickhouse×1,clickhouse×2); an arm that fails is reported and the others run.
// On this 2-core machine every process shares the same two cores: the two-process arm shows the cost of
// coordination, not the gain of a second machine. Needs wrk, haproxy, clickhouse-server and PostgreSQL 15.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './lib/db-servers.mjs';
import { keptStores } from './lib/kept-stores.mjs';
import { posthogNodeBodies } from './lib/ingest-bodies.mjs';
import { cpuOf } from './lib/proc-cpu.mjs';
import { fmt, report } from './lib/report.mjs';
import { wrkBatches } from './lib/wrk.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'packages/server/bin/pulse.js');
const PRELOAD = Number(process.env.BENCH_PRELOAD ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SUMMARY_RUNS = Number(process.env.BENCH_SUMMARY_RUNS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_TIMEOUT_S ?? 600) * 1000;
const ARMS = (process.env.BENCH_ARMS ?? 'duckdb,clickhouse×1,clickhouse×2').split(',');
const ADMIN_KEY = 'bench-scale-out-admin-key';
const DAYS = 90;
const PER_DAY = 110;
const TENANTS = Math.max(1, Math.round(PRELOAD / (DAYS * PER_DAY)));

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const rssMiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const metric = (text, name) =>
  Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} ([\\d.e+]+)$`, 'm'))?.[1] ?? 0);

/** `pulse serve` on a data dir; resolves once /readyz answers, with the time that took. */
async function serve(dataDir, env) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    {
      env: { ...process.env, PULSE_LOG_LEVEL: 'warn', PULSE_ADMIN_KEY: ADMIN_KEY, ...env },
      stdio: 'inherit',
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error('pulse serve exited while starting');
    if (performance.now() - started > READY_TIMEOUT_MS) {
      // The process is stopped here: a failed arm leaves nothing running.
      child.kill('SIGTERM');
      await exited;
      throw new Error(`pulse serve not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await delay(20);
  }
  const readyMs = performance.now() - started;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { url, pid: child.pid, readyMs, stop };
}

async function proxy(servers) {
  const port = await freePort();
  const addresses = Object.fromEntries(
    [0, 1, 2].map((i) => [`PULSE_${i + 1}_ADDR`, new URL((servers[i] ?? servers[0]).url).host]),
  );
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', join(root, 'deploy/haproxy.cfg')], {
    env: { PROXY_BIND: `127.0.0.1:${port}`, ...addresses },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    !(await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (i > 300) throw new Error('haproxy did not reach a ready Pulse');
    await delay(100);
  }
  return { url, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await exited) };
}

async function summaryTimes(url, tenant) {
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const times = [];
  for (let i = 0; i < SUMMARY_RUNS; i++) {
    const t = performance.now();
    const response = await fetch(`${url}/api/summary?tenant=${tenant}`, { headers });
    if (!response.ok) throw new Error(`summary: ${response.status}`);
    await response.arrayBuffer();
    times.push(performance.now() - t);
  }
  return times;
}

/** Waits (bounded) until no process has events in its ingest log that are not loaded yet. */
async function drained(servers) {
  const started = performance.now();
  for (;;) {
    const lags = await Promise.all(
      servers.map(async (s) =>
        metric(await (await fetch(`${s.url}/metrics`)).text(), 'pulse_ingest_log_lag_events'),
      ),
    );
    if (lags.every((lag) => lag === 0)) return (performance.now() - started) / 1000;
    if (performance.now() - started > 300_000) return Infinity;
    await delay(250);
  }
}

/** One arm on `store` (a fresh copy: its data dir, env and database pids); `processes` Pulse processes. */
async function arm(name, processes, store) {
  const dirs = [
    store.dataDir,
    ...Array.from({ length: processes - 1 }, () => mkdtempSync(join(tmpdir(), 'pulse-bench-scale-'))),
  ];
  const load = [loadavg()[0]];
  const sampler = setInterval(() => load.push(loadavg()[0]), 5_000);
  const servers = [];
  let front = null;
  try {
    for (const dir of dirs) servers.push(await serve(dir, store.env));
    front = processes > 1 ? await proxy(servers) : null;
    const url = front?.url ?? servers[0].url;
    const tenant = await fetch(`${servers[0].url}/api/tenants?limit=1`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
      .then((r) => r.json())
      .then((body) => body.tenants[0].tenantId);
    const summaries = await summaryTimes(url, tenant);
    const rss = servers.map((s) => rssMiB(s.pid));
    const pids = [...servers.map((s) => s.pid), ...store.pids];
    const cpuBefore = pids.map((pid) => cpuOf(pid).total);
    const acceptedBefore = await accepted(servers);
    const out = await wrkBatches({
      url,
      bodies: posthogNodeBodies(3000),
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    const acceptedEvents = (await accepted(servers)) - acceptedBefore;
    const cpu = pids.map((pid, i) => cpuOf(pid).total - cpuBefore[i]);
    const drainSeconds = await drained(servers);
    const pulseCpu = cpu.slice(0, servers.length).reduce((a, b) => a + b, 0);
    const dbCpu = cpu.slice(servers.length).reduce((a, b) => a + b, 0);
    return {
      name,
      readyMs: servers.map((s) => s.readyMs),
      rss,
      rssAfter: servers.map((s) => rssMiB(s.pid)),
      summaryP50: quantile(summaries, 0.5),
      summaryP99: quantile(summaries, 0.99),
      rate: ((out.requests - out.non2xx) * 100) / out.seconds,
      non2xx: out.non2xx,
      acceptedEvents,
      pulseUs: (pulseCpu * 1e6) / Math.max(1, acceptedEvents),
      dbUs: (dbCpu * 1e6) / Math.max(1, acceptedEvents),
      drainSeconds,
      load: [Math.min(...load), Math.max(...load)],
    };
  } finally {
    clearInterval(sampler);
    await front?.stop();
    for (const server of servers) await server.stop();
    for (const dir of dirs.slice(1)) rmSync(dir, { recursive: true, force: true });
    await store.done();
  }
}

async function accepted(servers) {
  let total = 0;
  for (const s of servers) {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    total +=
      metric(text, 'pulse_events_accepted_total{kind="business"}') +
      metric(text, 'pulse_events_accepted_total{kind="generic"}');
  }
  return total;
}

const storeRoot = process.env.BENCH_STORE_DIR ?? mkdtempSync(join(tmpdir(), 'pulse-bench-stores-'));
// PostgreSQL runs as its own OS user when the bench runs as root: it must be able to reach its dir.
chmodSync(storeRoot, 0o755);
const results = [];
let stores;
let sizes;
try {
  stores = await keptStores({
    bin,
    root: storeRoot,
    events: PRELOAD,
    seedArgs: [
      '--tenants',
      String(TENANTS),
      '--days',
      String(DAYS),
      '--per-day',
      String(PER_DAY),
      '--seed',
      '7',
    ],
    env: { PULSE_ADMIN_KEY: ADMIN_KEY },
  });
  const duckdbArm = () => arm('duckdb', 1, { ...stores.duckdbCopy(), env: {}, pids: [] });
  const scaleArm = async (name, processes) => arm(name, processes, await stores.scaleCopy());
  const arms = [
    ['duckdb', duckdbArm],
    ['clickhouse ×1', () => scaleArm('clickhouse ×1', 1)],
    ['clickhouse ×2', () => scaleArm('clickhouse ×2', 2)],
  ].filter(([name]) => ARMS.includes(name.split(' ').join('')));
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, runArm] of arms) {
      // A failed arm (say, a process never ready) is reported as such; the other arms still run.
      const result = await runArm().catch((error) => ({ name, error: error.message }));
      console.error(`${name}: ${JSON.stringify(result)}`);
      results.push(result);
    }
  sizes = stores.sizes();
} finally {
  if (!process.env.BENCH_STORE_DIR) rmSync(storeRoot, { recursive: true, force: true });
}
const mib = (bytes) => `${fmt(bytes / 2 ** 20)} MiB`;
const built = (b) =>
  `${fmt(b.events)} events in ${fmt(b.seconds, 1)} s (${fmt(b.eventsPerSecond)}/s)${b.reused ? ', reused' : ''}`;
report(
  `bench:scale-out — ${fmt(PRELOAD)} preloaded events (${TENANTS} tenants × ${DAYS} days), then ${SECONDS} s of capture`,
  [
    [
      'seed duckdb',
      `${built(stores.duckdb)}; data dir ${mib(sizes.duckdb)} (${fmt(sizes.duckdb / stores.duckdb.events)} B/event)`,
    ],
    [
      'seed clickhouse',
      `${built(stores.scale)}; ClickHouse database ${mib(sizes.clickhouse)} (${fmt(sizes.clickhouse / stores.scale.events)} B/event), ` +
        `PostgreSQL data dir ${mib(sizes.postgres)}, Pulse data dir ${mib(sizes.scalePulse)}`,
    ],
    ...results.map((r) => [
      r.name,
      r.error
        ? `failed: ${r.error}`
        : `spawn → /readyz ${r.readyMs.map((ms) => fmt(ms)).join(' / ')} ms; summary p50 ${fmt(r.summaryP50, 2)} ms, ` +
          `p99 ${fmt(r.summaryP99, 2)} ms; capture ${fmt(r.rate)} events/s (${fmt(r.non2xx)} non-2xx, ` +
          `${fmt(r.acceptedEvents)} accepted), CPU ${fmt(r.pulseUs, 1)} µs/event in Pulse + ${fmt(r.dbUs, 1)} in the ` +
          `databases; loaders drained ${fmt(r.drainSeconds, 1)} s after; RSS ${r.rss.map((m) => fmt(m)).join(' / ')} → ` +
          `${r.rssAfter.map((m) => fmt(m)).join(' / ')} MiB; load ${fmt(r.load[0], 1)}–${fmt(r.load[1], 1)}`,
    ]),
  ],
);
