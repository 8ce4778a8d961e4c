// npm run bench:ingest-cost — what one acknowledged event costs the server in CPU, all its threads,
// from capture to loaded in DuckDB: a fixed workload (not a saturated one, whose numbers swing with the
// machine), with the default alert rules and without any, against JSON.parse of the same bodies in
// the same run, the graceful stop (final load, checkpoint) included. 100K events/s on 2 cores leaves 20 µs
// per event.
import { readFileSync } from 'node:fs';
import { emptyRuleSet, parseCeiling, posthogNodeBodies, sendAll } from './lib/ingest-bodies.mjs';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const count = Number(process.env.BENCH_BODIES ?? 1500); // 100 events each
const clients = 16;
const bodies = posthogNodeBodies(count);
const events = count * 100;
const parseUs = 1e6 / parseCeiling(bodies);

/** CPU seconds of a process (all threads, ended ones included) and of its main thread, from /proc. */
function cpuOf(pid) {
  const seconds = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { total: seconds(`/proc/${pid}/stat`), loop: seconds(`/proc/${pid}/task/${pid}/stat`) };
}

async function lagOf(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(/^pulse_ingest_log_lag_events ([\d.e+]+)$/m)?.[1] ?? 0);
}

async function measure(rules) {
  const server = await startPulse({ port: 19000 + Math.floor(Math.random() * 900) });
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
    return { rules, sent, total: us(total), loop: us(loop), other: us(total - loop) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const runs = [await measure('default'), await measure('none')];
report(
  `bench:ingest-cost — ${fmt(events)} posthog-node events (/batch/ of 100, ${clients} clients), CPU until loaded`,
  [
    ...runs.flatMap((r) => [
      [
        `${r.rules === 'none' ? 'no alert rules' : 'default alert rules'}: server CPU per event`,
        `${fmt(r.total, 1)} µs = ${fmt(r.total / parseUs, 1)} × JSON.parse (2 cores → at most ${fmt(2e6 / r.total)} events/s)`,
      ],
      ['  event loop / other threads (DuckDB, GC, log)', `${fmt(r.loop, 1)} / ${fmt(r.other, 1)} µs`],
      ['  sent in', `${fmt(r.sent, 1)} s (${fmt(events / r.sent)} events/s with ${clients} fetch clients)`],
    ]),
    ['alerting costs', `${fmt(runs[0].total - runs[1].total, 1)} µs per event under this (backfill) load`],
    ['baseline: JSON.parse of the same bodies', `${fmt(parseUs, 2)} µs per event on one core`],
    ['budget for 100,000 events/s on 2 cores', '20 µs per event'],
  ],
);
