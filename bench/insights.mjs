// npm run bench:insights — forecast and capacity latency through the real server (HTTP, auth, store read,
// model fit and backtest): for one tenant and for a 1,000-tenant scope over 90 days of seed data.
// Needs the built dist (npm run build). The data set is kept in .bench/ (gitignored) so reruns skip the load.
//   BENCH_TENANTS=1000        tenants (default 1000)
//   BENCH_EVENTS_PER_DAY=10   events per tenant per day (default 10: ~0.9 M events; the seed's own default is 40)
//   BENCH_RUNS=30             requests per measurement (default 30)
import console from 'node:console';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist');
const { loadConfig } = await import(join(dist, 'config/index.js'));
const { openPipeline, startServer } = await import(join(dist, 'main.js'));
const { generateEvents, estimateCount } = await import(join(dist, 'seed/index.js'));
const { loadEvents } = await import(join(dist, 'ingestion/load-events.js'));

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 30));
const generate = {
  tenants: Number(process.env.BENCH_TENANTS ?? 1000),
  days: 90,
  seed: 20_260_301,
  end: new Date('2026-10-01T00:00:00Z'),
  eventsPerTenantPerDay: Number(process.env.BENCH_EVENTS_PER_DAY ?? 10),
};
const TO = '2026-10-01';
const storeDir = join(root, '.bench', `insights-${generate.tenants}-${generate.eventsPerTenantPerDay}`);

async function ensureStore() {
  const marker = join(storeDir, 'loaded.json');
  const wanted = JSON.stringify({ ...generate, end: generate.end.toISOString() });
  if (existsSync(marker)) {
    const meta = JSON.parse(readFileSync(marker, 'utf8'));
    if (JSON.stringify(meta.generate) === wanted) return { ...meta, reused: true };
  }
  rmSync(storeDir, { recursive: true, force: true });
  mkdirSync(storeDir, { recursive: true });
  const config = loadConfig({ env: { PULSE_DATA_DIR: storeDir, PULSE_LOG_LEVEL: 'warn' }, file: null });
  console.error(
    `loading ~${fmt(estimateCount(generate))} events into ${storeDir} (once; later runs reuse it)…`,
  );
  const started = performance.now();
  const { pipeline, close } = await openPipeline(config);
  const { loaded } = await loadEvents(pipeline, generateEvents(generate), () => {});
  await close();
  const meta = { generate: JSON.parse(wanted), loaded, loadSeconds: (performance.now() - started) / 1000 };
  writeFileSync(marker, JSON.stringify(meta));
  return { ...meta, reused: false };
}

const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const data = await ensureStore();
const config = loadConfig({
  env: { PULSE_DATA_DIR: storeDir, PULSE_HOST: '127.0.0.1', PULSE_PORT: '0', PULSE_DIGEST_CRON: 'off' },
  file: null,
});
const server = await startServer(config, pino({ level: 'error' }));
const headers = { authorization: `Bearer ${server.adminKey}` };

/** Wall ms (p50, p95) and process CPU ms per request (server and client share this process). */
async function measure(path) {
  const first = await fetch(`${server.url}${path}`, { headers });
  if (first.status !== 200) throw new Error(`${path}: ${first.status} ${await first.text()}`);
  const body = await first.json();
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const res = await fetch(`${server.url}${path}`, { headers });
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / RUNS;
  return {
    body,
    text: `p50 ${fmt(percentile(times, 0.5), 1)} ms, p95 ${fmt(percentile(times, 0.95), 1)} ms, CPU ${fmt(cpuMs, 1)} ms`,
  };
}

const rows = [
  [
    'events',
    `${fmt(data.loaded)} (${fmt(generate.tenants)} tenants × ${generate.days} days)${data.reused ? ' (reused)' : ''}`,
  ],
];
for (const metric of ['net_revenue_impact', 'realized_savings', 'cost_run_rate']) {
  const one = await measure(`/api/insights/forecast?metric=${metric}&tenant=acme-corp&to=${TO}&horizon=30`);
  const all = await measure(`/api/insights/forecast?metric=${metric}&to=${TO}&horizon=30`);
  const b = all.body.backtest;
  rows.push(
    [`${metric}, one tenant`, `${one.text} (${one.body.method})`],
    [
      `${metric}, ${fmt(generate.tenants)} tenants`,
      `${all.text} (${all.body.method}, MAPE ${b.mape === null ? '—' : fmt(b.mape, 1)} %, coverage ${b.coverage === null ? '—' : fmt(b.coverage * 100)} %)`,
    ],
  );
}
const capacity = await measure(`/api/insights/capacity?to=${TO}`);
rows.push([`capacity, ${fmt(capacity.body.resources.length)} resources`, capacity.text]);
await server.close();
report(`Insights latency (${RUNS} requests each, 2-core machine shared with other work)`, rows);
