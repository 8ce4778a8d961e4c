// npm run bench:api-latency — one tenant's executive summary over HTTP: GET /api/summary?tenant=<one> on a
// keep-alive connection, once with an API key scoped to that tenant and once with a dashboard session
// cookie, requests one after another (latency, not throughput). Reports p50/p99 per credential and the
// server's CPU per request read from /proc (all threads, and its event loop alone). Seeds a small store once
// with `pulse seed --direct`, then starts `pulse serve` on it per arm and round, arms interleaved.
//   BENCH_REQUESTS=2000   timed requests per credential, per arm and round (after 300 to warm up)
//   BENCH_ROUNDS=3        rounds; each runs every arm once, in turn
//   BENCH_AB_ENV='PULSE_X=1 PULSE_Y=2'        adds an arm B started with these settings
//   BENCH_AB_BIN=/path/to/packages/server/bin/pulse.js   adds an arm B running another build (e.g. a copy
//                                            of the dist before a change; run from inside this checkout)
//   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof'   profiles the server of every arm
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuOf } from './lib/proc-cpu.mjs';
import { fmt, report } from './lib/report.mjs';
import { startPulse } from './lib/server-process.mjs';
import { settingsOf } from './lib/ab-env.mjs';

const root = new URL('..', import.meta.url).pathname;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM = 300;
const TENANT_COUNT = 20;
const arms = [{ name: 'A', env: {} }];
if (process.env.BENCH_AB_ENV || process.env.BENCH_AB_BIN)
  arms.push({
    name: 'B',
    env: settingsOf(process.env.BENCH_AB_ENV),
    ...(process.env.BENCH_AB_BIN ? { bin: process.env.BENCH_AB_BIN } : {}),
  });

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One HTTP request on the kept-alive connection; resolves with status, headers and body. */
function call(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function json(url, options) {
  const res = await call(url, options);
  if (res.status >= 300) throw new Error(`${options?.method ?? 'GET'} ${url}: ${res.status} ${res.body}`);
  return { ...res, json: JSON.parse(res.body) };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/**
 * Waits (at most 45 s) until the server's own start-up work is done (rollups saved, alert state rebuilt,
 * DuckDB's first checkpoint): its CPU under 5 % over a second. Otherwise whichever credential is measured
 * first pays for it.
 */
async function settle(server) {
  for (let waited = 0; waited < 45; waited++) {
    const before = cpuOf(server.child.pid).total;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (cpuOf(server.child.pid).total - before < 0.05) return;
  }
}

/** Times `REQUESTS` summaries with `headers`; the server's CPU is read around the timed requests only. */
async function measure(server, path, headers) {
  for (let i = 0; i < WARM; i++) await json(`${server.url}${path}`, { headers });
  const times = new Float64Array(REQUESTS);
  const before = cpuOf(server.child.pid);
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await call(`${server.url}${path}`, { headers });
    times[i] = performance.now() - started;
    if (res.status !== 200) throw new Error(`summary answered ${res.status}: ${res.body}`);
  }
  const after = cpuOf(server.child.pid);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    cpuUs: ((after.total - before.total) * 1e6) / REQUESTS,
    loopUs: ((after.loop - before.loop) * 1e6) / REQUESTS,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-api-latency-'));
const results = new Map(); // `${arm} ${credential}` → measurements
const admin = { authorization: 'Bearer bench-admin-key' };
try {
  execFileSync(
    process.execPath,
    [
      join(root, 'packages/server/bin/pulse.js'),
      'seed',
      '--tenants',
      String(TENANT_COUNT),
      '--days',
      '30',
      '--direct',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PULSE_LOG_LEVEL: 'warn', PULSE_DATA_DIR: dataDir },
    },
  );
  let port = 19_000 + Math.floor(Math.random() * 900);
  let tenant = null;
  const email = 'bench@example.com';
  const password = 'bench-password-123';
  for (let round = 0; round < ROUNDS; round++) {
    for (const arm of arms) {
      const server = await startPulse({
        port: port++,
        dataDir,
        env: arm.env,
        ...(arm.bin ? { bin: arm.bin } : {}),
      });
      try {
        if (!tenant) {
          tenant = (await json(`${server.url}/api/tenants?limit=1`, { headers: admin })).json.tenants[0]
            .tenantId;
          await json(`${server.url}/api/users`, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/json' },
            body: JSON.stringify({ email, password, role: 'analyst', tenants: [tenant] }),
          });
        }
        const created = await json(`${server.url}/api/keys`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'analyst', tenants: [tenant], name: 'bench' }),
        });
        const signedIn = await json(`${server.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
        await settle(server);
        const path = `/api/summary?tenant=${encodeURIComponent(tenant)}`;
        const credentials = {
          'API key': { authorization: `Bearer ${created.json.key}` },
          session: { cookie },
        };
        // Alternated per round, so neither credential is always measured on the fresher server.
        const order = Object.entries(credentials);
        if (round % 2) order.reverse();
        for (const [credential, headers] of order) {
          const m = await measure(server, path, headers);
          const key = `${arm.name} ${credential}`;
          results.set(key, [...(results.get(key) ?? []), m]);
          console.error(
            `round ${round + 1} ${key}: p50 ${fmt(m.p50, 3)} ms, p99 ${fmt(m.p99, 3)} ms, ` +
              `CPU ${fmt(m.cpuUs)} µs/request (event loop ${fmt(m.loopUs)})`,
          );
        }
      } finally {
        agent.destroy();
        await server.stop();
      }
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const spread = (runs, field, digits) => {
  const xs = runs.map((r) => r[field]).sort((a, b) => a - b);
  return `${fmt(xs[0], digits)} / ${fmt(xs[Math.floor(xs.length / 2)], digits)}`;
};
const armNote =
  arms.length > 1 ? ` (B: ${process.env.BENCH_AB_BIN ?? ''} ${process.env.BENCH_AB_ENV ?? ''})` : '';
report(
  `bench:api-latency — GET /api/summary, one tenant, keep-alive, ${fmt(REQUESTS)} requests × ${ROUNDS} rounds${armNote}`,
  [
    ['arm, credential', 'p50 ms (min / median) | p99 ms | server CPU µs/request | event loop µs/request'],
    ...[...results].map(([key, runs]) => [
      key,
      `${spread(runs, 'p50', 3)} | ${spread(runs, 'p99', 3)} | ${spread(runs, 'cpuUs', 0)} | ${spread(runs, 'loopUs', 0)}`,
    ]),
  ],
);
