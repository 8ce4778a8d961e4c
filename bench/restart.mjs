// npm run bench:restart — restart of a large store: time until `pulse serve` answers /readyz, until its first
// summary (checked against a reference computed from the raw events), and its RSS once serving.
// Needs the built dist (npm run build). The store is built once (the seed generator through the real pipeline,
// ~10-15 min at 10 M events on 2 cores) and kept for later runs.
//   PULSE_BENCH_RESTART_DIR=/path  where the store is kept (default: <tmpdir>/pulse-bench-restart-<events>)
//   BENCH_EVENTS=1000000           a smaller data set (default 10,000,000; tenants scale with it, 90 days)
//   BENCH_RESTARTS=5               restarts measured (default 5; min / median reported)
//   BENCH_BUILD_LIMIT_S=2400       give up building the store after this long (default 40 min)
//   BENCH_SUMMARY_RUNS=200         summaries of one tenant over HTTP, after the first restart (p50 / p99)
//   BENCH_AB_ENV='PULSE_X=1 X=2'   adds an arm B started with these settings (e.g. MALLOC_ARENA_MAX=2)
//   BENCH_AB_BIN=/path/to/packages/server/bin/pulse.js   adds an arm B running another build (a copy of the
//                                  dist before a change); arms alternate restart by restart
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './lib/report.mjs';
import { settingsOf } from './lib/ab-env.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist');
const bin = join(root, 'packages/server/bin/pulse.js');

const DAY = 86_400_000;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RESTARTS = Math.max(1, Number(process.env.BENCH_RESTARTS ?? 5));
const BUILD_LIMIT_MS = Number(process.env.BENCH_BUILD_LIMIT_S ?? 2400) * 1000;
const SUMMARY_RUNS = Math.max(20, Number(process.env.BENCH_SUMMARY_RUNS ?? 200));
const arms = [{ name: 'A', env: {}, bin }];
if (process.env.BENCH_AB_ENV || process.env.BENCH_AB_BIN)
  arms.push({ name: 'B', env: settingsOf(process.env.BENCH_AB_ENV), bin: process.env.BENCH_AB_BIN ?? bin });
const storeDir = process.env.PULSE_BENCH_RESTART_DIR ?? join(tmpdir(), `pulse-bench-restart-${EVENTS}`);
const generate = {
  tenants: Math.max(1, Math.round((1000 * EVENTS) / 10_000_000)),
  days: 90,
  seed: 20_260_101,
  end: new Date('2026-10-01T00:00:00Z'),
  eventsPerTenantPerDay: 110,
};
// Windows whose edges cut days, so the first summary needs both the rollups and the edge days' raw facts.
const windowAll = {
  from: generate.end.getTime() - 30 * DAY - 7_777_777,
  to: generate.end.getTime() - 3_333_333,
};
const ADMIN_KEY = 'bench-restart-admin-key';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

// ── 1. The store, built once: the seed generator through the pipeline, then reference summaries from SQL ──
async function ensureStore() {
  const marker = join(storeDir, 'loaded.json');
  const wanted = { ...generate, end: generate.end.toISOString() };
  if (existsSync(marker)) {
    const meta = JSON.parse(readFileSync(marker, 'utf8'));
    if (JSON.stringify(meta.generate) === JSON.stringify(wanted)) return { ...meta, reused: true };
  }
  const { loadConfig } = await import(join(dist, 'config/index.js'));
  const { openPipeline } = await import(join(dist, 'main.js'));
  const { generateEvents, estimateCount } = await import(join(dist, 'seed/index.js'));
  const { loadEvents } = await import(join(dist, 'ingestion/load-events.js'));
  rmSync(storeDir, { recursive: true, force: true });
  mkdirSync(storeDir, { recursive: true });
  const config = loadConfig({ env: { PULSE_DATA_DIR: storeDir, PULSE_LOG_LEVEL: 'warn' }, file: null });
  console.error(
    `building ~${fmt(estimateCount(generate))} events into ${storeDir} (once; later runs reuse it)…`,
  );
  const started = performance.now();
  const { pipeline, close } = await openPipeline(config);
  let shown = 0;
  const { loaded } = await loadEvents(pipeline, generateEvents(generate), (n) => {
    const elapsed = performance.now() - started;
    if (elapsed > BUILD_LIMIT_MS)
      throw new Error(
        `building the store took over ${BUILD_LIMIT_MS / 1000} s (BENCH_BUILD_LIMIT_S); ${n} events in`,
      );
    if (n - shown >= 1_000_000) console.error(`  ${fmt((shown = n))} events, ${fmt(elapsed / 1000)} s`);
  });
  await close();
  const meta = { generate: wanted, loaded, buildSeconds: (performance.now() - started) / 1000 };
  writeFileSync(marker, JSON.stringify(meta));
  return { ...meta, reused: false };
}

/** Summaries recomputed from the raw events by a fresh in-process rebuild: what every restart must answer. */
async function referenceSummaries(tenant) {
  const file = join(storeDir, `reference-${tenant}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const { DuckDbEventStore } = await import(join(dist, 'storage/duckdb/duckdb-event-store.js'));
  const { EventStream } = await import(join(dist, 'ingestion/event-stream.js'));
  const { createAnalytics } = await import(join(dist, 'analytics/analytics.js'));
  const { DuckDbAnalyticsReads } = await import(join(dist, 'storage/duckdb/duckdb-analytics-reads.js'));
  const { presentSummary } = await import(join(dist, 'analytics/present-summary.js'));
  const store = await DuckDbEventStore.open({ path: join(storeDir, 'pulse.duckdb') });
  const analytics = createAnalytics({
    reads: await DuckDbAnalyticsReads.open(store),
    stream: new EventStream((error) => console.error(error)),
    preloadDefaultWindow: false,
  });
  const reference = {
    // The reference asks for a tenant with events: no unknown tenants to name.
    all: presentSummary(await analytics.summarize({ tenants: 'all' }, windowAll), []),
    one: presentSummary(await analytics.summarize({ tenants: [tenant] }, windowAll), []),
  };
  analytics.close();
  await store.close();
  writeFileSync(file, JSON.stringify(reference));
  return reference;
}

// ── 2. Restarts: spawn, poll /readyz, ask the summaries, read RSS, stop gracefully ──
// Equal up to float summation order (DuckDB aggregates in parallel): numbers within 1e-9 relative.
const close = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => close(a[k], b[k]));
};
const sameSummary = (a, b) => {
  const strip = ({ generatedAt: _g, ...rest }) => rest;
  return close(strip(a), strip(b));
};

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function restartOnce(arm, port, tenant, reference, measureSummaries) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [arm.bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', storeDir],
    {
      cwd: storeDir,
      env: { ...process.env, ...arm.env, PULSE_LOG_LEVEL: 'warn', PULSE_ADMIN_KEY: ADMIN_KEY },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error('pulse serve exited while starting');
      if (performance.now() - started > 300_000) throw new Error('pulse serve not ready after 300 s');
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await wait(10);
    }
    const readyMs = performance.now() - started;
    const readyRss = rssMiB(child.pid);
    const query = (tenants) =>
      `${url}/api/summary?from=${new Date(windowAll.from).toISOString()}&to=${new Date(windowAll.to).toISOString()}${tenants}`;
    const one = await (await fetch(query(`&tenant=${tenant}`), { headers })).json();
    const firstSummaryMs = performance.now() - started;
    const all = await (await fetch(query(''), { headers })).json();
    const exact = sameSummary(one, reference.one) && sameSummary(all, reference.all);
    if (!exact)
      writeFileSync(join(storeDir, 'mismatch.json'), JSON.stringify({ one, all, reference }, null, 1));
    const rss = rssMiB(child.pid);
    let summaryTimes = null;
    if (measureSummaries) {
      summaryTimes = [];
      for (let i = 0; i < SUMMARY_RUNS; i++) {
        const t = performance.now();
        const response = await fetch(query(`&tenant=${tenant}`), { headers });
        await response.arrayBuffer();
        summaryTimes.push(performance.now() - t);
      }
    }
    return { readyMs, firstSummaryMs, exact, readyRss, rss, summaryTimes };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const data = await ensureStore();
const tenant = 'acme-corp';
const reference = await referenceSummaries(tenant);
const port = 20_000 + (process.pid % 20_000);
const runs = [];
for (let i = 0; i < RESTARTS; i++)
  for (const arm of arms) {
    const run = { arm: arm.name, ...(await restartOnce(arm, port, tenant, reference, i === 0)) };
    console.error(
      `  ${arm.name} restart ${i + 1}: ready ${fmt(run.readyMs)} ms, first summary ${fmt(run.firstSummaryMs)} ms, ` +
        `RSS ${fmt(run.readyRss)} MiB at /readyz, ${fmt(run.rss)} MiB after the summaries, ` +
        `${run.exact ? 'exact' : 'DIFFERENT from the reference'}`,
    );
    runs.push(run);
  }
const times = runs[0].summaryTimes;
const minMed = (xs, unit, digits = 0) =>
  `${fmt(Math.min(...xs), digits)} / ${fmt(median(xs), digits)} ${unit}`;
const label = (arm) =>
  arms.length > 1
    ? ` (${arm.name}${arm.name === 'B' ? `: ${process.env.BENCH_AB_BIN ?? ''} ${process.env.BENCH_AB_ENV ?? ''}` : ''})`
    : '';
const perArm = (title, value, unit) =>
  arms.map((arm) => [
    `${title}${label(arm)}`,
    minMed(runs.filter((r) => r.arm === arm.name).map(value), unit),
  ]);
report(`bench:restart — ${fmt(data.loaded)} events, ${RESTARTS} restarts per arm (min / median)`, [
  ['store', `${storeDir}${data.reused ? ' (reused)' : `, built in ${fmt(data.buildSeconds)} s`}`],
  ...perArm('spawn → /readyz', (r) => r.readyMs, 'ms'),
  ...perArm('spawn → first one-tenant summary', (r) => r.firstSummaryMs, 'ms'),
  ...perArm('RSS at /readyz', (r) => r.readyRss, 'MiB'),
  ...perArm('RSS after both summaries', (r) => r.rss, 'MiB'),
  ['summaries equal the reference', runs.every((r) => r.exact) ? 'yes, every restart' : 'NO'],
  [
    `one tenant's summary over HTTP (${SUMMARY_RUNS} runs)`,
    `p50 ${fmt(median(times), 2)} ms, p99 ${fmt(quantile(times, 0.99), 2)} ms`,
  ],
  ['goal', 'ready with exact summaries < 2 s, RSS < 512 MiB; one tenant < 2 ms p50'],
]);
if (!runs.every((r) => r.exact)) process.exitCode = 1;
