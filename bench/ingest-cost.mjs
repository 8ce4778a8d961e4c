// npm run bench:ingest-cost — what one acknowledged event costs the server in CPU, all its threads,
// from capture to loaded in DuckDB: a fixed workload (not a saturated one, whose numbers swing with the
// machine), with the default alert rules and without any, against JSON.parse of the same bodies in
// the same run, the graceful stop (final load, checkpoint) included. 100K events/s on 2 cores leaves 20 µs
// per event. BENCH_AB_ENV='PULSE_X=1 PULSE_Y=2' adds a B arm per rule set (the server started with those
// settings), interleaved with the A arm (without them) in the same run. BENCH_AB_BIN=/path/to/bin/pulse.js
// runs another build as the B arm (with BENCH_AB_ENV's settings if given). BENCH_NODE_ARGS profiles every arm.
import { rmSync } from 'node:fs';
import { emptyRuleSet, parseCeiling, posthogNodeBodies, sendAll } from './lib/ingest-bodies.mjs';
import { cpuOf } from './lib/proc-cpu.mjs';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';
import { settingsOf } from './lib/ab-env.mjs';

const count = Number(process.env.BENCH_BODIES ?? 1500); // 100 events each
const clients = 16;
const bodies = posthogNodeBodies(count);
const events = count * 100;
const parseUs = 1e6 / parseCeiling(bodies);

async function lagOf(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(/^pulse_ingest_log_lag_events ([\d.e+]+)$/m)?.[1] ?? 0);
}

const abEnv = settingsOf(process.env.BENCH_AB_ENV);
const abBin = process.env.BENCH_AB_BIN;
const variants = Object.keys(abEnv).length || abBin ? ['A', 'B'] : [''];

async function measure(rules, variant) {
  const server = await startPulse({
    port: 19000 + Math.floor(Math.random() * 900),
    env: variant === 'B' ? abEnv : {},
    ...(variant === 'B' && abBin ? { bin: abBin } : {}),
  });
  try {
    if (rules === 'none') await emptyRuleSet(server);
    const pid = server.child.pid;
    const before = cpuOf(pid);
    const started = performance.now();
    await sendAll(server.url, bodies, clients);
    const sent = (performance.now() - started) / 1000;
    while ((await lagOf(server)) > 0) await new Promise((r) => setTimeout(r, 100));
    // The graceful stop writes the coalesced alert changes and checkpoints: part of the cost. The last
    // reading before the process exits is taken as its total.
    let after = cpuOf(pid);
    const stopped = server.stop();
    let exited = false;
    void stopped.then(() => (exited = true));
    while (!exited) {
      try {
        after = cpuOf(pid);
      } catch {
        break; // gone
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await stopped;
    const total = after.total - before.total;
    const loop = after.loop - before.loop;
    const us = (s) => (s * 1e6) / events;
    return {
      rules: variant ? `${rules} ${variant}` : rules,
      sent,
      total: us(total),
      loop: us(loop),
      other: us(total - loop),
    };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    rmSync(server.dataDir, { recursive: true, force: true }); // each run's store is the bench's own
  }
}

// Arms interleaved (default, none, default, none…) so both see the same machine; min / median reported.
const repeat = Number(process.env.BENCH_REPEAT ?? 2);
const runs = [];
for (let i = 0; i < repeat; i++)
  for (const rules of ['default', 'none'])
    for (const variant of i % 2 ? [...variants].reverse() : variants)
      runs.push(await measure(rules, variant));
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)];
const arm = (rules) => runs.filter((r) => r.rules === rules);
const minMedian = (list, digits = 1) => `${fmt(Math.min(...list), digits)} / ${fmt(median(list), digits)}`;
const armRows = (rules, label) => {
  const list = arm(rules);
  const total = list.map((r) => r.total);
  return [
    [
      `${label}: server CPU per event, min / median`,
      `${minMedian(total)} µs = ${fmt(median(total) / parseUs, 1)} × JSON.parse (2 cores → at most ${fmt(2e6 / median(total))} events/s)`,
    ],
    [
      '  event loop / other threads (DuckDB, GC, log), median',
      `${fmt(median(list.map((r) => r.loop)), 1)} / ${fmt(median(list.map((r) => r.other)), 1)} µs`,
    ],
    ['  each run (µs/event)', total.map((t) => fmt(t, 1)).join(', ')],
  ];
};
const withVariant = (rules, variant) => (variant ? `${rules} ${variant}` : rules);
const variantLabel = (variant) =>
  variant === 'B'
    ? ` (B: ${[abBin, process.env.BENCH_AB_ENV].filter(Boolean).join(' ')})`
    : variant
      ? ' (A)'
      : '';
report(
  `bench:ingest-cost — ${fmt(events)} posthog-node events (/batch/ of 100, ${clients} clients), CPU until loaded, ${repeat} interleaved runs per arm`,
  [
    ...variants.flatMap((variant) => [
      ...armRows(withVariant('default', variant), `default alert rules${variantLabel(variant)}`),
      ...armRows(withVariant('none', variant), `no alert rules${variantLabel(variant)}`),
    ]),
    ...variants.map((variant) => {
      // Alerting's own cost: each default-rules run against the no-rules run interleaved with it.
      const none = arm(withVariant('none', variant));
      const alerting = arm(withVariant('default', variant)).map((r, i) => r.total - none[i].total);
      const loop = arm(withVariant('default', variant)).map((r, i) => r.loop - none[i].loop);
      return [
        `alerting costs${variantLabel(variant)}, min / median`,
        `${minMedian(alerting)} µs per event under this (backfill) load, of which event loop ${minMedian(loop)}`,
      ];
    }),
    ['baseline: JSON.parse of the same bodies', `${fmt(parseUs, 2)} µs per event on one core`],
    ['budget for 100,000 events/s on 2 cores', '20 µs per event'],
  ],
);
