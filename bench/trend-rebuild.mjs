// npm run bench:trend-rebuild — what the default trend rules' state rebuild costs at start on a bench:restart
// store, from the events themselves (each event of the lookback read into JS) against from the store's
// per-bucket sums. Each arm runs in a fresh process (so its RSS is its own), arms interleaved.
// Needs the built dist and a store built by bench/restart.mjs (same BENCH_EVENTS / PULSE_BENCH_RESTART_DIR).
//   BENCH_EVENTS=1000000           which bench:restart store (default 10,000,000)
//   PULSE_BENCH_RESTART_DIR=/path  the store's directory (default: <tmpdir>/pulse-bench-restart-<events>)
//   BENCH_ROUNDS=3                 rounds of both arms (default 3; min / median reported)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const storeDir = process.env.PULSE_BENCH_RESTART_DIR ?? join(tmpdir(), `pulse-bench-restart-${EVENTS}`);
const ARMS = ['events', 'sums'];

/** One arm in this process: open the store, rebuild every enabled default trend rule, print the costs. */
async function child(arm) {
  const { DuckDbEventStore } = await import(join(dist, 'storage/duckdb/duckdb-event-store.js'));
  const { DuckDbAlertStore } = await import(join(dist, 'storage/duckdb/duckdb-alert-store.js'));
  const { defaultRules } = await import(join(dist, 'alerts/default-rules.js'));
  const { createEvaluator } = await import(join(dist, 'alerts/evaluate/index.js'));
  const events = await DuckDbEventStore.open({ path: join(storeDir, 'pulse.duckdb'), threads: 1 });
  const store = await DuckDbAlertStore.open(events);
  // The events arm: a store that cannot sum, so each rule reads its lookback's events.
  const source =
    arm === 'sums'
      ? store
      : {
          latestByEntity: (q) => store.latestByEntity(q),
          recentEvents: (q) => store.recentEvents(q),
          trendBuckets: async () => null,
        };
  const rules = defaultRules.filter(
    (r) => r.enabled && ['anomaly', 'change_percent'].includes(r.condition.kind),
  );
  const evaluators = rules.map((r) =>
    createEvaluator(r, { budgets: { of: () => undefined }, hasActive: () => false }),
  );
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const evaluator of evaluators) await evaluator.rebuild(source, Date.now());
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const rssAfter = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  await store.close();
  await events.close();
  const mib = (bytes) => bytes / 2 ** 20;
  console.log(
    JSON.stringify({
      arm,
      rules: rules.map((r) => r.id),
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBeforeMiB: mib(rssBefore),
      rssGrowthMiB: mib(rssAfter - rssBefore),
      peakMiB: mib(peak),
    }),
  );
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  if (!existsSync(join(storeDir, 'loaded.json')))
    throw new Error(
      `no bench:restart store in ${storeDir}: run npm run bench:restart with BENCH_EVENTS first`,
    );
  const runs = { events: [], sums: [] };
  for (let round = 0; round < ROUNDS; round++)
    for (const arm of round % 2 ? [...ARMS].reverse() : ARMS) {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', new URL(import.meta.url).pathname, '--child', arm],
        {
          encoding: 'utf8',
          env: { ...process.env, PULSE_LOG_LEVEL: 'warn' },
        },
      );
      const run = JSON.parse(out.trim().split('\n').at(-1));
      console.error(
        `  ${arm}: ${fmt(run.ms)} ms, CPU ${fmt(run.cpuMs)} ms, RSS +${fmt(run.rssGrowthMiB)} MiB, peak ${fmt(run.peakMiB)} MiB`,
      );
      runs[arm].push(run);
    }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const minMed = (arm, field, unit) => {
    const xs = runs[arm].map((r) => r[field]);
    return `${fmt(Math.min(...xs))} / ${fmt(median(xs))} ${unit}`;
  };
  const rows = [
    ['store', storeDir],
    ['rules', runs.sums[0].rules.join(', ')],
  ];
  for (const arm of ARMS)
    rows.push(
      [`${arm}: wall time`, minMed(arm, 'ms', 'ms')],
      [`${arm}: CPU, all threads`, minMed(arm, 'cpuMs', 'ms')],
      [`${arm}: RSS growth`, minMed(arm, 'rssGrowthMiB', 'MiB')],
      [`${arm}: peak RSS (VmHWM)`, minMed(arm, 'peakMiB', 'MiB')],
    );
  report(`bench:trend-rebuild — ${ROUNDS} rounds per arm, interleaved (min / median)`, rows);
}
