// npm run bench:query — what an ad-hoc query costs through Pulse (POST /api/query: guard, scoped views,
// streamed conversion, audit record, HTTP) against the same SQL run straight on the store's DuckDB file in
// the same run. Seeds a store with `pulse seed`, serves it, times each query over HTTP as an admin (all
// tenants) and as an analyst scoped to one tenant, then stops the server and times the SQL on the file.
//   BENCH_TENANTS=20 BENCH_DAYS=90   the seeded data set
//   BENCH_RUNS=30                    timed runs per query and path (median and p95 reported)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const queries = {
  'count by tenant': 'SELECT tenant_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1',
  'net impact by day': `SELECT date_trunc('day', "timestamp") AS d,
      sum(impact_amount) FILTER (WHERE impact_type = 'positive') - sum(impact_amount) FILTER (WHERE impact_type = 'negative') AS net
    FROM events WHERE event = 'revenue_impact_event' GROUP BY 1 ORDER BY 1`,
  'CTE + window, 1,000 rows': `WITH r AS (SELECT tenant_id, "timestamp", impact_amount FROM events
      WHERE event = 'revenue_impact_event')
    SELECT tenant_id, "timestamp", sum(impact_amount) OVER (PARTITION BY tenant_id ORDER BY "timestamp") AS running
    FROM r ORDER BY 2 DESC LIMIT 1000`,
};

const stats = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.floor(sorted.length * 0.95)] };
};

async function timed(run) {
  await run(); // warm
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  return stats(ms);
}

const dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-query-'));
try {
  execFileSync(
    process.execPath,
    [
      join(root, 'packages/server/bin/pulse.js'),
      'seed',
      '--tenants',
      process.env.BENCH_TENANTS ?? '20',
      '--days',
      process.env.BENCH_DAYS ?? '90',
      '--direct',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PULSE_LOG_LEVEL: 'warn', PULSE_DATA_DIR: dataDir },
    },
  );
  const server = await startPulse({ port: 19000 + Math.floor(Math.random() * 900), dataDir });
  const results = {};
  let tenant;
  let events = 0;
  try {
    const call = (key, sql) =>
      fetch(`${server.url}/api/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      }).then(async (res) => {
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        return res.json();
      });
    const counts = await call(server.adminKey, queries['count by tenant']);
    tenant = counts.rows[0][0];
    events = counts.rows.reduce((sum, row) => sum + row[1], 0);
    const created = await fetch(`${server.url}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'analyst', tenants: [tenant] }),
    }).then((res) => res.json());
    for (const [name, sql] of Object.entries(queries)) {
      results[name] = {
        all: await timed(() => call(server.adminKey, sql)),
        scoped: await timed(() => call(created.key, sql)),
      };
    }
  } finally {
    await server.stop();
  }
  const instance = await DuckDBInstance.create(join(dataDir, 'pulse.duckdb'));
  const connection = await instance.connect();
  for (const [name, sql] of Object.entries(queries))
    results[name].direct = await timed(() => connection.runAndReadAll(sql).then((r) => r.getRowsJS()));
  connection.closeSync();
  instance.closeSync();

  const ms = (s) => `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} ms`;
  report(
    `bench:query — ${fmt(events)} events, ${RUNS} runs each, p50 / p95 (scoped: tenant ${tenant})`,
    Object.entries(results).flatMap(([name, r]) => [
      [`${name}: straight on the DuckDB file (baseline)`, ms(r.direct)],
      [`  POST /api/query, all tenants`, `${ms(r.all)} (${fmt(r.all.p50 / r.direct.p50, 1)} × baseline)`],
      [`  POST /api/query, scoped analyst`, `${ms(r.scoped)}`],
    ]),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
