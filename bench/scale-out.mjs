// npm run bench:scale-out — one machine vs scaled out, in one run, three arms on the same data:
//   duckdb          one `pulse serve` on the embedded store
//   clickhouse ×1   one `pulse serve` on ClickHouse (events) + PostgreSQL (state)
//   clickhouse ×2   two of them behind HAProxy (deploy/haproxy.cfg), sharing both servers
// Per arm: a store preloaded with BENCH_PRELOAD seeded events (`pulse seed --direct`), the time from spawn to
// /readyz on it, the summary of one tenant over HTTP (p50 / p99 of BENCH_SUMMARY_RUNS), then capture with wrk
// (100-event posthog-node bodies, BENCH_SECONDS, BENCH_CONNECTIONS) with the CPU per event of every Pulse
// process and of the database servers, and whether the loaders kept up.
// On this 2-core machine every process shares the same two cores: the two-process arm shows the cost of
// coordination, not the gain of a second machine. Needs wrk, haproxy, clickhouse-server and PostgreSQL 15.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startClickHouse, startPostgres } from './lib/db-servers.mjs';
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
const ADMIN_KEY = 'bench-scale-out-admin-key';
const DAYS = 90;
const PER_DAY = 110;
const TENANTS = Math.max(1, Math.round(PRELOAD / (DAYS * PER_DAY)));

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const rssMiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const metric = (text, name) =>
  Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} ([\\d.e+]+)$`, 'm'))?.[1] ?? 0);

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pulse ${args[0]} exited ${code}`)),
    );
  });
}

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
    if (performance.now() - started > 600_000) throw new Error('pulse serve not ready after 600 s');
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

async function arm(name, processes, env, databasePids) {
  const dirs = Array.from({ length: processes }, () => mkdtempSync(join(tmpdir(), 'pulse-bench-scale-')));
  try {
    const seedStarted = performance.now();
    await run(
      [
        'seed',
        '--direct',
        '--tenants',
        String(TENANTS),
        '--days',
        String(DAYS),
        '--per-day',
        String(PER_DAY),
        '--seed',
        '7',
      ],
      { ...env, PULSE_DATA_DIR: dirs[0], PULSE_ADMIN_KEY: ADMIN_KEY },
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const servers = [];
    for (const dir of dirs) servers.push(await serve(dir, env));
    const front = processes > 1 ? await proxy(servers) : null;
    try {
      const url = front?.url ?? servers[0].url;
      const tenant = await fetch(`${servers[0].url}/api/tenants?limit=1`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
        .then((r) => r.json())
        .then((body) => body.tenants[0].tenantId);
      const summaries = await summaryTimes(url, tenant);
      const rss = servers.map((s) => rssMiB(s.pid));
      const pids = [...servers.map((s) => s.pid), ...databasePids];
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
        seedSeconds,
        readyMs: servers.map((s) => s.readyMs),
        rss,
        summaryP50: quantile(summaries, 0.5),
        summaryP99: quantile(summaries, 0.99),
        rate: ((out.requests - out.non2xx) * 100) / out.seconds,
        non2xx: out.non2xx,
        pulseUs: (pulseCpu * 1e6) / Math.max(1, acceptedEvents),
        dbUs: (dbCpu * 1e6) / Math.max(1, acceptedEvents),
        drainSeconds,
      };
    } finally {
      await front?.stop();
      for (const server of servers) await server.stop();
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
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

const clickhouse = await startClickHouse();
const postgres = await startPostgres();
const results = [];
try {
  results.push(await arm('duckdb', 1, {}, []));
  const databases = [clickhouse.pid, postgres.pid];
  results.push(
    await arm(
      'clickhouse ×1',
      1,
      {
        PULSE_STORE_URL: clickhouse.url('bench_one'),
        PULSE_STATE_URL: postgres.createDatabase('bench_one'),
      },
      databases,
    ),
  );
  results.push(
    await arm(
      'clickhouse ×2',
      2,
      {
        PULSE_STORE_URL: clickhouse.url('bench_two'),
        PULSE_STATE_URL: postgres.createDatabase('bench_two'),
      },
      databases,
    ),
  );
} finally {
  await postgres.stop();
  await clickhouse.stop();
}
report(
  `bench:scale-out — ${fmt(PRELOAD)} preloaded events (${TENANTS} tenants × ${DAYS} days), then ${SECONDS} s of capture`,
  results.map((r) => [
    r.name,
    `seed ${fmt(r.seedSeconds, 1)} s; spawn → /readyz ${r.readyMs.map((ms) => fmt(ms)).join(' / ')} ms, ` +
      `RSS ${r.rss.map((m) => fmt(m)).join(' / ')} MiB; summary p50 ${fmt(r.summaryP50, 2)} ms, p99 ${fmt(r.summaryP99, 2)} ms; ` +
      `capture ${fmt(r.rate)} events/s (${fmt(r.non2xx)} non-2xx), CPU ${fmt(r.pulseUs, 1)} µs/event in Pulse + ` +
      `${fmt(r.dbUs, 1)} in the databases; loaders drained ${fmt(r.drainSeconds, 1)} s after`,
  ]),
);
