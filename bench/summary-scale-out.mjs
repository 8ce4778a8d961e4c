// npm run bench:summary-scale-out — one tenant's executive summary over HTTP on ClickHouse (events) +
// PostgreSQL (state), the way bench:scale-out measures it, but alone and repeated: one seeded store, then
// BENCH_ROUNDS rounds of a fresh `pulse serve` per build in BENCH_BINS (comma-separated bin/pulse.js paths,
// default this checkout's; several builds are measured interleaved, A B A B …), each answering
// BENCH_SUMMARY_RUNS summaries one at a time after BENCH_WARMUP unmeasured ones. Per run: p50 / p99 wall time,
// and the CPU per request of the Pulse process, ClickHouse and PostgreSQL (from /proc).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startClickHouse, startPostgres } from './lib/db-servers.mjs';
import { cpuOf } from './lib/proc-cpu.mjs';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const bins = (process.env.BENCH_BINS ?? join(root, 'packages/server/bin/pulse.js')).split(',');
const PRELOAD = Number(process.env.BENCH_PRELOAD ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_SUMMARY_RUNS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const ADMIN_KEY = 'bench-summary-admin-key';
const DAYS = 90;
const PER_DAY = 110;
const TENANTS = Math.max(1, Math.round(PRELOAD / (DAYS * PER_DAY)));

/** CPU seconds of a process and its live children (PostgreSQL serves each connection in a child). */
function cpuOfTree(pid) {
  let total = cpuOf(pid).total;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(stat[1]) === pid) total += cpuOf(Number(entry)).total;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs) => quantile(xs, 0.5);

function pulse(bin, args, env) {
  return spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, PULSE_LOG_LEVEL: 'warn', PULSE_ADMIN_KEY: ADMIN_KEY, ...env },
    stdio: 'inherit',
  });
}

async function seed(bin, env) {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-summary-seed-'));
  try {
    const child = pulse(
      bin,
      [
        'seed',
        '--direct',
        '--tenants',
        String(TENANTS),
        '--days',
        String(DAYS),
        '--per-day',
        String(PER_DAY),
      ],
      { ...env, PULSE_DATA_DIR: dir },
    );
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`pulse seed exited ${code}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pulse serve` on a fresh data dir; resolves once /readyz answers. */
async function serve(bin, env) {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-summary-'));
  const port = await freePort();
  const child = pulse(bin, ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir], env);
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
    if (child.exitCode !== null || i > 6000) throw new Error('pulse serve did not become ready');
    await delay(20);
  }
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, pid: child.pid, stop };
}

async function summaries(url, tenant, n) {
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const times = [];
  let body = '';
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const response = await fetch(`${url}/api/summary?tenant=${tenant}`, { headers });
    body = await response.text();
    if (!response.ok) throw new Error(`summary: ${response.status} ${body}`);
    times.push(performance.now() - t);
  }
  return { times, body };
}

const clickhouse = await startClickHouse();
const postgres = await startPostgres();
try {
  const env = {
    PULSE_STORE_URL: clickhouse.url('bench_summary'),
    PULSE_STATE_URL: postgres.createDatabase('bench_summary'),
  };
  await seed(bins[0], env);
  const results = bins.map(() => []);
  const answers = new Set();
  for (let round = 0; round < ROUNDS; round++)
    for (const [b, bin] of bins.entries()) {
      const server = await serve(bin, env);
      try {
        const tenant = await fetch(`${server.url}/api/tenants?limit=1`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
          .then((r) => r.json())
          .then((j) => j.tenants[0].tenantId);
        await summaries(server.url, tenant, WARMUP);
        const pids = [server.pid, clickhouse.pid, postgres.pid];
        const before = pids.map(cpuOfTree);
        const { times, body } = await summaries(server.url, tenant, RUNS);
        const cpu = pids.map((pid, i) => ((cpuOfTree(pid) - before[i]) * 1000) / RUNS);
        const { generatedAt: _g, window: _w, previousWindow: _p, ...figures } = JSON.parse(body);
        answers.add(JSON.stringify(figures));
        const run = {
          p50: median(times),
          p99: quantile(times, 0.99),
          pulseCpu: cpu[0],
          clickhouseCpu: cpu[1],
          postgresCpu: cpu[2],
        };
        results[b].push(run);
        console.log(
          `round ${round + 1} ${bin}: p50 ${fmt(run.p50, 2)} ms, p99 ${fmt(run.p99, 2)} ms; CPU/request pulse ${fmt(run.pulseCpu, 2)} ms, ` +
            `clickhouse ${fmt(run.clickhouseCpu, 2)} ms, postgres ${fmt(run.postgresCpu, 2)} ms`,
        );
      } finally {
        await server.stop();
      }
    }
  const summary = bins.map((bin, b) => {
    const runs = results[b];
    const of = (key) => ({
      min: Math.min(...runs.map((r) => r[key])),
      median: median(runs.map((r) => r[key])),
    });
    return {
      bin,
      p50: of('p50'),
      p99: of('p99'),
      pulseCpu: of('pulseCpu'),
      clickhouseCpu: of('clickhouseCpu'),
      postgresCpu: of('postgresCpu'),
    };
  });
  report(`summary over HTTP, ${PRELOAD} events, ${ROUNDS} rounds × ${RUNS} requests`, [
    ...summary.map((s) => [
      s.bin,
      `p50 ${fmt(s.p50.min, 2)} / ${fmt(s.p50.median, 2)} ms, p99 ${fmt(s.p99.min, 2)} / ${fmt(s.p99.median, 2)} ms (min / median); ` +
        `CPU per request pulse ${fmt(s.pulseCpu.median, 2)}, clickhouse ${fmt(s.clickhouseCpu.median, 2)}, postgres ${fmt(s.postgresCpu.median, 2)} ms`,
    ]),
    ['answers', answers.size === 1 ? 'the same figures in every run' : `${answers.size} different`],
  ]);
} finally {
  await clickhouse.stop();
  await postgres.stop();
}
